"""The programme's public figures (API.md "Public pages"; issue 18): what the public may see, as of the latest
month-end snapshot — the daily run's ``PoolSnapshot`` of a month's last day D.

From the snapshot of D: pool funds F, pool balance B, credit capacity, outstanding principal, the compensation ratio
against the threshold (art. 37) and whether new business was suspended. From the ledger and the records dated up to D
(the same cut-off): F by tier (region, city, districts, interest; ``balances_on``), loans granted and firms served in
D's year and in all (by ``disbursed_on``), compensations (by ``deducted_on``) and recoveries (by ``recovered_on``),
and per bank (loans, amount, compensation rate = compensated loss ÷ amount lent) and per district (loans, amount).
Leverage achieved = outstanding ÷ B (art. 9 allows ``pool_leverage``).

Privacy. Never an enterprise's name, USCC or contract number: only counts and sums leave this module. A figure that
rests on one or two enterprises (``MIN_ENTERPRISES`` = 3) is suppressed (``{"value": null, "suppressed": true}``);
a figure resting on none (a zero) tells nothing about any enterprise and is shown. Within the bank and the district
tables, whose totals are published, a single suppressed cell could be recovered by subtraction, so the smallest other
non-zero cell of the column is suppressed as well (secondary suppression), or the total when there is none. The pool
figures that reveal the net compensation N (ratio, B, capacity, leverage achieved) are suppressed while N rests on
one or two compensated enterprises.
"""

from __future__ import annotations

from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from riskfund.claims.models import Compensation, Recovery
from riskfund.cob.models import PoolSnapshot
from riskfund.ledger.chart import FUNDER, INTEREST
from riskfund.ledger.selectors import balances_on
from riskfund.lending.models import Loan
from riskfund.money import ZERO
from riskfund.parties.models import Bank, Funder, FunderTier
from riskfund.policy.selectors import policy_for_pool

MIN_ENTERPRISES = 3
RATE_PLACES = Decimal("0.000001")
LEVERAGE_PLACES = Decimal("0.01")


def latest_month_end_snapshot() -> PoolSnapshot | None:
    """The newest snapshot whose business date is the last day of its month."""
    for pk, business_date in PoolSnapshot.objects.order_by("-business_date").values_list("pk", "business_date"):
        if business_date.day == monthrange(business_date.year, business_date.month)[1]:
            return PoolSnapshot.objects.get(pk=pk)
    return None


def cell(value: Any, enterprises: int) -> dict:
    """A figure about ``enterprises`` enterprises: suppressed when they are one or two."""
    if 0 < enterprises < MIN_ENTERPRISES:
        return {"value": None, "suppressed": True}
    return {"value": value, "suppressed": False}


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _rate(part: Decimal, whole: Decimal) -> str | None:
    return str((part / whole).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)) if whole > ZERO else None


def protect(cells: list[dict], weights: list[Decimal], total: dict) -> None:
    """Secondary suppression over one column whose ``total`` is published: a lone suppressed cell takes the
    smallest other non-zero cell (by ``weights``) with it, or the total when no such cell exists."""
    if total["suppressed"] or sum(c["suppressed"] for c in cells) != 1:
        return
    candidates = [i for i, c in enumerate(cells) if not c["suppressed"] and weights[i] > ZERO]
    if candidates:
        smallest = min(candidates, key=lambda i: weights[i])
        cells[smallest].update(value=None, suppressed=True)
    else:
        total.update(value=None, suppressed=True)


@dataclass
class _Tally:
    loans: int = 0
    amount: Decimal = ZERO
    firms: set = field(default_factory=set)
    compensations: int = 0
    compensated: Decimal = ZERO
    compensated_firms: set = field(default_factory=set)


def _tallies(on: date) -> tuple[dict, dict, dict]:
    """Loans and compensations up to ``on``: per bank id, per district code, and the year's and all-time totals."""
    banks: dict = defaultdict(_Tally)
    districts: dict = defaultdict(_Tally)
    totals = {"all": _Tally(), "year": _Tally()}
    loans = Loan.objects.filter(disbursed_on__lte=on).values_list(
        "bank_id", "district_id", "enterprise_id", "principal", "disbursed_on"
    )
    for bank_id, district, enterprise, principal, disbursed_on in loans.iterator(chunk_size=2000):
        rows = [banks[bank_id], districts[district], totals["all"]]
        if disbursed_on.year == on.year:
            rows.append(totals["year"])
        for row in rows:
            row.loans += 1
            row.amount += principal
            row.firms.add(enterprise)
    compensations = Compensation.objects.filter(deducted_on__lte=on).values_list(
        "bank_id", "loan__enterprise_id", "loss", "deducted_on"
    )
    for bank_id, enterprise, loss, deducted_on in compensations.iterator(chunk_size=2000):
        for row in [banks[bank_id], totals["all"], *([totals["year"]] if deducted_on.year == on.year else [])]:
            row.compensations += 1
            row.compensated += loss
            row.compensated_firms.add(enterprise)
    return banks, districts, totals


def _recoveries(on: date) -> dict[str, dict]:
    figures = {"all": {"count": 0, "net": ZERO, "firms": set()}, "year": {"count": 0, "net": ZERO, "firms": set()}}
    rows = Recovery.objects.filter(recovered_on__lte=on).values_list("loan__enterprise_id", "net", "recovered_on")
    for enterprise, net, recovered_on in rows.iterator(chunk_size=2000):
        for key in ("all", *(["year"] if recovered_on.year == on.year else [])):
            figures[key]["count"] += 1
            figures[key]["net"] += net
            figures[key]["firms"].add(enterprise)
    return figures


