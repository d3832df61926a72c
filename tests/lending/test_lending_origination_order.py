"""Loan registration (art. 27): the date and schedule checks before the rules, the order in which SPEC §8 reports the
first failing check, and the pool-wide critical section (the answer built before the PoolState lock)."""

from datetime import date
from decimal import Decimal

import pytest
from lending_world import DISTRICT, TODAY, build_world, inject, refused
from pipeline_support import COUNTER_GUARANTEES, both_approve

from riskfund.lending.models import Loan
from riskfund.lending.rules import add_months
from riskfund.lending.services import (
    application_create,
    enterprise_extension_grant,
    enterprise_list_dishonest,
    enterprise_update,
    origination,
    recommendation_issue,
    repayment_post,
)
from riskfund.lending.validation import InputError
from riskfund.parties.models import Agreement, DishonestListing, ListingStatus
from riskfund.pool.models import PoolState

D = Decimal


def test_date_in_future_disbursement_is_refused(world):
    recommendation = world.recommendation(world.enterprise(), "100000")
    violation = refused(world.register, recommendation, disbursed_on=date(2026, 1, 1), today=date(2025, 12, 31))
    assert violation.code == "date_in_future"


def test_no_policy_in_force_on_the_disbursement_date(world):
    # the 2021 version is valid through 2026-04-29
    recommendation = world.recommendation(world.enterprise(), "100000")
    violation = refused(world.register, recommendation, disbursed_on=date(2026, 4, 30), today=date(2026, 5, 6))
    assert violation.code == "no_policy_in_force"
    loan = world.register(recommendation, disbursed_on=date(2026, 4, 29), today=date(2026, 5, 6))
    assert loan.policy_version == world.policy


def test_spec9_instalment_schedule_is_validated_before_the_rules(world):
    recommendation = world.recommendation(world.enterprise(), "1000000")
    bad = [{"due_on": date(2025, 9, 3), "principal": D("400000")}, {"due_on": date(2026, 3, 3), "principal": D("1")}]
    with pytest.raises(InputError) as caught:
        # also fees and a future date: the malformed schedule (400) is reported first
        world.register(
            recommendation, repayment_method="instalments", schedule=bad, extra_fees=D("5"), disbursed_on=TODAY
        )
    assert (caught.value.code, caught.value.status) == ("validation_error", 400)
    assert "schedule" in caught.value.errors
    good = [
        {"due_on": date(2025, 9, 3), "principal": D("400000")},
        {"due_on": date(2026, 3, 3), "principal": D("600000")},
    ]
    loan = world.register(recommendation, repayment_method="instalments", schedule=good)
    assert [line.principal for line in loan.schedule.order_by("due_on")] == [D("400000.00"), D("600000.00")]


def test_spec8_fees_and_suspension_report_fees_first(world):
    recommendation = world.recommendation(world.enterprise(), "100000")
    PoolState.objects.update(suspended=True)
    assert refused(world.register, recommendation, extra_fees=D("0.01")).code == "fees_not_allowed"
    assert refused(world.register, recommendation).code == "pool_suspended"


def test_spec8_suspension_and_capacity_report_suspension_first(policy_2021):
    world = build_world(policy_2021, injections={DISTRICT: "1000000"})
    recommendation = world.recommendation(world.enterprise(), "10000000.01")
    PoolState.objects.update(suspended=True)
    violation = refused(world.register, recommendation)
    assert (violation.code, violation.clause) == ("pool_suspended", "art. 37")
    PoolState.objects.update(suspended=False)
    assert refused(world.register, recommendation).code == "pool_capacity_exceeded"


