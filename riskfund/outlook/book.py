"""From the loan history to the model's inputs: the observed transitions (``transition_counts``) and the cohorts of
the book on the as-of date (``build_book``). Pure numpy over ``riskfund.outlook.history.LoanHistory``.

Cohort arrays (``riskfund.outlook.projection.Book``), for the current loans of a cohort with maturity month r_l
(maturity_on in [E_{r−1}, E_r); H + 1 beyond the horizon) and, for t = 0 … H, the scheduled outstanding

    s_l(t) = max(0, principal_l − max(R_l, C_l(E_t)))

(R_l: principal repaid by E_0; C_l(x): the schedule's principal due before x — repayments apply in due order, so a
loan paying on schedule owes exactly this on E_t):

    h_m[c, t] = #{r_l = t} / #{r_l ≥ t}
    h_i[c, t] = #{r_l > t, an unpaid line due in month t} / #{r_l ≥ t}
    a[c, t]   = Σ_{r_l > t} s_l(t) / #{r_l > t}
    b[c, t]   = Σ_{l meets a due in t} s_l(t − 1) / #{l meets a due in t}   (a[c, t − 1] when none does)

Amount bands (outstanding on E_0, yuan): up to 500,000; 1,000,000; 2,000,000; 5,000,000; above.
"""

import itertools

import numpy as np

from .chain import N_ROWS, N_STATES, ROW_INSTALMENT_DUE, ROW_MATURING, ROW_NOTHING_DUE, bucket_row
from .history import LoanHistory
from .projection import N_CARRIED, Book

BAND_EDGES = np.array([500_000, 1_000_000, 2_000_000, 5_000_000]) * 100  # fens
BAND_LABELS = ("≤ 500,000", "500,000–1,000,000", "1,000,000–2,000,000", "2,000,000–5,000,000", "> 5,000,000")
CLOSED, COMPENSATED = 5, 6


def transition_counts(history: LoanHistory, dates: list[int], banks: int) -> np.ndarray:
    """n_b[i, j] over the consecutive ``dates`` (ordinals), as ``riskfund.outlook.chain`` defines them → (B, 7, 7)."""
    counts = np.zeros(banks * N_ROWS * N_STATES, dtype=np.int64)
    for start, end in itertools.pairwise(dates):
        active = np.flatnonzero((history.disbursed <= start) & (history.closed > start))
        if not len(active):
            continue
        before = history.state_on(active, start)
        closed = history.closed[active] <= end
        after = np.where(closed, np.where(history.compensated[active] == 1, COMPENSATED, CLOSED), 0)
        after = np.where(closed, after, history.state_on(active, end))
        maturity = history.maturity[active]
        maturing = (maturity >= start) & (maturity < end)
        due = history.lines_between(active, start, end) > 0
        current_row = np.where(maturing, ROW_MATURING, np.where(due, ROW_INSTALMENT_DUE, ROW_NOTHING_DUE))
        row = np.where(before > 0, bucket_row(before), current_row)
        after = np.where((row == ROW_MATURING) & (after == 0), CLOSED, after)
        flat = (history.bank[active] * N_ROWS + row) * N_STATES + after
        counts += np.bincount(flat, minlength=counts.size)
    return counts.reshape(banks, N_ROWS, N_STATES)


def _per_cohort(cohort: np.ndarray, columns: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    out = np.zeros(shape[0] * shape[1])
    np.add.at(out, cohort * shape[1] + columns, values)
    return out.reshape(shape)


def _ratio(part: np.ndarray, whole: np.ndarray, default: np.ndarray | float = 0.0) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole > 0, part / np.where(whole > 0, whole, 1), default)


