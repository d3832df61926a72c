"""The pool position read (``riskfund.pool.selectors.pool_position``, GET /api/v1/pool/'s figures) once the ledger holds
10,000,000 entries.

The entries are made in SQL (``generate_series``), in chunks of one database transaction each: pairs of balanced
transfers of 1.00 between pool:special and a bank's deposit (out and back), so every transaction balances and no
balance or pool figure moves; ids are time-ordered UUIDs so the COPY-like INSERT appends to the indexes. The
ledger's triggers stay in force unless ``bypass`` (a superuser only): then the per-row triggers are skipped for the
fill (``session_replication_role = replica``, as ``pg_restore --disable-triggers``) and the same rules are checked
set-wise afterwards — every fill transaction balances, every entry points at its transaction and account. Either
way the account balances are then recomputed from all entries (``verify_ledger``'s rule) and must not have moved.

Baseline: the statement a bare O(1) read is — one primary-key SELECT of the PoolState row.
"""

import statistics
import time
from datetime import date

from django.db import connection, transaction

from riskfund.ledger.chart import SPECIAL, deposit_account
from riskfund.ledger.models import Account, Entry, Transaction
from riskfund.ledger.selectors import recomputed_balances
from riskfund.pool.selectors import pool_position

FILL_TRANSACTIONS = """
INSERT INTO ledger_transaction (id, kind, business_date, posted_at, description, reference)
SELECT ('b0000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'bench_fill', %(day)s, now(), '', ''
FROM generate_series(%(first)s, %(last)s) AS g
"""
FILL_ENTRIES = """
INSERT INTO ledger_entry (transaction_id, account_id, side, amount)
SELECT ('b0000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
       CASE WHEN (g %% 2 = 0) = (s.side = 'D') THEN %(deposit)s ELSE %(special)s END, s.side, 1.00
FROM generate_series(%(first)s, %(last)s) AS g CROSS JOIN (VALUES ('D'), ('C')) AS s(side)
ORDER BY g, s.side
"""
FILL_UNBALANCED = """
SELECT COUNT(*) FROM (
    SELECT e.transaction_id FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
    WHERE t.kind = 'bench_fill'
    GROUP BY e.transaction_id
    HAVING SUM(CASE WHEN e.side = 'D' THEN e.amount ELSE -e.amount END) <> 0 OR COUNT(*) <> 2
) bad
"""
FILL_ORPHANS = """
SELECT COUNT(*) FROM ledger_entry e
WHERE NOT EXISTS (SELECT 1 FROM ledger_transaction t WHERE t.id = e.transaction_id)
   OR NOT EXISTS (SELECT 1 FROM ledger_account a WHERE a.id = e.account_id)
"""


def fill_ledger(entries: int, day, bank_code: str, log, *, chunk: int = 1_000_000, bypass: bool = False) -> dict:
    """Add ledger entries until the ledger holds ``entries`` (an even number of fill transactions, two entries each)."""
    have = Entry.objects.count()
    pairs = max(0, (entries - have + 3) // 4)
    count = 2 * pairs  # transactions: out and back
    ids = dict(Account.objects.filter(code__in=[SPECIAL, deposit_account(bank_code)]).values_list("code", "id"))
    offset = Transaction.objects.filter(kind="bench_fill").count()
    began = time.perf_counter()
    per_chunk = chunk // 2
    for start in range(1, count + 1, per_chunk):
        first, last = offset + start, offset + min(count, start + per_chunk - 1)
        params = {"day": day, "first": first, "last": last, "deposit": ids[deposit_account(bank_code)]}
        params["special"] = ids[SPECIAL]
        with transaction.atomic(), connection.cursor() as cursor:
            if bypass:
                cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(FILL_TRANSACTIONS, params)
            cursor.execute(FILL_ENTRIES, params)
        log(f"  ledger fill: {2 * (last - offset)} entries added, {time.perf_counter() - began:.0f} s")
    filled = time.perf_counter() - began
    checks = {}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ledger_transaction")
        cursor.execute("ANALYZE ledger_entry")
        if bypass:
            cursor.execute(FILL_UNBALANCED)
            checks["unbalanced"] = cursor.fetchone()[0]
            cursor.execute(FILL_ORPHANS)
            checks["orphans"] = cursor.fetchone()[0]
    stored = dict(Account.objects.values_list("code", "balance"))
    checks["balances_moved"] = sum(1 for code, total in recomputed_balances().items() if stored[code] != total)
    return {"entries": Entry.objects.count(), "added": 2 * count, "seconds": filled, "bypass": bypass, **checks}


def _times(call, n: int) -> list[float]:
    out = []
    for _ in range(n):
        began = time.perf_counter()
        call()
        out.append(time.perf_counter() - began)
    return out


def measure_position(as_of: date, log, *, n: int = 2000) -> dict:
    """``pool_position`` on the book's date, when the generated policy version is in force, as a bank reads it on a
    working day. (On a date past every version it also looks for the latest one before: 4 statements instead of 2.)"""

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pool_funds, net_compensation, pool_balance FROM pool_poolstate WHERE id = 1")
            cursor.fetchone()

    def position_read() -> None:
        pool_position(as_of)

    _times(position_read, 50)
    _times(bare, 50)
    position = _times(position_read, n)
    baseline = _times(bare, n)

    def ms(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    result = {
        "entries": Entry.objects.count(),
        "p50": ms(position, 0.5),
        "p99": ms(position, 0.99),
        "mean": statistics.fmean(position) * 1000,
        "bare_p50": ms(baseline, 0.5),
        "n": n,
    }
    log(
        f"pool_position at {result['entries']} entries: p50 {result['p50']:.2f} ms, p99 {result['p99']:.2f} ms "
        f"(bare PoolState SELECT p50 {result['bare_p50']:.3f} ms)"
    )
    return result
