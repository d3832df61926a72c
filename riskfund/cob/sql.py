"""The set-based statements of the daily job, written once for PostgreSQL and SQLite (≥ 3.35).

Each statement works on every active loan at once; nothing here loops over loans in Python.

Overdue days on D (SPEC §9; the same rule as ``riskfund.lending.selectors.overdue_days`` / ``with_first_unpaid_due``):

    R(D)  = Σ principal of the loan's repayments with paid_on ≤ D
    C(k)  = Σ principal of the schedule lines due on or before line k   (a window SUM over the loan's lines)
    U(D)  = the earliest due_on < D of a line with C(k) > R(D)
    overdue_days = D − U(D), 0 when there is no such line

Only lines due before D can make a loan overdue, and C(k) depends only on the lines due up to k, so the window
runs over the lines with due_on < D alone. On SQLite, where a decimal column is stored as a binary float,
amounts are compared in integer fens (``CAST(ROUND(x * 100) AS INTEGER)``) so that sums are exact; on
PostgreSQL ``numeric`` is exact as it is.

The per-loan statements take a ``Part``: the loans whose id falls in one of N equal ranges of the uuid space (by
uuid prefix), so that the ranges of a step can run one after the other or on several workers at once; ``WHOLE`` is
every loan. A loan's figures depend on its own rows only, so the union of the ranges' results is the whole result.

A loan is active on D when it was disbursed on or before D and is not closed on D (``closed_on`` is NULL or
after D): a repaid or compensated loan gets no further changes, and a run for a past date sees the loans as
they were then.

Dialect notes: ``INSERT … SELECT … ON CONFLICT DO UPDATE … WHERE`` (SQLite ≥ 3.24, with ``WHERE TRUE`` after
the SELECT to resolve its parsing ambiguity), window functions (≥ 3.25), ``UPDATE … FROM`` (≥ 3.33) and
``UPDATE … RETURNING`` (≥ 3.35); ``riskfund.cob.checks`` refuses an older SQLite.
"""

# The statements are assembled from constant fragments and the dialect's helpers only; the business date is
# always a bound parameter (%(d)s), never interpolated.
# ruff: noqa: S608

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db import connection

SQLITE_MINIMUM = (3, 35, 0)