def build_book(history: LoanHistory, months: list[int]) -> tuple[Book, np.ndarray]:
    """The cohorts of the loans active on ``months[0]`` (E_0); also returns each cohort's (bank, district, band)."""
    horizon, e0 = len(months) - 1, months[0]
    loans = np.flatnonzero((history.disbursed <= e0) & (history.closed > e0))
    state = history.state_on(loans, e0)
    outstanding = np.maximum(history.principal[loans] - history.repaid[loans], 0)
    band = np.searchsorted(BAND_EDGES, outstanding, side="left")
    keys = np.stack([history.bank[loans], history.district[loans], band], axis=1)
    cohort_keys, cohort = np.unique(keys, axis=0, return_inverse=True)
    cohort = cohort.reshape(-1)
    n = len(cohort_keys)

    # the pool's share of a loss and its split (art. 20), balance-weighted over the cohort's loans
    weights = history.split_weights[loans].astype(np.float64)
    to_funder = (history.pool_weight[loans] / history.loss_weights[loans])[:, None] * weights / weights.sum(1)[:, None]
    basis = np.maximum(outstanding, 1).astype(np.float64)  # a cohort of zero balances still gets its weights
    shares = np.stack([np.bincount(cohort, basis * to_funder[:, f], minlength=n) for f in range(3)], axis=1)
    shares = shares.astype(np.float64) / np.bincount(cohort, basis, minlength=n).astype(np.float64)[:, None]
    pool_fraction = shares.sum(axis=1)

    delinquent = state > 0
    carried = _per_cohort(cohort[delinquent], state[delinquent], np.ones(delinquent.sum()), (n, N_CARRIED))
    carried_balance = _per_cohort(cohort[delinquent], state[delinquent], outstanding[delinquent], (n, N_CARRIED))

    current = ~delinquent
    cur_loans, cur_cohort = loans[current], cohort[current]
    position = np.full(len(history), -1)
    position[cur_loans] = np.arange(len(cur_loans))
    maturity_month = np.maximum(np.searchsorted(months, history.maturity[cur_loans], side="right"), 1)

    # the schedule's principal due before each E_t, and the unpaid lines falling due in each month
    line_pos = position[history.line_loan]
    on_book = line_pos >= 0
    pos, due, amount = line_pos[on_book], history.line_due[on_book], history.line_principal[on_book]
    line_month = np.minimum(np.searchsorted(months, due, side="right"), horizon + 1)
    due_by = np.zeros((len(cur_loans), horizon + 2))
    np.add.at(due_by, (pos, line_month), amount)
    due_by = np.cumsum(due_by, axis=1)[:, : horizon + 1]
    starts = np.searchsorted(pos, np.arange(len(cur_loans)))
    cumulative = np.cumsum(amount) - np.concatenate([[0], np.cumsum(amount)])[starts[pos]]
    repaid = history.repaid[cur_loans]
    unpaid = cumulative > repaid[pos]
    principal = history.principal[cur_loans]
    scheduled_out = np.maximum(0, principal[:, None] - np.maximum(repaid[:, None], due_by))  # (L, H + 1)

    months_axis = np.arange(1, horizon + 1)
    instalment = np.zeros((len(cur_loans), horizon + 2), dtype=bool)
    instalment[pos[unpaid], line_month[unpaid]] = True
    instalment = instalment[:, 1 : horizon + 1] & (months_axis[None, :] < maturity_month[:, None])
    at_risk = maturity_month[:, None] >= months_axis[None, :]
    matures = maturity_month[:, None] == months_axis[None, :]
    survives = maturity_month[:, None] > np.arange(horizon + 1)[None, :]  # (L, H + 1)
    meets_due = matures | instalment

    def total(values: np.ndarray) -> np.ndarray:
        columns = [np.bincount(cur_cohort, values[:, t], minlength=n) for t in range(values.shape[1])]
        return np.stack(columns, axis=1).astype(np.float64)

    risk = total(at_risk.astype(np.float64))
    survivors = total(survives.astype(np.float64))
    balance = _ratio(total(np.where(survives, scheduled_out, 0.0)), survivors)
    due_count = total(meets_due.astype(np.float64))
    due_balance = _ratio(total(np.where(meets_due, scheduled_out[:, :-1], 0.0)), due_count, balance[:, :-1])
    book = Book(
        bank=cohort_keys[:, 0],
        district=cohort_keys[:, 1],
        band=cohort_keys[:, 2],
        pool_fraction=pool_fraction,
        split=shares / pool_fraction[:, None],
        scheduled=np.bincount(cur_cohort, minlength=n),
        maturing=_ratio(total(matures.astype(np.float64)), risk),
        instalment=_ratio(total(instalment.astype(np.float64)), risk),
        balance=balance,
        due_balance=due_balance,
        carried=carried.astype(np.int64),
        carried_balance=carried_balance,
    )
    return book, cohort_keys
