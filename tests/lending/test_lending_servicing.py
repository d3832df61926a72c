"""Repayments (art. 22 (四)), overdue days (SPEC §9), post-loan events and monitoring (art. 29–31)."""

from datetime import date
from decimal import Decimal

import pytest
from lending_world import DISTRICT, TODAY

from riskfund.errors import RuleViolation
from riskfund.lending.models import Loan, LoanStatus
from riskfund.lending.selectors import (
    loan_detail,
    loan_list,
    loan_outstanding_on,
    loans_with_unanswered_risk_warning,
    overdue_days,
    with_first_unpaid_due,
)
from riskfund.lending.services import loan_event_record, repayment_post
from riskfund.lending.validation import InputError
from riskfund.parties.models import Agreement, Bank, Funder
from riskfund.parties.services import agreement_end
from riskfund.pool.models import PoolState

D = Decimal

SCHEDULE = [
    {"due_on": date(2025, 4, 15), "principal": D("1000000")},
    {"due_on": date(2025, 7, 15), "principal": D("1000000")},
    {"due_on": date(2026, 1, 15), "principal": D("1000000")},
]


@pytest.fixture
def instalment_loan(world) -> Loan:
    """3,000,000 disbursed 2025-01-15 in three instalments of 1,000,000 (04-15, 07-15, 2026-01-15)."""
    return world.lend(
        world.enterprise(),
        "3000000",
        disbursed_on=date(2025, 1, 15),
        maturity_on=date(2026, 1, 15),
        repayment_method="instalments",
        schedule=SCHEDULE,
    )


def pay(loan, paid_on, principal, interest="0"):
    return repayment_post(loan=loan, paid_on=paid_on, principal=D(principal), interest=D(interest), today=TODAY)


def test_spec9_principal_applied_to_instalments_in_due_date_order(instalment_loan):
    pay(instalment_loan, date(2025, 4, 15), "1000000", "25875.00")
    pay(instalment_loan, date(2025, 7, 20), "600000", "12937.50")
    paid = [line.paid_principal for line in instalment_loan.schedule.order_by("due_on")]
    assert paid == [D("1000000.00"), D("600000.00"), D("0.00")]
    pay(instalment_loan, date(2025, 8, 20), "700000")
    paid = [line.paid_principal for line in instalment_loan.schedule.order_by("due_on")]
    assert paid == [D("1000000.00"), D("1000000.00"), D("300000.00")]
    instalment_loan.refresh_from_db()
    assert instalment_loan.outstanding_principal == D("700000.00")
    # the counters moved with it: 3,000,000 − 2,300,000
    assert PoolState.objects.get().outstanding_principal == D("700000.00")
    assert Funder.objects.get(code=DISTRICT).outstanding_principal == D("700000.00")
    assert Bank.objects.get(pk=instalment_loan.bank_id).outstanding_principal == D("700000.00")


def test_spec9_overdue_days_instalments_with_partial_repayment_python_and_sql_agree(instalment_loan):
    pay(instalment_loan, date(2025, 4, 15), "1000000")
    pay(instalment_loan, date(2025, 7, 20), "600000")
    pay(instalment_loan, date(2025, 8, 20), "400000")
    expected = {
        date(2025, 4, 14): 0,
        date(2025, 4, 16): 0,
        date(2025, 7, 15): 0,
        date(2025, 7, 16): 1,
        date(2025, 7, 19): 4,  # the 07-20 repayment is after D: ignored
        date(2025, 8, 14): 30,  # 1,600,000 repaid < 2,000,000 due through 07-15
        date(2025, 8, 19): 35,
        date(2025, 8, 20): 0,  # 2,000,000 repaid: the 07-15 line is covered
        date(2026, 1, 15): 0,
        date(2026, 2, 10): 26,  # the last line, 26 days past due
    }
    for on, days in expected.items():
        assert overdue_days(instalment_loan, on) == days, on
        row = with_first_unpaid_due(Loan.objects.filter(pk=instalment_loan.pk), on).get()
        sql_days = max(0, (on - row.first_unpaid_due).days) if row.first_unpaid_due else 0
        assert sql_days == days, on


def test_spec9_bullet_loan_overdue_on_maturity_plus_26(world):
    loan = world.lend(world.enterprise(), "500000", disbursed_on=date(2025, 3, 3), maturity_on=date(2026, 3, 3))
    assert overdue_days(loan, date(2026, 3, 28)) == 25
    assert overdue_days(loan, date(2026, 3, 29)) == 26
    detail = loan_detail(loan, date(2026, 3, 29))
    assert (detail["overdue_days"], detail["overdue_bucket"]) == (26, "26-60")
    assert [line.due_on for line in detail["schedule"]] == [date(2026, 3, 3)]


def test_loan_list_filters_overdue_status_and_dates(world, instalment_loan):
    current = world.lend(world.enterprise(), "100000", disbursed_on=date(2025, 6, 1), maturity_on=date(2026, 6, 1))
    on = date(2025, 5, 1)  # the 04-15 instalment is unpaid: 16 days overdue
    assert list(loan_list(bank=world.bank, overdue=True, on=on)) == [instalment_loan]
    assert list(loan_list(bank=world.bank, overdue=False, on=on)) == [current]
    assert list(loan_list(disbursed_after=date(2025, 2, 1))) == [current]
    assert list(loan_list(disbursed_before=date(2025, 1, 15))) == [instalment_loan]
    assert list(loan_list(status="repaid")) == []
    pay(current, date(2025, 7, 1), "100000", "1000")
    assert list(loan_list(status="repaid")) == [current]