@dataclass(frozen=True)
class Part:
    """Range ``index`` (from 0) of ``count`` equal ranges of loan ids: [lo, hi), no bound at either end of the space."""

    index: int = 0
    count: int = 1

    @property
    def label(self) -> str:
        return f"{self.index + 1}/{self.count}"

    @property
    def lo(self) -> UUID | None:
        return UUID(int=self.index * 2**128 // self.count) if self.index else None

    @property
    def hi(self) -> UUID | None:
        return UUID(int=(self.index + 1) * 2**128 // self.count) if self.index < self.count - 1 else None


WHOLE = Part()


@dataclass(frozen=True)
class Dialect:
    vendor: str

    @property
    def is_postgres(self) -> bool:
        return self.vendor == "postgresql"

    def param(self, d: date):
        """A date parameter: a ``date`` for psycopg, the ISO text Django stores on SQLite."""
        return d if self.is_postgres else d.isoformat()

    @property
    def d(self) -> str:
        """The business date in SQL."""
        return "CAST(%(d)s AS date)" if self.is_postgres else "%(d)s"

    def fen(self, expr: str) -> str:
        """An amount column as an exact quantity: numeric on PostgreSQL, integer fens on SQLite."""
        return expr if self.is_postgres else f"CAST(ROUND({expr} * 100) AS INTEGER)"

    def money(self, expr: str) -> str:
        """Back from ``fen`` units to a value for a decimal column."""
        return expr if self.is_postgres else f"(({expr}) / 100.0)"

    def days_between(self, later: str, earlier: str) -> str:
        if self.is_postgres:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def minus_days(self, day: str, days: str) -> str:
        if self.is_postgres:
            return f"({day} - {days})"
        return f"date({day}, '-' || {days} || ' days')"

    def in_part(self, column: str, part: Part) -> str:
        """`` AND`` conditions keeping the loan ids of ``part`` (nothing for ``WHOLE``): uuids compare by their bytes
        on PostgreSQL, and as the 32 hex digits Django stores on SQLite — the same order."""
        uuid = "CAST(%({})s AS uuid)" if self.is_postgres else "%({})s"
        bounds = [(">=", "lo", part.lo), ("<", "hi", part.hi)]
        return "".join(f" AND {column} {op} {uuid.format(name)}" for op, name, value in bounds if value is not None)

    def part_params(self, part: Part) -> dict:
        return {name: (str(v) if self.is_postgres else v.hex) for name, v in (("lo", part.lo), ("hi", part.hi)) if v}

    def distinct(self, a: str, b: str) -> str:
        return f"({a} IS DISTINCT FROM {b})" if self.is_postgres else f"({a} IS NOT {b})"


def dialect() -> Dialect:
    return Dialect(connection.vendor)


def active_on(alias: str, d: str) -> str:
    """SQL condition: loan ``alias`` is active on the business date ``d``."""
    return f"{alias}.disbursed_on <= {d} AND ({alias}.closed_on IS NULL OR {alias}.closed_on > {d})"


def bucket_case(days: str) -> str:
    """SPEC §9 buckets; the same boundaries as ``riskfund.lending.rules.overdue_bucket``."""
    return (
        f"CASE WHEN {days} = 0 THEN 'current' WHEN {days} <= 25 THEN '1-25' WHEN {days} <= 60 THEN '26-60' "
        f"WHEN {days} <= 90 THEN '61-90' ELSE '91+' END"
    )


def computed_status_cte(x: Dialect, part: Part) -> str:
    """CTEs ending in ``computed(loan_id, first_unpaid_due, overdue_days, outstanding)`` for every loan of ``part``
    active on D. Each table is restricted to the range by its own loan id column, so that a range reads its share of
    the repayments and schedule lines by index instead of all of them (the join alone did not tell the planner)."""
    d = x.d
    return f"""
WITH active AS (
    SELECT l.id, l.principal
    FROM lending_loan l
    WHERE {active_on("l", d)}{x.in_part("l.id", part)}
),
repaid AS (
    SELECT r.loan_id, SUM({x.fen("r.principal")}) AS amount
    FROM lending_repayment r
    JOIN active a ON a.id = r.loan_id
    WHERE r.paid_on <= {d}{x.in_part("r.loan_id", part)}
    GROUP BY r.loan_id
),
lines AS (
    SELECT s.loan_id, s.due_on,
           SUM({x.fen("s.principal")}) OVER (
               PARTITION BY s.loan_id ORDER BY s.due_on ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
           ) AS cumulative
    FROM lending_scheduleline s
    JOIN active a ON a.id = s.loan_id
    WHERE s.due_on < {d}{x.in_part("s.loan_id", part)}
),
unpaid AS (
    SELECT ln.loan_id, MIN(ln.due_on) AS due_on
    FROM lines ln
    LEFT JOIN repaid r ON r.loan_id = ln.loan_id
    WHERE ln.cumulative > COALESCE(r.amount, 0)
    GROUP BY ln.loan_id
),
computed AS (
    SELECT a.id AS loan_id,
           u.due_on AS first_unpaid_due,
           CASE WHEN u.due_on IS NULL THEN 0 ELSE {x.days_between(d, "u.due_on")} END AS overdue_days,
           {x.money(f"{x.fen('a.principal')} - COALESCE(r.amount, 0)")} AS outstanding
    FROM active a
    LEFT JOIN unpaid u ON u.loan_id = a.id
    LEFT JOIN repaid r ON r.loan_id = a.id
)
"""


def upsert_loan_status_sql(x: Dialect, part: Part = WHOLE) -> str:
    """One INSERT … SELECT … ON CONFLICT for every active loan; only rows whose figures change are written.

    A bucket move keeps the old bucket in ``prev_bucket`` and the date in ``bucket_changed_on``, from which
    ``insert_bucket_changes_sql`` writes the history. A loan seen for the first time starts from "current".
    """
    changed = " OR ".join(
        [
            "cob_dailyloanstatus.overdue_days <> excluded.overdue_days",
            "cob_dailyloanstatus.outstanding_principal <> excluded.outstanding_principal",
            x.distinct("cob_dailyloanstatus.first_unpaid_due", "excluded.first_unpaid_due"),
        ]
    )
    moved = "cob_dailyloanstatus.bucket <> excluded.bucket"
    return (
        computed_status_cte(x, part)
        + f"""
INSERT INTO cob_dailyloanstatus (
    loan_id, overdue_days, bucket, first_unpaid_due, outstanding_principal, compensation_eligible,
    compensation_eligible_since, maturity_reminded_on, prev_bucket, bucket_changed_on, as_of
)
SELECT c.loan_id, c.overdue_days, {bucket_case("c.overdue_days")}, c.first_unpaid_due, c.outstanding, FALSE,
       NULL, NULL, 'current', CASE WHEN c.overdue_days > 0 THEN {x.d} END, {x.d}
FROM computed c
WHERE TRUE
ON CONFLICT (loan_id) DO UPDATE SET
    prev_bucket = CASE WHEN {moved} THEN cob_dailyloanstatus.bucket ELSE cob_dailyloanstatus.prev_bucket END,
    bucket_changed_on = CASE WHEN {moved} THEN excluded.as_of ELSE cob_dailyloanstatus.bucket_changed_on END,
    overdue_days = excluded.overdue_days,
    bucket = excluded.bucket,
    first_unpaid_due = excluded.first_unpaid_due,
    outstanding_principal = excluded.outstanding_principal,
    as_of = excluded.as_of
WHERE {changed}
"""
    )


def insert_bucket_changes_sql(x: Dialect, part: Part = WHOLE) -> str:
    """The moves of the run's date, from the rows the upsert marked (idempotent: one row per loan and date)."""
    return f"""
INSERT INTO cob_bucketchange (loan_id, business_date, from_bucket, to_bucket, overdue_days)
SELECT s.loan_id, {x.d}, s.prev_bucket, s.bucket, s.overdue_days
FROM cob_dailyloanstatus s
WHERE s.bucket_changed_on = {x.d}{x.in_part("s.loan_id", part)}
ON CONFLICT (loan_id, business_date) DO NOTHING
"""


def compensation_eligibility_sql(x: Dialect, part: Part = WHOLE) -> str:
    """Art. 32: eligible ⇔ overdue days > the loan's policy trigger (25: day 26 onward). Flips only the rows whose
    eligibility changes and returns them (loan id, new value): a loan that becomes eligible is notified once
    per episode, on the run that flips it."""
    d = x.d
    return f"""
UPDATE cob_dailyloanstatus SET
    compensation_eligible = NOT cob_dailyloanstatus.compensation_eligible,
    compensation_eligible_since = CASE WHEN cob_dailyloanstatus.compensation_eligible THEN NULL ELSE {d} END
FROM lending_loan l
JOIN policy_policyversion pv ON pv.id = l.policy_version_id
WHERE l.id = cob_dailyloanstatus.loan_id
  AND {active_on("l", d)}
  AND cob_dailyloanstatus.compensation_eligible <> (cob_dailyloanstatus.overdue_days > pv.compensation_trigger_days)
  {x.in_part("cob_dailyloanstatus.loan_id", part)}{x.in_part("l.id", part)}
RETURNING cob_dailyloanstatus.loan_id, cob_dailyloanstatus.compensation_eligible
"""


def maturity_reminder_sql(x: Dialect, part: Part = WHOLE) -> str:
    """Art. 31 "到期60日前": once per loan, on the first run on or after maturity − N days (the loan's policy version)
    and before maturity; a run on or after the maturity date reminds nothing — the loan is due or overdue, not
    about to be (SPEC §9)."""
    d = x.d
    return f"""
UPDATE cob_dailyloanstatus SET maturity_reminded_on = {d}
FROM lending_loan l
JOIN policy_policyversion pv ON pv.id = l.policy_version_id
WHERE l.id = cob_dailyloanstatus.loan_id
  AND {active_on("l", d)}
  AND cob_dailyloanstatus.maturity_reminded_on IS NULL
  AND {x.minus_days("l.maturity_on", "pv.maturity_reminder_days")} <= {d}
  AND {d} < l.maturity_on
  {x.in_part("cob_dailyloanstatus.loan_id", part)}{x.in_part("l.id", part)}
RETURNING cob_dailyloanstatus.loan_id
"""


def _prepare(cursor, x: Dialect) -> None:
    """PostgreSQL, for the step's transaction only: no JIT, and 64 MB for each sort and hash. The planner's row
    estimates through the CTE joins are far too high (10^10 for 2·10^5 loans), which switches JIT compilation on:
    ~0.6 s of compiling for a 3 s statement. With the server's default 4 MB the sorts and hashes of a range of
    ~256,000 loans spilled to disk (auto_explain: "external merge", ~17,000 temp blocks a range)."""
    if x.is_postgres and connection.in_atomic_block:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")


def execute(sql: str, d: date, part: Part = WHOLE) -> int:
    """Run one statement for the business date ``d`` (and the loans of ``part``); returns the rows it wrote."""
    x = dialect()
    with connection.cursor() as cursor:
        _prepare(cursor, x)
        cursor.execute(sql, {"d": x.param(d), **x.part_params(part)})
        if x.is_postgres:
            return max(cursor.rowcount, 0)
        # Python's sqlite3 reports no rowcount for a statement that starts with WITH
        cursor.execute("SELECT changes()")
        return cursor.fetchone()[0]


def execute_returning(sql: str, d: date, part: Part = WHOLE) -> list[tuple]:
    x = dialect()
    with connection.cursor() as cursor:
        _prepare(cursor, x)
        cursor.execute(sql, {"d": x.param(d), **x.part_params(part)})
        return list(cursor.fetchall())
