"""Enterprises (art. 4, 5, 23, 36) and the pipeline before disbursement (art. 24–26)."""

import re
from datetime import date
from decimal import Decimal

import pytest
from factories import make_uscc
from lending_world import TODAY

from riskfund.errors import RuleViolation
from riskfund.lending.models import ApplicationStatus, PipelineEvent, PipelineStep, RecommendationStatus
from riskfund.lending.selectors import recommendation_list
from riskfund.lending.services import (
    application_create,
    application_withdraw,
    due_diligence_record,
    enterprise_create,
    enterprise_extension_grant,
    enterprise_list_dishonest,
    enterprise_update,
    recommendation_issue,
)
from riskfund.lending.validation import InputError
from riskfund.outbox.models import OutboxEvent
from riskfund.parties.models import DishonestRecord
from riskfund.parties.services import bank_create

D = Decimal


def _create(uscc: str, **overrides):
    values = {
        "uscc": uscc,
        "name": "包头市鹿城机械制造有限公司",
        "district_code": "150203",
        "industry": "industry",
        "employees": 120,
        "revenue": D("35000000.00"),
        "total_assets": D("20000000.00"),
        "established_on": date(2012, 5, 8),
    }
    values.update(overrides)
    return enterprise_create(**values)


def test_art5_uscc_with_chars_3_to_6_1502_is_accepted(world):
    uscc = make_uscc(777, area="150203")
    assert uscc[2:6] == "1502"
    enterprise = _create(uscc)
    # industry: 120 persons ≥ 20 and revenue 35,000,000 ≥ 3,000,000 → small; medium needs ≥ 300 and ≥ 20,000,000
    assert enterprise.size_class == "small"
    assert enterprise.district_id == "150203"


def test_art5_uscc_registered_outside_baotou_1501_is_not_eligible(world):
    uscc = make_uscc(778, area="150102")  # 呼和浩特
    with pytest.raises(RuleViolation) as caught:
        _create(uscc)
    assert (caught.value.code, caught.value.clause, caught.value.status) == (
        "enterprise_not_eligible",
        "art. 4, 5",
        422,
    )


def test_art4_bad_uscc_is_a_400_validation_error_on_the_field(world):
    good = make_uscc(779)
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(InputError) as caught:
        _create(bad_check)
    assert caught.value.code == "validation_error"
    assert caught.value.status == 400
    assert "uscc" in caught.value.errors


def test_art4_unknown_district_or_industry_is_a_validation_error(world):
    with pytest.raises(InputError) as caught:
        _create(make_uscc(780), district_code="region")
    assert "district" in caught.value.errors
    with pytest.raises(InputError) as caught:
        _create(make_uscc(781), industry="no-such-industry")
    assert "industry" in caught.value.errors


def test_art4_duplicate_uscc_is_refused(world):
    uscc = make_uscc(782)
    _create(uscc)
    with pytest.raises(InputError):
        _create(uscc)


def test_art4_large_enterprise_is_recorded_but_refused_at_application(world):
    # industry: 1,200 persons ≥ 1,000 and revenue 450,000,000 ≥ 400,000,000 → no measure below the SME line
    enterprise = _create(make_uscc(783), employees=1200, revenue=D("450000000"))
    assert enterprise.size_class == "large"
    with pytest.raises(RuleViolation) as caught:
        application_create(enterprise=enterprise, amount=D("5000000"), term_months=12, submitted_on=date(2025, 1, 2))
    assert (caught.value.code, caught.value.clause) == ("enterprise_not_eligible", "art. 4")


def test_art4_update_recomputes_the_size_class(world):
    enterprise = world.enterprise()
    assert enterprise.size_class == "small"
    enterprise = enterprise_update(enterprise=enterprise, employees=10, revenue=D("2000000"))
    assert enterprise.size_class == "micro"


