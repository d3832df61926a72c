"""The Monte Carlo projection of the stop-line forecast: cohorts of loans stepped month by month through the roll-rate
matrices of ``riskfund.outlook.chain`` with multinomial draws, the pool's N and F carried along. Pure numpy.

Cohorts. The active loans on the as-of date E_0 are grouped by (bank, district, amount band) — the bucket is the
state inside a cohort. Each cohort c carries, per path p:

- ``scheduled[c, p]``: current loans paying on schedule. Their balance is not drawn: every such loan is taken to
  pay its schedule, so the cohort's balance is scheduled[c, p] × a[c, t], where a[c, t] is the mean scheduled
  outstanding on E_t of the cohort's loans that mature after E_t (the "ladder", ``Book.balance``);
- ``carried[c, s, p]`` and ``carried_balance[c, s, p]`` for s = cured (current again after being overdue), 1–25,
  26–60, 61–90, 91+: counts with their balances, which do not amortise (an overdue loan pays nothing on schedule).

One month t (the interval [E_{t−1}, E_t)) for every cohort and path at once:

- scheduled loans move with the mixture row  P_mix = (1 − h_m − h_i)·P_b[nothing due] + h_i·P_b[instalment due]
  + h_m·P_b[maturing], where h_m[c, t] (``Book.maturing``) is the share of the cohort's at-risk loans (maturing in
  month t or later) that mature in month t and h_i[c, t] (``Book.instalment``) the share with an instalment due in
  it: each loan is drawn as if it met its due with those odds. A loan that leaves the schedule takes the mean
  balance b[c, t] (``Book.due_balance``) of the loans meeting a due that month;
- carried loans move with their own row (a cured loan with the "instalment due" row: it is watched every month);
- the draw: (x_current, …, x_compensated) ~ Multinomial(n, P_row) per (cohort, state, path), made as a chain of
  binomials (the compensated count first, the current count last); loans that leave a carried state take its
  mean balance carried_balance / carried;
- a loan that reaches "compensated" loses its balance L; its pool share φ_c·L (φ_c: the pool's loss weight, art.
  20, of the cohort's loans' policy versions, balance-weighted) goes to N, split region : city : district by the
  versions' split weights (30:30:40) to the cohort's district;
- recoveries (expected values, not drawn): a pool-share loss S booked in month s brings back S·r[t − s − 1] in
  month t > s; each compensation posted before E_0, of age a0 whole months, brings back its pool-share loss
  × r[a0 + t − 1], never more than its loss not yet recovered; r is the recovery curve (after any haircut);
- F_t = F_0 + the injections committed and not yet paid, by month (``Funds.injections``); nothing else moves F.

Per path and month: N_t, outstanding_t = Σ scheduled·a + Σ carried balances, B_t = F_t − N_t, capacity left =
max(0, leverage·B_t − outstanding_t) (art. 9), crossed ⇔ N_t ≥ threshold·F_t (art. 37). Amounts are float64 fens
inside (exact integers up to 2^53 fens); they leave as Decimal through ``riskfund.outlook.results``.

Reproducible: numpy's PCG64 seeded with the stored seed (numpy pinned in requirements.txt), the cohorts in a
fixed order, the draws in a fixed order; the same inputs and seed give the same figures on any machine.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .chain import COMPENSATED, CURRENT, N_STATES, ROW_INSTALMENT_DUE, ROW_MATURING, ROW_NOTHING_DUE, bucket_row

CARRIED = ("cured", "1-25", "26-60", "61-90", "91+")
N_CARRIED = len(CARRIED)
CHUNK_PATHS = 250
# the binomial chain: small categories first, the current count is what is left
DRAW_ORDER = (COMPENSATED, 4, 3, 2, 1, 5)
CARRIED_ROWS = np.array([ROW_INSTALMENT_DUE] + [bucket_row(k) for k in range(1, 5)])


@dataclass
class Book:
    """The loan book on E_0 by cohort (see the module docstring); H = the horizon in months."""

    bank: np.ndarray  # (C,) int: index into the banks
    district: np.ndarray  # (C,) int: index into the districts
    band: np.ndarray  # (C,) int: amount band
    pool_fraction: np.ndarray  # (C,) φ_c
    split: np.ndarray  # (C, 3) region, city, district fractions of the pool share
    scheduled: np.ndarray  # (C,) int
    maturing: np.ndarray  # (C, H) h_m
    instalment: np.ndarray  # (C, H) h_i
    balance: np.ndarray  # (C, H + 1) a[c, t], fens
    due_balance: np.ndarray  # (C, H) b[c, t], fens
    carried: np.ndarray  # (C, 5) int
    carried_balance: np.ndarray  # (C, 5) fens

    @property
    def horizon(self) -> int:
        return self.maturing.shape[1]


@dataclass
class Funds:
    """The funders on E_0 (index 0 region, 1 city, 2 + d district d) and what is committed; amounts in fens."""

    paid_in: np.ndarray  # (Fu,)
    interest: float
    loss: np.ndarray  # (Fu,)
    replenished: np.ndarray  # (Fu,) replenishments paid so far (SPEC §6 R_d)
    minimum: np.ndarray  # (Fu,) SPEC §6 M_d (0 for the region and the city)
    injections: np.ndarray  # (H, Fu) committed, not yet paid, by month
    past_loss: np.ndarray  # (A, Fu) pool-share loss of the compensations posted before E_0, by age in whole months
    past_recovered: np.ndarray  # (A, Fu) what they recovered so far
    threshold: float
    leverage: float

    @property
    def pool_funds(self) -> np.ndarray:
        """F_t for t = 0 … H."""
        return self.paid_in.sum() + self.interest + np.concatenate([[0.0], np.cumsum(self.injections.sum(axis=1))])


@dataclass
class Paths:
    """What the simulation leaves for the summary: per path p and month t = 0 … H."""

    net_compensation: np.ndarray  # (P, H + 1)
    pool_funds: np.ndarray  # (H + 1,)
    outstanding: np.ndarray  # (P, H + 1)
    funder_loss: np.ndarray  # (P, Fu) at the horizon
    funder_paid_in: np.ndarray  # (Fu,) at the horizon


def draw_multinomial(rng: np.random.Generator, counts: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Multinomial(counts[g, p], probs[g]) for every row g and path p, as a chain of binomials → (G, P, 7)."""
    out = np.zeros((*counts.shape, N_STATES), dtype=np.int64)
    left_n = counts.astype(np.int64, copy=True)
    left_p = np.ones(probs.shape[0])
    for k in DRAW_ORDER:
        p_k = probs[:, k]
        if not p_k.any():
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.where(left_p - p_k > 1e-12, p_k / left_p, 1.0)
        q = np.clip(np.where(p_k > 0, q, 0.0), 0.0, 1.0)
        drawn = rng.binomial(left_n, q[:, None])
        out[..., k] = drawn
        left_n -= drawn
        left_p = left_p - p_k
    out[..., CURRENT] = left_n
    return out


