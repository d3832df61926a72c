"""Backdating (SPEC §12): events posted with a date at or before the last closed business date are accepted and
flagged ``backdated``; the next run takes them into account. The last closed date lives on ``PoolState`` (set by
the run when it is done), so every service reads it from the row it has locked."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from cob_world import SHORT_DISTRICT, TODAY
from pipeline_support import collected

from riskfund.claims.services import compensation_claim, payable_settle, recovery_post
from riskfund.cob import steps
from riskfund.cob.models import BucketChange, CobFlag, DailyLoanStatus, PoolSnapshot
from riskfund.cob.services import cob_run
from riskfund.errors import RuleViolation
from riskfund.lending.services import loan_event_record, repayment_post
from riskfund.parties.models import Funder
from riskfund.pool.models import DepositTopUp, PoolState, TopUpStatus
from riskfund.pool.selectors import is_backdated, pool_state
from riskfund.pool.services import injection_post, interest_post, topup_execute

D = date(2025, 8, 5)
NEXT = D + timedelta(days=1)
M = Decimal


class Killed(Exception):
    pass


def _kill(*args, **kwargs):
    raise Killed


def last_closed() -> date | None:
    return PoolState.objects.get(pk=1).last_closed_business_date


def test_the_last_closed_date_moves_forward_with_each_run_and_not_on_a_rerun(portfolio):
    assert pool_state().last_closed_business_date is None
    assert not is_backdated(date(2020, 1, 1))

    cob_run(business_date=D)
    assert last_closed() == D
    assert is_backdated(D) and is_backdated(D - timedelta(days=30))
    assert not is_backdated(NEXT)

    cob_run(business_date=NEXT)
    assert last_closed() == NEXT
    assert is_backdated(NEXT)

    before = PoolState.objects.values().get(pk=1)
    assert cob_run(business_date=D).business_date == D  # a done date: returned as it is
    cob_run(business_date=NEXT)
    assert PoolState.objects.values().get(pk=1) == before  # not even updated_at moves
    with pytest.raises(RuleViolation) as refused:
        cob_run(business_date=D - timedelta(days=1))
    assert refused.value.code == "cob_date_before_last_run"
    assert last_closed() == NEXT


def test_is_backdated_reads_the_state_row_it_is_given():
    state = PoolState(pk=1, last_closed_business_date=date(2025, 1, 1))
    assert is_backdated(date(2025, 1, 1), state)
    assert is_backdated(date(2024, 12, 31), state)
    assert not is_backdated(date(2025, 1, 2), state)
    assert not is_backdated(date(2025, 1, 1), PoolState(pk=1))


def test_a_run_that_died_closes_its_date_only_once_resumed(portfolio, monkeypatch):
    monkeypatch.setattr(steps, "step_snapshot", _kill)
    with pytest.raises(Killed):
        cob_run(business_date=D)
    monkeypatch.undo()
    assert last_closed() is None
    # D is not closed yet: an event dated D posted now is an ordinary one
    reminder = portfolio.loans["reminder"]
    repayment = repayment_post(loan=reminder, paid_on=D, principal=M("1000"), interest=M("0"), today=TODAY)
    assert repayment.backdated is False

    cob_run(business_date=D)
    assert last_closed() == D
    later = repayment_post(loan=reminder, paid_on=D, principal=M("1000"), interest=M("0"), today=TODAY)
    assert later.backdated is True


def test_a_backdated_repayment_is_flagged_and_the_next_run_recomputes_the_overdue_days(portfolio):
    """A 200,000 loan whose first 100,000 fell due 2025-07-01 is 35 days overdue on D (bucket 26-60). Repaid with a
    date of D after D's run: flagged, D's figures stay as they were closed, and the run of D+1 finds it current."""
    loan = portfolio.lend(
        "200000",
        disbursed_on=date(2025, 3, 1),
        maturity_on=date(2026, 2, 1),
        schedule=[(date(2025, 7, 1), "100000"), (date(2026, 2, 1), "100000")],
    )
    cob_run(business_date=D)
    status = DailyLoanStatus.objects.get(loan=loan)
    assert (status.overdue_days, status.bucket, status.compensation_eligible) == (35, "26-60", True)

    backdated = repayment_post(loan=loan, paid_on=D, principal=M("100000"), interest=M("0"), today=TODAY)
    on_time = repayment_post(
        loan=portfolio.loans["reminder"], paid_on=NEXT, principal=M("50000"), interest=M("0"), today=TODAY
    )
    assert (backdated.backdated, on_time.backdated) == (True, False)
    assert DailyLoanStatus.objects.get(loan=loan).overdue_days == 35  # the closed day is not rewritten

    cob_run(business_date=NEXT)
    status = DailyLoanStatus.objects.get(loan=loan)
    assert (status.overdue_days, status.bucket, status.compensation_eligible) == (0, "current", False)
    assert status.outstanding_principal == M("100000.00")
    change = BucketChange.objects.get(loan=loan, business_date=NEXT)
    assert (change.from_bucket, change.to_bucket) == ("26-60", "current")
    reminder = DailyLoanStatus.objects.get(loan=portfolio.loans["reminder"])
    assert reminder.outstanding_principal == M("350000.00")  # 500,000 − 100,000 − 50,000
    snapshots = {s.business_date: s for s in PoolSnapshot.objects.filter(business_date__in=[D, NEXT])}
    assert snapshots[D].outstanding_principal - snapshots[NEXT].outstanding_principal == M("150000.00")


def test_a_backdated_injection_is_flagged_and_the_next_run_counts_it(portfolio):
    """昆都仑区 paid 1,000,000 (minimum 8,000,000, window ended 2025-01-02): flagged short on D. Its 7,000,000 dated
    D, posted after D's run, is backdated; the run of D+1 no longer flags it and counts it in the pool funds."""
    cob_run(business_date=D)
    short = Funder.objects.get(code=SHORT_DISTRICT)
    assert CobFlag.objects.get(business_date=D, kind="injection_shortfall", subject=SHORT_DISTRICT).amount == M(
        "7000000.00"
    )
    funds_on_d = PoolSnapshot.objects.get(business_date=D).pool_funds

    backdated = injection_post(funder=short, paid_on=D, amount=M("7000000"))
    on_time = injection_post(funder=Funder.objects.get(code="city"), paid_on=NEXT, amount=M("500000"))
    assert (backdated.backdated, on_time.backdated) == (True, False)

    cob_run(business_date=NEXT)
    assert not CobFlag.objects.filter(business_date=NEXT, kind="injection_shortfall", subject=SHORT_DISTRICT).exists()
    assert PoolSnapshot.objects.get(business_date=NEXT).pool_funds == funds_on_d + M("7500000.00")
    assert PoolSnapshot.objects.get(business_date=D).pool_funds == funds_on_d