def test_art36_dishonest_enterprise_refused_at_application_and_recommendation(world):
    enterprise = world.enterprise()
    application = application_create(
        enterprise=enterprise, amount=D("1000000"), term_months=12, submitted_on=date(2025, 1, 2)
    )
    record = enterprise_list_dishonest(
        enterprise=enterprise, on=date(2025, 1, 3), reason="代偿后未归还", cause="compensation"
    )
    assert record.action == "listed"
    enterprise.refresh_from_db()
    assert enterprise.dishonest
    with pytest.raises(RuleViolation) as caught:
        application_create(enterprise=enterprise, amount=D("1000000"), term_months=12, submitted_on=date(2025, 1, 4))
    assert (caught.value.code, caught.value.clause) == ("enterprise_dishonest", "art. 36")
    with pytest.raises(RuleViolation) as caught:
        recommendation_issue(
            application=application,
            bank=world.bank,
            guarantor=world.guarantor,
            amount=D("1000000"),
            issued_on=date(2025, 1, 4),
        )
    assert caught.value.code == "enterprise_dishonest"
    # a second listing is kept in the history
    enterprise_list_dishonest(enterprise=enterprise, on=date(2025, 2, 1), reason="第二笔代偿", cause="compensation")
    assert DishonestRecord.objects.filter(enterprise=enterprise).count() == 2


def test_art23_extension_needs_a_reason_and_is_kept(world):
    enterprise = world.enterprise()
    with pytest.raises(InputError):
        enterprise_extension_grant(enterprise=enterprise, until=date(2027, 1, 1), reason=" ", user=None)
    enterprise_extension_grant(enterprise=enterprise, until=date(2027, 1, 1), reason="重点技改项目", user=None)
    enterprise.refresh_from_db()
    assert enterprise.support_extension_until == date(2027, 1, 1)
    assert enterprise.support_extensions.count() == 1


def test_art25_form_numbers_are_sequential_per_year(world):
    enterprise = world.enterprise()
    numbers = []
    for issued_on in (date(2025, 1, 2), date(2025, 6, 1), date(2026, 1, 5)):
        application = application_create(
            enterprise=enterprise, amount=D("1000000"), term_months=12, submitted_on=issued_on
        )
        recommendation = recommendation_issue(
            application=application,
            bank=world.bank,
            guarantor=world.guarantor,
            amount=D("1000000"),
            issued_on=issued_on,
        )
        numbers.append(recommendation.form_no)
    assert numbers == ["ZBJ-2025-000001", "ZBJ-2025-000002", "ZBJ-2026-000001"]
    assert all(re.fullmatch(r"ZBJ-\d{4}-\d{6}", n) for n in numbers)


def _issued(world, on: date = date(2025, 1, 3)):
    application = application_create(
        enterprise=world.enterprise(), amount=D("2000000"), term_months=12, purpose="流动资金周转", submitted_on=on
    )
    recommendation = recommendation_issue(
        application=application, bank=world.bank, guarantor=world.guarantor, amount=D("2000000"), issued_on=on
    )
    return application, recommendation


def _opinion(recommendation, party: str, opinion: str, on: date):
    due_diligence_record(recommendation=recommendation, party=party, opinion=opinion, reported_on=on, today=TODAY)
    recommendation.refresh_from_db()
    return recommendation.status


def test_art26_both_opinions_gate_the_recommendation_and_history_is_kept(world):
    """Art. 26 (SPEC §8): usable only when the bank AND the guarantor approve; the guarantor's approval alone leaves
    it issued, the bank's then makes it approved; every opinion is kept in the pipeline's history."""
    application, recommendation = _issued(world)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECOMMENDED
    assert recommendation.status == RecommendationStatus.ISSUED
    event = OutboxEvent.objects.get(bank=world.bank, type="recommendation.issued")  # webhook to the bank
    assert event.data["form_no"] == recommendation.form_no
    assert event.data["amount"] == "2000000.00"
    assert _opinion(recommendation, "guarantor", "approve", date(2025, 1, 6)) == RecommendationStatus.ISSUED
    assert _opinion(recommendation, "bank", "approve", date(2025, 1, 7)) == RecommendationStatus.APPROVED
    assert (recommendation.bank_opinion, recommendation.guarantor_opinion) == ("approve", "approve")
    steps = list(PipelineEvent.objects.filter(application=application).values_list("step", "to_status"))
    assert steps == [
        (PipelineStep.APPLICATION, "submitted"),
        (PipelineStep.APPLICATION, "recommended"),
        (PipelineStep.RECOMMENDATION, "issued"),
        (PipelineStep.DUE_DILIGENCE, "issued"),
        (PipelineStep.DUE_DILIGENCE, "approved"),
    ]


