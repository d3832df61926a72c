"""Reads of the pool's history for the forecast, as of a business date D: the loans with their schedules, the
daily run's bucket history, repayments, compensations and recoveries, the ledger by business date.

Everything is read AS OF D from dated records (a loan's state on D from the bucket changes up to D, its
outstanding principal from the repayments paid on or before D, the funders' balances from the entries of
transactions with a business date on or before D), so the same code serves today's forecast and the back-test's
forecasts from past month ends. Rows come back as integers — dates as ordinals, amounts in fens — straight into
numpy: a million loans are three queries and no Python loop per loan.
"""

# The statements are assembled from constant fragments only; dates are bound parameters.
# ruff: noqa: S608

from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db import connection

BUCKET_STATE = "CASE {col} WHEN '1-25' THEN 1 WHEN '26-60' THEN 2 WHEN '61-90' THEN 3 WHEN '91+' THEN 4 ELSE 0 END"
NEVER = 10**7  # an ordinal after any date (date.max is 3,652,059)
KEY = 1 << 22  # loan index × KEY + ordinal keeps (loan, date) pairs sortable in one int64


def _ordinal(col: str) -> str:
    """A date column as its Python ordinal (date.toordinal())."""
    if connection.vendor == "postgresql":
        return f"({col} - DATE '0001-01-01' + 1)"
    return f"CAST(julianday({col}) - 1721424.5 AS INTEGER)"


def _fens(col: str) -> str:
    return f"CAST(ROUND({col} * 100) AS {'BIGINT' if connection.vendor == 'postgresql' else 'INTEGER'})"


def _param(d: date):
    return d if connection.vendor == "postgresql" else d.isoformat()


def _rows(sql: str, params: dict, columns: int) -> np.ndarray:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return np.zeros((0, columns), dtype=np.int64)
    return np.array(rows, dtype=np.int64)


BOOK_CTE = """
WITH book AS (
    SELECT l.id, ROW_NUMBER() OVER (ORDER BY l.id) - 1 AS idx
    FROM lending_loan l
    WHERE l.disbursed_on <= %(as_of)s AND (l.closed_on IS NULL OR l.closed_on > %(since)s)
)
"""


def _loans_sql() -> str:
    return (
        BOOK_CTE
        + f"""
, banks AS (SELECT id, ROW_NUMBER() OVER (ORDER BY code) - 1 AS bank_index FROM parties_bank),
districts AS (
    SELECT code, ROW_NUMBER() OVER (ORDER BY code) - 1 AS district_index FROM parties_funder WHERE tier = 'district'
),
repaid AS (
    SELECT r.loan_id, SUM({_fens("r.principal")}) AS fens
    FROM lending_repayment r JOIN book b ON b.id = r.loan_id
    WHERE r.paid_on <= %(as_of)s
    GROUP BY r.loan_id
)
SELECT b.idx, bk.bank_index, d.district_index, {_fens("l.principal")}, COALESCE(rp.fens, 0),
       {_ordinal("l.disbursed_on")}, COALESCE({_ordinal("l.closed_on")}, {NEVER}),
       CASE WHEN l.status = 'compensated' THEN 1 ELSE 0 END, {_ordinal("l.maturity_on")},
       p.loss_weight_pool, p.loss_weight_pool + p.loss_weight_bank + p.loss_weight_guarantor,
       p.split_weight_region, p.split_weight_city, p.split_weight_district
FROM book b
JOIN lending_loan l ON l.id = b.id
JOIN banks bk ON bk.id = l.bank_id
JOIN districts d ON d.code = l.district_id
JOIN policy_policyversion p ON p.id = l.policy_version_id
LEFT JOIN repaid rp ON rp.loan_id = b.id
ORDER BY b.idx
"""
    )


def _lines_sql() -> str:
    return (
        BOOK_CTE
        + f"""
SELECT b.idx, {_ordinal("s.due_on")}, {_fens("s.principal")}
FROM lending_scheduleline s JOIN book b ON b.id = s.loan_id
ORDER BY b.idx, s.due_on
"""
    )


def _changes_sql() -> str:
    return (
        BOOK_CTE
        + f"""
SELECT b.idx, {_ordinal("c.business_date")}, {BUCKET_STATE.format(col="c.to_bucket")}
FROM cob_bucketchange c JOIN book b ON b.id = c.loan_id
WHERE c.business_date <= %(as_of)s
ORDER BY b.idx, c.business_date
"""
    )


@dataclass
class LoanHistory:
    """The loans active at some time in [since, as_of], one row each (index = position), and their records."""

    bank: np.ndarray
    district: np.ndarray
    principal: np.ndarray  # fens
    repaid: np.ndarray  # fens repaid on or before as_of
    disbursed: np.ndarray  # ordinals
    closed: np.ndarray  # ordinal of closed_on, NEVER while open
    compensated: np.ndarray  # 1 when closed by compensation
    maturity: np.ndarray
    pool_weight: np.ndarray  # loss weight of the pool and the sum of the loss weights (art. 20)
    loss_weights: np.ndarray
    split_weights: np.ndarray  # (n, 3) region, city, district
    line_loan: np.ndarray  # schedule lines, sorted by (loan, due)
    line_due: np.ndarray
    line_principal: np.ndarray
    change_key: np.ndarray  # bucket changes: loan × KEY + ordinal, sorted
    change_state: np.ndarray

    def __len__(self) -> int:
        return len(self.bank)

    def state_on(self, loans: np.ndarray, day: int) -> np.ndarray:
        """The bucket state (0 current … 4 91+) of ``loans`` on the ordinal ``day``, from the bucket history."""
        if not len(self.change_key):
            return np.zeros(len(loans), dtype=np.int64)
        pos = np.searchsorted(self.change_key, loans * KEY + day, side="right") - 1
        found = (pos >= 0) & (self.change_key[np.maximum(pos, 0)] // KEY == loans)
        return np.where(found, self.change_state[np.maximum(pos, 0)], 0)

    def lines_between(self, loans: np.ndarray, start: int, end: int) -> np.ndarray:
        """How many schedule lines of each of ``loans`` fall due in [start, end)."""
        keys = self.line_loan * KEY + self.line_due
        return np.searchsorted(keys, loans * KEY + end) - np.searchsorted(keys, loans * KEY + start)


def loan_history(*, as_of: date, since: date) -> LoanHistory:
    params = {"as_of": _param(as_of), "since": _param(since)}
    loans = _rows(_loans_sql(), params, 14)
    lines = _rows(_lines_sql(), params, 3)
    changes = _rows(_changes_sql(), params, 3)
    return LoanHistory(
        bank=loans[:, 1],
        district=loans[:, 2],
        principal=loans[:, 3],
        repaid=loans[:, 4],
        disbursed=loans[:, 5],
        closed=loans[:, 6],
        compensated=loans[:, 7],
        maturity=loans[:, 8],
        pool_weight=loans[:, 9],
        loss_weights=loans[:, 10],
        split_weights=loans[:, 11:14],
        line_loan=lines[:, 0],
        line_due=lines[:, 1],
        line_principal=lines[:, 2],
        change_key=changes[:, 0] * KEY + changes[:, 1],
        change_state=changes[:, 2],
    )