def test_spec8_every_check_in_order_each_failure_fixed_in_turn(policy_2021):
    """All nineteen checks fail at first; fixing them one by one shows SPEC §8's order, code by code."""
    # B = 1,000,000 (capacity 10,000,000); 东河区 paid-in 100,000 (district cap 2,500,000)
    world = build_world(policy_2021, injections={"region": "900000", DISTRICT: "100000"})
    enterprise = world.enterprise()
    earlier = world.lend(
        enterprise, "1000", contract_no="HT-L0", disbursed_on=date(2022, 3, 1), maturity_on=date(2023, 3, 1)
    )
    repayment_post(loan=earlier, paid_on=date(2023, 3, 1), principal=D("1000"), interest=D("30"), today=TODAY)
    application = application_create(enterprise=enterprise, amount=D("20000000"), term_months=24)
    recommendation = recommendation_issue(
        application=application, bank=world.bank, guarantor=world.guarantor, amount=D("10000000.01"), issued_on=TODAY
    )
    enterprise_update(enterprise=enterprise, employees=2000, revenue=D("500000000"))  # now large
    enterprise_list_dishonest(enterprise=enterprise, on=date(2025, 1, 5), reason="测试", cause="other")
    DishonestListing.objects.create(enterprise=enterprise, proposed_on=date(2025, 1, 6))  # pending: under review
    Agreement.objects.filter(bank=world.bank).update(status="ending", ended_on=date(2025, 1, 1))
    PoolState.objects.update(suspended=True)
    args = {
        "recommendation": recommendation,
        "principal": D("10000000.02"),
        "contract_no": "HT-L0",
        "extra_fees": D("0.01"),
        "disbursed_on": date(2026, 5, 4),
        "maturity_on": date(2028, 5, 5),
        "extended_term": True,
        "extended_reason": "项目建设期",
        "repayment_method": "instalments",
        "schedule": [],
        "counter_guarantees": [],
        "today": date(2026, 5, 3),
    }

    def fix_policy():
        # back to a date in force: 2023-03-15, 14 days after the earlier loan closed; 24 months → 2025-03-15
        args.update(disbursed_on=date(2023, 3, 15), maturity_on=date(2025, 3, 10))

    steps = [
        ("validation_error", lambda: args.update(repayment_method="bullet", schedule=None)),
        ("date_in_future", lambda: args.update(today=date(2026, 5, 6))),
        (
            "agreement_not_active",  # ending: no new loan (art. 18) …
            lambda: Agreement.objects.filter(bank=world.bank).update(status="active", ends_on=date(2026, 5, 3)),
        ),
        # … and active but ended on 2026-05-03, the day before disbursed_on (art. 14)
        ("agreement_not_active", lambda: Agreement.objects.filter(bank=world.bank).update(ends_on=None)),
        ("recommendation_not_usable", lambda: both_approve(recommendation, TODAY, TODAY)),
        ("amount_exceeds_recommendation", lambda: args.update(principal=D("10000000.01"))),
        ("duplicate_contract_no", lambda: args.update(contract_no="HT-L1")),
        ("fees_not_allowed", lambda: args.update(extra_fees=D("0"))),
        ("term_too_long", lambda: args.update(maturity_on=date(2028, 5, 4))),
        ("counter_guarantee_required", lambda: args.update(counter_guarantees=COUNTER_GUARANTEES)),
        (
            "enterprise_not_eligible",
            lambda: enterprise_update(enterprise=enterprise, employees=50, revenue=D("10000000")),
        ),
        ("enterprise_dishonest", lambda: type(enterprise).objects.filter(pk=enterprise.pk).update(dishonest=False)),
        (
            "enterprise_under_review",
            lambda: DishonestListing.objects.filter(enterprise=enterprise).update(
                status=ListingStatus.DISMISSED, decided_on=TODAY, reason="无恶意逃废债"
            ),
        ),
        ("no_policy_in_force", fix_policy),
        ("pool_suspended", lambda: PoolState.objects.update(suspended=False)),
        ("pool_capacity_exceeded", lambda: inject("city", "1000000")),  # B 2,000,000 → capacity 20,000,000
        ("district_scale_exceeded", lambda: inject(DISTRICT, "300000")),  # paid-in 400,000 → cap 10,000,000
        ("district_scale_exceeded", lambda: inject(DISTRICT, "0.01")),  # cap 10,000,000.25 ≥ 10,000,000.01
        ("enterprise_limit_exceeded", lambda: args.update(principal=D("10000000.00"))),
        (
            "continuous_support_exceeded",  # chain from 2022-03-01: 3 years end 2025-03-01 < 2025-03-10
            lambda: enterprise_extension_grant(
                enterprise=enterprise, until=date(2025, 3, 10), reason="研究同意", user=None
            ),
        ),
    ]
    seen = []
    for _code, fix in steps:
        seen.append(refused(world.register, **args).code)
        fix()
    assert seen == [code for code, _ in steps]
    loan = world.register(**args)
    assert (loan.principal, loan.contract_no, loan.maturity_on) == (D("10000000.00"), "HT-L1", date(2025, 3, 10))
    assert loan.notified_late  # reported in 2026 for a 2023 disbursement


def test_add_months_helper_matches_register_default(world):
    loan = world.lend(world.enterprise(), "1000")
    assert loan.maturity_on == add_months(loan.disbursed_on, 12)


def test_the_callers_answer_is_built_before_the_pool_lock_and_a_pool_refusal_still_rolls_everything_back(
    policy_2021, monkeypatch
):
    world = build_world(policy_2021, injections={DISTRICT: "1000000"})  # capacity 10,000,000
    calls = []
    locked = origination.pool_state_lock
    monkeypatch.setattr(origination, "pool_state_lock", lambda: calls.append("pool lock") or locked())

    def answer(loan):
        calls.append(("answer", [line.principal for line in Loan.objects.get(pk=loan.pk).schedule.all()]))

    world.lend(world.enterprise(), "6000000", before_pool_lock=answer)
    assert calls == [("answer", [D("6000000.00")]), "pool lock"]
    calls.clear()
    violation = refused(world.lend, world.enterprise(), "4000000.01", before_pool_lock=answer)
    assert violation.code == "pool_capacity_exceeded"
    assert calls == [("answer", [D("4000000.01")]), "pool lock"]
    assert Loan.objects.count() == 1
    assert PoolState.objects.get().outstanding_principal == D("6000000.00")
