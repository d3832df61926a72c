"""Synthetic loan books generated loan by loan from a KNOWN transition matrix, as the daily run would record them:
disbursement, schedule lines, a bucket change on each month end where the bucket moves, closed_on (repaid or
compensated) inside the month the loan leaves. The history is a ``LoanHistory`` (the arrays the database reads
give), so the estimation and the cohort builder run on it exactly as on real rows. Every loan is stepped on its own
(vectorised over loans, one uniform draw per loan and month): nothing here uses the projection's cohorts.

The known matrix never lets a loan be current again after falling overdue, nor current after its maturity month
(both would need a schedule the generator does not model); everything else is free.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np

from riskfund.outlook.chain import month_steps
from riskfund.outlook.history import KEY, NEVER, LoanHistory

# rows: nothing due, instalment due, maturing, 1–25, 26–60, 61–90, 91+ → current, 1–25 … 91+, closed, compensated
KNOWN = np.array(
    [
        [0.995, 0.0, 0.0, 0.0, 0.0, 0.005, 0.0],
        [0.930, 0.05, 0.01, 0.0, 0.0, 0.010, 0.0],
        [0.0, 0.08, 0.02, 0.0, 0.0, 0.900, 0.0],
        [0.0, 0.0, 0.45, 0.0, 0.0, 0.350, 0.20],
        [0.0, 0.0, 0.0, 0.40, 0.0, 0.250, 0.35],
        [0.0, 0.0, 0.0, 0.0, 0.50, 0.200, 0.30],
        [0.0, 0.0, 0.0, 0.0, 0.60, 0.100, 0.30],
    ]
)
CLOSED, COMPENSATED = 5, 6
PRINCIPALS = np.array([300_000, 800_000, 1_500_000, 3_000_000, 6_000_000]) * 100  # fens, one per amount band


@dataclass
class Book:
    """Loans as arrays; schedule lines sorted by (loan, due)."""

    bank: np.ndarray
    district: np.ndarray
    principal: np.ndarray
    disbursed: np.ndarray
    maturity: np.ndarray
    start: np.ndarray  # month-end index of the first observation
    line_loan: np.ndarray
    line_due: np.ndarray
    line_principal: np.ndarray

    def __len__(self) -> int:
        return len(self.bank)

    def lines_between(self, loans: np.ndarray, start: int, end: int) -> np.ndarray:
        keys = self.line_loan * KEY + self.line_due
        return np.searchsorted(keys, loans * KEY + end) - np.searchsorted(keys, loans * KEY + start)

    def due_before(self, day: int) -> np.ndarray:
        """Σ principal of each loan's lines due before ``day``."""
        return np.bincount(self.line_loan, self.line_principal * (self.line_due < day), minlength=len(self))


def month_ends(as_of: date, back: int, ahead: int) -> list[int]:
    return [d.toordinal() for d in month_steps(as_of, range(-back, ahead + 1))]


def new_book(rng, *, loans: int, ends: list[int], first: int, last: int, banks: int = 2, districts: int = 2) -> Book:
    """12-month loans, each disbursed 5 days before a month end drawn from ``ends[first:last]``; bullet, or four
    quarterly instalments (40 %), due 10 days after month ends 2, 5, 8 and 11 after disbursement."""
    start = rng.integers(first, last, loans)
    principal = rng.choice(PRINCIPALS, loans)
    instalments = rng.random(loans) < 0.4
    ends_arr = np.asarray(ends)
    due = np.stack([ends_arr[start + k] + 10 for k in (2, 5, 8, 11)], axis=1)
    part = principal // 4
    rows = []
    for i in range(loans):
        if instalments[i]:
            amounts = [part[i], part[i], part[i], principal[i] - 3 * part[i]]
            rows += [(i, due[i, k], amounts[k]) for k in range(4)]
        else:
            rows.append((i, due[i, 3], principal[i]))
    lines = np.array(rows, dtype=np.int64)
    return Book(
        bank=rng.integers(0, banks, loans),
        district=rng.integers(0, districts, loans),
        principal=principal,
        disbursed=ends_arr[start] - 5,
        maturity=due[:, 3],
        start=start,
        line_loan=lines[:, 0],
        line_due=lines[:, 1],
        line_principal=lines[:, 2],
    )


def draw(rng, matrix: np.ndarray, rows: np.ndarray) -> np.ndarray:
    cumulative = np.cumsum(matrix, axis=1)
    return np.minimum((rng.random(len(rows))[:, None] >= cumulative[rows]).sum(axis=1), 6)


def step(rng, book: Book, loans: np.ndarray, state: np.ndarray, start: int, end: int, matrix) -> np.ndarray:
    """The next state of ``loans`` (in ``state``) over [start, end), each drawn from its own row."""
    maturing = (book.maturity[loans] >= start) & (book.maturity[loans] < end)
    due = book.lines_between(loans, start, end) > 0
    rows = np.where(state > 0, state + 2, np.where(maturing, 2, np.where(due, 1, 0)))
    return draw(rng, matrix, rows)


