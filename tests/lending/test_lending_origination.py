"""Loan registration (art. 27) and the origination checks of SPEC §8, as worked examples to the fen."""

from datetime import date
from decimal import Decimal

from lending_world import DISTRICT, TODAY, build_world, refused

from riskfund.lending.models import Loan, RecommendationStatus
from riskfund.lending.services import (
    application_create,
    due_diligence_record,
    enterprise_extension_grant,
    recommendation_issue,
    repayment_post,
)
from riskfund.parties.models import Agreement, Bank, DishonestListing, Funder, ListingStatus
from riskfund.parties.services import bank_create
from riskfund.pool.agreements import agreement_sign
from riskfund.pool.models import PoolState

D = Decimal


def test_art27_registration_freezes_district_policy_lpr_and_moves_every_counter(world):
    enterprise = world.enterprise()
    recommendation = world.recommendation(enterprise, "3000000")
    loan = world.register(
        recommendation,
        "2500000.50",
        counter_guarantees=[{"kind": "real_estate", "description": "厂房抵押", "value": D("4000000")}],
    )
    assert loan.status == "active"
    assert loan.district_id == DISTRICT
    assert loan.policy_version == world.policy
    assert loan.outstanding_principal == D("2500000.50")
    assert loan.lpr_rate == D("3.1000")  # LPR 1Y published 2024-10-21, in force on 2025-03-03
    assert [(line.due_on, line.principal) for line in loan.schedule.all()] == [(date(2026, 3, 3), D("2500000.50"))]
    assert loan.counter_guarantees.get().kind == "real_estate"
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.USED
    assert PoolState.objects.get().outstanding_principal == D("2500000.50")
    assert Funder.objects.get(code=DISTRICT).outstanding_principal == D("2500000.50")
    bank = Bank.objects.get(pk=world.bank.pk)
    assert (bank.outstanding_principal, bank.active_loans) == (D("2500000.50"), 1)


def test_art26_recommendation_usable_for_one_loan_only(world):
    recommendation = world.recommendation(world.enterprise(), "1000000")
    world.register(recommendation)
    violation = refused(world.register, recommendation)
    assert (violation.code, violation.clause) == ("recommendation_not_usable", "art. 26")


def test_art26_recommendation_without_bank_approval_or_for_another_bank_is_not_usable(world):
    enterprise = world.enterprise()
    application = application_create(enterprise=enterprise, amount=D("1000000"), term_months=12)
    recommendation = recommendation_issue(
        application=application, bank=world.bank, guarantor=world.guarantor, amount=D("1000000"), issued_on=TODAY
    )
    due_diligence_record(
        recommendation=recommendation, party="guarantor", opinion="approve", reported_on=TODAY, today=TODAY
    )
    assert refused(world.register, recommendation).code == "recommendation_not_usable"
    other = bank_create(code="CCB", name="建设银行包头分行")
    agreement_sign(bank=other, guarantor=world.guarantor, signed_on=date(2024, 2, 1))
    due_diligence_record(recommendation=recommendation, party="bank", opinion="approve", reported_on=TODAY, today=TODAY)
    assert refused(world.register, recommendation, bank=other).code == "recommendation_not_usable"


def test_art25_principal_above_the_recommended_amount_is_refused(world):
    recommendation = world.recommendation(world.enterprise(), "1000000")
    violation = refused(world.register, recommendation, "1000000.01")
    assert (violation.code, violation.clause) == ("amount_exceeds_recommendation", "art. 25")
    assert world.register(recommendation, "1000000.00").principal == D("1000000.00")


def test_art27_contract_number_unique_per_bank(world):
    world.lend(world.enterprise(), "1000000", contract_no="HT-2025-001")
    violation = refused(world.lend, world.enterprise(), "1000000", contract_no="HT-2025-001")
    assert violation.code == "duplicate_contract_no"


def test_art17_extra_fees_of_one_fen_are_not_allowed(world):
    recommendation = world.recommendation(world.enterprise(), "1000000")
    violation = refused(world.register, recommendation, extra_fees=D("0.01"))
    assert (violation.code, violation.clause) == ("fees_not_allowed", "art. 17")
    assert world.register(recommendation, extra_fees=D("0.00")).status == "active"