def _funds_by_tier(on: date) -> dict[str, str]:
    balances = balances_on(on, prefixes=(FUNDER,), codes=(INTEREST,))
    tiers = dict(Funder.objects.values_list("code", "tier"))
    by_tier = {"region": ZERO, "city": ZERO, "districts": ZERO}
    for code, amount in balances.items():
        tier = tiers.get(code.removeprefix(FUNDER))
        if code.startswith(FUNDER) and tier is not None:
            by_tier["districts" if tier == FunderTier.DISTRICT else tier] += amount
    by_tier["interest"] = balances.get(INTEREST, ZERO)
    return {key: str(value) for key, value in by_tier.items()}


def _active_firms(on: date) -> int:
    active = Loan.objects.filter(disbursed_on__lte=on).exclude(closed_on__lte=on)
    return active.values("enterprise_id").distinct().count()


def public_summary(snapshot: PoolSnapshot) -> dict:
    """The public figures of ``snapshot``'s month end, JSON-ready (amounts as two-place strings)."""
    on = snapshot.business_date
    banks, districts, totals = _tallies(on)
    recovered = _recoveries(on)
    every, year = totals["all"], totals["year"]
    reveals_net = len(every.compensated_firms)  # N rests on the compensated enterprises
    leverage = None
    if snapshot.pool_balance > ZERO:
        leverage = str((snapshot.outstanding_principal / snapshot.pool_balance).quantize(LEVERAGE_PLACES))
    outstanding = cell(_text(snapshot.outstanding_principal), _active_firms(on))
    pool = {
        "funds": {**_funds_by_tier(on), "total": str(snapshot.pool_funds)},
        "pool_balance": cell(_text(snapshot.pool_balance), reveals_net),
        "credit_capacity": cell(_text(snapshot.credit_capacity), reveals_net),
        "outstanding_principal": outstanding,
        "leverage_allowed": str(policy_for_pool(on).pool_leverage),
        # outstanding ÷ B gives away either figure when the other is shown
        "leverage_achieved": cell(leverage, reveals_net) if not outstanding["suppressed"] else cell(None, 1),
        "compensation_ratio": cell(_text(snapshot.compensation_ratio), reveals_net),
        "suspension_threshold": str(snapshot.suspension_threshold),
        "suspended": snapshot.suspended,
    }
    lending = {
        "year": on.year,
        "loans_year": cell(year.loans, len(year.firms)),
        "amount_year": cell(_text(year.amount), len(year.firms)),
        "firms_year": cell(len(year.firms), len(year.firms)),
        "loans_total": cell(every.loans, len(every.firms)),
        "amount_total": cell(_text(every.amount), len(every.firms)),
        "firms_total": cell(len(every.firms), len(every.firms)),
    }
    claims = {
        "compensations_year": cell(year.compensations, len(year.compensated_firms)),
        "compensated_year": cell(_text(year.compensated), len(year.compensated_firms)),
        "compensations_total": cell(every.compensations, len(every.compensated_firms)),
        "compensated_total": cell(_text(every.compensated), len(every.compensated_firms)),
        "recoveries_year": cell(recovered["year"]["count"], len(recovered["year"]["firms"])),
        "recovered_year": cell(_text(recovered["year"]["net"]), len(recovered["year"]["firms"])),
        "recoveries_total": cell(recovered["all"]["count"], len(recovered["all"]["firms"])),
        "recovered_total": cell(_text(recovered["all"]["net"]), len(recovered["all"]["firms"])),
    }
    bank_rows = []
    for bank in Bank.objects.order_by("code"):
        t = banks.get(bank.pk, _Tally())
        bank_rows.append(
            {
                "code": bank.code,
                "name": bank.name,
                "loans": cell(t.loans, len(t.firms)),
                "amount": cell(_text(t.amount), len(t.firms)),
                "compensation_rate": cell(_rate(t.compensated, t.amount), len(t.compensated_firms)),
                "_weights": (t.amount, t.compensated),
            }
        )
    district_rows = []
    for funder in Funder.objects.filter(tier=FunderTier.DISTRICT).order_by("code"):
        t = districts.get(funder.code, _Tally())
        district_rows.append(
            {
                "code": funder.code,
                "name": funder.name,
                "name_en": funder.name_en,
                "loans": cell(t.loans, len(t.firms)),
                "amount": cell(_text(t.amount), len(t.firms)),
                "_weights": (t.amount,),
            }
        )
    _protect_table(bank_rows, ("loans", "amount"), 0, lending["amount_total"])
    _protect_table(bank_rows, ("compensation_rate",), 1, claims["compensated_total"])
    _protect_table(district_rows, ("loans", "amount"), 0, lending["amount_total"])
    if lending["amount_total"]["suppressed"]:  # a total taken by secondary suppression takes its row
        for key in ("loans_total", "firms_total"):
            lending[key].update(value=None, suppressed=True)
    for row in (*bank_rows, *district_rows):
        del row["_weights"]
    return {
        "as_of": on.isoformat(),
        "policy_version": snapshot.policy_version,
        "currency": "CNY",
        "min_enterprises": MIN_ENTERPRISES,
        "pool": pool,
        "lending": lending,
        "claims": claims,
        "banks": bank_rows,
        "districts": district_rows,
    }


def _protect_table(rows: list[dict], keys: tuple[str, ...], weight: int, total: dict) -> None:
    """Secondary suppression of ``keys`` (cells of one row rest on the same enterprises: they go together)."""
    lead = [row[keys[0]] for row in rows]
    before = [c["suppressed"] for c in lead]
    protect(lead, [row["_weights"][weight] for row in rows], total)
    for row, was in zip(rows, before, strict=True):
        if row[keys[0]]["suppressed"] and not was:
            for key in keys[1:]:
                row[key].update(value=None, suppressed=True)
