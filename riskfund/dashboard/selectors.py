"""Reads of the dashboard (the admin index, SPEC §4, §5, §9, §12).

Current figures come from the pool selectors (running balances, O(1)); history from the daily ``PoolSnapshot``
rows of the close of business. Every amount and ratio leaves here as a decimal STRING (never a float), so the
chart JSON written by ``json_script`` carries the exact figure; the browser converts only to plot.

A district officer (``roles.is_district_only``) gets the figures of its own district only: its outstanding
against its cap, its loans' overdue buckets, maturities and late notices — no pool-wide or bank figures.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from riskfund.access import is_district_only, user_district_code
from riskfund.approvals.models import ApprovalRequest, ApprovalStatus
from riskfund.cob.models import Bucket, DailyLoanStatus, PoolSnapshot
from riskfund.lending.models import Loan, LoanStatus
from riskfund.money import ZERO
from riskfund.parties.models import Bank, FunderTier
from riskfund.policy.models import PolicyVersion
from riskfund.policy.selectors import policy_for_pool
from riskfund.pool.models import DepositTopUp, PoolStateChange, TopUpStatus
from riskfund.pool.selectors import deposit_balance, funder_list, pool_position, topup_amount

from .cache import cached_dashboard
from .worklists import LIST_LIMIT, banks_needing_topup, business_status, changelist_url, listings_pending, payables_due

PERCENT = Decimal("0.01")
MATURITY_WINDOW_DAYS = 60  # art. 31: the maturity reminder 60 days ahead (the policy's figure when it has one)
HISTORY_DAYS = 730


def percent(part: Decimal, whole: Decimal, *, truncate: bool = False) -> str:
    """part ÷ whole as a percentage with 2 places, as a string ("0.00" when whole is 0). ``truncate`` rounds toward
    zero, for the compensation ratio: a pool just below the suspension line never shows the line (SPEC §4)."""
    if whole <= ZERO:
        return "0.00"
    return str((part * 100 / whole).quantize(PERCENT, rounding=ROUND_DOWN if truncate else ROUND_HALF_UP))


@dataclass(frozen=True)
class Scope:
    """Whose figures the dashboard shows: the whole programme, or one district (``district`` = funder code)."""

    district: str | None = None
    limited: bool = False

    def loans(self):
        loans = Loan.objects.all()
        if self.limited:
            loans = loans.filter(district_id=self.district) if self.district else loans.none()
        return loans


def scope_for(user) -> Scope:
    if is_district_only(user):
        return Scope(district=user_district_code(user), limited=True)
    return Scope()


def _active(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": LoanStatus.ACTIVE})


def position_figures(position: dict | None) -> dict:
    """Pool funds, balance, capacity and its use (art. 9), the ratio against the threshold (art. 37)."""
    if position is None:
        return {}
    return {
        "pool_funds": str(position["pool_funds"]),
        "net_compensation": str(position["net_compensation"]),
        "pool_balance": str(position["pool_balance"]),
        "credit_capacity": str(position["credit_capacity"]),
        "outstanding_principal": str(position["outstanding_principal"]),
        "available_capacity": str(position["available_capacity"]),
        "capacity_used_percent": percent(position["outstanding_principal"], position["credit_capacity"]),
        "compensation_ratio_percent": percent(position["compensation_ratio"], Decimal(1), truncate=True),
        "threshold_percent": percent(position["suspension_threshold"], Decimal(1)),
        "suspended": position["suspended"],
        "resume_replenishment": str(position["resume_replenishment"]),
        "policy_version": position["policy_version"],
    }


def ratio_history(scope: Scope, today: date) -> dict:
    """The compensation ratio per business date against the threshold, with the balance and outstanding
    (SPEC §12: from ``PoolSnapshot``). Before the first close of business the history is the threshold
    crossings (``PoolStateChange``) plus today's position, and ``source`` says so."""
    if scope.limited:
        return {}
    snapshots = list(
        PoolSnapshot.objects.filter(business_date__gte=today - timedelta(days=HISTORY_DAYS))
        .order_by("business_date")
        .values_list(
            "business_date", "compensation_ratio", "suspension_threshold", "pool_balance", "outstanding_principal"
        )
    )
    if snapshots:
        return {
            "source": "snapshots",
            "dates": [d.isoformat() for d, *_ in snapshots],
            "ratio": [percent(r, Decimal(1), truncate=True) for _, r, *_ in snapshots],
            "threshold": [percent(t, Decimal(1)) for _, _, t, *_ in snapshots],
            "pool_balance": [str(b) for *_, b, _ in snapshots],
            "outstanding": [str(o) for *_, o in snapshots],
        }
    position = pool_position(today)
    changes = list(PoolStateChange.objects.order_by("occurred_at").values_list("business_date", "ratio"))
    points = [(d, r) for d, r in changes] + [(today, position["compensation_ratio"])]
    threshold = percent(position["suspension_threshold"], Decimal(1))
    return {
        "source": "state_changes",
        "dates": [d.isoformat() for d, _ in points],
        "ratio": [percent(r, Decimal(1), truncate=True) for _, r in points],
        "threshold": [threshold for _ in points],
        "pool_balance": [],
        "outstanding": [],
    }


