"""The daily close of business over real Celery workers on Redis, against the same run in-process (issue 15).

The per-loan steps go out as one task per loan-id range (a chord) and the pool-wide steps run once every range is
done (riskfund/cob/services.py); the workers are ``celery worker`` processes started here with this process's
environment (the same database, ``CELERY_BROKER_URL`` a Redis database), with 1 and with 2 worker processes. Every
measured run starts from a first run's state: the runs from the date on (their steps and ranges), every
``DailyLoanStatus`` row and the date's bucket moves are removed, then ``VACUUM ANALYZE`` of those two tables, before
it. Worker start-up is not timed; the time runs from the dispatch to the run marked done.

Why the runs over workers were slower than in-process (last full run, 1,100,000 loans: in-process 10.1 s, 1 worker
54.5 s, 2 workers 26.0 s). Profiled at 50,000 loans (load 6–9 on 2 cores; per range and step from the ``CobPart``
rows' ``done_at``), three causes, none of them in the worker's own work:

1. Every generated loan id fell in the first of the 4 ranges: ``generate_portfolio`` made time-ordered ids
   (``0190…``), while the ranges split the uuid space evenly, as the application's uuid4 ids are. One task did all
   the work and three did nothing, so a second worker could not help. The generator now puts the sequence number
   mod 256 in the first byte (tools/bench/portfolio.py ``uuid``): 11,556–11,669 loans in each range.
2. The chord's callback (``finish_cob_task``) was queued behind the webhook deliveries the run itself queues (an
   emission of at most ``QUEUE_LIMIT`` events queues one ``deliver_webhook`` task per event after commit): at 50,000
   loans in 4 ranges, 670 of them; the ranges were done 7.1 s after the dispatch, the run 110.8 s after it (1
   worker; 2 workers: 87.7 s; in-process 8.2 s). The daily run's tasks now have their own queue ``cob``
   (``CELERY_TASK_QUEUES``, ``CELERY_TASK_ROUTES`` in riskfund/settings.py), which a worker consumes beside the
   default one, taking from each in turn: 1 worker 13.9 s, 2 workers 9.9 s, in-process 14.2 s in the next run.
3. Each measured run found the dead rows of the previous runs' ``DailyLoanStatus`` (removed by DELETE): three in-process
   runs in a row took 2.00, 3.08 and 3.31 s for their loan-status ranges (110,431 → 218,340 dead rows), 1.78–2.38 s
   after a VACUUM. The runs were measured in-process first, then 1 worker, then 2 (after autovacuum had run), which
   matches their order at full scale; the reset now vacuums. With all three: in-process 11.4 s, 1 worker 12.7 s,
   2 workers 9.0 s (load 6.6–7.0).

In the worker the per-range work is what it is in-process: loan status 0.30–0.45 s, eligibility 0.21–0.31 s,
maturity reminders 1.05–1.26 s per range of ~11,600 loans (1 worker), against 0.84–0.88, 0.2–0.3 and 0.36–0.42 s
in-process; the differences are where the ~500 ``deliver_webhook`` messages of a range's eligibility events are
published (after its commit, so in the next step's interval): ~1.3–2.3 s a range at this load, ~2.5 ms a message,
in both. Connection set-up (a task opens one database connection), the per-range transaction, the ANALYZE after a
range of more than 50,000 loan-status rows (none at this size; 4 × ~0.5 s at full scale, one per range) and the
chord's join (the Redis backend counts the finished ranges: no polling) each cost well under a second. What is left
to gain: the COB's per-loan events could be left to the ``deliver_due_webhooks`` sweep instead of one message each
(riskfund/outbox ``QUEUE_LIMIT``), ~40 % of a run at this size.
"""

import os
import subprocess
import sys
import time
from datetime import date

from django.conf import settings
from django.db import connection

from riskfund.celery import app
from riskfund.cob.models import BucketChange, CobRun, DailyLoanStatus, RunStatus
from riskfund.cob.services import cob_dispatch, cob_run


def _reset(d: date) -> None:
    CobRun.objects.filter(business_date__gte=d).delete()
    DailyLoanStatus.objects.all().delete()
    BucketChange.objects.filter(business_date=d).delete()
    with connection.cursor() as cursor:  # the next run finds the tables as a first run does, not the dead rows
        for model in (DailyLoanStatus, BucketChange):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _start_workers(processes: int) -> subprocess.Popen:
    app.control.purge()  # tasks left in the queue (deliveries queued by an earlier run) are not this run's work
    env = {**os.environ, "RISKFUND_FORECAST_AFTER_RUN": "0", "RISKFUND_COB_RANGES": str(settings.RISKFUND_COB_RANGES)}
    command = [sys.executable, "-m", "celery", "-A", "riskfund", "worker", "-c", str(processes), "-l", "WARNING"]
    worker = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)  # noqa: S603 (our own interpreter and args)
    deadline = time.monotonic() + 120
    while not app.control.ping(timeout=1.0):
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            raise RuntimeError("the Celery worker did not start")
    return worker


def _stop(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _over_workers(d: date, today: date, processes: int, timeout: float) -> float:
    _reset(d)
    worker = _start_workers(processes)
    try:
        began = time.perf_counter()
        run = cob_dispatch(business_date=d, today=today)
        while run.status != RunStatus.DONE:
            if time.perf_counter() - began > timeout:
                raise RuntimeError(f"the run over {processes} worker(s) was not done after {timeout:.0f} s")
            time.sleep(0.1)
            run.refresh_from_db()
        return time.perf_counter() - began
    finally:
        _stop(worker)


def measure_cob_workers(d: date, today: date, log, *, workers=(1, 2), timeout: float = 1800.0) -> dict:
    if not settings.CELERY_BROKER_URL:
        raise RuntimeError("set CELERY_BROKER_URL (and CELERY_RESULT_BACKEND) to a Redis database")
    out = {"ranges": settings.RISKFUND_COB_RANGES, "loans": DailyLoanStatus.objects.count()}
    _reset(d)
    began = time.perf_counter()
    cob_run(business_date=d, today=today)
    out["in_process"] = time.perf_counter() - began
    out["loans"] = DailyLoanStatus.objects.count()
    log(f"COB in-process, {out['ranges']} ranges one after the other: {out['in_process']:.2f} s (load {_load()})")
    for processes in workers:
        seconds = _over_workers(d, today, processes, timeout)
        out[f"workers_{processes}"] = seconds
        log(f"COB over {processes} Celery worker process(es): {seconds:.2f} s (load {_load()})")
    return out


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())
