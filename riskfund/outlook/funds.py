"""The money side of the forecast as of a business date D: each funder's paid-in and loss (ledger entries of
transactions dated on or before D), the replenishments paid, the injections committed and not yet paid, the
compensations and recoveries behind the recovery curve.

Committed injections (art. 8): a district that has set a commitment owes it, and one that has begun paying in
without setting one owes its minimum (SPEC §6, as the daily run's shortfall flag reads it), less what it has paid in
other than replenishments; a district that has neither committed nor paid is assumed to pay nothing. No commitment
carries dates, so what is owed is spread evenly over the months left in its two-year window (from its first payment,
or from D when none), those within the horizon counted. After the window the shortfall is flagged by the daily run,
not assumed paid. The region and the city have no commitment in the system; nothing else is assumed to move F (no
interest, no new replenishment).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from riskfund.claims.models import Compensation, Recovery
from riskfund.ledger.chart import FUNDER, INTEREST, LOSS, funder_account, loss_account
from riskfund.ledger.selectors import balances_on as ledger_balances_on
from riskfund.lending.rules import add_months, add_years
from riskfund.parties.models import Funder, FunderTier
from riskfund.policy.models import PolicyVersion
from riskfund.pool.selectors import replenished_by

from .chain import RECOVERY_MONTHS
from .projection import Funds


def fens(amount: Decimal | None) -> float:
    return float(round((amount or Decimal(0)) * 100))


def whole_months(start: date, end: date) -> int:
    """How many whole months from ``start`` are complete on ``end`` (0 within the first month)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return max(months, 0)


@dataclass
class FunderSet:
    """The funders in the forecast's order: region, city, then the districts by code."""

    codes: list[str]
    names: list[str]
    tiers: list[str]
    funders: list[Funder]

    @classmethod
    def load(cls) -> "FunderSet":
        order = {FunderTier.REGION: 0, FunderTier.CITY: 1, FunderTier.DISTRICT: 2}
        funders = sorted(Funder.objects.all(), key=lambda f: (order.get(f.tier, 3), f.code))
        return cls([f.code for f in funders], [f.name for f in funders], [f.tier for f in funders], funders)

    def index(self, code: str) -> int:
        return self.codes.index(code)


def balances_on(as_of: date) -> dict[str, Decimal]:
    """funder:*, loss:* and pool:interest at the end of ``as_of`` (normal side positive)."""
    return ledger_balances_on(as_of, prefixes=(FUNDER, LOSS), codes=(INTEREST,))


def committed_schedule(owed: float, start: date, months: list[date], policy: PolicyVersion, as_of: date) -> np.ndarray:
    """``owed`` spread evenly over the months left in the window that began on ``start``; those in the horizon."""
    horizon = len(months) - 1
    out = np.zeros(horizon)
    if owed <= 0:
        return out
    window_end = add_years(start, policy.injection_window_years)
    open_months = [t for t in range(horizon) if months[t] < window_end]
    if open_months:
        months_left = max(1, whole_months(as_of, window_end) + 1)
        per_month = owed / months_left
        for t in open_months:
            out[t] = per_month
    return out


@dataclass
class PastCompensations:
    """The compensations posted on or before D, for the recovery curve and for their future recoveries."""

    losses: np.ndarray  # (C,) whole losses, fens
    ages: np.ndarray  # (C,) whole months complete on D
    recovery_ages: np.ndarray  # (R,)
    recovery_net: np.ndarray  # (R,)
    recovery_of: np.ndarray  # (R,) index into the compensations


def past_compensations(as_of: date, funders: FunderSet) -> tuple[PastCompensations, np.ndarray, np.ndarray]:
    """The compensations and recoveries up to ``as_of``; also their pool-share losses and recoveries by (age,
    funder) → (A, Fu) each."""
    comps = list(
        Compensation.objects.filter(deducted_on__lte=as_of)
        .order_by("deducted_on", "id")
        .values_list("id", "deducted_on", "loss", "split_region", "split_city", "split_district", "district_id")
    )
    index = {row[0]: i for i, row in enumerate(comps)}
    ages = np.array([whole_months(row[1], as_of) for row in comps], dtype=np.int64)
    past_loss = np.zeros((RECOVERY_MONTHS, len(funders.codes)))
    past_recovered = np.zeros_like(past_loss)

    def add(target: np.ndarray, age: int, region, city, district, district_code: str) -> None:
        row = min(age, RECOVERY_MONTHS - 1)
        target[row, 0] += fens(region)
        target[row, 1] += fens(city)
        target[row, funders.index(district_code)] += fens(district)

    for i, (_id, _on, _loss, region, city, district, district_code) in enumerate(comps):
        add(past_loss, int(ages[i]), region, city, district, district_code)
    recoveries = (
        Recovery.objects.filter(recovered_on__lte=as_of, compensation__deducted_on__lte=as_of)
        .order_by("recovered_on", "id")
        .values_list("compensation_id", "recovered_on", "net", "split_region", "split_city", "split_district")
    )
    rec_ages, rec_net, rec_of = [], [], []
    for comp_id, recovered_on, net, region, city, district in recoveries:
        i = index[comp_id]
        rec_ages.append(whole_months(comps[i][1], recovered_on))
        rec_net.append(fens(net))
        rec_of.append(i)
        add(past_recovered, int(ages[i]), region, city, district, comps[i][6])
    past = PastCompensations(
        losses=np.array([fens(row[2]) for row in comps]),
        ages=ages,
        recovery_ages=np.array(rec_ages, dtype=np.int64),
        recovery_net=np.array(rec_net),
        recovery_of=np.array(rec_of, dtype=np.int64),
    )
    return past, past_loss, past_recovered


def funds_on(
    as_of: date, months: list[date], policy: PolicyVersion, funders: FunderSet
) -> tuple[Funds, PastCompensations]:
    balances = balances_on(as_of)
    replenished = replenished_by(as_of)
    horizon = len(months) - 1
    paid_in = np.array([fens(balances.get(funder_account(code))) for code in funders.codes])
    loss = np.array([fens(balances.get(loss_account(code))) for code in funders.codes])
    repl = np.array([fens(replenished.get(code)) for code in funders.codes])
    minimum = np.zeros(len(funders.codes))
    injections = np.zeros((horizon, len(funders.codes)))
    for i, funder in enumerate(funders.funders):
        if funder.tier != FunderTier.DISTRICT:
            continue
        floor = policy.district_reduced_min_injection if funder.reduced_standard else policy.district_min_injection
        minimum[i] = fens(floor)
        started = funder.first_paid_on if funder.first_paid_on and funder.first_paid_on <= as_of else None
        if funder.commitment is None and started is None:
            continue
        owed = fens(funder.commitment if funder.commitment is not None else floor) - (paid_in[i] - repl[i])
        injections[:, i] = committed_schedule(owed, started or as_of, months, policy, as_of)
    past, past_loss, past_recovered = past_compensations(as_of, funders)
    funds = Funds(
        paid_in=paid_in,
        interest=fens(balances.get(INTEREST)),
        loss=loss,
        replenished=repl,
        minimum=minimum,
        injections=injections,
        past_loss=past_loss,
        past_recovered=past_recovered,
        threshold=float(policy.suspension_threshold),
        leverage=float(policy.pool_leverage),
    )
    return funds, past
