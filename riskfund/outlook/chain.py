"""The roll-rate model of the stop-line forecast: monthly transition probabilities between overdue buckets, per
bank, and the recovery curve. Pure numpy; the counts come from ``riskfund.outlook.history``.

States of a loan at a month end (SPEC §9 buckets; columns ``j`` of every matrix, ``TO_STATES``)::

    0 current   1 overdue 1–25   2 overdue 26–60   3 overdue 61–90   4 overdue 91+   5 closed (repaid)   6 compensated

Closed and compensated are absorbing. A current loan can only fall overdue when a principal instalment falls due,
so the "current" row is split by what the month brings it (rows ``i``, ``FROM_ROWS``)::

    0 current, nothing due   1 current, an instalment due   2 current, maturing   3 1–25   4 26–60   5 61–90   6 91+

Observation. Month ends E_0 < E_1 < … < E_K = the as-of date, one calendar month apart (``month_steps``). For each
interval k and each loan ``l`` active on E_k (disbursed on or before E_k, not closed on E_k), the from-row is its
bucket on E_k (the daily run's bucket history), a current loan's row chosen by its schedule — maturity_on in
[E_k, E_{k+1}) → row 2, else any schedule line due in [E_k, E_{k+1}) → row 1, else row 0 — and the to-state is its
state on E_{k+1} (closed or compensated when ``closed_on`` ≤ E_{k+1}, by its status). A due on E_k itself belongs
to the interval starting there: on its due date a loan is not yet overdue. n_b[i, j] counts these pairs for bank
b; a maturing loan still current on E_{k+1} has paid its last instalment, so it is counted as closed.

Pool-wide matrix. n[i, j] = Σ_b n_b[i, j], n[i] = Σ_j n[i, j];

    P_pool[i, j] = n[i, j] / n[i]                                   (n[i] > 0)
    P_pool[i, ·] = DEFAULT_ROWS[i]                                  (n[i] = 0: no evidence for the row)

where the default is neutral: nothing due or an instalment due → stays current, maturing → closed, a delinquent
bucket → the next worse bucket (91+ stays 91+).

Per bank, shrunk toward the pool (credibility weighting; the posterior mean of a multinomial row under a
Dirichlet prior centred on the pool row with strength κ pseudo-observations)::

    P_b[i, j] = (n_b[i, j] + κ · P_pool[i, j]) / (n_b[i] + κ)  =  Z · n_b[i, j] / n_b[i] + (1 − Z) · P_pool[i, j],
    Z = n_b[i] / (n_b[i] + κ),   κ = ``SHRINKAGE`` = 100 loan-months

so a bank row with 100 observed loan-months is weighted half its own, half the pool's; a bank with no history in a
row gets the pool's row; rows seen tens of thousands of times (current, nothing due) are the bank's own.

Stress (scenarios are data, ``riskfund.outlook.models.Scenario``):

- roll multiplier m — for row i with bucket level f(i) (0 for the current rows, 1–4 for the overdue rows) the
  "worse" columns W(i) are the overdue buckets above f(i) and compensated; with w = Σ_{j∈W(i)} P[i, j] and
  w' = min(1, m · w), P'[i, j] = P[i, j] · w'/w on W(i) and P[i, j] · (1 − w')/(1 − w) elsewhere (rows still sum
  to 1; when m · w ≥ 1 every loan of the row rolls);
- a bank's rows replaced by another bank's (its estimated, shrunk matrix);
- a recovery haircut h: the recovery curve times (1 − h).

Recovery curve. For compensation c with loss L_c deducted on D_c and net recoveries posted at age a (whole months
after D_c: a = 0 for the first month), over the compensations whose month a is complete on the as-of date
(D_c + (a + 1) months ≤ as-of)::

    r[a] = Σ_c net_c(a) / Σ_c L_c        a = 0 … ``RECOVERY_MONTHS`` − 1   (0 where no compensation is that old)

the share of a loss recovered in its a-th month (the pool share of a recovery is allocated like the loss, art. 20,
so the curve holds for the pool's share too). The cumulative curve is capped at 1.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np

from riskfund.lending.rules import add_months

TO_STATES = ("current", "1-25", "26-60", "61-90", "91+", "closed", "compensated")
FROM_ROWS = ("current_nothing_due", "current_instalment_due", "current_maturing", "1-25", "26-60", "61-90", "91+")
CURRENT, CLOSED, COMPENSATED = 0, 5, 6
ROW_NOTHING_DUE, ROW_INSTALMENT_DUE, ROW_MATURING = 0, 1, 2
BUCKETS = ("current", "1-25", "26-60", "61-90", "91+")  # the daily run's bucket values, state 0–4
N_ROWS, N_STATES = len(FROM_ROWS), len(TO_STATES)
SHRINKAGE = 100.0
RECOVERY_MONTHS = 36
MAX_ROLL_MULTIPLIER = 10


def bucket_row(bucket_state: int) -> int:
    """The from-row of an overdue bucket state (1–4)."""
    return bucket_state + 2


def row_level(row: int) -> int:
    """How far overdue a row is: 0 for the three current rows, 1–4 for the buckets."""
    return max(0, row - 2)


def _default_rows() -> np.ndarray:
    rows = np.zeros((N_ROWS, N_STATES))
    rows[ROW_NOTHING_DUE, CURRENT] = 1
    rows[ROW_INSTALMENT_DUE, CURRENT] = 1
    rows[ROW_MATURING, CLOSED] = 1
    for bucket in range(1, 5):
        rows[bucket_row(bucket), min(bucket + 1, 4)] = 1
    return rows


DEFAULT_ROWS = _default_rows()


def month_steps(as_of: date, months: range) -> list[date]:
    """The dates one calendar month apart from ``as_of`` (negative months go back). A month's last day maps to the
    other months' last days (so month ends stay month ends); any other day keeps its day of month, clamped."""
    last_day = add_months(as_of, 1).replace(day=1).toordinal() - 1 == as_of.toordinal()
    steps = []
    for k in months:
        day = add_months(as_of, k)
        if last_day:
            day = date.fromordinal(add_months(day, 1).replace(day=1).toordinal() - 1)
        steps.append(day)
    return steps