def test_art26_the_bank_alone_does_not_make_it_usable(world):
    """The bank approves, the guarantor has said nothing: registration is refused (recommendation_not_usable)."""
    _, recommendation = _issued(world)
    assert _opinion(recommendation, "bank", "approve", date(2025, 1, 7)) == RecommendationStatus.ISSUED
    with pytest.raises(RuleViolation) as caught:
        world.register(recommendation, "2000000")
    assert (caught.value.code, caught.value.clause) == ("recommendation_not_usable", "art. 26")
    assert "guarantor" in caught.value.message


@pytest.mark.parametrize("rejecting", ["bank", "guarantor"])
def test_art26_a_reject_by_either_closes_the_recommendation(world, rejecting):
    """A reject by either party closes it: the other's approval cannot revive it, nor can the rejecter's own."""
    _, recommendation = _issued(world)
    other = "guarantor" if rejecting == "bank" else "bank"
    assert _opinion(recommendation, other, "approve", date(2025, 1, 6)) == RecommendationStatus.ISSUED
    assert _opinion(recommendation, rejecting, "reject", date(2025, 1, 7)) == RecommendationStatus.REJECTED
    for party in (other, rejecting):
        with pytest.raises(RuleViolation) as caught:
            _opinion(recommendation, party, "approve", date(2025, 1, 9))
        assert caught.value.code == "recommendation_not_usable"
    with pytest.raises(RuleViolation) as caught:
        world.register(recommendation, "2000000")
    assert caught.value.code == "recommendation_not_usable"
    # the application may be recommended again (one open recommendation per application)
    application = recommendation.application
    again = recommendation_issue(
        application=application, bank=world.bank, guarantor=world.guarantor, amount=D("2000000"), issued_on=TODAY
    )
    assert again.status == RecommendationStatus.ISSUED


def test_art26_due_diligence_date_in_future_is_refused(world):
    recommendation = world.recommendation(world.enterprise(), "1000000")
    with pytest.raises(RuleViolation) as caught:
        due_diligence_record(
            recommendation=recommendation, party="bank", opinion="approve", reported_on=date(2026, 1, 1), today=TODAY
        )
    assert caught.value.code == "date_in_future"


def test_art25_one_open_recommendation_per_application_and_withdrawn_refused(world):
    enterprise = world.enterprise()
    application = application_create(
        enterprise=enterprise, amount=D("1000000"), term_months=12, submitted_on=date(2025, 1, 2)
    )
    recommendation_issue(
        application=application,
        bank=world.bank,
        guarantor=world.guarantor,
        amount=D("1000000"),
        issued_on=date(2025, 1, 2),
    )
    with pytest.raises(InputError):
        recommendation_issue(
            application=application,
            bank=world.bank,
            guarantor=world.guarantor,
            amount=D("1000000"),
            issued_on=date(2025, 1, 3),
        )
    other = application_create(
        enterprise=enterprise, amount=D("1000000"), term_months=12, submitted_on=date(2025, 1, 2)
    )
    application_withdraw(application=other, on=date(2025, 1, 3), reason="企业放弃")
    with pytest.raises(InputError):
        recommendation_issue(
            application=other,
            bank=world.bank,
            guarantor=world.guarantor,
            amount=D("1000000"),
            issued_on=date(2025, 1, 4),
        )


def test_recommendation_list_shows_only_the_banks_own(world):
    other_bank = bank_create(code="ICBC", name="工商银行包头分行")
    mine = world.recommendation(world.enterprise(), "1000000")
    world.recommendation(world.enterprise(), "1000000", bank=other_bank)
    assert list(recommendation_list(bank=world.bank)) == [mine]
