"""Art. 32 (代偿启动) and SPEC §10: compensation only when principal is overdue MORE than 25 days on the deduction
date; loss = all outstanding principal; one compensation per loan; the loan closes and accepts no repayment;
the written notice is due within 3 working days."""

from datetime import date
from decimal import Decimal

import pytest
from claims_world import DISBURSED_ON, MATURITY_ON, TODAY, after, balance
from pipeline_support import collected

from riskfund.claims.models import Compensation
from riskfund.claims.services import compensation_claim
from riskfund.errors import RuleViolation
from riskfund.lending.models import LoanStatus
from riskfund.lending.services import repayment_post
from riskfund.parties.models import Agreement, Bank, Funder
from riskfund.parties.services import agreement_end
from riskfund.pool.models import PoolState

D = Decimal


def test_art32_bullet_loan_day_25_after_maturity_is_refused_day_26_is_allowed(world, invariants):
    loan = world.lend("1000000")
    day_25 = after(MATURITY_ON, 25)  # 2024-09-27: 25 days overdue, not "more than 25"
    day_26 = after(MATURITY_ON, 26)  # 2024-09-28
    assert day_25 == date(2024, 9, 27)

    with pytest.raises(RuleViolation) as refused:
        compensation_claim(loan=collected(loan, day_25), deducted_on=day_25, today=TODAY)
    assert (refused.value.code, refused.value.clause) == ("compensation_not_due", "art. 32")
    assert not Compensation.objects.exists()

    compensation = compensation_claim(loan=collected(loan, day_26), deducted_on=day_26, today=TODAY)
    assert (compensation.deducted_on, compensation.overdue_days, compensation.loss) == (day_26, 26, D("1000000.00"))
    invariants()


def test_art32_the_trigger_is_counted_from_the_earliest_unpaid_instalment_and_the_loss_is_all_outstanding(
    world, invariants
):
    # 1,000,000 in two instalments; 100,000 of the first 300,000 paid on time; the bank declares the whole loan due
    loan = world.lend(
        "1000000",
        schedule=[
            {"due_on": date(2024, 6, 3), "principal": D("300000")},
            {"due_on": MATURITY_ON, "principal": D("700000")},
        ],
    )
    repayment_post(loan=loan, paid_on=date(2024, 6, 3), principal=D("100000"), interest=D("2000"), today=TODAY)
    with pytest.raises(RuleViolation) as refused:
        compensation_claim(
            loan=collected(loan, date(2024, 6, 28)), deducted_on=date(2024, 6, 28), today=TODAY
        )  # 25 days after 2024-06-03
    assert refused.value.code == "compensation_not_due"

    compensation = compensation_claim(
        loan=collected(loan, date(2024, 6, 29)), deducted_on=date(2024, 6, 29), today=TODAY
    )
    # SPEC §10: the loss is ALL outstanding principal (900,000), including the instalment not yet due
    assert compensation.loss == D("900000.00")
    assert (compensation.share_pool, compensation.share_bank, compensation.share_guarantor) == (
        D("360000.00"),
        D("180000.00"),
        D("360000.00"),
    )
    invariants()


def test_art32_the_loans_own_policy_version_sets_the_trigger(world):
    loan = world.lend("500000")
    world.policy.compensation_trigger_days = 30  # the version the loan was originated under (SPEC §2)
    world.policy.save(update_fields=["compensation_trigger_days"])
    with pytest.raises(RuleViolation) as refused:
        compensation_claim(
            loan=collected(loan, after(MATURITY_ON, 30)), deducted_on=after(MATURITY_ON, 30), today=TODAY
        )
    assert refused.value.code == "compensation_not_due"
    assert (
        compensation_claim(
            loan=collected(loan, after(MATURITY_ON, 31)), deducted_on=after(MATURITY_ON, 31), today=TODAY
        ).overdue_days
        == 31
    )


def test_art32_a_deduction_date_after_today_is_refused(world):
    loan = world.lend("500000")
    with pytest.raises(RuleViolation) as refused:
        compensation_claim(
            loan=collected(loan, date(2024, 10, 10)), deducted_on=date(2024, 10, 10), today=date(2024, 10, 9)
        )
    assert refused.value.code == "date_in_future"


def test_art32_a_loan_repaid_in_full_is_not_compensated(world):
    loan = world.lend("500000")
    repayment_post(loan=loan, paid_on=after(MATURITY_ON, 5), principal=D("500000"), interest=D("0"), today=TODAY)
    with pytest.raises(RuleViolation) as refused:
        compensation_claim(
            loan=collected(loan, after(MATURITY_ON, 40)), deducted_on=after(MATURITY_ON, 40), today=TODAY
        )
    assert refused.value.code == "compensation_not_due"


