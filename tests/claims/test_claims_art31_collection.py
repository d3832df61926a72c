"""Art. 31 (三) "确因多次催收无果，进入风险补偿金划扣程序" (SPEC §10): a deduction needs the policy's number (2021: 2)
of collection events (``collection_call``, ``onsite_collection``) dated AFTER the loan's first unpaid due date and on or
before ``deducted_on``; else ``collection_not_attempted`` (422, art. 31), checked after ``compensation_not_due``.

The bullet loan of claims_world: 1,000,000 disbursed 2024-03-01, due 2024-09-02; day 26 of overdue is 2024-09-28."""

from datetime import date
from decimal import Decimal

import pytest
from claims_world import MATURITY_ON, TODAY, after, balance

from riskfund.claims.models import Compensation
from riskfund.claims.services import compensation_claim
from riskfund.errors import RuleViolation
from riskfund.lending.selectors import collection_attempts
from riskfund.lending.services import loan_event_record, repayment_post

D = Decimal
DAY_26 = after(MATURITY_ON, 26)  # 2024-09-28


def _record(loan, kind: str, on: date) -> None:
    loan_event_record(loan=loan, kind=kind, occurred_on=on, notes="催收未果", today=TODAY)


def _refused(loan, deducted_on: date = DAY_26) -> RuleViolation:
    with pytest.raises(RuleViolation) as refused:
        compensation_claim(loan=loan, deducted_on=deducted_on, today=TODAY)
    return refused.value


def test_art31_no_collection_is_refused_and_compensation_not_due_comes_first(world, invariants):
    loan = world.lend("1000000")
    # day 25: the overdue rule (art. 32) answers before the collection rule
    assert _refused(loan, after(MATURITY_ON, 25)).code == "compensation_not_due"
    refused = _refused(loan)
    assert (refused.code, refused.clause) == ("collection_not_attempted", "art. 31")
    assert not Compensation.objects.exists()
    assert balance("deposit:BOB") == D("1000000.00")
    invariants()


def test_art31_a_call_on_the_due_date_itself_does_not_count_one_after_it_does_two_are_needed(world, invariants):
    loan = world.lend("1000000")
    _record(loan, "collection_call", MATURITY_ON)  # 2024-09-02, the due date: the firm could still pay that day
    assert collection_attempts(loan, DAY_26) == 0
    _record(loan, "collection_call", after(MATURITY_ON, 1))  # 2024-09-03: counts
    assert collection_attempts(loan, DAY_26) == 1
    assert _refused(loan).code == "collection_not_attempted"  # 1 < 2

    _record(loan, "onsite_collection", DAY_26)  # on the deduction date itself: "on or before" counts
    assert collection_attempts(loan, DAY_26) == 2
    compensation = compensation_claim(loan=loan, deducted_on=DAY_26, today=TODAY)
    # loss 1,000,000; pool share 400,000 (40 %) taken from BOB's 1,000,000 deposit
    assert (compensation.loss, compensation.share_pool, compensation.from_deposit) == (
        D("1000000.00"),
        D("400000.00"),
        D("400000.00"),
    )
    assert balance("deposit:BOB") == D("600000.00")
    invariants()


def test_art31_a_call_after_the_deduction_date_and_other_event_kinds_do_not_count(world):
    loan = world.lend("1000000")
    _record(loan, "collection_call", after(MATURITY_ON, 3))  # 2024-09-05: counts
    _record(loan, "reminder", after(MATURITY_ON, 4))  # a reminder is not collection
    _record(loan, "visit", after(MATURITY_ON, 5))
    _record(loan, "collection_call", after(MATURITY_ON, 27))  # 2024-09-29, after a deduction on 09-28
    assert collection_attempts(loan, DAY_26) == 1
    assert _refused(loan).code == "collection_not_attempted"
    # deducted a day later, the 09-29 call is on the deduction date: 2 attempts
    compensation = compensation_claim(loan=loan, deducted_on=after(MATURITY_ON, 27), today=TODAY)
    assert (compensation.overdue_days, compensation.loss) == (27, D("1000000.00"))


def test_art31_calls_after_an_instalment_that_was_then_paid_do_not_count(world):
    """300,000 due 2024-06-03 and paid on 2024-06-12 (late); 700,000 due 2024-09-02, unpaid. The calls of 06-05
    and 06-10 chased the first instalment; on 2024-09-28 the first unpaid due date is 09-02, after them."""
    loan = world.lend(
        "1000000",
        schedule=[
            {"due_on": date(2024, 6, 3), "principal": D("300000")},
            {"due_on": MATURITY_ON, "principal": D("700000")},
        ],
    )
    _record(loan, "collection_call", date(2024, 6, 5))
    _record(loan, "onsite_collection", date(2024, 6, 10))
    repayment_post(loan=loan, paid_on=date(2024, 6, 12), principal=D("300000"), interest=D("0"), today=TODAY)
    assert collection_attempts(loan, date(2024, 6, 11)) == 2  # before the payment they were collection of 06-03
    assert collection_attempts(loan, DAY_26) == 0
    assert _refused(loan).code == "collection_not_attempted"
    _record(loan, "collection_call", date(2024, 9, 9))
    _record(loan, "collection_call", date(2024, 9, 16))
    compensation = compensation_claim(loan=loan, deducted_on=DAY_26, today=TODAY)
    assert compensation.loss == D("700000.00")  # outstanding after the 300,000 repaid


def test_art31_the_number_is_the_loans_policy_version(world):
    world.policy.collection_attempts_required = 3
    world.policy.save(update_fields=["collection_attempts_required"])
    loan = world.lend("1000000")
    for days in (1, 8, 15):
        _record(loan, "collection_call", after(MATURITY_ON, days))
        if days != 15:
            assert _refused(loan).code == "collection_not_attempted"
    assert compensation_claim(loan=loan, deducted_on=DAY_26, today=TODAY).loss == D("1000000.00")
