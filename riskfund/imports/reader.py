"""Reading a book: every sheet of the template found in the workbook, every cell's shape, every problem at once.

The workbook goes through the project's safe reader (``riskfund.exports.upload``: .xlsx only, size, row and
zip-bomb limits, defused XML, formulas refused, exact decimals), collecting every bad cell instead of stopping at
the first. On top of the cell kinds the book checks what a column needs: a value for a required field, one of a
column's fixed values (its Chinese label or its code), text no longer than the record takes. The template's
second header row (the field names) and an untouched example row are skipped. Sheets that are not the
template's (说明, anything else) are ignored; a template sheet may be left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from riskfund.exports.upload import read_table
from riskfund.exports.upload_archive import Limits, UploadRejected, open_workbook, upload_limits

from .book import BookSheet, Field
from .problems import Problem, problem
from .sheets import SHEETS

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_ROWS = 200_000
DEFAULT_MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024


def import_limits() -> Limits:
    """A book is larger than a reconciliation file: its own byte and row limits (settings
    ``RISKFUND_IMPORT_MAX_BYTES``, ``RISKFUND_IMPORT_MAX_ROWS``, ``RISKFUND_IMPORT_MAX_UNCOMPRESSED_BYTES``),
    the same compression-ratio limit against zip bombs."""
    base = upload_limits()
    return Limits(
        max_bytes=getattr(settings, "RISKFUND_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES),
        max_rows=getattr(settings, "RISKFUND_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS),
        max_uncompressed_bytes=getattr(
            settings, "RISKFUND_IMPORT_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES
        ),
        max_ratio=base.max_ratio,
    )


@dataclass
class BookRow:
    """One data row: its sheet, its row number, its values by field key, the keys of its bad cells, and each
    key's column letter in the file (a book's columns may come in any order)."""

    sheet: BookSheet
    row: int
    values: dict[str, Any]
    bad: frozenset[str]
    letters: dict[str, str]
    raw: dict[str, str]

    def letter(self, key: str) -> str:
        return self.letters.get(key, "")

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)

    @property
    def ok(self) -> bool:
        return not self.bad


@dataclass
class Book:
    rows: dict[str, list[BookRow]]
    problems: list[Problem]
    sheets: list[str]

    def of(self, kind: str) -> list[BookRow]:
        return self.rows.get(kind, [])

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def read_book(file: Any) -> Book:
    """Every template sheet of ``file`` as ``BookRow``s, with every cell problem. A file that cannot be read at all
    (not .xlsx, too large, unsafe, too many rows) raises ``UploadRejected``; a sheet with a missing or repeated
    column is a problem of that sheet, and the other sheets are still read."""
    workbook = open_workbook(file, limits=import_limits())
    token = _VALUES.set({})
    try:
        return _read(workbook)
    finally:
        _VALUES.reset(token)


def _read(workbook) -> Book:
    book = Book(rows={}, problems=[], sheets=[])
    present = [sheet for sheet in SHEETS if sheet.title in workbook.sheets]
    if not present:
        titles = "、".join(s.title for s in SHEETS)
        book.problems.append(
            problem(sheet="", row=None, code="import_no_sheets", zh=f"应有：{titles}", en=f"expected: {titles}")
        )
        return book
    for sheet in present:
        book.sheets.append(sheet.title)
        cell_problems: list[UploadRejected] = []
        try:
            table = list(
                read_table(
                    workbook,
                    columns=[f.column for f in sheet.fields],
                    sheet=sheet.title,
                    problems=cell_problems,
                    field_row=True,
                )
            )
        except UploadRejected as exc:
            if exc.code not in ("upload_missing_column", "upload_duplicate_column"):
                raise
            book.problems.append(
                problem(sheet=sheet.title, row=exc.row, code=exc.code, zh=exc.detail_zh, en=exc.detail_en)
            )
            continue
        for exc in cell_problems:
            key = _key_of(sheet, exc.header)
            book.problems.append(
                problem(
                    sheet=sheet.title,
                    row=exc.row,
                    column=exc.column,
                    field=key,
                    code=exc.code,
                    zh=exc.detail_zh,
                    en=exc.detail_en,
                )
            )
        rows = []
        for table_row in table:
            if _is_example(sheet, table_row):
                continue
            values, bad = _checked(sheet, table_row, book.problems)
            rows.append(
                BookRow(
                    sheet=sheet,
                    row=table_row.row,
                    values=values,
                    bad=frozenset(bad),
                    letters=table_row.letters,
                    raw={
                        **table_row.raw,
                        **{k: str(table_row[k]) for k in bad - set(table_row.raw) if table_row[k] is not None},
                    },
                )
            )
        book.rows[sheet.kind] = rows
    return book


_VALUES: ContextVar[dict | None] = ContextVar("book_values", default=None)


def _values(field: Field) -> dict[str, str]:
    """A column's fixed values, read once per book (some come from the database: funders, industries)."""
    cache = _VALUES.get()
    if cache is None:
        return field.choices()
    if field.choices not in cache:
        cache[field.choices] = field.choices()
    return cache[field.choices]


def _key_of(sheet: BookSheet, header: str) -> str:
    return next((f.key for f in sheet.fields if f.header == header), "")


def _is_example(sheet: BookSheet, row: Mapping[str, Any]) -> bool:
    """The template's example row, left as it is: every field equal to its example (blank where it has none; a
    fixed value as its code or its label)."""
    return all(row.get(f.key) in _example_forms(f) for f in sheet.fields)


def _example_forms(field: Field) -> tuple:
    if field.example is None:
        return (None,)
    if field.kind != "text":
        return (field.example,)
    forms = (str(field.example),)
    if field.choices is not None:
        forms += (_values(field).get(str(field.example)),)
    return forms


def _checked(sheet: BookSheet, row, problems: list[Problem]) -> tuple[dict[str, Any], set[str]]:
    """The row's values with fixed values turned into their codes, and the keys of its bad cells (recording a
    problem for each new one)."""
    values: dict[str, Any] = {}
    bad = set(row.bad)
    for field in sheet.fields:
        value = row.get(field.key)
        if field.key in bad:
            values[field.key] = None
            continue
        issue = None
        if value is None:
            if field.required:
                issue = ("upload_bad_cell", "不能为空", "required")
        elif field.kind == "text" and len(value) > field.max_length:
            issue = ("import_bad_value", f"最长 {field.max_length} 个字符", f"at most {field.max_length} characters")
        elif field.choices is not None:
            value, issue = _choice(field, value)
        if issue is not None:
            code, zh, en = issue
            problems.append(
                problem(
                    sheet=sheet.title,
                    row=row.row,
                    column=row.letters.get(field.key, ""),
                    field=field.key,
                    code=code,
                    zh=f"{field.header}{zh}" if code == "upload_bad_cell" else zh,
                    en=f"{field.key} {en}" if code == "upload_bad_cell" else en,
                )
            )
            bad.add(field.key)
            value = None
        values[field.key] = value
    return values, bad


def _choice(field: Field, value: str) -> tuple[Any, tuple[str, str, str] | None]:
    choices = _values(field)
    if value in choices:
        return value, None
    by_label = {label: code for code, label in choices.items()}
    if value in by_label:
        return by_label[value], None
    allowed = "、".join(choices.values())
    return None, (
        "import_bad_value",
        f"「{value}」不是可选值（{allowed}）",
        f"{value!r} is not one of {sorted(choices)}",
    )