def test_art32_principal_repaid_after_the_deduction_date_is_refused(world):
    loan = world.lend("500000")
    repayment_post(loan=loan, paid_on=after(MATURITY_ON, 35), principal=D("100000"), interest=D("0"), today=TODAY)
    with pytest.raises(RuleViolation) as refused:
        compensation_claim(
            loan=collected(loan, after(MATURITY_ON, 30)), deducted_on=after(MATURITY_ON, 30), today=TODAY
        )
    assert (refused.value.code, refused.value.clause) == ("repayment_after_deduction", "art. 32")
    # claimed on a later date the loss is what is still outstanding then
    assert compensation_claim(
        loan=collected(loan, after(MATURITY_ON, 36)), deducted_on=after(MATURITY_ON, 36), today=TODAY
    ).loss == D("400000.00")


def test_art32_after_compensation_a_repayment_and_a_second_compensation_are_refused_loan_compensated(world):
    loan = world.lend("500000")
    compensation_claim(loan=collected(loan, after(MATURITY_ON, 26)), deducted_on=after(MATURITY_ON, 26), today=TODAY)
    with pytest.raises(RuleViolation) as repaid:
        repayment_post(loan=loan, paid_on=after(MATURITY_ON, 30), principal=D("1000"), interest=D("0"), today=TODAY)
    assert repaid.value.code == "loan_compensated"
    with pytest.raises(RuleViolation) as again:
        compensation_claim(
            loan=collected(loan, after(MATURITY_ON, 40)), deducted_on=after(MATURITY_ON, 40), today=TODAY
        )
    assert (again.value.code, again.value.clause) == ("loan_compensated", "art. 32")
    assert Compensation.objects.count() == 1


def test_art32_notice_due_in_3_working_days_across_national_day_2024_late_is_flagged(world):
    # deducted Saturday 2024-09-28: Sunday 09-29 (make-up working day) 1, Monday 09-30 2, holiday 10-01…07, 10-08 3
    on_time = compensation_claim(
        loan=collected(world.lend("500000"), date(2024, 9, 28)), deducted_on=date(2024, 9, 28), today=date(2024, 10, 8)
    )
    assert (on_time.notice_deadline, on_time.notified_late) == (date(2024, 10, 8), False)
    late = compensation_claim(
        loan=collected(world.lend("500000"), date(2024, 9, 28)), deducted_on=date(2024, 9, 28), today=date(2024, 10, 9)
    )
    assert (late.notice_deadline, late.notified_late) == (date(2024, 10, 8), True)


def test_spec10_a_compensated_loan_is_closed_in_every_outstanding_figure_like_a_full_repayment(world, invariants):
    kept = world.lend("2000000")
    loan = world.lend("3000000", district="150203")
    state = PoolState.objects.get(pk=1)
    assert state.outstanding_principal == D("5000000.00")
    repayment_post(loan=loan, paid_on=date(2024, 6, 3), principal=D("500000"), interest=D("100"), today=TODAY)

    compensation_claim(loan=collected(loan, after(MATURITY_ON, 26)), deducted_on=after(MATURITY_ON, 26), today=TODAY)
    loan.refresh_from_db()
    assert (loan.status, loan.closed_on, loan.outstanding_principal) == (
        LoanStatus.COMPENSATED,
        after(MATURITY_ON, 26),
        D("0.00"),
    )
    assert PoolState.objects.get(pk=1).outstanding_principal == D("2000000.00")
    assert Funder.objects.get(code="150203").outstanding_principal == D("0.00")
    assert Funder.objects.get(code="150202").outstanding_principal == kept.outstanding_principal
    bank = Bank.objects.get(pk=world.bank.pk)
    assert (bank.outstanding_principal, bank.active_loans) == (D("2000000.00"), 1)
    invariants()


def test_art18_compensating_the_last_active_loan_of_an_ending_agreement_makes_the_deposit_return_due(world):
    loan = world.lend("400000")
    agreement = agreement_end(agreement=Agreement.objects.get(bank=world.bank), ended_on=DISBURSED_ON)
    assert agreement.return_due_on is None  # a loan is still active
    compensation_claim(loan=collected(loan, date(2024, 9, 28)), deducted_on=date(2024, 9, 28), today=TODAY)
    agreement.refresh_from_db()
    # 10 working days after Saturday 2024-09-28: 09-29, 09-30, 10-08…10-12 (10-12 a make-up Saturday), 10-14…16
    assert agreement.return_due_on == date(2024, 10, 16)
    # the pool share 160,000 came out of the deposit, so 840,000 is left to return
    assert balance("deposit:BOB") == D("840000.00")
