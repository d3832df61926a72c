"""What every test world does to stay within the law it is not about (SPEC §8): the guarantor's approving
opinion next to the bank's (art. 26), a counter-guarantee on every loan (art. 28). Import from any test
directory (``tests/`` is on the path through its conftest)."""

from datetime import date
from decimal import Decimal

from riskfund.lending.models import Recommendation
from riskfund.lending.services import due_diligence_record

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
