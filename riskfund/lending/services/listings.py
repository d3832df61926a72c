"""The dishonest-list decision (art. 36 "恶意逃避债务", SPEC §10).

A loss alone does not make a firm dishonest: a compensation makes a listing PROPOSAL (``listing_propose``, called by
the compensation service in its transaction); while it is pending the firm gets ``enterprise_under_review`` at
application, recommendation and registration (``eligibility_violation``). A bureau user decides it with a reason
(``listing_decide``): ``list`` puts the firm on the list (``enterprise_list_dishonest``, cause "evasion") and it gets
``enterprise_dishonest`` from then on; ``dismiss`` makes it eligible again (unless another proposal is pending or
it is listed already). Lifting a listing stays maker-checker (riskfund.approvals → ``enterprise_lift_dishonest``),
which marks the firm's listed decisions ``lifted``.
"""

from datetime import date

from django.db import transaction

from riskfund import dates
from riskfund.dates import not_in_future
from riskfund.errors import RuleViolation
from riskfund.parties.models import DishonestCause, DishonestListing, Enterprise, ListingDecision, ListingStatus

from ..validation import invalid
from .enterprises import enterprise_list_dishonest


def listing_propose(*, enterprise: Enterprise, compensation, proposed_on: date) -> DishonestListing:
    """A pending proposal to list ``enterprise`` after ``compensation`` (art. 36): one per compensation."""
    return DishonestListing.objects.create(enterprise=enterprise, compensation=compensation, proposed_on=proposed_on)


def listing_decide(
    *, listing: DishonestListing, decision: str, reason: str, user, on: date | None = None
) -> DishonestListing:
    """The bureau decides a pending proposal (art. 36): ``list`` or ``dismiss``, with a reason (required).

    An unknown decision or a blank reason → 400 ``validation_error``; ``on`` (default today) after today →
    ``date_in_future``; a proposal already decided → ``listing_not_pending``. The decision date may not be before
    the proposal (400)."""
    if decision not in ListingDecision.values:
        raise invalid("decision", f"认定结论应为 list 或 dismiss，实际为 {decision!r}", "art. 36")
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", "认定须说明理由", "art. 36")
    on = not_in_future(on or dates.business_today(), "decided_on")
    with transaction.atomic():
        listing = DishonestListing.objects.select_for_update().select_related("enterprise").get(pk=listing.pk)
        if listing.status != ListingStatus.PENDING:
            raise RuleViolation(
                "listing_not_pending", "art. 36", f"this proposal was already decided ({listing.get_status_display()})"
            )
        if on < listing.proposed_on:
            raise invalid("decided_on", f"认定日期 {on} 早于提出日期 {listing.proposed_on}", "art. 36")
        if decision == ListingDecision.LIST:
            enterprise_list_dishonest(
                enterprise=listing.enterprise, on=on, reason=reason[:500], cause=DishonestCause.EVASION, user=user
            )
            listing.status = ListingStatus.LISTED
        else:
            listing.status = ListingStatus.DISMISSED
        listing.decided_on = on
        listing.decided_by = user
        listing.reason = reason[:500]
        listing.save(update_fields=["status", "decided_on", "decided_by", "reason"])
    return listing