def test_backdated_claims_are_flagged_and_the_next_run_counts_them(portfolio):
    """``bullet`` (1,000,000, 26 days overdue on D) is compensated with a deduction date of D after D's run; a
    2,000,000 loan registered after the run with a disbursement in January is compensated on D+1 (its pool share
    800,000 exceeds the 600,000 left in the deposit: 200,000 payable)."""
    cob_run(business_date=D)
    assert DailyLoanStatus.objects.get(loan=portfolio.loans["bullet"]).compensation_eligible
    snapshot_d = PoolSnapshot.objects.get(business_date=D)
    assert snapshot_d.net_compensation == M("0.00")

    late = portfolio.lend("2000000", disbursed_on=date(2025, 1, 10), maturity_on=date(2025, 7, 10))
    assert late.backdated is True
    first = compensation_claim(loan=collected(portfolio.loans["bullet"], D), deducted_on=D, today=TODAY)
    second = compensation_claim(loan=collected(late, NEXT), deducted_on=NEXT, today=TODAY)
    assert (first.backdated, second.backdated) == (True, False)
    assert (second.from_deposit, second.to_payable) == (M("600000.00"), M("200000.00"))
    recovery = recovery_post(loan=portfolio.loans["bullet"], recovered_on=D, gross=M("10000"), today=TODAY)
    assert recovery.backdated is True
    assert recovery.share_pool == M("4000.00")

    cob_run(business_date=NEXT)
    snapshot = PoolSnapshot.objects.get(business_date=NEXT)
    assert snapshot.net_compensation == M("1196000.00")  # 400,000 + 800,000 − 4,000 recovered
    assert snapshot_d.outstanding_principal - snapshot.outstanding_principal == M("1000000.00")

    payable = second.payable
    settled = payable_settle(payable=payable, settled_on=NEXT, today=TODAY)  # NEXT is closed now
    assert settled.settled_backdated is True
    after = recovery_post(loan=late, recovered_on=NEXT + timedelta(days=1), gross=M("5000"), today=TODAY)
    assert after.backdated is False


def test_registrations_events_interest_and_topups_are_flagged_from_their_own_date(portfolio):
    cob_run(business_date=D)
    on_closed = portfolio.lend("100000", disbursed_on=D, maturity_on=date(2026, 2, 5))
    after = portfolio.lend("100000", disbursed_on=NEXT, maturity_on=date(2026, 2, 6))
    assert (on_closed.backdated, after.backdated) == (True, False)

    bullet = portfolio.loans["bullet"]
    visit = loan_event_record(loan=bullet, kind="visit", occurred_on=D, today=TODAY)
    call = loan_event_record(loan=bullet, kind="collection_call", occurred_on=NEXT, today=TODAY)
    assert (visit.backdated, call.backdated) == (True, False)

    special = interest_post(credited_on=D - timedelta(days=35), amount=M("1234.56"), account="special")
    deposit = interest_post(credited_on=NEXT, amount=M("99.01"), account="BOB")
    assert (special.backdated, deposit.backdated) == (True, False)

    topup = DepositTopUp.objects.get(bank=portfolio.bank, status=TopUpStatus.APPROVED)
    executed = topup_execute(topup=topup, executed_on=D)
    assert (executed.executed_late, executed.executed_backdated) == (True, True)
    assert DepositTopUp.objects.get(pk=topup.pk).executed_backdated is True
