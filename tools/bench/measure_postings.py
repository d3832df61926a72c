"""Postings per second through the service layer against a raw PL/pgSQL transfer, and on the one hot pool row
against postings spread over accounts.

- service: ``pool_post`` (the path of every money movement: locks the PoolState row, posts through
  ``transaction_post``, refuses an overdraft, moves F/N/B, re-checks the suspension) of 1.00 from payable:<bank> to
  deposit:<bank> (B, F and N do not change), each in its own database transaction, one after another on one
  connection; ``transaction_post`` alone the same way, for reference;
- baseline: ``bench_transfer()``, a PL/pgSQL function doing the same writes in one round trip: lock the PoolState
  row, insert the transaction and its two entries (the ledger's entry-insert trigger moves both balances, as for
  the service), update the PoolState row — each call its own transaction (autocommit), so both sides pay one commit
  per posting;
- hot vs spread: W worker processes for a fixed time, each on its own bank's pair of accounts. Hot: every posting
  through ``pool_post``, so all of them queue on the one PoolState row. Spread: ``transaction_post`` on the same
  pairs, no shared row. The ratio is hot ÷ spread throughput.
"""

import multiprocessing
import time
from datetime import date
from decimal import Decimal

from django.db import connection, connections, transaction

from riskfund.ledger.chart import deposit_account, payable_account
from riskfund.ledger.models import Account
from riskfund.ledger.services import transaction_post
from riskfund.pool.services import pool_post

AMOUNT = Decimal("1.00")

RAW_FUNCTION = """
CREATE OR REPLACE FUNCTION bench_transfer(p_debit bigint, p_credit bigint, p_amount numeric, p_date date)
RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
    t uuid := gen_random_uuid();
BEGIN
    PERFORM 1 FROM pool_poolstate WHERE id = 1 FOR UPDATE;
    INSERT INTO ledger_transaction (id, kind, business_date, posted_at, description, reference)
        VALUES (t, 'bench_raw', p_date, now(), '', '');
    INSERT INTO ledger_entry (transaction_id, account_id, side, amount)
        VALUES (t, p_debit, 'D', p_amount), (t, p_credit, 'C', p_amount);
    UPDATE pool_poolstate SET updated_at = now() WHERE id = 1;
    RETURN t;
END $$
"""


def _pool(bank_code: str, day: date) -> None:
    pool_post(
        kind="bench_transfer",
        business_date=day,
        debits=[(deposit_account(bank_code), AMOUNT)],
        credits=[(payable_account(bank_code), AMOUNT)],
        cause="bench",
    )


def _ledger(bank_code: str, day: date) -> None:
    with transaction.atomic():
        transaction_post(
            kind="bench_transfer",
            business_date=day,
            debits=[(deposit_account(bank_code), AMOUNT)],
            credits=[(payable_account(bank_code), AMOUNT)],
        )


def _rate(post, count: int) -> float:
    began = time.perf_counter()
    for _ in range(count):
        post()
    return count / (time.perf_counter() - began)


def _raw(bank_code: str, day: date, count: int) -> float:
    ids = dict(Account.objects.filter(code__endswith=f":{bank_code}").values_list("code", "id"))
    debit, credit = ids[deposit_account(bank_code)], ids[payable_account(bank_code)]
    with connection.cursor() as cursor:
        cursor.execute(RAW_FUNCTION)
        began = time.perf_counter()
        for _ in range(count):
            cursor.execute("SELECT bench_transfer(%s, %s, %s, %s)", [debit, credit, AMOUNT, day])
        return count / (time.perf_counter() - began)


def _worker(mode: str, bank_code: str, day: date, seconds: float, barrier, results) -> None:
    post = _pool if mode == "hot" else _ledger
    post(bank_code, day)  # connect and warm up before the clock starts
    barrier.wait()
    began = time.perf_counter()
    count = 0
    while time.perf_counter() - began < seconds:
        post(bank_code, day)
        count += 1
    results.put((count, time.perf_counter() - began))
    connections.close_all()


def _concurrent(mode: str, banks: list[str], day: date, seconds: float) -> float:
    connections.close_all()  # children open their own connections; none may share the parent's
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(banks))
    results = context.Queue()
    workers = [context.Process(target=_worker, args=(mode, code, day, seconds, barrier, results)) for code in banks]
    for worker in workers:
        worker.start()
    totals = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
        if worker.exitcode:
            raise RuntimeError(f"a {mode} posting worker failed (exit code {worker.exitcode})")
    return sum(count for count, _ in totals) / max(elapsed for _, elapsed in totals)


def measure_postings(banks: list[str], day: date, log, *, count: int = 1500, workers: int = 4, seconds: float = 10.0):
    code = banks[0]
    for _ in range(50):  # warm-up: connection, plans, the pages of the rows involved
        _pool(code, day)
    service = _rate(lambda: _pool(code, day), count)
    log(f"pool_post sequential: {service:.0f}/s")
    ledger = _rate(lambda: _ledger(code, day), count)
    log(f"transaction_post sequential: {ledger:.0f}/s")
    raw = _raw(code, day, count)
    log(f"PL/pgSQL bench_transfer sequential: {raw:.0f}/s")
    chosen = banks[:workers]
    hot = _concurrent("hot", chosen, day, seconds)
    log(f"{len(chosen)} workers, pool_post on the one PoolState row: {hot:.0f}/s")
    spread = _concurrent("spread", chosen, day, seconds)
    log(f"{len(chosen)} workers, transaction_post spread over accounts: {spread:.0f}/s")
    return {
        "service": service,
        "ledger": ledger,
        "raw": raw,
        "hot": hot,
        "spread": spread,
        "workers": len(chosen),
        "count": count,
        "seconds": seconds,
    }