class _Month:
    """The state after one month, filled group by group (scheduled, then each carried state)."""

    def __init__(self, cohorts: int, paths: int) -> None:
        self.scheduled = np.zeros((cohorts, paths), dtype=np.int64)
        self.carried = np.zeros((cohorts, N_CARRIED, paths), dtype=np.int64)
        self.carried_balance = np.zeros((cohorts, N_CARRIED, paths))
        self.loss = np.zeros((cohorts, paths))

    def move(self, rng, counts: np.ndarray, probs: np.ndarray, per_loan: np.ndarray, source: int | None) -> None:
        """Draw where ``counts`` (C, P) go with ``probs`` (C, 7); each loan takes ``per_loan`` (C, P) along.
        ``source`` None: the scheduled loans (current stays scheduled); else a carried state (current → cured)."""
        rows = np.flatnonzero(counts.any(axis=1))
        if not len(rows):
            return
        drawn = draw_multinomial(rng, counts[rows], probs[rows])  # (k, P, 7)
        balance = per_loan[rows]
        if source is None:
            self.scheduled[rows] = drawn[..., CURRENT]
        else:
            self.carried[rows, 0] += drawn[..., CURRENT]
            self.carried_balance[rows, 0] += drawn[..., CURRENT] * balance
        overdue = np.moveaxis(drawn[..., 1:5], 2, 1)  # (k, 4, P)
        self.carried[rows, 1:] += overdue
        self.carried_balance[rows, 1:] += overdue * balance[:, None, :]
        self.loss[rows] += drawn[..., COMPENSATED] * balance


def _recovery_matrix(curve: np.ndarray, horizon: int) -> np.ndarray:
    """R[s, t] = the share of a loss booked in month s recovered in month t (r[t − s − 1] for t > s), s, t = 1 … H."""
    matrix = np.zeros((horizon, horizon))
    for s in range(horizon):
        for t in range(s + 1, horizon):
            age = t - s - 1
            if age < len(curve):
                matrix[s, t] = curve[age]
    return matrix


def past_recoveries(funds: Funds, curve: np.ndarray, horizon: int) -> np.ndarray:
    """(H, Fu): expected recoveries of the compensations posted before E_0, capped at what each has left."""
    ages = funds.past_loss.shape[0]
    out = np.zeros((horizon, funds.past_loss.shape[1]))
    for a0 in range(ages):
        loss, left = funds.past_loss[a0], funds.past_loss[a0] - funds.past_recovered[a0]
        if not loss.any():
            continue
        expected = np.array([curve[a0 + t] if a0 + t < len(curve) else 0.0 for t in range(horizon)])
        cumulative = np.minimum(np.cumsum(expected)[:, None] * loss[None, :], np.maximum(left, 0.0)[None, :])
        out += np.diff(cumulative, axis=0, prepend=0.0)
    return out