def test_art14_18_no_new_loan_once_the_agreement_is_ending(world):
    recommendation = world.recommendation(world.enterprise(), "1000000")
    Agreement.objects.filter(bank=world.bank).update(status="ending", ended_on=date(2025, 1, 1))
    violation = refused(world.register, recommendation)
    assert (violation.code, violation.clause) == ("agreement_not_active", "art. 14, 18")


def _bank_signed(world, code: str, signed_on: date, ends_on: date | None):
    bank = bank_create(code=code, name=f"{code}测试银行")
    agreement_sign(bank=bank, guarantor=world.guarantor, signed_on=signed_on, ends_on=ends_on)
    return bank


def test_art14_18_the_agreement_bounds_the_disbursement_date(world):
    """Art. 14, 18 (SPEC §7): disbursed_on inside [signed_on, ends_on] of the bank's active agreement; the
    agreement signed 2024-02-01 ending 2025-01-31 takes a loan of either day, not the day before nor after."""
    bank = _bank_signed(world, "CCB", date(2024, 2, 1), date(2025, 1, 31))
    outside = {date(2024, 1, 31): "2024-01-31", date(2025, 2, 1): "2025-02-01"}
    for disbursed_on, shown in outside.items():
        recommendation = world.recommendation(world.enterprise(), "1000000", bank=bank)
        violation = refused(world.register, recommendation, disbursed_on=disbursed_on)
        assert (violation.code, violation.clause) == ("agreement_not_active", "art. 14, 18")
        assert f"disbursed_on {shown} is outside CCB's agreement [2024-02-01, 2025-01-31]" in violation.message
    for disbursed_on in (date(2024, 2, 1), date(2025, 1, 31)):
        recommendation = world.recommendation(world.enterprise(), "1000000", bank=bank)
        assert world.register(recommendation, disbursed_on=disbursed_on).disbursed_on == disbursed_on


def test_art14_18_an_open_ended_agreement_bounds_only_from_signing(world):
    """No ends_on: any disbursement from the signing day on (here up to today) is inside."""
    bank = _bank_signed(world, "ABC", date(2024, 2, 1), None)
    recommendation = world.recommendation(world.enterprise(), "1000000", bank=bank)
    assert refused(world.register, recommendation, disbursed_on=date(2024, 1, 31)).code == "agreement_not_active"
    assert world.register(recommendation, disbursed_on=TODAY).disbursed_on == TODAY


def test_art28_a_counter_guarantee_is_required_under_the_2021_version(world):
    """Art. 28 "企业需向担保机构提供相应的反担保措施": the 2021 version requires one; an empty list is refused, one
    counter-guarantee (厂房抵押 3,000,000.00) registers and is kept on the loan."""
    recommendation = world.recommendation(world.enterprise(), "1000000")
    violation = refused(world.register, recommendation, counter_guarantees=[])
    assert (violation.code, violation.clause) == ("counter_guarantee_required", "art. 28")
    loan = world.register(recommendation)
    assert list(loan.counter_guarantees.values_list("kind", "value")) == [("real_estate", D("3000000.00"))]


def test_art28_a_version_that_does_not_require_one_takes_none(world):
    """The number lives on the version (SPEC §2): with counter_guarantee_required false an empty list passes."""
    type(world.policy).objects.filter(pk=world.policy.pk).update(counter_guarantee_required=False)
    loan = world.register(world.recommendation(world.enterprise(), "1000000"), counter_guarantees=[])
    assert loan.counter_guarantees.count() == 0


def test_art36_an_enterprise_under_review_gets_no_loan(world):
    """Art. 36 (SPEC §10): while a listing proposal is pending the registration is refused; once dismissed the
    same recommendation registers."""
    enterprise = world.enterprise()
    recommendation = world.recommendation(enterprise, "1000000")
    listing = DishonestListing.objects.create(enterprise=enterprise, proposed_on=date(2025, 2, 1))
    violation = refused(world.register, recommendation)
    assert (violation.code, violation.clause) == ("enterprise_under_review", "art. 36")
    DishonestListing.objects.filter(pk=listing.pk).update(status=ListingStatus.DISMISSED, decided_on=TODAY)
    assert world.register(recommendation).status == "active"


