"""The per-loan status rows are derived (riskfund/cob/models.py ``DailyLoanStatus``): their key to the loan has no
database foreign key, because the daily run writes them only from ``lending_loan``'s own ids. What that rests on:
after a history of runs every row belongs to a loan, and every loan the runs saw active has its row."""

from datetime import date

from django.db import connection

from riskfund.cob.models import DailyLoanStatus
from riskfund.cob.services import cob_run
from riskfund.lending.models import Loan

DATES = [date(2025, 7, 5), date(2025, 7, 6), date(2025, 8, 4), date(2025, 8, 5)]


def test_every_status_row_belongs_to_a_loan_the_runs_saw_active(portfolio):
    for d in DATES:
        cob_run(business_date=d)

    rows = set(DailyLoanStatus.objects.values_list("loan_id", flat=True))
    seen_active = {
        loan.pk
        for loan in Loan.objects.all()
        if any(loan.disbursed_on <= d and (loan.closed_on is None or loan.closed_on > d) for d in DATES)
    }
    assert rows and rows <= set(Loan.objects.values_list("pk", flat=True))
    assert seen_active <= rows


def test_the_derived_table_carries_no_database_foreign_key(portfolio):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, DailyLoanStatus._meta.db_table)
    assert not [name for name, c in constraints.items() if c["foreign_key"]]
    assert DailyLoanStatus._meta.get_field("loan").remote_field.model is Loan  # the ORM relation is kept
