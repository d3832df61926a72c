"""Reading an uploaded .xlsx safely: a bank's reconciliation file, or any table a partner sends.

What is accepted
    Only an Office Open XML workbook (.xlsx): a zip (signature ``PK\\x03\\x04``) whose
    ``[Content_Types].xml`` names a main part of type
    ``application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml``. A macro-enabled
    workbook (.xlsm, or any part of type ``vnd.ms-office.vbaProject``), a template, a legacy .xls (OLE,
    also what an encrypted .xlsx is), a csv or anything else renamed .xlsx is refused.

Limits (read from settings at every call, so tests can override them)
    ``RISKFUND_UPLOAD_MAX_BYTES`` (5 MiB) for the file; ``RISKFUND_UPLOAD_MAX_ROWS`` (50,000) data rows;
    ``RISKFUND_UPLOAD_MAX_UNCOMPRESSED_BYTES`` (100 MiB) for all parts unpacked together and
    ``RISKFUND_UPLOAD_MAX_RATIO`` (100) for the compression ratio of any part over 1 MiB: a zip bomb is
    refused from the zip directory before anything is inflated, and every part is also counted while it
    is read, so a directory that lies is caught too (zipfile also stops at the declared size and checks
    the CRC).

XML
    Every part is parsed here with ``defusedxml`` (``forbid_dtd=True``, so no DOCTYPE at all: no entity
    expansion, no external entities), streaming with ``iterparse`` and clearing rows as they are read.
    openpyxl is not used for reading: it does use defusedxml when installed (``openpyxl.DEFUSEDXML``), but
    that can be switched off by the ``OPENPYXL_DEFUSEDXML`` environment variable, and it turns every
    number into a float. Formulas are never evaluated: a cell with a formula is refused, whatever value
    it has cached.

Numbers
    A number cell holds a decimal string (``<v>1234567.89</v>``) and is parsed with ``Decimal``, never
    via float arithmetic. A cell in .xlsx is an IEEE double, and Excel writes some doubles with up to 17
    significant digits (1234567.89 typed by a user may be stored as ``1234567.8899999999``); a value with
    more than 15 significant digits is therefore read as the shortest decimal that is the same double
    (Python's ``repr`` of it, exact by construction), which is what the user typed. Up to 15 significant
    digits the string is taken as it is. An amount must then have at most two decimal places.

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

import os
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import IO, Any, NamedTuple

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring, iterparse
from django.conf import settings
from openpyxl.utils import column_index_from_string, get_column_letter

from riskfund.errors import RuleViolation
from riskfund.money import to_money

from .xlsx import TOTAL_LABEL, Column

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 50_000
DEFAULT_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024
MAX_PARTS = 10_000
MAX_METADATA_BYTES = 10 * 1024 * 1024
STATUS = 400
MAX_AMOUNT_DIGITS = 13  # integer digits: with two places, the 15 significant digits an Excel cell holds

WORKBOOK_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_TYPES = (
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-office.vbaProject",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml",
)
TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_INT = re.compile(r"[+-]?\d+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    max_uncompressed_bytes: int
    max_ratio: int


def upload_limits() -> Limits:
    return Limits(
        max_bytes=getattr(settings, "RISKFUND_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES),
        max_rows=getattr(settings, "RISKFUND_UPLOAD_MAX_ROWS", DEFAULT_MAX_ROWS),
        max_uncompressed_bytes=getattr(
            settings, "RISKFUND_UPLOAD_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES
        ),
        max_ratio=getattr(settings, "RISKFUND_UPLOAD_MAX_RATIO", DEFAULT_MAX_RATIO),
    )


class UploadRejected(RuleViolation):
    """A refused upload; ``sheet``, ``row`` (1-based), ``column`` (letter) and ``header`` when known;
    ``detail_zh``/``detail_en`` say what is wrong with a cell, without its place."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        sheet: str = "",
        row: int | None = None,
        column: str = "",
        header: str = "",
        detail_zh: str = "",
        detail_en: str = "",
    ) -> None:
        super().__init__(code, "", message, status=STATUS)
        self.sheet, self.row, self.column, self.header = sheet, row, column, header
        self.detail_zh, self.detail_en = detail_zh or message, detail_en or message


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