def district_figures(scope: Scope, today: date) -> list[dict]:
    """Each district's outstanding against its cap of 25 × paid-in (art. 13)."""
    rows = [row for row in funder_list(today) if row["tier"] == FunderTier.DISTRICT]
    if scope.limited:
        rows = [row for row in rows if row["code"] == scope.district]
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "paid_in": str(row["paid_in"]),
            "outstanding": str(row["outstanding_principal"]),
            "cap": str(row["scale_cap"]),
            "used_percent": percent(row["outstanding_principal"], row["scale_cap"]),
            "over_cap": row["outstanding_principal"] > row["scale_cap"],
        }
        for row in rows
    ]


def bank_figures(scope: Scope, today: date) -> list[dict]:
    """Each bank's outstanding against N × its deposit balance, the top-up trigger (art. 16)."""
    if scope.limited:
        return []
    multiple = policy_for_pool(today).deposit_topup_multiple
    rows = []
    for bank in Bank.objects.order_by("code"):
        balance = deposit_balance(bank)
        trigger = balance * multiple
        rows.append(
            {
                "code": bank.code,
                "name": bank.name,
                "deposit": str(balance),
                "outstanding": str(bank.outstanding_principal),
                "trigger": str(trigger),
                "topup_needed": bank.outstanding_principal > trigger,
                "suggested": str(topup_amount(bank.outstanding_principal, balance, multiple)),
            }
        )
    return rows


def overdue_buckets(scope: Scope) -> list[dict]:
    """Active loans by overdue bucket (SPEC §9) as of the last close of business (``cob.DailyLoanStatus``)."""
    statuses = DailyLoanStatus.objects.filter(loan__in=scope.loans().filter(_active()))
    rows = {
        row["bucket"]: row
        for row in statuses.order_by().values("bucket").annotate(count=Count("pk"), amount=Sum("outstanding_principal"))
    }
    return [
        {
            "bucket": bucket,
            "label": str(label),
            "count": rows.get(bucket, {}).get("count", 0),
            "amount": str((rows.get(bucket, {}).get("amount") or ZERO).quantize(PERCENT)),
        }
        for bucket, label in Bucket.choices
    ]


def maturities(scope: Scope, today: date) -> dict:
    """Active loans maturing in the next 60 days (art. 31), soonest first."""
    loans = (
        scope.loans()
        .filter(_active(), maturity_on__gte=today, maturity_on__lte=today + timedelta(days=MATURITY_WINDOW_DAYS))
        .select_related("enterprise", "bank")
        .order_by("maturity_on", "contract_no")
    )
    totals = loans.aggregate(count=Count("pk"), amount=Sum("outstanding_principal"))
    return {
        "count": totals["count"],
        "amount": str((totals["amount"] or ZERO).quantize(PERCENT)),
        "days": MATURITY_WINDOW_DAYS,
        "rows": [
            {
                "pk": loan.pk,
                "contract_no": loan.contract_no,
                "enterprise": loan.enterprise.name,
                "bank": loan.bank.name,
                "maturity_on": loan.maturity_on,
                "outstanding": str(loan.outstanding_principal),
            }
            for loan in loans[:LIST_LIMIT]
        ],
        "url": changelist_url("lending.loan", quick="maturing"),
    }


