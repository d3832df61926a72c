"""From simulated paths to the figures people read: percentiles per month, the crossing odds, per-funder rows.

Everything that leaves here is a ``Decimal`` (or an int, a date, a string): amounts to the fen, ratios with six
places truncated toward zero (SPEC §4's display of the compensation ratio), probabilities as exact fractions of
the path count. Percentiles are numpy's linear interpolation between order statistics over the paths.

Per funder at the horizon (art. 13, 20, 38):

- ``expected_loss``: the mean over paths of the pool-share loss the funder takes on in the 12 months, net of
  recoveries; ``loss_share`` its part of the total;
- replenishment due, at the 50th and 95th percentile over paths: a district's by SPEC §6,
  max(0, L_d − R_d, M_d − (P_d − L_d)) with its projected loss L_d and paid-in P_d (R_d: replenishments paid so far,
  M_d: its minimum); the city's the resume amount of SPEC §5 while the pool would be suspended (art. 38),
  ⌈N ÷ threshold − F⌉ + 0.01; the region's none.
"""

from datetime import date
from decimal import ROUND_DOWN, Decimal

import numpy as np

from riskfund.money import FEN, ZERO

from .projection import Funds, Paths

PERCENTILES = (5, 50, 95)
RATIO_PLACES = Decimal("0.000001")


def money(fens: float) -> Decimal:
    """Float fens from the simulation → a two-place Decimal (rounded to the nearest fen)."""
    return (Decimal(int(np.rint(fens))) * FEN).quantize(FEN)


def ratio(value: float) -> Decimal:
    """A float ratio → a Decimal with six places truncated toward zero."""
    return Decimal(repr(float(value))).quantize(RATIO_PLACES, rounding=ROUND_DOWN)


def probability(hits: int, paths: int) -> Decimal:
    return (Decimal(hits) / Decimal(paths)).quantize(RATIO_PLACES, rounding=ROUND_DOWN)


def _bands(values: np.ndarray, convert) -> dict:
    """p5/p50/p95 over the paths (axis 0)."""
    low, mid, high = np.percentile(values, PERCENTILES, axis=0)
    return {"p5": convert(low), "p50": convert(mid), "p95": convert(high)}


def crossing_months(paths: Paths, threshold: float) -> np.ndarray:
    """Per path, the first month t (0 … H) with N_t ≥ threshold × F_t, or H + 1 when it never comes."""
    funds = paths.pool_funds[None, :]
    crossed = (paths.net_compensation >= threshold * funds) & (funds > 0)
    horizon = crossed.shape[1] - 1
    return np.where(crossed.any(axis=1), crossed.argmax(axis=1), horizon + 1)


def monthly(paths: Paths, funds: Funds, months: list[date]) -> list[dict]:
    """One entry per projected month t = 1 … H."""
    n_paths = paths.net_compensation.shape[0]
    pool_funds = paths.pool_funds[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(pool_funds > 0, paths.net_compensation / pool_funds, 0.0)
    capacity = np.maximum(0.0, funds.leverage * (pool_funds - paths.net_compensation) - paths.outstanding)
    first = crossing_months(paths, funds.threshold)
    rows = []
    for t in range(1, len(months)):
        rows.append(
            {
                "month": t,
                "date": months[t],
                "pool_funds": money(paths.pool_funds[t]),
                "ratio": _bands(ratios[:, t], ratio),
                "net_compensation": _bands(paths.net_compensation[:, t], money),
                "capacity_left": _bands(capacity[:, t], money),
                "outstanding_p50": money(np.percentile(paths.outstanding[:, t], 50)),
                "crossed_probability": probability(int((first <= t).sum()), n_paths),
            }
        )
    return rows


def crossing_month_p50(paths: Paths, threshold: float) -> int | None:
    """The median first-crossing month over all paths (0: already over the line on E_0); None when more than half
    the paths never cross within the horizon."""
    first = crossing_months(paths, threshold)
    horizon = paths.net_compensation.shape[1] - 1
    median = int(np.sort(first)[(len(first) - 1) // 2])
    return None if median > horizon else median


def _resume(net: np.ndarray, pool_funds: float, threshold: float) -> np.ndarray:
    """SPEC §5 in fens: ⌈N ÷ t − F⌉ + 1 fen while N ≥ t·F, else 0."""
    return np.where(net >= threshold * pool_funds, np.ceil(net / threshold - pool_funds) + 1, 0.0)


def funder_rows(paths: Paths, funds: Funds, codes: list[str], tiers: list[str]) -> list[dict]:
    added = paths.funder_loss - funds.loss[None, :]
    expected = added.mean(axis=0)
    total = expected.sum()
    net_end = paths.net_compensation[:, -1]
    rows = []
    for index, (code, tier) in enumerate(zip(codes, tiers, strict=True)):
        if tier == "district":
            loss = paths.funder_loss[:, index]
            due = np.maximum.reduce(
                [
                    np.zeros_like(loss),
                    loss - funds.replenished[index],
                    funds.minimum[index] - (paths.funder_paid_in[index] - loss),
                ]
            )
        elif tier == "city":
            due = _resume(net_end, paths.pool_funds[-1], funds.threshold)
        else:
            due = np.zeros_like(net_end)
        rows.append(
            {
                "code": code,
                "tier": tier,
                "loss": money(funds.loss[index]),
                "expected_loss": money(expected[index]),
                "loss_share": ratio(expected[index] / total) if total > 0 else Decimal("0.000000"),
                "replenishment_due_p50": max(ZERO, money(np.percentile(due, 50))),
                "replenishment_due_p95": max(ZERO, money(np.percentile(due, 95))),
            }
        )
    return rows
