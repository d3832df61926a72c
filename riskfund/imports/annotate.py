"""The annotated copy of a book: its sheets as read, every bad cell marked red with a comment saying what is wrong,
a column 错误说明 at the end of each row with problems, and a first sheet 错误清单 listing every problem.

Rows keep their numbers and columns their letters, so a problem's place (第 5 行 C 列) is the same in the copy,
in the error list and in the user's own file. Values are written as the import read them; a bad cell shows what
it held, as text. The copy is written with the project's exact writer (no float, no formula).
"""

from __future__ import annotations

import io
from collections import defaultdict

from openpyxl.utils import column_index_from_string, get_column_letter

from riskfund.exports.xlsx import Column, Sheet, Typed, write_workbook

from .problems import Problem
from .reader import Book, BookRow

LIST_COLUMNS = [
    Column("n", "序号", "int", width=6),
    Column("sheet", "工作表", width=12),
    Column("row", "行", "int", width=6),
    Column("column", "列", width=6),
    Column("code", "代码", width=28),
    Column("message", "说明", width=80),
    Column("message_en", "Message", width=80),
]
NOTES_HEADER = "错误说明"


def annotated_copy(book: Book, problems: list[Problem]) -> bytes:
    """The copy as .xlsx bytes."""
    by_cell: dict[tuple[str, int, str], list[str]] = defaultdict(list)
    by_row: dict[tuple[str, int], list[str]] = defaultdict(list)
    for p in problems:
        if p.row is None:
            continue
        by_row[(p.sheet, p.row)].append(f"{p.column or '—'}：{p.message}")
        if p.column:
            by_cell[(p.sheet, p.row, p.column)].append(p.message)
    listing = (
        {
            "n": n,
            "sheet": p.sheet,
            "row": p.row,
            "column": p.column,
            "code": p.code,
            "message": p.message,
            "message_en": p.message_en,
        }
        for n, p in enumerate(problems, start=1)
    )
    sheets = [Sheet("错误清单", LIST_COLUMNS, listing, count=len(problems))]
    for kind, rows in book.rows.items():
        sheets.append(_sheet(rows, kind, by_cell, by_row))
    out = io.BytesIO()
    write_workbook(sheets, out)
    return out.getvalue()


def _sheet(rows: list[BookRow], kind: str, by_cell, by_row) -> Sheet:
    from .sheets import BY_KIND

    spec = BY_KIND[kind]
    letters = rows[0].letters if rows else {f.key: spec.letter(f.key) for f in spec.fields}
    by_letter = {letter: spec.field(key) for key, letter in letters.items()}
    width = max([column_index_from_string(letter) for letter in by_letter] or [1])
    columns = []
    for index in range(1, width + 1):
        field = by_letter.get(get_column_letter(index))
        key = field.key if field else f"_{index}"
        columns.append(Column(key, field.header if field else " ", field.kind if field else "text"))
    columns.append(Column("_notes", NOTES_HEADER, width=60))
    return Sheet(spec.title, columns, _rows(rows, spec.title, columns, by_cell, by_row), freeze_header=True)


def _rows(rows: list[BookRow], title: str, columns: list[Column], by_cell, by_row):
    first = min((r.row for r in rows), default=2)
    next_row = 2
    if first >= 3:  # the template's field row
        yield {c.key: Typed(c.key, "text") for c in columns if not c.key.startswith("_")}
        next_row = 3
    for row in sorted(rows, key=lambda r: r.row):
        while next_row < row.row:
            yield {}
            next_row += 1
        values = {}
        for key, letter in row.letters.items():
            notes = by_cell.get((title, row.row, letter))
            if notes:
                values[key] = Typed(row.raw.get(key) or None, "text", "\n".join(notes))
            elif key in row.bad:
                values[key] = Typed(row.raw.get(key) or None, "text")
            else:
                value = row.values.get(key)
                values[key] = Typed(value, "text") if isinstance(value, str) else value
        notes = by_row.get((title, row.row))
        if notes:
            values["_notes"] = "\n".join(notes)
        yield values
        next_row += 1