@dataclass(frozen=True)
class Estimate:
    """The estimated model: the pool-wide matrix, each bank's shrunk matrix, and the observations behind them."""

    pool: np.ndarray  # (7, 7)
    banks: np.ndarray  # (B, 7, 7)
    observations: np.ndarray  # (B, 7): n_b[i]


def estimate(counts: np.ndarray, kappa: float = SHRINKAGE) -> Estimate:
    """The matrices from ``counts`` (B, 7, 7) of observed transitions (formulas in the module docstring)."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 3 or counts.shape[1:] != (N_ROWS, N_STATES):
        raise ValueError("counts must have the shape (banks, 7, 7)")
    pooled = counts.sum(axis=0)
    seen = pooled.sum(axis=1)
    pool = DEFAULT_ROWS.copy()
    observed = seen > 0
    pool[observed] = pooled[observed] / seen[observed, None]
    per_bank = counts.sum(axis=2)
    banks = (counts + kappa * pool[None, :, :]) / (per_bank[:, :, None] + kappa)
    return Estimate(pool=pool, banks=banks, observations=per_bank)


def worse_columns(row: int) -> list[int]:
    """The states worse than ``row``: the overdue buckets above its level, and compensated."""
    return [j for j in range(1, 5) if j > row_level(row)] + [COMPENSATED]


def stressed(matrix: np.ndarray, multiplier: float) -> np.ndarray:
    """Every roll toward a worse state multiplied by ``multiplier`` (module docstring); ``matrix`` is (…, 7, 7)."""
    if not 0 <= multiplier <= MAX_ROLL_MULTIPLIER:
        raise ValueError(f"the roll multiplier must lie between 0 and {MAX_ROLL_MULTIPLIER}")
    out = np.array(matrix, dtype=np.float64, copy=True)
    for row in range(N_ROWS):
        worse = np.zeros(N_STATES, dtype=bool)
        worse[worse_columns(row)] = True
        w = out[..., row, worse].sum(axis=-1, keepdims=True)
        w_new = np.minimum(1.0, multiplier * w)
        with np.errstate(divide="ignore", invalid="ignore"):
            up = np.where(w > 0, w_new / w, 0.0)
            down = np.where(w < 1, (1 - w_new) / (1 - w), 0.0)
        out[..., row, worse] *= up
        out[..., row, ~worse] *= down
    return out


def recovery_curve(
    losses: np.ndarray, ages_observed: np.ndarray, recovery_ages: np.ndarray, recovery_net: np.ndarray, *, loss_of
) -> np.ndarray:
    """r[a] of the module docstring.

    ``losses`` (C,) and ``ages_observed`` (C,): each compensation's loss and how many whole months of it are
    complete on the as-of date; ``recovery_ages`` (R,) and ``recovery_net`` (R,): each recovery's age in months and
    net amount, ``loss_of`` (R,) the index of its compensation (a recovery in a month not yet complete is left out).
    """
    months = np.arange(RECOVERY_MONTHS)
    exposure = np.zeros(RECOVERY_MONTHS)
    for loss, observed in zip(losses, ages_observed, strict=True):
        exposure[: min(int(observed), RECOVERY_MONTHS)] += loss
    recovered = np.zeros(RECOVERY_MONTHS)
    for age, net, c in zip(recovery_ages, recovery_net, loss_of, strict=True):
        if age < RECOVERY_MONTHS and age < ages_observed[c]:
            recovered[int(age)] += net
    with np.errstate(divide="ignore", invalid="ignore"):
        curve = np.where(exposure > 0, recovered / exposure, 0.0)
    cumulative = np.minimum(np.cumsum(curve), 1.0)
    return np.diff(cumulative, prepend=0.0)[months]
