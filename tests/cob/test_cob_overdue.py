"""Overdue days, buckets, compensation eligibility and maturity reminders of the daily job (SPEC §9, §10, §12;
art. 31, 32) against the lending app's own definitions, ``overdue_days`` (Python) and ``with_first_unpaid_due``
(SQL)."""

from datetime import date, timedelta

from cob_world import add_random_loans

from riskfund.cob.models import Bucket, BucketChange, DailyLoanStatus
from riskfund.cob.services import cob_run
from riskfund.lending.models import Loan
from riskfund.lending.rules import BUCKETS, overdue_bucket
from riskfund.lending.selectors import loan_outstanding_on, overdue_days, with_first_unpaid_due
from riskfund.outbox.models import OutboxEvent


def _active_on(loan: Loan, d: date) -> bool:
    return loan.disbursed_on <= d and (loan.closed_on is None or loan.closed_on > d)


def _events(kind: str, loan: Loan) -> list[dict]:
    return [e.data for e in OutboxEvent.objects.filter(type=kind) if e.data["loan"] == str(loan.pk)]


def _assert_matches_lending(d: date) -> int:
    """Every loan active on ``d`` has the lending app's overdue days, bucket and outstanding on ``d``."""
    statuses = {s.loan_id: s for s in DailyLoanStatus.objects.all()}
    sql_due = dict(with_first_unpaid_due(Loan.objects.all(), d).values_list("pk", "first_unpaid_due"))
    checked = 0
    for loan in Loan.objects.all():
        if not _active_on(loan, d):
            continue
        status = statuses[loan.pk]
        days = overdue_days(loan, d)
        due = sql_due[loan.pk]
        assert status.overdue_days == days, (loan.contract_no, d)
        assert days == (max(0, (d - due).days) if due is not None else 0), (loan.contract_no, d)
        assert status.bucket == overdue_bucket(days)
        assert status.first_unpaid_due == (due if days > 0 else None)
        assert status.outstanding_principal == loan_outstanding_on(loan, d)
        assert status.compensation_eligible == (days > loan.policy_version.compensation_trigger_days)
        assert status.as_of <= d
        checked += 1
    return checked


def test_bucket_values_are_the_lending_buckets():
    assert tuple(Bucket.values) == BUCKETS
    for days, bucket in [(0, "current"), (1, "1-25"), (25, "1-25"), (26, "26-60"), (60, "26-60"), (61, "61-90")]:
        assert overdue_bucket(days) == bucket
    assert overdue_bucket(91) == "91+"


def test_sql_overdue_days_equal_lending_definition_on_every_date(portfolio):
    """Instalments with partial repayments, bullets, a repaid loan, repayments after D ignored: every 9 days
    through 2025 and on the edges of each schedule line."""
    edges = {date(2025, 3, 10), date(2025, 3, 11), date(2025, 6, 10), date(2025, 6, 11), date(2025, 6, 20)}
    edges |= {date(2025, 7, 15), date(2025, 8, 4), date(2025, 8, 5), date(2025, 9, 11)}
    dates = sorted({date(2025, 1, 5) + timedelta(days=9 * k) for k in range(40)} | edges)
    checked = 0
    for d in dates:
        cob_run(business_date=d)
        checked += _assert_matches_lending(d)
    assert checked > 150
    loans = portfolio.loans
    assert DailyLoanStatus.objects.get(loan=loans["instalments"]).first_unpaid_due == date(2025, 9, 10)


def test_sql_overdue_days_equal_lending_definition_on_random_loans(portfolio):
    """25 loans with 1–4 random instalments and random partial / early / late / full repayments."""
    loans = add_random_loans(portfolio, count=25, seed=20250805)
    assert any(loan.status == "repaid" for loan in loans)
    assert any(loan.repayment_method == "instalments" for loan in loans)
    run_dates = [date(2025, 1, 20) + timedelta(days=11 * k) for k in range(32)]
    for d in run_dates:
        cob_run(business_date=d)
        _assert_matches_lending(d)
    # the maturity reminder went out once, on the first run on or after maturity − 60 days while active
    for loan in Loan.objects.all():
        due = [d for d in run_dates if d >= loan.maturity_on - timedelta(days=60) and _active_on(loan, d)]
        status = DailyLoanStatus.objects.filter(loan=loan).first()
        if status is None:
            continue
        assert status.maturity_reminded_on == (due[0] if due else None), loan.contract_no
        assert len(_events("loan.maturity_reminder", loan)) == (1 if due else 0)


def test_bucket_moves_are_recorded_once_each(portfolio):
    bullet = portfolio.loans["bullet"]  # due 2025-07-10
    for d in [date(2025, 7, 10), date(2025, 7, 11), date(2025, 8, 4), date(2025, 8, 5), date(2025, 9, 9)]:
        cob_run(business_date=d)
    cob_run(business_date=date(2025, 10, 9))
    moves = list(
        BucketChange.objects.filter(loan=bullet)
        .order_by("business_date")
        .values_list("business_date", "from_bucket", "to_bucket", "overdue_days")
    )
    assert moves == [
        (date(2025, 7, 11), "current", "1-25", 1),
        (date(2025, 8, 5), "1-25", "26-60", 26),
        (date(2025, 9, 9), "26-60", "61-90", 61),
        (date(2025, 10, 9), "61-90", "91+", 91),
    ]
    # the instalment loan: line 2 (due 06-10) 30 days overdue at the first run, paid 07-15, line 3 (due 09-10)
    # 29 days overdue on 10-09 — moves are between consecutive runs, so a skipped bucket is never recorded
    instalments = portfolio.loans["instalments"]
    assert list(
        BucketChange.objects.filter(loan=instalments)
        .order_by("business_date")
        .values_list("business_date", "from_bucket", "to_bucket")
    ) == [
        (date(2025, 7, 10), "current", "26-60"),
        (date(2025, 8, 4), "26-60", "current"),
        (date(2025, 10, 9), "current", "26-60"),
    ]