def pending_approvals(scope: Scope) -> dict:
    """What waits for the bureau: requested top-ups (art. 16), policy versions not yet approved, maker-checker
    requests (dishonest-flag lifts, reversals) awaiting a second person."""
    if scope.limited:
        return {"count": 0, "topups": [], "topup_count": 0, "policy_versions": 0, "approval_requests": 0}
    topups = DepositTopUp.objects.filter(status=TopUpStatus.REQUESTED).select_related("bank").order_by("requested_on")
    policies = PolicyVersion.objects.filter(approved_at__isnull=True).count()
    requests = ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING).count()
    rows = [
        {"pk": t.pk, "bank": t.bank.name, "amount": str(t.requested_amount), "requested_on": t.requested_on}
        for t in topups[:LIST_LIMIT]
    ]
    topup_count = topups.count()
    return {
        "count": topup_count + policies + requests,
        "topups": rows,
        "topup_count": topup_count,
        "topups_url": changelist_url("pool.deposittopup", status__exact=TopUpStatus.REQUESTED),
        "policy_versions": policies,
        "policy_versions_url": changelist_url("policy.policyversion", approved_at__isnull="True"),
        "approval_requests": requests,
        "approval_requests_url": changelist_url("approvals.approvalrequest", status__exact=ApprovalStatus.PENDING),
    }


def late_notices(scope: Scope) -> dict:
    """Disbursement notices later than 3 working days (art. 27) and compensation notices (art. 32)."""
    from riskfund.claims.models import Compensation

    loans = scope.loans().filter(notified_late=True).select_related("enterprise", "bank").order_by("-disbursed_on")
    compensations = (
        Compensation.objects.filter(notified_late=True, loan__in=scope.loans())
        .select_related("loan__enterprise", "loan__bank")
        .order_by("-deducted_on")
    )
    return {
        "loans": {
            "count": loans.count(),
            "rows": [
                {
                    "pk": loan.pk,
                    "contract_no": loan.contract_no,
                    "enterprise": loan.enterprise.name,
                    "bank": loan.bank.name,
                    "disbursed_on": loan.disbursed_on,
                    "notice_deadline": loan.notice_deadline,
                }
                for loan in loans[:LIST_LIMIT]
            ],
            "url": changelist_url("lending.loan", notified_late__exact="1"),
        },
        "compensations": {
            "count": compensations.count(),
            "rows": [
                {
                    "pk": c.pk,
                    "contract_no": c.loan.contract_no,
                    "enterprise": c.loan.enterprise.name,
                    "bank": c.loan.bank.name,
                    "deducted_on": c.deducted_on,
                    "loss": c.loss,
                }
                for c in compensations[:LIST_LIMIT]
            ],
            "url": changelist_url("claims.compensation", notified_late__exact="1"),
        },
    }


def chart_labels() -> dict:
    """The charts' legend texts in the request's language."""
    return {
        "used": _("Outstanding"),
        "available": _("Available capacity"),
        "ratio": _("Compensation ratio (%)"),
        "threshold": _("Suspension line (%)"),
        "balance": _("Pool balance"),
        "outstanding": _("Outstanding principal"),
        "cap": _("Cap: 25 × paid-in"),
        "trigger": _("Top-up line: 10 × deposit"),
        "count": _("Loans"),
        "amount": _("Outstanding"),
    }


def dashboard(user, today: date | None = None) -> dict:
    """Everything the admin index shows for ``user``; ``charts`` is the JSON for ``json_script``. Cached until the
    data changes (riskfund/dashboard/cache.py)."""
    today = today or timezone.localdate()
    scope = scope_for(user)
    return cached_dashboard(scope, today, lambda: scope_figures(scope, today))


def scope_figures(scope: Scope, today: date) -> dict:
    """The dashboard of ``scope`` on ``today``, computed."""
    raw = None if scope.limited else pool_position(today)
    position = position_figures(raw)
    history = ratio_history(scope, today)
    districts = district_figures(scope, today)
    banks = bank_figures(scope, today)
    buckets = overdue_buckets(scope)
    charts = {
        "capacity": {"used": position.get("outstanding_principal"), "available": position.get("available_capacity")},
        "history": history,
        "districts": districts,
        "banks": banks,
        "buckets": buckets,
        "labels": chart_labels(),
    }
    return {
        "today": today,
        "scope": scope,
        "position": position,
        "districts": districts,
        "banks": banks,
        "buckets": buckets,
        "history_source": history.get("source"),
        "maturities": maturities(scope, today),
        "pending": pending_approvals(scope),
        "late": late_notices(scope),
        "status": business_status(raw, today) if raw else None,
        "payables": payables_due() if raw else None,
        "topups": banks_needing_topup(banks) if raw else None,
        "listings": listings_pending() if raw else None,
        "charts": charts,
    }
