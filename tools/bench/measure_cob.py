"""COB over the generated portfolio: ``cob_run`` for the portfolio's date against one bare SQL statement that
computes the same overdue days (SPEC §9) for every loan active on that date, and the same date again.

The bare statement is written independently of ``riskfund.cob.sql`` (a GROUP BY over the loans with a filtered
MIN instead of the CTE chain) and its totals — active loans, overdue loans, Σ overdue days — are compared with what
the run stored in ``cob_dailyloanstatus``: a benchmark that measured a wrong answer would be worthless.
"""

import time
from datetime import date

from django.db import connection
from django.utils import timezone

from riskfund.cob.models import BucketChange, CobPart, CobRun, CobStep, RunStatus
from riskfund.cob.services import cob_run
from riskfund.outbox.models import OutboxEvent

BARE_OVERDUE = """
SELECT COUNT(*), COUNT(*) FILTER (WHERE od > 0), COALESCE(SUM(od), 0) FROM (
    SELECT l.id,
           COALESCE(%(d)s - MIN(s.due_on) FILTER (WHERE s.cumulative > COALESCE(r.repaid, 0)), 0) AS od
    FROM lending_loan l
    LEFT JOIN (
        SELECT loan_id, due_on, SUM(principal) OVER (PARTITION BY loan_id ORDER BY due_on) AS cumulative
        FROM lending_scheduleline WHERE due_on < %(d)s
    ) s ON s.loan_id = l.id
    LEFT JOIN (
        SELECT loan_id, SUM(principal) AS repaid FROM lending_repayment WHERE paid_on <= %(d)s GROUP BY loan_id
    ) r ON r.loan_id = l.id
    WHERE l.disbursed_on <= %(d)s AND (l.closed_on IS NULL OR l.closed_on > %(d)s)
    GROUP BY l.id
) per_loan
"""

STORED_OVERDUE = """
SELECT COUNT(*), COUNT(*) FILTER (WHERE s.overdue_days > 0), COALESCE(SUM(s.overdue_days), 0)
FROM cob_dailyloanstatus s JOIN lending_loan l ON l.id = s.loan_id
WHERE l.disbursed_on <= %(d)s AND (l.closed_on IS NULL OR l.closed_on > %(d)s)
"""


def _query(sql: str, d: date) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")  # as the COB's own statements run (riskfund.cob.sql._prepare)
        cursor.execute(sql, {"d": d})
        row = cursor.fetchone()
        cursor.execute("RESET jit")
    return tuple(int(v) for v in row)


def bare_overdue(d: date) -> tuple[float, tuple]:
    began = time.perf_counter()
    totals = _query(BARE_OVERDUE, d)
    return time.perf_counter() - began, totals


def _steps(run: CobRun, started) -> dict[str, float]:
    """Seconds per step, from the times the run recorded as each step finished — before its commit, so a step's
    time includes the commit of the one before it (the first run's deferred foreign-key checks of loan_status
    show up under compensation_eligibility)."""
    rows = list(CobStep.objects.filter(run=run).order_by("done_at").values_list("name", "done_at"))
    out, previous = {}, started
    for name, done_at in rows:
        out[name] = (done_at - previous).total_seconds()
        previous = done_at
    return out


def measure_cob(d: date, log) -> dict:
    today = timezone.localdate()
    bare_overdue(d)  # warm the caches the same way for both
    bare_first, bare_totals = bare_overdue(d)
    log(f"bare overdue statement: {bare_first:.2f} s {bare_totals}")

    began = time.perf_counter()
    run = cob_run(business_date=d, today=today)
    first = time.perf_counter() - began
    steps = _steps(run, run.started_at)
    log(f"COB first run: {first:.2f} s; steps { ({k: round(v, 2) for k, v in steps.items()}) }")
    stored = _query(STORED_OVERDUE, d)
    events = OutboxEvent.objects.count()
    changes = BucketChange.objects.count()

    began = time.perf_counter()
    cob_run(business_date=d, today=today)
    again = time.perf_counter() - began
    log(f"COB same date again (run is done): {again * 1000:.1f} ms")

    # the resume path with nothing recorded: every step is done again for the same date and must write nothing new
    CobStep.objects.filter(run=run).delete()
    CobPart.objects.filter(run=run).delete()  # the loan-id ranges too: every range of every step is redone
    CobRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, finished_at=None)
    began, started = time.perf_counter(), timezone.now()
    redo = cob_run(business_date=d, today=today)
    forced = time.perf_counter() - began
    forced_steps = _steps(redo, started)
    log(
        f"COB same date, every step redone: {forced:.2f} s; "
        f"steps { ({k: round(v, 2) for k, v in forced_steps.items()}) }"
    )
    unchanged = (
        OutboxEvent.objects.count() == events
        and BucketChange.objects.count() == changes
        and _query(STORED_OVERDUE, d) == stored
    )

    bare_second, _ = bare_overdue(d)
    bare = min(bare_first, bare_second)
    return {
        "date": d,
        "active_loans": bare_totals[0],
        "overdue_loans": bare_totals[1],
        "first_run": first,
        "steps": steps,
        "bare": bare,
        "bare_runs": (bare_first, bare_second),
        "agrees": stored == bare_totals,
        "stored": stored,
        "events": events,
        "rerun_done": again,
        "rerun_forced": forced,
        "forced_steps": forced_steps,
        "rerun_wrote_nothing": unchanged,
    }