def _losses(book: Book, rows: np.ndarray, to_funder: np.ndarray, paths: int, seed) -> tuple[np.ndarray, np.ndarray]:
    """One chunk of paths stepped through the horizon: pool-share losses (P, H, Fu) and outstanding (P, H + 1)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    horizon, cohorts = book.horizon, len(book.bank)
    scheduled = np.repeat(book.scheduled.astype(np.int64)[:, None], paths, axis=1)  # (C, P)
    carried = np.repeat(book.carried.astype(np.int64)[:, :, None], paths, axis=2)
    carried_balance = np.repeat(book.carried_balance.astype(np.float64)[:, :, None], paths, axis=2)
    carried_probs = rows[:, CARRIED_ROWS, :]  # (C, 5, 7)

    booked = np.zeros((paths, horizon, to_funder.shape[1]))
    outstanding = np.zeros((paths, horizon + 1))
    outstanding[:, 0] = book.scheduled @ book.balance[:, 0] + book.carried_balance.sum()
    for t in range(1, horizon + 1):
        h_m, h_i = book.maturing[:, t - 1, None], book.instalment[:, t - 1, None]
        mix = (1 - h_m - h_i) * rows[:, ROW_NOTHING_DUE]
        mix = mix + h_i * rows[:, ROW_INSTALMENT_DUE] + h_m * rows[:, ROW_MATURING]
        step = _Month(cohorts, paths)
        step.move(rng, scheduled, mix, np.broadcast_to(book.due_balance[:, t - 1, None], scheduled.shape), None)
        for s in range(N_CARRIED):
            with np.errstate(divide="ignore", invalid="ignore"):
                per_loan = np.where(carried[:, s] > 0, carried_balance[:, s] / carried[:, s], 0.0)
            step.move(rng, carried[:, s], carried_probs[:, s], per_loan, s)
        scheduled, carried, carried_balance = step.scheduled, step.carried, step.carried_balance
        booked[:, t - 1] = step.loss.T @ to_funder
        outstanding[:, t] = scheduled.T @ book.balance[:, t] + carried_balance.sum(axis=(0, 1))
    return booked, outstanding


def simulate(
    book: Book, funds: Funds, matrices: np.ndarray, curve: np.ndarray, *, paths: int, seed: int, workers: int = 2
) -> Paths:
    """Run the projection (module docstring); ``matrices`` (B, 7, 7) per bank, ``curve`` r[a] after any haircut.

    The paths are cut into chunks of ``CHUNK_PATHS``, chunk i drawn from the i-th child of ``SeedSequence(seed)``;
    the chunks run on ``workers`` threads (numpy releases the GIL while it draws). The figures depend on the seed
    and the path count only, never on the number of workers.
    """
    horizon, cohorts, n_funders = book.horizon, len(book.bank), len(funds.paid_in)
    rows = matrices[book.bank]  # (C, 7, 7)
    to_funder = np.zeros((cohorts, n_funders))  # pool share of a loss, per funder
    to_funder[:, 0] = book.pool_fraction * book.split[:, 0]
    to_funder[:, 1] = book.pool_fraction * book.split[:, 1]
    to_funder[np.arange(cohorts), 2 + book.district] += book.pool_fraction * book.split[:, 2]
    sizes = [min(CHUNK_PATHS, paths - start) for start in range(0, paths, CHUNK_PATHS)]
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        chunks = list(pool.map(lambda job: _losses(book, rows, to_funder, *job), zip(sizes, seeds, strict=True)))
    booked = np.concatenate([chunk[0] for chunk in chunks])
    outstanding = np.concatenate([chunk[1] for chunk in chunks])

    recovered = np.einsum("psf,st->ptf", booked, _recovery_matrix(curve, horizon))
    net_by_month = booked - recovered - past_recoveries(funds, curve, horizon)[None]  # (P, H, Fu)
    n0 = funds.loss.sum()
    net_compensation = n0 + np.concatenate([np.zeros((paths, 1)), np.cumsum(net_by_month.sum(axis=2), axis=1)], axis=1)
    return Paths(
        net_compensation=net_compensation,
        pool_funds=funds.pool_funds,
        outstanding=outstanding,
        funder_loss=funds.loss[None, :] + net_by_month.sum(axis=1),
        funder_paid_in=funds.paid_in + funds.injections.sum(axis=0),
    )