def test_art22_term_worked_examples(world):
    enterprise = world.enterprise()
    kwargs = {"disbursed_on": date(2025, 1, 31), "today": TODAY}
    violation = refused(world.lend, enterprise, "100000", maturity_on=date(2026, 2, 1), **kwargs)
    assert (violation.code, violation.clause) == ("term_too_long", "art. 22")
    assert world.lend(enterprise, "100000", maturity_on=date(2026, 1, 31), **kwargs).maturity_on == date(2026, 1, 31)

    leap = {"disbursed_on": date(2024, 2, 29)}
    assert refused(world.lend, enterprise, "100000", maturity_on=date(2025, 3, 1), **leap).code == "term_too_long"
    assert world.lend(enterprise, "100000", maturity_on=date(2025, 2, 28), **leap).maturity_on == date(2025, 2, 28)


def test_art22_two_years_with_extension_and_reason_only(world):
    enterprise = world.enterprise()
    two_years = {"disbursed_on": date(2025, 3, 3), "maturity_on": date(2027, 3, 3), "extended_term": True}
    violation = refused(world.lend, enterprise, "100000", extended_reason="", **two_years)
    assert violation.code == "term_too_long"
    loan = world.lend(enterprise, "100000", extended_reason="设备更新周期长", **two_years)
    assert (loan.extended_term, loan.extended_reason) == (True, "设备更新周期长")


def test_art22_enterprise_limit_6m_plus_4m_lands_one_fen_more_refused(world):
    enterprise = world.enterprise()
    world.lend(enterprise, "6000000")
    world.lend(enterprise, "4000000")
    violation = refused(world.lend, enterprise, "0.01")
    assert (violation.code, violation.clause) == ("enterprise_limit_exceeded", "art. 22")
    # a repayment of 0.01 frees exactly 0.01
    loan = Loan.objects.filter(enterprise=enterprise).order_by("registered_at").first()
    repayment_post(loan=loan, paid_on=date(2025, 4, 1), principal=D("0.01"), interest=D("0"), today=TODAY)
    assert world.lend(enterprise, "0.01").principal == D("0.01")


def test_art9_capacity_with_b_one_million_a_10m_loan_fits_exactly(policy_2021):
    world = build_world(policy_2021, injections={DISTRICT: "1000000"})  # B = 1,000,000 → capacity 10,000,000
    assert PoolState.objects.get().pool_balance == D("1000000.00")
    world.lend(world.enterprise(), "10000000.00")
    violation = refused(world.lend, world.enterprise(), "0.01")
    assert (violation.code, violation.clause) == ("pool_capacity_exceeded", "art. 9")


def test_art9_a_single_loan_one_fen_above_capacity_is_refused(policy_2021):
    world = build_world(policy_2021, injections={DISTRICT: "1000000"})
    # 10,000,000.01 also breaks the enterprise limit, but capacity is checked first (SPEC §8 order)
    violation = refused(world.lend, world.enterprise(), "10000000.01")
    assert violation.code == "pool_capacity_exceeded"


def test_art13_district_paid_in_4m_caps_district_outstanding_at_100m(policy_2021):
    # 东河区 paid-in 4,000,000 → cap 25 × 4,000,000 = 100,000,000; the city's 10,000,000 lifts capacity to 140,000,000
    world = build_world(policy_2021, injections={DISTRICT: "4000000", "city": "10000000"})
    for _ in range(9):
        world.lend(world.enterprise(), "10000000")
    world.lend(world.enterprise(), "10000000")
    assert Funder.objects.get(code=DISTRICT).outstanding_principal == D("100000000.00")
    violation = refused(world.lend, world.enterprise(), "0.01")
    assert (violation.code, violation.clause) == ("district_scale_exceeded", "art. 13")
    # another district has no paid-in: cap 0
    assert refused(world.lend, world.enterprise(district="150203"), "0.01").code == "district_scale_exceeded"


