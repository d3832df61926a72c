"""What every test world does to stay within the law it is not about (SPEC §8): the guarantor's approving
opinion next to the bank's (art. 26), a counter-guarantee on every loan (art. 28), collection calls before a
deduction (art. 31 (三)). Import from any test
directory (``tests/`` is on the path through its conftest)."""

from datetime import date, timedelta
from decimal import Decimal

from riskfund.lending.models import Loan, Recommendation
from riskfund.lending.rules import first_unpaid_due_from
from riskfund.lending.services import due_diligence_record, loan_event_record

# art. 28: at least one counter-guarantee under the 2021 version
COUNTER_GUARANTEES = [{"kind": "real_estate", "description": "厂房抵押", "value": Decimal("3000000.00")}]


def guarantor_approves(recommendation: Recommendation, on: date, today: date | None = None) -> None:
    """The guarantor's approving opinion, as the bureau records it (art. 26)."""
    due_diligence_record(
        recommendation=recommendation, party="guarantor", opinion="approve", reported_on=on, today=today
    )


def both_approve(recommendation: Recommendation, on: date, today: date | None = None) -> Recommendation:
    """The bank's and the guarantor's approving opinions (art. 26): the recommendation becomes usable."""
    guarantor_approves(recommendation, on, today)
    due_diligence_record(recommendation=recommendation, party="bank", opinion="approve", reported_on=on, today=today)
    recommendation.refresh_from_db()
    return recommendation


def collected(loan: Loan, deducted_on: date) -> Loan:
    """Two collection calls on the two days after the loan's first unpaid due date as of ``deducted_on`` (art. 31
    (三) "多次催收无果", SPEC §10), those not after ``deducted_on``: what a bank records before it deducts."""
    schedule = list(loan.schedule.values_list("due_on", "principal"))
    repayments = list(loan.repayments.values_list("paid_on", "principal"))
    first_unpaid = first_unpaid_due_from(schedule=schedule, repayments=repayments, on=deducted_on)
    if first_unpaid is not None:
        for day in (first_unpaid + timedelta(days=1), first_unpaid + timedelta(days=2)):
            if day <= deducted_on:
                loan_event_record(loan=loan, kind="collection_call", occurred_on=day, notes="催收", today=deducted_on)
    return loan
