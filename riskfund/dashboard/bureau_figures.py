"""The figures of the bureau's monthly report (riskfund/dashboard/bureau_report.py) for one calendar month: the
cut-off they are taken at (``ReportBasis``) and the month's flows.

The cut-off. When the daily close of business has run on a date of the month, the report is as of the month's last
closed business date D: the pool position, every district's outstanding and every bank's deposit, payable,
outstanding and active loans come from the ``PoolSnapshot`` of D (the only store of historic outstanding figures),
and the funders' paid-in, loss, replenishments and the interest are the ledger's balances over the entries with a
business date up to D (summed exactly in Python). Without such a snapshot the report shows the current figures
(``pool_position``, ``funder_list``, the banks' running balances) and the first sheet says so. The month's flows
(compensations, recoveries, suspensions) always cover the whole calendar month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from riskfund.claims.models import Compensation, Recovery
from riskfund.cob.models import PoolSnapshot
from riskfund.dates import month_bounds
from riskfund.ledger.chart import INTEREST
from riskfund.ledger.selectors import account_balance, balances_on
from riskfund.money import FEN, ZERO
from riskfund.parties.models import Bank, Funder, FunderTier
from riskfund.policy.selectors import policy_for_pool
from riskfund.pool.models import PoolStateChange
from riskfund.pool.selectors import deposit_balance, funder_list, funder_list_on, pool_position

SHARE_PLACES = Decimal("0.0001")


@dataclass
class ReportBasis:
    """The figures of the report: as of the snapshot's business date, or the current ones (``snapshot`` None)."""

    month: str
    first: date
    last: date
    as_of: date
    snapshot: PoolSnapshot | None
    position: dict[str, Any]
    interest: Decimal
    funders: list[dict[str, Any]]
    banks: list[dict[str, Any]]
    topup_multiple: int
    district_outstanding: dict[str, Decimal] = field(default_factory=dict)

    @property
    def source(self) -> str:
        if self.snapshot is not None:
            return f"日终快照（业务日期 {self.as_of.isoformat()}）"
        return f"当前余额（本月无日终快照，按生成日 {self.as_of.isoformat()} 的数填列）"


def month_snapshot(first: date, last: date) -> PoolSnapshot | None:
    """The ``PoolSnapshot`` of the month's last closed business date, if the daily job has closed one."""
    return PoolSnapshot.objects.filter(business_date__range=(first, last)).order_by("-business_date").first()


def money_or_zero(value: Any) -> Decimal:
    """An aggregate or stored figure as an amount to the fen; None (no rows) is 0.00."""
    return Decimal(str(value)).quantize(FEN) if value is not None else ZERO


def report_basis(month: str, today: date | None = None) -> ReportBasis:
    """The figures of ``month``'s report (see the module docstring)."""
    first, last = month_bounds(month)
    snapshot = month_snapshot(first, last)
    if snapshot is not None:
        on = snapshot.business_date
        position = {
            "pool_funds": snapshot.pool_funds,
            "net_compensation": snapshot.net_compensation,
            "pool_balance": snapshot.pool_balance,
            "credit_capacity": snapshot.credit_capacity,
            "outstanding_principal": snapshot.outstanding_principal,
            "available_capacity": snapshot.available_capacity,
            "compensation_ratio": snapshot.compensation_ratio,
            "suspension_threshold": snapshot.suspension_threshold,
            "suspended": snapshot.suspended,
            "resume_replenishment": snapshot.resume_replenishment,
            "policy_version": snapshot.policy_version,
        }
        funders = funder_list_on(on, city_due=snapshot.resume_replenishment)
        interest = balances_on(on, codes=(INTEREST,)).get(INTEREST, ZERO)
        district_outstanding = {d["code"]: money_or_zero(d["outstanding_principal"]) for d in snapshot.districts}
        banks = [
            {
                "code": b["code"],
                "name": b["name"],
                "deposit": money_or_zero(b["deposit_balance"]),
                "payable": money_or_zero(b.get("payable_balance")),
                "outstanding": money_or_zero(b["outstanding_principal"]),
                "active_loans": int(b["active_loans"]),
            }
            for b in snapshot.banks
        ]
    else:
        on = today or timezone.localdate()
        position = pool_position(on)
        replenished = dict(Funder.objects.values_list("code", "replenished_total"))
        funders = [dict(row, replenished=replenished.get(row["code"], ZERO)) for row in funder_list(on)]
        interest = account_balance(INTEREST)
        district_outstanding = {
            row["code"]: row["outstanding_principal"] for row in funders if row["tier"] == FunderTier.DISTRICT
        }
        banks = [
            {
                "code": bank.code,
                "name": bank.name,
                "deposit": deposit_balance(bank),
                "payable": account_balance(bank.payable_account_code),
                "outstanding": bank.outstanding_principal,
                "active_loans": bank.active_loans,
            }
            for bank in Bank.objects.order_by("code")
        ]
    return ReportBasis(
        month=month,
        first=first,
        last=last,
        as_of=on,
        snapshot=snapshot,
        position=position,
        interest=interest,
        funders=funders,
        banks=banks,
        topup_multiple=policy_for_pool(on).deposit_topup_multiple,
        district_outstanding=district_outstanding,
    )


def month_flows(first: date, last: date) -> dict[str, Any]:
    """The month's compensations, recoveries and threshold crossings (counts and amounts)."""
    compensations = Compensation.objects.filter(deducted_on__range=(first, last)).aggregate(
        count=Count("pk"), loss=Sum("loss"), pool=Sum("share_pool")
    )
    recoveries = Recovery.objects.filter(recovered_on__range=(first, last)).aggregate(
        count=Count("pk"), net=Sum("net"), pool=Sum("share_pool")
    )
    changes = PoolStateChange.objects.filter(business_date__range=(first, last))
    return {
        "compensations": compensations["count"],
        "compensated_loss": money_or_zero(compensations["loss"]),
        "compensated_pool": money_or_zero(compensations["pool"]),
        "recoveries": recoveries["count"],
        "recovered_net": money_or_zero(recoveries["net"]),
        "recovered_pool": money_or_zero(recoveries["pool"]),
        "suspensions": changes.filter(suspended=True).count(),
        "resumptions": changes.filter(suspended=False).count(),
    }


def share(part: Decimal, whole: Decimal | None) -> Decimal:
    """part ÷ whole as a fraction with 4 places (shown as a percentage), 0 when there is no whole."""
    if not whole or whole <= ZERO:
        return Decimal("0.0000")
    return (part / whole).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)