def rejected_all(problems: Sequence[UploadRejected]) -> UploadRejected:
    """One refusal that names every problem: the first one's code, all messages joined, and ``errors`` by
    cell (``{"贷款余额!B3": [message, …]}``, the API's problem+json ``errors`` member)."""
    first = problems[0]
    errors: dict[str, list[str]] = {}
    for problem in problems:
        place = (
            f"{problem.sheet}!{problem.column}{problem.row or ''}"
            if problem.sheet
            else f"{problem.column}{problem.row or ''}"
        )
        errors.setdefault(place or "file", []).append(problem.message)
    summary = f"{len(problems)} 处错误 / {len(problems)} problems: " + "; ".join(p.message for p in problems[:20])
    combined = UploadRejected(first.code, summary, sheet=first.sheet, row=first.row, column=first.column)
    combined.errors = errors
    return combined


# --- the archive --------------------------------------------------------------------------------------


class Workbook:
    """A checked .xlsx archive: its worksheets by name, shared strings and date system."""

    def __init__(self, archive: zipfile.ZipFile, limits: Limits) -> None:
        self.archive = archive
        self.limits = limits
        self.sheets: dict[str, str] = {}  # name → part path, in workbook order
        self.date1904 = False
        self._shared_strings: list[str] | None = None
        self._shared_strings_part: str | None = None

    def part(self, name: str) -> _CountingReader:
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise _not_xlsx(f"缺少部件 {name} / part {name} is missing") from None
        return _CountingReader(self.archive.open(info), info.file_size, name)

    def xml(self, name: str):
        """A small part (content types, workbook, relationships) parsed whole; sheets are streamed instead."""
        info = next((i for i in self.archive.infolist() if i.filename == name), None)
        if info is not None and info.file_size > MAX_METADATA_BYTES:
            raise _not_xlsx(f"{name} 过大 / {name} is too large")
        with self.part(name) as stream:
            return _parse(stream.read(), name)

    @property
    def shared_strings(self) -> list[str]:
        if self._shared_strings is None:
            self._shared_strings = []
            if self._shared_strings_part:
                with self.part(self._shared_strings_part) as stream:
                    for _, el in _iterparse(stream, ("end",), self._shared_strings_part):
                        if _local(el.tag) == "si":
                            self._shared_strings.append(_rich_text(el))
                            el.clear()
        return self._shared_strings


def open_workbook(file: Any, *, limits: Limits | None = None) -> Workbook:
    """Check the upload (size, signature, zip, bomb, content types) and read the workbook's sheet list;
    ``limits`` replace the settings' upload limits (a caller with larger files, still bounded)."""
    limits = limits or upload_limits()
    data = _load(file, limits.max_bytes)
    if data[:8] == OLE_SIGNATURE:
        raise _not_xlsx("旧版 .xls 或加密的工作簿，请另存为 .xlsx / a legacy .xls or encrypted workbook: save as .xlsx")
    if data[:4] != ZIP_SIGNATURE:
        raise _not_xlsx("不是 .xlsx 文件 / not an .xlsx file")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise _not_xlsx("损坏的 .xlsx 文件 / a broken .xlsx file") from exc
    _check_zip(infos, limits)
    book = Workbook(archive, limits)
    main = _main_part(book, {i.filename for i in infos})
    _read_workbook(book, main)
    return book


def _load(file: Any, max_bytes: int) -> bytes:
    too_large = UploadRejected(
        "upload_too_large", f"文件超过 {max_bytes} 字节 / the file is larger than {max_bytes} bytes"
    )
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
    elif isinstance(file, str | os.PathLike):
        if os.path.getsize(file) > max_bytes:
            raise too_large
        with open(file, "rb") as f:
            data = f.read(max_bytes + 1)
    else:
        size = getattr(file, "size", None)
        if isinstance(size, int) and size > max_bytes:
            raise too_large
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large
    return data