def test_art22_repayment_refusals_in_order(instalment_loan):
    with pytest.raises(InputError):
        pay(instalment_loan, date(2025, 4, 15), "0", "0")
    with pytest.raises(InputError):
        pay(instalment_loan, date(2025, 4, 15), "-1", "0")
    with pytest.raises(RuleViolation) as caught:
        repayment_post(loan=instalment_loan, paid_on=date(2026, 1, 1), principal=D("1"), interest=D("0"), today=TODAY)
    assert caught.value.code == "date_in_future"
    with pytest.raises(RuleViolation) as caught:
        pay(instalment_loan, date(2025, 1, 14), "3000000.01")
    assert (caught.value.code, caught.value.clause) == ("date_before_disbursement", "art. 22")
    with pytest.raises(RuleViolation) as caught:
        pay(instalment_loan, date(2025, 4, 15), "3000000.01")
    assert (caught.value.code, caught.value.clause) == ("repayment_exceeds_outstanding", "art. 22")


def test_art32_a_compensated_loan_refuses_repayments(instalment_loan):
    # the claims app sets this status; here it stands alone
    Loan.objects.filter(pk=instalment_loan.pk).update(status=LoanStatus.COMPENSATED, closed_on=date(2025, 5, 20))
    with pytest.raises(RuleViolation) as caught:
        pay(instalment_loan, date(2025, 6, 1), "3000000.01")
    assert (caught.value.code, caught.value.clause) == ("loan_compensated", "art. 32")
    instalment_loan.refresh_from_db()
    assert loan_outstanding_on(instalment_loan, date(2025, 5, 19)) == D("3000000.00")
    assert loan_outstanding_on(instalment_loan, date(2025, 5, 20)) == D("0")


def test_interest_only_repayment_leaves_the_principal(instalment_loan):
    repayment = pay(instalment_loan, date(2025, 2, 15), "0", "8625.00")
    instalment_loan.refresh_from_db()
    assert repayment.interest == D("8625.00")
    assert instalment_loan.outstanding_principal == D("3000000.00")


def test_full_repayment_closes_the_loan_and_the_ending_agreement(world):
    loan = world.lend(world.enterprise(), "800000", disbursed_on=date(2025, 3, 3), maturity_on=date(2026, 3, 3))
    agreement = Agreement.objects.get(bank=world.bank)
    agreement_end(agreement=agreement, ended_on=date(2025, 6, 30))
    agreement.refresh_from_db()
    assert agreement.return_due_on is None  # a loan is still active
    pay(loan, date(2025, 9, 1), "300000")
    pay(loan, date(2025, 10, 9), "500000", "20000")
    loan.refresh_from_db()
    assert (loan.status, loan.closed_on, loan.outstanding_principal) == ("repaid", date(2025, 10, 9), D("0.00"))
    bank = Bank.objects.get(pk=world.bank.pk)
    assert (bank.outstanding_principal, bank.active_loans) == (D("0.00"), 0)
    agreement.refresh_from_db()
    # art. 18: 10 working days after Thursday 2025-10-09: 10-10, Saturday 10-11 (make-up day after the National
    # Day holiday), 10-13 … 10-17, 10-20, 10-21, 10-22 → 2025-10-22
    assert agreement.return_due_on == date(2025, 10, 22)
    assert loan_outstanding_on(loan, date(2025, 9, 30)) == D("500000.00")
    assert loan_outstanding_on(loan, date(2025, 3, 2)) == D("0")


def test_art29_post_loan_events_and_risk_warning_monitoring(world):
    warned = world.lend(world.enterprise(), "100000")
    visited = world.lend(world.enterprise(), "100000")
    same_day = world.lend(world.enterprise(), "100000")
    loan_event_record(loan=warned, kind="risk_warning", occurred_on=date(2025, 6, 1), notes="订单下滑", today=TODAY)
    loan_event_record(loan=visited, kind="risk_warning", occurred_on=date(2025, 6, 1), today=TODAY)
    loan_event_record(loan=visited, kind="visit", occurred_on=date(2025, 6, 8), notes="实地走访", today=TODAY)
    loan_event_record(loan=same_day, kind="risk_warning", occurred_on=date(2025, 6, 1), today=TODAY)
    loan_event_record(loan=same_day, kind="visit", occurred_on=date(2025, 6, 1), today=TODAY)
    # a visit before the warning does not answer it
    loan_event_record(loan=warned, kind="visit", occurred_on=date(2025, 5, 1), today=TODAY)
    assert set(loans_with_unanswered_risk_warning()) == {warned, same_day}
    timeline = [(e.occurred_on, e.kind) for e in loan_detail(warned, TODAY)["events"]]
    assert timeline == [(date(2025, 5, 1), "visit"), (date(2025, 6, 1), "risk_warning")]


def test_post_loan_event_refusals(world):
    loan = world.lend(world.enterprise(), "100000")
    with pytest.raises(InputError):
        loan_event_record(loan=loan, kind="party", occurred_on=date(2025, 6, 1), today=TODAY)
    with pytest.raises(RuleViolation) as caught:
        loan_event_record(loan=loan, kind="visit", occurred_on=date(2026, 1, 1), today=TODAY)
    assert caught.value.code == "date_in_future"
