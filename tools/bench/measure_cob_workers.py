"""The daily close of business over real Celery workers on Redis, against the same run in-process (issue 15).

The per-loan steps go out as one task per loan-id range (a chord) and the pool-wide steps run once every range is
done (riskfund/cob/services.py); the workers are ``celery worker`` processes started here with this process's
environment (the same database, ``CELERY_BROKER_URL`` a Redis database), with 1 and with 2 worker processes. Every
measured run starts from a first run's state: the runs from the date on (their steps and ranges), every
``LoanStatus`` row and the date's bucket moves are removed before it. Worker start-up is not timed; the time runs
from the dispatch to the run marked done.
"""

import os
import subprocess
import sys
import time
from datetime import date

from django.conf import settings

from riskfund.celery import app
from riskfund.cob.models import BucketChange, CobRun, LoanStatus, RunStatus
from riskfund.cob.services import cob_dispatch, cob_run


def _reset(d: date) -> None:
    CobRun.objects.filter(business_date__gte=d).delete()
    LoanStatus.objects.all().delete()
    BucketChange.objects.filter(business_date=d).delete()


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
    out = {"ranges": settings.RISKFUND_COB_RANGES, "loans": LoanStatus.objects.count()}
    _reset(d)
    began = time.perf_counter()
    cob_run(business_date=d, today=today)
    out["in_process"] = time.perf_counter() - began
    out["loans"] = LoanStatus.objects.count()
    log(f"COB in-process, {out['ranges']} ranges one after the other: {out['in_process']:.2f} s (load {_load()})")
    for processes in workers:
        seconds = _over_workers(d, today, processes, timeout)
        out[f"workers_{processes}"] = seconds
        log(f"COB over {processes} Celery worker process(es): {seconds:.2f} s (load {_load()})")
    return out


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())