def _check_zip(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > MAX_PARTS:
        raise _not_xlsx(f"部件过多（{len(infos)}）/ too many parts ({len(infos)})")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise _not_xlsx("重复的部件名 / duplicate part names")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _not_xlsx("加密的部件 / an encrypted part")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _not_xlsx(f"不支持的压缩方式 / unsupported compression in {info.filename}")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECKED_FROM and ratio > limits.max_ratio:
            raise _bomb(f"{info.filename} 压缩比 {ratio:.0f}:1 / compression ratio {ratio:.0f}:1")
    if total > limits.max_uncompressed_bytes:
        raise _bomb(f"解压后 {total} 字节 / {total} bytes unpacked")


def _main_part(book: Workbook, names: set[str]) -> str:
    if "[Content_Types].xml" not in names:
        raise _not_xlsx("缺少 [Content_Types].xml / no [Content_Types].xml: not an Office Open XML file")
    types = book.xml("[Content_Types].xml")
    overrides: dict[str, str] = {}
    defaults: dict[str, str] = {}
    for el in types:
        name = _local(el.tag)
        if name == "Override":
            overrides[el.get("PartName", "").lstrip("/")] = el.get("ContentType", "")
        elif name == "Default":
            defaults[el.get("Extension", "").lower()] = el.get("ContentType", "")
    content_types = set(overrides.values()) | set(defaults.values())
    if content_types & set(MACRO_TYPES) or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise _not_xlsx("含有宏的工作簿（.xlsm）不被接受 / a macro-enabled workbook (.xlsm) is not accepted")
    if TEMPLATE_MAIN in content_types:
        raise _not_xlsx("模板文件（.xltx）不被接受 / a template (.xltx) is not accepted")
    mains = [part for part, ctype in overrides.items() if ctype == WORKBOOK_MAIN]
    if len(mains) != 1 or mains[0] not in names:
        raise _not_xlsx("不是 Excel 工作簿 / not an Excel workbook")
    return mains[0]


def _read_workbook(book: Workbook, main: str) -> None:
    base = posixpath.dirname(main)
    rels_name = posixpath.join(base, "_rels", posixpath.basename(main) + ".rels")
    targets: dict[str, tuple[str, str]] = {}
    for el in book.xml(rels_name):
        if _local(el.tag) == "Relationship" and el.get("TargetMode") != "External":
            target = el.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            targets[el.get("Id", "")] = (el.get("Type", "").rsplit("/", 1)[-1], path)
            if targets[el.get("Id", "")][0] == "sharedStrings":
                book._shared_strings_part = path
    workbook = book.xml(main)
    for el in workbook.iter():
        name = _local(el.tag)
        if name == "workbookPr":
            book.date1904 = el.get("date1904", "0").lower() in ("1", "true")
        elif name == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
            kind, path = targets.get(rid, ("", ""))
            if kind == "worksheet":
                book.sheets[el.get("name", "")] = path
    if not book.sheets:
        raise _not_xlsx("工作簿中没有工作表 / the workbook has no worksheet")


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
            positions = _match_header(name, row_no, {i: _normalise_header(c.value) for i, c in cells.items()}, specs)
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
        error = _cell_error(name, row_no, index, header, "含有公式，请粘贴为数值", "contains a formula: paste values")
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
        for event, el in _iterparse(stream, ("start", "end"), part):
            tag = _local(el.tag)
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
                if _local(c.tag) != "c":
                    continue
                column = _column_of(c.get("r"), column)
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
        tag = _local(child.tag)
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
            raise _cell_error(sheet, row, column, "", "共享字符串索引无效", "bad shared string index") from None
    if kind == "inlineStr":
        return RawCell("text", _rich_text(inline) if inline is not None else "")
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
        found = by_text.get(_normalise_header(col.header), [])
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
        return _cell_error(sheet, row, column, col.header, zh, en)

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
            number = _number(value)
            if number is None:
                raise bad("不是有效的数字", "not a valid number")
            return str(int(number)) if number == number.to_integral_value() else format(number, "f")
        if cell.type == "bool":
            return "TRUE" if value == "1" else "FALSE"
        return value
    if col.kind in ("money", "ratio"):
        number = _number(value) if cell.type == "number" else _decimal_text(value, ratio=col.kind == "ratio")
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
            number = _number(value)
            if number is None or number != number.to_integral_value():
                raise bad("不是整数", "not a whole number")
            return int(number)
        if not _INT.fullmatch(value):
            raise bad("不是整数", "not a whole number")
        return int(value)
    # date
    if cell.type == "number":
        number = _number(value)
        result = _serial_date(number, book.date1904) if number is not None else None
    else:
        result = _iso_date(value[:10] if cell.type == "date" else value)
    if result is None:
        raise bad("不是日期（YYYY-MM-DD）", "not a date (YYYY-MM-DD)")
    return result


# --- values -------------------------------------------------------------------------------------------


def _number(raw: str) -> Decimal | None:
    """An exact Decimal of a number cell's stored string (see the module docstring on 16–17 digits)."""
    try:
        number = Decimal(raw)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if len(number.as_tuple().digits) > 15:
        number = Decimal(repr(float(number)))
    return number


def _decimal_text(text: str, *, ratio: bool) -> Decimal | None:
    text = text.replace(" ", "").replace("\u3000", "")
    percent = ratio and text.endswith("%")
    if percent:
        text = text[:-1]
    if _GROUPED_NUMBER.fullmatch(text):
        text = text.replace(",", "")
    if not _PLAIN_NUMBER.fullmatch(text):
        return None
    number = Decimal(text)
    return number.scaleb(-2) if percent else number


def _serial_date(serial: Decimal, date1904: bool) -> date | None:
    if serial != serial.to_integral_value():
        return None
    days = int(serial)
    try:
        if date1904:
            return date(1904, 1, 1) + timedelta(days=days) if days >= 0 else None
        if days < 1 or days == 60:  # Excel's serial 60 is 1900-02-29, a day that did not exist
            return None
        return date(1899, 12, 31) + timedelta(days=days) if days < 60 else date(1899, 12, 30) + timedelta(days=days)
    except OverflowError:
        return None


def _iso_date(text: str) -> date | None:
    match = _ISO_DATE.fullmatch(text)
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _normalise_header(text: str) -> str:
    return _SPACES.sub("", text.replace("\u3000", " "))


def _rich_text(el) -> str:
    """The text of an ``<si>`` or ``<is>``: its ``<t>``, or its runs' ``<t>``, without phonetic runs."""
    parts = []
    for child in el:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _column_of(ref: str | None, previous: int) -> int:
    if ref:
        letters = ref.rstrip("0123456789")
        try:
            return column_index_from_string(letters)
        except ValueError:
            pass
    return previous + 1


# --- XML and errors -----------------------------------------------------------------------------------


class _CountingReader:
    """A zip member stream that refuses to give more bytes than its directory entry declared."""

    def __init__(self, stream: IO[bytes], declared: int, name: str) -> None:
        self.stream, self.declared, self.name, self.count = stream, declared, name, 0

    def read(self, size: int = -1) -> bytes:
        try:
            data = self.stream.read(size)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise _not_xlsx(f"{self.name} 已损坏 / {self.name} is corrupt") from exc
        self.count += len(data)
        if self.count > self.declared:
            raise _bomb(f"{self.name} 比声明的更大 / {self.name} is larger than declared")
        return data

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stream.close()


def _parse(data: bytes, name: str):
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise _unsafe(name) from exc
    except Exception as exc:  # xml.etree.ElementTree.ParseError and friends
        raise _not_xlsx(f"{name} 不是有效的 XML / {name} is not well-formed XML") from exc


def _iterparse(stream, events, name: str):
    try:
        yield from iterparse(stream, events=events, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise _unsafe(name) from exc
    except SyntaxError as exc:  # ParseError is a SyntaxError
        raise _not_xlsx(f"{name} 不是有效的 XML / {name} is not well-formed XML") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _not_xlsx(detail: str) -> UploadRejected:
    return UploadRejected(
        "upload_not_xlsx", f"只接受 .xlsx 工作簿：{detail} / only .xlsx workbooks are accepted: {detail}"
    )


def _bomb(detail: str) -> UploadRejected:
    return UploadRejected(
        "upload_too_large", f"解压后过大（疑似压缩炸弹）：{detail} / too large unpacked (zip bomb?): {detail}"
    )


def _unsafe(name: str) -> UploadRejected:
    return UploadRejected(
        "upload_unsafe_xml",
        f"{name} 含有 DTD 或实体声明，已拒绝 / {name} contains a DTD or entity declarations and is refused",
    )


def _cell_error(sheet: str, row: int, column: int, header: str, zh: str, en: str) -> UploadRejected:
    letter = get_column_letter(column)
    named_zh = f"（{header}）" if header else ""
    named_en = f" ({header})" if header else ""
    return UploadRejected(
        "upload_bad_cell",
        f"工作表「{sheet}」第 {row} 行 {letter} 列{named_zh}：{zh}"
        f" / sheet {sheet}, row {row}, column {letter}{named_en}: {en}",
        sheet=sheet,
        row=row,
        column=letter,
        header=header,
        detail_zh=zh,
        detail_en=en,
    )