def test_compensation_due_from_day_26_and_announced_once(portfolio):
    """Art. 32: overdue MORE than 25 days. The bullet loan is 25 days overdue on 2025-08-04, 26 on 2025-08-05."""
    bullet = portfolio.loans["bullet"]
    cob_run(business_date=date(2025, 8, 4))
    status = DailyLoanStatus.objects.get(loan=bullet)
    assert (status.overdue_days, status.compensation_eligible, status.compensation_eligible_since) == (25, False, None)
    assert _events("loan.compensation_due", bullet) == []

    cob_run(business_date=date(2025, 8, 5))
    status.refresh_from_db()
    assert (status.overdue_days, status.compensation_eligible) == (26, True)
    assert status.compensation_eligible_since == date(2025, 8, 5)
    [event] = _events("loan.compensation_due", bullet)
    assert event["overdue_days"] == 26
    assert event["business_date"] == "2025-08-05"
    assert event["outstanding_principal"] == "1000000.00"
    assert OutboxEvent.objects.get(type="loan.compensation_due").bank_id == portfolio.bank.pk

    cob_run(business_date=date(2025, 8, 6))
    status.refresh_from_db()
    assert status.compensation_eligible_since == date(2025, 8, 5)
    assert len(_events("loan.compensation_due", bullet)) == 1


def test_eligibility_ends_when_the_arrears_are_paid(portfolio):
    """The instalment loan: line 2 (due 06-10) is 26 days overdue on 07-06 and paid on 07-15."""
    loan = portfolio.loans["instalments"]
    cob_run(business_date=date(2025, 7, 5))
    assert not DailyLoanStatus.objects.get(loan=loan).compensation_eligible
    cob_run(business_date=date(2025, 7, 6))
    assert DailyLoanStatus.objects.get(loan=loan).compensation_eligible_since == date(2025, 7, 6)
    cob_run(business_date=date(2025, 7, 15))
    status = DailyLoanStatus.objects.get(loan=loan)
    assert (status.overdue_days, status.compensation_eligible, status.compensation_eligible_since) == (0, False, None)
    assert len(_events("loan.compensation_due", loan)) == 1


def test_maturity_reminder_once_on_the_first_run_from_maturity_minus_60_days(portfolio):
    """Art. 31: the reminder loan matures 2025-12-01, so the reminder is due from 2025-10-02."""
    loan = portfolio.loans["reminder"]
    cob_run(business_date=date(2025, 10, 1))
    assert DailyLoanStatus.objects.get(loan=loan).maturity_reminded_on is None
    assert _events("loan.maturity_reminder", loan) == []
    cob_run(business_date=date(2025, 10, 2))
    assert DailyLoanStatus.objects.get(loan=loan).maturity_reminded_on == date(2025, 10, 2)
    [event] = _events("loan.maturity_reminder", loan)
    assert event == {
        "loan": str(loan.pk),
        "contract_no": loan.contract_no,
        "business_date": "2025-10-02",
        "maturity_on": "2025-12-01",
        "outstanding_principal": "400000.00",
    }
    cob_run(business_date=date(2025, 10, 3))
    cob_run(business_date=date(2025, 12, 2))
    assert DailyLoanStatus.objects.get(loan=loan).maturity_reminded_on == date(2025, 10, 2)
    assert len(_events("loan.maturity_reminder", loan)) == 1


def test_reminder_on_the_first_run_after_a_missed_day(portfolio):
    loan = portfolio.loans["reminder"]
    cob_run(business_date=date(2025, 9, 30))
    cob_run(business_date=date(2025, 10, 6))
    assert DailyLoanStatus.objects.get(loan=loan).maturity_reminded_on == date(2025, 10, 6)


def test_a_closed_loan_gets_no_further_changes(portfolio):
    """The repaid loan (due 05-01, repaid 05-10) keeps the status of the last run while it was active."""
    loan = portfolio.loans["repaid"]
    cob_run(business_date=date(2025, 5, 5))
    before = DailyLoanStatus.objects.filter(loan=loan).values().get()
    assert (before["overdue_days"], before["bucket"], before["as_of"]) == (4, "1-25", date(2025, 5, 5))
    cob_run(business_date=date(2025, 5, 20))
    cob_run(business_date=date(2025, 6, 20))
    assert DailyLoanStatus.objects.filter(loan=loan).values().get() == before
    assert BucketChange.objects.filter(loan=loan).count() == 1


def test_a_loan_disbursed_after_the_date_is_not_seen(portfolio):
    cob_run(business_date=date(2025, 5, 31))
    assert not DailyLoanStatus.objects.filter(loan=portfolio.loans["big"]).exists()  # disbursed 2025-06-01
    cob_run(business_date=date(2025, 6, 1))
    assert DailyLoanStatus.objects.get(loan=portfolio.loans["big"]).bucket == "current"
