"""The monthly statement workbook (``banks.statements.statement_write``) of a bank with ~100,000 loans, against bare
openpyxl write-only of the same loan rows, and its peak Python memory at ~100,000 vs ~10,000 loans.

Baseline: the 贷款台账 rows the statement writes, taken from the statement's own row generator beforehand (not
timed), written with ``openpyxl.Workbook(write_only=True)`` and ``ws.append`` — no styles, no checks, no other
sheets, no database: the cost of the bare writer alone. Memory: ``tracemalloc`` peak of one export (after a warm-up
export, so that imports and first-use caches are not counted).
"""

import tempfile
import time
import tracemalloc
from pathlib import Path

from openpyxl import Workbook

from banks.statements import LOAN_COLUMNS, _loan_rows, month_bounds, statement_loans, statement_write
from riskfund.parties.models import Bank


def _export(bank: Bank, month: str, path: Path) -> tuple[float, int]:
    began = time.perf_counter()
    results = statement_write(bank=bank, month=month, target=str(path))
    return time.perf_counter() - began, results[1].rows


def _peak(bank: Bank, month: str, path: Path) -> int:
    tracemalloc.start()
    try:
        statement_write(bank=bank, month=month, target=str(path))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _bare(rows: list[tuple], path: Path) -> float:
    began = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("贷款台账")
    ws.append([c.header for c in LOAN_COLUMNS])
    for row in rows:
        ws.append(row)
    wb.save(str(path))
    return time.perf_counter() - began


def measure_statement(big: Bank, small: Bank, month: str, log) -> dict:
    first, last = month_bounds(month)
    keys = [c.key for c in LOAN_COLUMNS]
    with tempfile.TemporaryDirectory(prefix="riskfund-bench-") as tmp:
        folder = Path(tmp)
        small_seconds, small_count = _export(small, month, folder / "small.xlsx")  # also warms imports and caches
        log(f"statement of {small.code}: {small_count} loan rows in {small_seconds:.2f} s")
        seconds, count = _export(big, month, folder / "big.xlsx")
        log(f"statement of {big.code}: {count} loan rows in {seconds:.2f} s")
        size = (folder / "big.xlsx").stat().st_size
        rows = [tuple(r[k] for k in keys) for r in _loan_rows(statement_loans(big, first, last), last)]
        bare_runs = [_bare(rows, folder / f"bare{n}.xlsx") for n in range(2)]
        del rows
        log(f"bare openpyxl write-only of the same {count} loan rows: {', '.join(f'{b:.2f} s' for b in bare_runs)}")
        peak_small = _peak(small, month, folder / "small-mem.xlsx")
        peak_big = _peak(big, month, folder / "big-mem.xlsx")
        log(
            f"peak traced memory: {peak_small / 2**20:.1f} MiB at {small_count} rows, "
            f"{peak_big / 2**20:.1f} MiB at {count}"
        )
    return {
        "rows": count,
        "seconds": seconds,
        "bare": min(bare_runs),
        "bare_runs": tuple(bare_runs),
        "small_rows": small_count,
        "small_seconds": small_seconds,
        "peak_small": peak_small,
        "peak_big": peak_big,
        "file_bytes": size,
    }
