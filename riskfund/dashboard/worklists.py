"""What the dashboard says in words first (issue 13): whether new business is open and why not, how many 元 are left
before the suspension line (or the replenishment that resumes it), and the work waiting — payables due to banks,
banks below their top-up line, the policy's expiry, listings awaiting a decision, late notices.

Every list here is ``{"count", "rows", "url"}``: ``count`` is the number of rows of the changelist ``url`` opens
(the same filter), ``rows`` its first ``LIST_LIMIT`` rows; the template says "show all" when they differ.
"""

from datetime import date
from decimal import ROUND_DOWN, Decimal
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from riskfund.money import FEN, ZERO
from riskfund.policy.selectors import policy_in_force

OPEN, SUSPENDED, NO_POLICY = "open", "suspended", "no_policy"
LIST_LIMIT = 10
POLICY_EXPIRY_WARNING_DAYS = 90


def changelist_url(model_key: str, **filters) -> str | None:
    """The admin changelist of ``app_label.model_name`` with ``filters`` as its query string; None if unregistered."""
    app_label, model_name = model_key.split(".")
    try:
        url = reverse(f"admin:{app_label}_{model_name}_changelist")
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(filters)}" if filters else url


def headroom(pool_funds: Decimal, net_compensation: Decimal, threshold: Decimal) -> Decimal:
    """SPEC §4/§5 (art. 37): the further net compensation the pool can bear before N ≥ threshold × F suspends it,
    threshold × F − N down to the fen, never below 0.00."""
    return max(ZERO, (threshold * pool_funds - net_compensation).quantize(FEN, rounding=ROUND_DOWN))


def business_status(position: dict, today: date) -> dict:
    """New business open ⇔ a policy version is in force today and the pool is not suspended (SPEC §4); the first
    reason that closes it is given (no policy, then suspension), with the figure that matters in 元."""
    policy = policy_in_force(today)
    if policy is None:
        state, line = NO_POLICY, _("新增业务：暂停（无有效政策版本）")
    elif position["suspended"]:
        state, line = SUSPENDED, _("新增业务：暂停（代偿比例已达暂停警戒线）")
    else:
        state, line = OPEN, _("新增业务：正常")
    badge = {OPEN: _("正常"), SUSPENDED: _("暂停新增"), NO_POLICY: _("无有效政策")}[state]
    expires_on = policy.effective_to if policy else None
    return {
        "state": state,
        "open": state == OPEN,
        "line": line,
        "badge": badge,
        "headroom": headroom(position["pool_funds"], position["net_compensation"], position["suspension_threshold"]),
        "resume": position["resume_replenishment"],
        "suspended": position["suspended"],
        "policy_code": policy.code if policy else None,
        "policy_expires_on": expires_on,
        "policy_days_left": (expires_on - today).days if expires_on else None,
        "policy_expiring": bool(expires_on and (expires_on - today).days <= POLICY_EXPIRY_WARNING_DAYS),
        "policy_url": changelist_url("policy.policyversion"),
    }


def payables_due() -> dict:
    """Payables to banks not yet settled (art. 32, SPEC §4): the pool owes them, oldest first."""
    from riskfund.claims.models import Payable

    unpaid = Payable.objects.filter(settled_on__isnull=True)
    totals = unpaid.aggregate(count=Count("pk"), amount=Sum("amount"))
    rows = unpaid.select_related("bank").order_by("due_since", "bank__code")[:LIST_LIMIT]
    return {
        "count": totals["count"],
        "amount": totals["amount"] or ZERO,
        "rows": [{"bank": p.bank.name, "amount": p.amount, "due_since": p.due_since} for p in rows],
        "url": changelist_url("claims.payable", settled_on__isempty="1"),
    }


def banks_needing_topup(banks: list[dict]) -> dict:
    """Banks whose outstanding is above N × their deposit (art. 16), from the dashboard's bank figures."""
    rows = [
        {
            "code": b["code"],
            "name": b["name"],
            "deposit": b["deposit"],
            "outstanding": b["outstanding"],
            "shortfall": b["suggested"],
        }
        for b in banks
        if b["topup_needed"]
    ]
    return {"count": len(rows), "rows": rows, "url": changelist_url("parties.bank", topup="needed")}


def listings_pending() -> dict:
    """Dishonest-listing proposals awaiting the bureau's decision (art. 36)."""
    from riskfund.parties.models import DishonestListing, ListingStatus

    pending = DishonestListing.objects.filter(status=ListingStatus.PENDING).select_related("enterprise")
    return {
        "count": pending.count(),
        "rows": [{"enterprise": p.enterprise.name} for p in pending.order_by("enterprise__name")[:LIST_LIMIT]],
        "url": changelist_url("parties.dishonestlisting", status__exact=ListingStatus.PENDING),
    }
