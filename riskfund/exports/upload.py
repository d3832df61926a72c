"""Reading an uploaded .xlsx safely: a bank's reconciliation file, or any table a partner sends.

The archive, its limits and its XML are checked by ``upload_archive`` (what is accepted, zip bombs, defused XML);
each cell's value is read by ``upload_values`` (exact decimals, dates). This module reads rows and tables.

Errors
    ``UploadRejected``, a ``RuleViolation`` with status 400 (the file is malformed input, API.md's 400),
    a stable code and a message that names the sheet, row and column::

        upload_not_xlsx          not an .xlsx (or a broken one), macros, templates, encrypted files
        upload_too_large         the file, or its parts unpacked (zip bomb)
        upload_unsafe_xml        a DOCTYPE, entity declarations or external references
        upload_too_many_rows     more data rows than the limit
        upload_missing_sheet     the named sheet is not there
        upload_missing_column    a required header is not in the header row
        upload_duplicate_column  a required header appears twice
        upload_bad_cell          a value of the wrong kind, a formula, an error value, a blank required cell

    ``read_table(..., problems=[])`` collects instead of stopping: every bad cell is appended to the list (each
    an ``UploadRejected`` with ``detail_zh``/``detail_en``: what is wrong, without the place), its value is
    ``None`` and its key is in the row's ``bad`` set, and the reading goes on, so a caller can report every
    bad cell of a file at once (the book import, the reconciliation). A file that cannot be read as a table
    (not .xlsx, too large, unsafe XML, a missing sheet or column, too many rows) still raises at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import InvalidOperation
from typing import Any, NamedTuple

from openpyxl.utils import get_column_letter

from riskfund.money import to_money

from .upload_archive import (
    UploadRejected,
    Workbook,
    cell_error,
    open_workbook,
    xml_iterparse,
)
from .upload_values import (
    column_of,
    decimal_text,
    iso_date,
    local_name,
    normalise_header,
    number_of,
    rich_text,
    serial_date,
)
from .xlsx import TOTAL_LABEL, Column

MAX_AMOUNT_DIGITS = 13  # integer digits: with two places, the 15 significant digits an Excel cell holds


_INT = re.compile(r"[+-]?\d+")


class RawCell(NamedTuple):
    """A cell as stored: ``type`` is number, text, bool, date (ISO text), error or formula; ``value`` raw text."""

    type: str
    value: str


class TableRow(dict):
    """One data row of ``read_table``: a dict by column key, with its sheet row number in ``row``, each key's
    column letter in ``letters`` and, when problems are collected, the keys of its bad cells in ``bad`` and what
    they held, as stored, in ``raw``."""

    row: int
    letters: dict[str, str]
    bad: frozenset[str] = frozenset()
    raw: dict[str, str]


# --- rows and tables ----------------------------------------------------------------------------------


def read_rows(file: Any, *, sheet: str | None = None) -> Iterator[tuple[int, dict[int, RawCell]]]:
    """Every row of a sheet (the first one unless named) as (row number, {column index: RawCell})."""
    book = file if isinstance(file, Workbook) else open_workbook(file)
    name, part = _sheet(book, sheet)
    yield from _rows(book, name, part)


def read_table(
    file: Any,
    *,
    columns: Sequence[Column | tuple[str, str]],
    sheet: str | None = None,
    stop_at_totals: bool = False,
    problems: list[UploadRejected] | None = None,
    field_row: bool = False,
) -> Iterator[TableRow]:
    """Typed rows of a table whose header row holds the columns' Chinese headers (in any order).

    ``columns`` are ``xlsx.Column`` specs (the same ones that write the template) or (header, kind)
    pairs, keyed by header. The header row is the first row with any value; extra columns are ignored;
    fully blank rows are skipped. Values: text → ``str`` (stripped), money → ``Decimal`` with two places,
    date → ``date``, int → ``int``, ratio → ``Decimal``; a blank cell is ``None`` where ``blank=True``.
    With ``stop_at_totals`` the table ends at a row whose first value is 合计 (our own exports' totals row);
    with ``field_row`` a row right under the header that names the columns' keys is skipped (a template's
    second header row). The file is checked before the first row is yielded; a bad cell raises
    ``UploadRejected`` when its row is reached, so take the rows in one go (``list(read_table(...))``) before
    acting on any of them — or pass ``problems`` (a list) to collect every bad cell instead (module docstring).
    """
    specs = [c if isinstance(c, Column) else Column(c[0], c[0], c[1]) for c in columns]
    book = file if isinstance(file, Workbook) else open_workbook(file)
    name, part = _sheet(book, sheet)
    limit = book.limits.max_rows
    rows = _rows(book, name, part)
    positions: dict[int, Column] | None = None
    header_row = 0
    count = 0
    for row_no, cells in rows:
        if all(not c.value.strip() and c.type != "formula" for c in cells.values()):
            continue
        if positions is None:
            _refuse_formulas(name, row_no, cells, None, None)
            positions = _match_header(name, row_no, {i: normalise_header(c.value) for i, c in cells.items()}, specs)
            letters = {col.key: get_column_letter(index) for index, col in positions.items()}
            header_row = row_no
            continue
        if field_row and row_no == header_row + 1 and _names_fields(cells, positions):
            continue
        bad_formulas = _refuse_formulas(name, row_no, cells, positions, problems)
        if stop_at_totals and _first_value(cells) == TOTAL_LABEL:
            return
        count += 1
        if count > limit:
            raise UploadRejected(
                "upload_too_many_rows",
                f"工作表「{name}」超过 {limit} 行数据 / sheet {name}: more than {limit} data rows",
                sheet=name,
                row=row_no,
            )
        out = TableRow()
        out.row, out.letters, out.raw = row_no, letters, {}
        bad = set()
        for index, col in positions.items():
            if index in bad_formulas:
                out[col.key] = None
                out.raw[col.key] = "=" + cells[index].value
                bad.add(col.key)
                continue
            try:
                out[col.key] = _typed(book, name, row_no, index, col, cells.get(index))
            except UploadRejected as exc:
                if problems is None:
                    raise
                problems.append(exc)
                out[col.key] = None
                out.raw[col.key] = cells[index].value if index in cells else ""
                bad.add(col.key)
        out.bad = frozenset(bad)
        yield out
    if positions is None:
        missing = "、".join(c.header for c in specs)
        raise UploadRejected(
            "upload_missing_column",
            f"工作表「{name}」没有表头，缺少列：{missing} / sheet {name} has no header row; missing: {missing}",
            sheet=name,
        )


def _refuse_formulas(
    name: str,
    row_no: int,
    cells: dict[int, RawCell],
    positions: dict[int, Column] | None,
    problems: list[UploadRejected] | None,
) -> set[int]:
    """A formula is never evaluated: raise on the first (or, collecting, record each) and return their columns."""
    found = set()
    for index, cell in cells.items():
        if cell.type != "formula":
            continue
        header = positions[index].header if positions and index in positions else ""
        error = cell_error(name, row_no, index, header, "含有公式，请粘贴为数值", "contains a formula: paste values")
        if problems is None:
            raise error
        if positions is not None and index in positions:
            problems.append(error)
        found.add(index)
    return found


def _names_fields(cells: dict[int, RawCell], positions: dict[int, Column]) -> bool:
    """The row under a template's header that repeats the columns' keys (``uscc``, ``amount``…)."""
    return all(
        cells.get(index) is not None and cells[index].value.strip() == col.key for index, col in positions.items()
    )


def _first_value(cells: dict[int, RawCell]) -> str:
    return next((cells[i].value.strip() for i in sorted(cells) if cells[i].value.strip()), "")


def _sheet(book: Workbook, sheet: str | None) -> tuple[str, str]:
    if sheet is None:
        return next(iter(book.sheets.items()))
    if sheet not in book.sheets:
        raise UploadRejected(
            "upload_missing_sheet", f"没有名为「{sheet}」的工作表 / there is no sheet named {sheet}", sheet=sheet
        )
    return sheet, book.sheets[sheet]


def _rows(book: Workbook, name: str, part: str) -> Iterator[tuple[int, dict[int, RawCell]]]:
    row_no = 0
    sheet_data = None
    with book.part(part) as stream:
        for event, el in xml_iterparse(stream, ("start", "end"), part):
            tag = local_name(el.tag)
            if event == "start":
                if tag == "sheetData":
                    sheet_data = el
                continue
            if tag != "row":
                continue
            row_no = int(el.get("r")) if el.get("r", "").isdigit() else row_no + 1
            cells: dict[int, RawCell] = {}
            column = 0
            for c in el:
                if local_name(c.tag) != "c":
                    continue
                column = column_of(c.get("r"), column)
                cells[column] = _raw_cell(book, name, row_no, column, c)
            if sheet_data is not None:
                sheet_data.remove(el)
            el.clear()
            yield row_no, cells


def _raw_cell(book: Workbook, sheet: str, row: int, column: int, c) -> RawCell:
    """The stored value; a formula is returned as type ``formula`` (never evaluated) for the caller to refuse."""
    kind = c.get("t", "n")
    value_el = formula = inline = None
    for child in c:
        tag = local_name(child.tag)
        if tag == "v":
            value_el = child
        elif tag == "f":
            formula = child
        elif tag == "is":
            inline = child
    if formula is not None:
        return RawCell("formula", formula.text or "")
    raw = value_el.text or "" if value_el is not None else ""
    if kind == "s":
        try:
            return RawCell("text", book.shared_strings[int(raw)])
        except (ValueError, IndexError):
            raise cell_error(sheet, row, column, "", "共享字符串索引无效", "bad shared string index") from None
    if kind == "inlineStr":
        return RawCell("text", rich_text(inline) if inline is not None else "")
    if kind == "str":
        return RawCell("text", raw)
    if kind == "b":
        return RawCell("bool", raw)
    if kind == "e":
        return RawCell("error", raw)
    if kind == "d":
        return RawCell("date", raw)
    return RawCell("number", raw.strip())


def _match_header(sheet: str, row_no: int, texts: dict[int, str], specs: list[Column]) -> dict[int, Column]:
    by_text: dict[str, list[int]] = {}
    for index, text in texts.items():
        by_text.setdefault(text, []).append(index)
    positions: dict[int, Column] = {}
    missing = []
    for col in specs:
        found = by_text.get(normalise_header(col.header), [])
        if not found:
            missing.append(col.header)
        elif len(found) > 1:
            letters = "、".join(get_column_letter(i) for i in found)
            raise UploadRejected(
                "upload_duplicate_column",
                f"工作表「{sheet}」第 {row_no} 行：列「{col.header}」出现多次（{letters}）"
                f" / sheet {sheet}, row {row_no}: column {col.header} appears more than once ({letters})",
                sheet=sheet,
                row=row_no,
                header=col.header,
            )
        else:
            positions[found[0]] = col
    if missing:
        names = "、".join(missing)
        raise UploadRejected(
            "upload_missing_column",
            f"工作表「{sheet}」第 {row_no} 行（表头）缺少列：{names}"
            f" / sheet {sheet}, header row {row_no}: missing {names}",
            sheet=sheet,
            row=row_no,
            header=missing[0],
        )
    return positions


def _typed(book: Workbook, sheet: str, row: int, column: int, col: Column, cell: RawCell | None) -> Any:
    def bad(zh: str, en: str) -> UploadRejected:
        return cell_error(sheet, row, column, col.header, zh, en)

    if cell is not None and cell.type == "error":
        raise bad(f"错误值 {cell.value}", f"error value {cell.value}")
    if cell is None or (cell.type != "number" and not cell.value.strip()) or (cell.type == "number" and not cell.value):
        if col.blank:
            return None
        raise bad("不能为空", "required")
    value = cell.value.strip() if cell.type != "number" else cell.value
    if cell.type == "bool" and col.kind != "text":
        raise bad("不是有效的值（TRUE/FALSE）", "a TRUE/FALSE value is not expected")
    if col.kind == "text":
        if cell.type == "number":
            number = number_of(value)
            if number is None:
                raise bad("不是有效的数字", "not a valid number")
            return str(int(number)) if number == number.to_integral_value() else format(number, "f")
        if cell.type == "bool":
            return "TRUE" if value == "1" else "FALSE"
        return value
    if col.kind in ("money", "ratio"):
        number = number_of(value) if cell.type == "number" else decimal_text(value, ratio=col.kind == "ratio")
        if number is None:
            raise bad(
                "不是金额" if col.kind == "money" else "不是比例",
                "not an amount" if col.kind == "money" else "not a ratio",
            )
        if col.kind == "ratio":
            return number
        if number.adjusted() >= MAX_AMOUNT_DIGITS:
            raise bad("金额过大", "amount too large")
        try:
            return to_money(number)
        except (ValueError, InvalidOperation):
            raise bad("金额最多两位小数", "an amount has at most two decimal places") from None
    if col.kind == "int":
        if cell.type == "number":
            number = number_of(value)
            if number is None or number != number.to_integral_value():
                raise bad("不是整数", "not a whole number")
            return int(number)
        if not _INT.fullmatch(value):
            raise bad("不是整数", "not a whole number")
        return int(value)
    # date
    if cell.type == "number":
        number = number_of(value)
        result = serial_date(number, book.date1904) if number is not None else None
    else:
        result = iso_date(value[:10] if cell.type == "date" else value)
    if result is None:
        raise bad("不是日期（YYYY-MM-DD）", "not a date (YYYY-MM-DD)")
    return result