def test_art23_chain_over_three_years_refused(world):
    enterprise = world.enterprise()
    first = world.lend(enterprise, "1000000", disbursed_on=date(2022, 1, 10), maturity_on=date(2023, 1, 10))
    repayment_post(loan=first, paid_on=date(2023, 1, 10), principal=D("1000000"), interest=D("37000"), today=TODAY)
    second = world.lend(enterprise, "1000000", disbursed_on=date(2023, 1, 20), maturity_on=date(2024, 1, 20))
    repayment_post(loan=second, paid_on=date(2024, 1, 20), principal=D("1000000"), interest=D("35000"), today=TODAY)
    # 2022-01-10 + 3 years = 2025-01-10: a maturity on 2025-01-11 is more than 3 years of continuous support
    violation = refused(world.lend, enterprise, "1000000", disbursed_on=date(2024, 2, 1), maturity_on=date(2025, 1, 11))
    assert (violation.code, violation.clause) == ("continuous_support_exceeded", "art. 23")
    assert world.lend(enterprise, "1000000", disbursed_on=date(2024, 2, 1), maturity_on=date(2025, 1, 10))


def _first_loan_repaid_2023_01_10(world, enterprise):
    first = world.lend(enterprise, "1000000", disbursed_on=date(2022, 1, 10), maturity_on=date(2023, 1, 10))
    repayment_post(loan=first, paid_on=date(2023, 1, 10), principal=D("1000000"), interest=D("0.01"), today=TODAY)


EXTENDED = {"extended_term": True, "extended_reason": "项目建设期", "maturity_on": date(2025, 1, 11)}


def test_art23_a_90_day_gap_does_not_break_the_chain(world):
    enterprise = world.enterprise()
    _first_loan_repaid_2023_01_10(world, enterprise)
    # 2023-01-10 → 2023-04-10 is 90 days: still the chain of 2022-01-10, which ends 2025-01-10
    violation = refused(world.lend, enterprise, "1000000", disbursed_on=date(2023, 4, 10), **EXTENDED)
    assert violation.code == "continuous_support_exceeded"


def test_art23_a_91_day_gap_breaks_the_chain(world):
    enterprise = world.enterprise()
    _first_loan_repaid_2023_01_10(world, enterprise)
    loan = world.lend(enterprise, "1000000", disbursed_on=date(2023, 4, 11), **EXTENDED)
    assert loan.maturity_on == date(2025, 1, 11)


def test_art23_the_bureaus_extension_lets_it_through(world):
    enterprise = world.enterprise()
    _first_loan_repaid_2023_01_10(world, enterprise)
    enterprise_extension_grant(enterprise=enterprise, until=date(2025, 1, 10), reason="不够", user=None)
    assert refused(world.lend, enterprise, "1000000", disbursed_on=date(2023, 4, 10), **EXTENDED).code == (
        "continuous_support_exceeded"
    )
    enterprise_extension_grant(enterprise=enterprise, until=date(2025, 6, 30), reason="经合作各方研究同意", user=None)
    assert world.lend(enterprise, "1000000", disbursed_on=date(2023, 4, 10), **EXTENDED).status == "active"


def test_art27_notice_deadline_across_the_spring_festival(world):
    enterprise = world.enterprise()
    # Monday 2025-01-27; 01-28 … 02-04 are the Spring Festival holidays, 01-26 and 02-08 make-up working days:
    # working days after 01-27 are 02-05, 02-06, 02-07 → deadline Friday 2025-02-07
    on_time = world.lend(enterprise, "100000", disbursed_on=date(2025, 1, 27), today=date(2025, 2, 7))
    assert (on_time.notice_deadline, on_time.notified_late) == (date(2025, 2, 7), False)
    late = world.lend(enterprise, "100000", disbursed_on=date(2025, 1, 27), today=date(2025, 2, 8))
    assert (late.notice_deadline, late.notified_late) == (date(2025, 2, 7), True)
    assert late.status == "active"  # accepted, flagged
