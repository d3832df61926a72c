"""Replaying a book's facts in time, each through its service in a savepoint, every refusal kept.

The caller holds one database transaction around the whole replay: a dry run rolls it back, a commit keeps it
only when nothing was refused — all or nothing. A refused fact runs in its own savepoint, so it undoes only itself
and the replay goes on to report every problem at once (facts run a batch to a savepoint, and a batch with a
refusal runs again one fact to a savepoint: see ``replay``). A fact whose need failed, was skipped or
comes later in time is not run (the later one is a problem of its own: a row cannot rest on a record dated
after it); the facts of a loan after a failed one are skipped, so one mistake is one error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import DataError, IntegrityError, transaction

from riskfund.errors import RuleViolation

from .apply import APPLY, Context
from .blame import blamed_field
from .facts import Fact, Plan
from .problems import Problem, from_violation, problem
from .reader import BookRow
from .sheets import SHEETS

PROGRESS_EVERY = 200
TOGETHER = 100  # facts per savepoint (PROGRESS_EVERY is a multiple of it)
SHEET_ORDER = {sheet.title: index for index, sheet in enumerate(SHEETS)}


@dataclass
class Outcome:
    """What a replay did: rows written and already there per sheet, the rows already there by name, problems."""

    written: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)
    existing_rows: list[dict] = field(default_factory=list)
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    dates: set[date] = field(default_factory=set)


def replay(plan: Plan, *, ctx: Context, progress: Callable[[int, int], None] | None = None) -> Outcome:
    """Run every new fact of ``plan`` in time order (inside the caller's transaction).

    Facts run ``TOGETHER`` at a time in one savepoint; when one of them is refused, that savepoint is rolled back
    and the same facts run again one by one, each in its own savepoint — the same outcome as running every fact
    alone, without a savepoint per row when the book is valid."""
    outcome = Outcome(problems=list(plan.problems))
    todo = sorted((f for f in plan.facts if f.status == "new"), key=Fact.order)
    broken_loans: set[tuple] = set()
    for start in range(0, len(todo), TOGETHER):
        if progress is not None and start and start % PROGRESS_EVERY == 0:
            progress(start, len(todo))
        batch = todo[start : start + TOGETHER]
        if not _together(batch, plan, ctx, outcome, broken_loans):
            for fact in batch:
                _step(fact, plan, ctx, outcome, broken_loans, alone=True)
    if progress is not None:
        progress(len(todo), len(todo))
    _count_rows(plan, outcome)
    outcome.problems.sort(key=lambda p: (SHEET_ORDER.get(p.sheet, -1), p.row or 0, p.column, p.code))
    return outcome


class _Refused(Exception):
    """A fact of a batch run together was refused: the batch runs again fact by fact."""


def _together(batch: list[Fact], plan: Plan, ctx: Context, outcome: Outcome, broken_loans: set[tuple]) -> bool:
    """Run ``batch`` in one savepoint; False (everything it did undone, in the database and here) if one was
    refused."""
    problems, dates, broken = len(outcome.problems), set(outcome.dates), set(broken_loans)
    try:
        with transaction.atomic():
            for fact in batch:
                _step(fact, plan, ctx, outcome, broken_loans, alone=False)
    except _Refused:
        for fact in batch:
            fact.status = "new"
            if fact.creates is not None:
                ctx.objects.pop(fact.creates, None)
        del outcome.problems[problems:]
        outcome.dates = dates
        broken_loans.clear()
        broken_loans.update(broken)
        return False
    return True


def _step(fact: Fact, plan: Plan, ctx: Context, outcome: Outcome, broken_loans: set[tuple], *, alone: bool) -> None:
    """Run one fact (in a savepoint of its own when ``alone``; else a refusal raises ``_Refused``)."""
    waiting = _waiting_on(fact, plan)
    if waiting is not None and waiting.status == "new":  # it rests on a record dated after it
        outcome.problems.append(_later(fact, waiting))
        fact.status = "failed"
        return
    if waiting is not None or (fact.loan is not None and fact.loan in broken_loans):
        fact.status = "skipped"
        if fact.loan is not None:
            broken_loans.add(fact.loan)
        return
    try:
        if alone:
            with transaction.atomic():
                made = APPLY[fact.kind](fact, ctx)
        else:
            made = APPLY[fact.kind](fact, ctx)
    except (RuleViolation, IntegrityError, DataError, ValueError) as exc:
        if not alone:
            raise _Refused from exc
        outcome.problems.append(_refusal(fact, exc))
        fact.status = "failed"
        if fact.loan is not None:
            broken_loans.add(fact.loan)
        return
    fact.status = "done"
    if fact.creates is not None:
        ctx.objects[fact.creates] = made
    if fact.on is not None:
        outcome.dates.add(fact.on)


def _refusal(fact: Fact, exc: Exception) -> Problem:
    row = fact.row
    if isinstance(exc, RuleViolation):
        column_field = blamed_field(fact, exc)
        return from_violation(
            exc, sheet=row.sheet.title, row=row.row, column=row.letter(column_field), field=column_field
        )
    return problem(sheet=row.sheet.title, row=row.row, code="import_row_failed", zh=str(exc), en=str(exc))


def _waiting_on(fact: Fact, plan: Plan) -> Fact | None:
    """The fact of the file that ``fact`` needs and that has not been done (None: nothing is missing)."""
    for key, _ in fact.needs:
        if key not in plan.made_by:
            continue  # riskfund has it
        maker = plan.made_by[key]
        if maker is None:
            return _UNUSABLE
        if maker.status not in ("done", "existing"):
            return maker
    return None


_UNUSABLE = Fact("unusable", None, None, status="failed")  # type: ignore[arg-type] — stands for a row with a bad cell


def _later(fact: Fact, needed: Fact) -> Problem:
    row, other = fact.row, needed.row
    if needed.kind == "loan" and fact.loan == needed.creates:  # a record on a loan before it was disbursed
        return problem(
            sheet=row.sheet.title,
            row=row.row,
            column=row.letter(fact.date_field),
            field=fact.date_field,
            code="date_before_disbursement",
            zh=f"{fact.on} 早于放款日 {needed.on}",
            en=f"{fact.on} is before the disbursement on {needed.on}",
            clause="art. 22",
        )
    return problem(
        sheet=row.sheet.title,
        row=row.row,
        column=row.letter(fact.date_field),
        field=fact.date_field,
        code="import_bad_value",
        zh=f"依据的记录（{other.sheet.title} 第 {other.row} 行，{needed.on}）晚于本行日期 {fact.on}",
        en=f"it rests on {other.sheet.title} row {other.row} dated {needed.on}, after this row's {fact.on}",
    )


def _count_rows(plan: Plan, outcome: Outcome) -> None:
    """Per row: written when any of its facts was done, already there when all of them were (then named)."""
    statuses: dict[tuple[str, int], tuple[BookRow, list[str]]] = {}
    for fact in plan.facts:
        for row in [fact.row, *(line for lines in fact.parts.values() if isinstance(lines, list) for line in lines)]:
            statuses.setdefault((row.sheet.title, row.row), (row, []))[1].append(fact.status)
    written, existing = Counter(), Counter()
    for (title, row_no), (row, found) in statuses.items():
        if "failed" in found:
            continue
        if "done" in found:
            written[title] += 1
        elif all(s == "existing" for s in found):
            existing[title] += 1
            outcome.existing_rows.append({"sheet": title, "row": row_no, "key": row_name(row)})
        else:
            outcome.skipped += 1
    outcome.written = dict(written)
    outcome.existing = dict(existing)
    outcome.existing_rows.sort(key=lambda r: (SHEET_ORDER.get(r["sheet"], -1), r["row"]))


def row_name(row: BookRow) -> str:
    """How a person finds the row's record: its natural key, or its loan and date."""
    keys = row.sheet.keys or tuple(k for k in ("bank", "contract_no") if k in row.values)
    parts = [row[k] for k in keys]
    if not row.sheet.keys:
        parts += [v for k, v in row.values.items() if k.endswith("_on") and v is not None][:1]
    return " ".join(str(p) for p in parts if p is not None)