def simulate_history(rng, *, loans: int, as_of: date, months: int, banks: int = 2, matrix=KNOWN):
    """Loans disbursed over the ``months`` + 11 month ends before ``as_of``, stepped with ``matrix`` up to
    ``as_of``, recorded as the daily run would; returns their ``LoanHistory`` and the observation month ends."""
    ends = month_ends(as_of, months + 11, 12)  # a year past as_of for the schedules
    now = months + 11  # the index of as_of
    book = new_book(rng, loans=loans, ends=ends, first=0, last=now, banks=banks)
    state = np.zeros(loans, dtype=np.int64)
    closed = np.full(loans, NEVER)
    compensated = np.zeros(loans, dtype=np.int64)
    changes = []
    for k in range(now):
        active = np.flatnonzero((book.start <= k) & (closed == NEVER))
        after = step(rng, book, active, state[active], ends[k], ends[k + 1], matrix)
        leaving = after >= CLOSED
        closed[active[leaving]] = ends[k + 1] - 2
        compensated[active[leaving]] = after[leaving] == COMPENSATED
        moved = ~leaving & (after != state[active])
        changes += [(i, ends[k + 1], s) for i, s in zip(active[moved], after[moved], strict=True)]
        state[active[~leaving]] = after[~leaving]
    return history_of(book, closed, compensated, changes, as_of=ends[now]), ends[11 : now + 1]


def history_of(book: Book, closed, compensated, changes, *, as_of: int) -> LoanHistory:
    """The arrays ``riskfund.outlook.history.loan_history`` would read (repaid: the lines due before ``as_of`` of
    loans never overdue, as a loan on schedule has paid them)."""
    changes = sorted(changes)
    ever_overdue = np.zeros(len(book), dtype=bool)
    ever_overdue[[row[0] for row in changes]] = True
    n = len(book)
    return LoanHistory(
        bank=book.bank,
        district=book.district,
        principal=book.principal,
        repaid=np.where(ever_overdue, 0, book.due_before(as_of)),
        disbursed=book.disbursed,
        closed=closed,
        compensated=compensated,
        maturity=book.maturity,
        pool_weight=np.full(n, 40),
        loss_weights=np.full(n, 100),
        split_weights=np.tile([30, 30, 40], (n, 1)),
        line_loan=book.line_loan,
        line_due=book.line_due,
        line_principal=book.line_principal,
        change_key=np.array([row[0] * KEY + row[1] for row in changes], dtype=np.int64),
        change_state=np.array([row[2] for row in changes], dtype=np.int64),
    )


def fresh_book(rng, *, loans: int, as_of: date, overdue: float = 0.05, banks: int = 2, districts: int = 2):
    """A book on ``as_of`` of loans disbursed over the 11 month ends before it — a share ``overdue`` of them in a
    bucket since ``as_of`` (nothing repaid), the rest current (lines due before ``as_of`` paid) — its history, the
    loans' states, and the month ends E_0 … E_12 of the year ahead."""
    ends = month_ends(as_of, 11, 12)
    book = new_book(rng, loans=loans, ends=ends, first=0, last=11, banks=banks, districts=districts)
    states = np.where(rng.random(loans) < overdue, rng.integers(1, 5, loans), 0)
    changes = [(i, ends[11], int(states[i])) for i in np.flatnonzero(states)]
    history = history_of(book, np.full(loans, NEVER), np.zeros(loans, dtype=np.int64), changes, as_of=ends[11])
    return book, history, states, ends[11:]


def realised_losses(rng, book: Book, states: np.ndarray, months: list[int], matrix=KNOWN) -> np.ndarray:
    """One realised future, loan by loan, from ``states`` on E_0: the losses (fens) compensated in each month
    1 … H. A current loan owes its schedule; one that falls overdue keeps the balance it had before the missed due."""
    n = len(book)
    state = states.astype(np.int64, copy=True)
    open_ = np.ones(n, dtype=bool)
    balance = np.where(state > 0, book.principal, book.principal - book.due_before(months[0])).astype(np.float64)
    losses = np.zeros(len(months) - 1)
    for t in range(1, len(months)):
        loans = np.flatnonzero(open_)
        after = step(rng, book, loans, state[loans], months[t - 1], months[t], matrix)
        losses[t - 1] = balance[loans[after == COMPENSATED]].sum()
        open_[loans[after >= CLOSED]] = False
        current = loans[after == 0]
        balance[current] = book.principal[current] - book.due_before(months[t])[current]
        state[loans] = np.where(after >= CLOSED, state[loans], after)
    return losses
