"""Writing Excel workbooks: column and sheet specs streamed to ``openpyxl.Workbook(write_only=True)``.

An export is a list of ``Sheet`` specs; each has ``Column`` specs and ``rows``, an iterable (usually a
generator over ``queryset.iterator()``) of dicts keyed by column key or of tuples in column order. Rows
are written as they come and never kept, so memory stays flat however many rows there are (the sheet
XML goes to a temporary file; ``target`` should be a path or a real file, not a ``BytesIO``, for the
largest exports).

Every sheet gets Chinese headers in bold, a frozen header row (pane at A2), an autofilter over the
header and data rows, column widths from the spec (or a default by kind and header length), and, when
``totals=True``, a 合计 row under the data with the sum of every money column, computed in Python with
``Decimal`` while streaming and written as a value (never a formula).

Kinds and number formats::

    text   str (anything else is str()-ed)   general
    money  Decimal or int, ≤ 2 places         #,##0.00
    date   datetime.date (not a datetime)     yyyy-mm-dd (a real Excel date serial)
    int    int                               0
    ratio  Decimal or int, a fraction          0.00%   (Decimal("0.40") shows 40.00%)

Floats are refused everywhere: an amount is never a float.

Exact numbers. openpyxl 3.1.5 serialises every number with ``"%.16g" % value``, i.e. through a float
printed to 16 significant digits, so ``Decimal("74850651.51")`` lands in the XML as
``74850651.51000001`` (about one amount in ten of 10 digits or more is affected). Excel reads that as the
same double, but the file no longer says what we meant and a strict reader sees noise. ``sheet_xml.ExactWriter``
writes ``Decimal`` and ``int`` cells with their exact digits (``format(value, "f")``) instead; numbers are refused
beyond 15 significant digits, the precision an Excel cell holds.

Formula injection. A cell is a formula only if it has an ``<f>`` element; openpyxl creates one for any
``str`` value that starts with ``=``. Every text cell here is written as an inline string with the
cell's data type forced to ``"s"``; text that starts with ``=``, ``+``, ``-``, ``@``, tab, CR or LF also
gets the ``quotePrefix`` style flag, which is what Excel and WPS set for text typed with a leading
apostrophe: the cell shows the literal text (no apostrophe is added to the value) and stays text when
a user edits it and presses Enter. openpyxl reads the same string back with data type ``"s"``. Control
characters XML cannot carry (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F) become U+FFFD. XML 1.0
§2.11 turns CR LF and a lone CR in text into LF when the file is read, so line breaks are normalised
to LF when written (an Excel in-cell line break is LF); leading and trailing whitespace is preserved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any, Literal, NamedTuple

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from riskfund.money import ZERO, to_money

from .paper import Paper, apply_print_setup, signature_items
from .sheet_xml import ExactSheet, excel_serial

Kind = Literal["text", "money", "date", "int", "ratio"]
KINDS: tuple[str, ...] = ("text", "money", "date", "int", "ratio")

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
INT_FORMAT = "0"
RATIO_FORMAT = "0.00%"
NUMBER_FORMATS = {"money": MONEY_FORMAT, "date": DATE_FORMAT, "int": INT_FORMAT, "ratio": RATIO_FORMAT}
DEFAULT_WIDTHS = {"money": 18.0, "date": 12.0, "int": 10.0, "ratio": 10.0, "text": 14.0}
TOTAL_LABEL = "合计"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_SIGNIFICANT_DIGITS = 15
PROGRESS_EVERY = 1000

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_BOLD = Font(bold=True)
_MARKED_FILL = PatternFill("solid", fgColor="FFC7CE")

ProgressCallback = Callable[[int, int | None], None]


@dataclass(frozen=True)
class Column:
    """One column: ``key`` in row dicts, Chinese ``header``, ``kind``, optional ``width`` in characters.

    ``blank`` only matters when reading an upload (``riskfund.exports.upload.read_table``): a blank cell
    in a column without ``blank=True`` is an error.
    """

    key: str
    header: str
    kind: Kind = "text"
    width: float | None = None
    blank: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}; one of {KINDS}")
        if not self.header:
            raise ValueError("a column needs a header")

    @property
    def display_width(self) -> float:
        if self.width is not None:
            return self.width
        # CJK characters are about two Latin characters wide
        header_width = sum(2 if ord(ch) > 0x2E7F else 1 for ch in self.header) + 4
        return max(DEFAULT_WIDTHS[self.kind], float(header_width))


@dataclass(frozen=True)
class Typed:
    """A value with its own kind, overriding the column's (the summary sheet mixes kinds in one column); with a
    ``note`` the cell is marked (a red fill) and carries the note as a comment (an import's bad cell)."""

    value: Any
    kind: Kind
    note: str = ""


@dataclass
class Sheet:
    """One worksheet: ``title`` (≤ 31 characters, none of ``\\ / * ? : [ ]``), columns and rows.

    ``rows`` is consumed once. ``count`` is the number of rows expected, if known (for progress).
    ``totals`` adds the 合计 row for money columns. ``paper`` names the party and period printed on every page of
    the workbook (``riskfund.exports.paper``; the summary sheet usually carries it).
    """

    title: str
    columns: Sequence[Column]
    rows: Iterable[Mapping[str, Any] | Sequence[Any]]
    totals: bool = False
    count: int | None = None
    freeze_header: bool = True
    autofilter: bool = True
    paper: Paper | None = None

    def __post_init__(self) -> None:
        if not self.title or len(self.title) > 31 or _SHEET_TITLE_FORBIDDEN.search(self.title):
            raise ValueError(f"invalid sheet title {self.title!r}")
        if not self.columns:
            raise ValueError("a sheet needs columns")
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate column keys in sheet {self.title!r}")


@dataclass
class SheetResult:
    title: str
    rows: int
    totals: dict[str, Decimal] = field(default_factory=dict)


def summary_sheet(
    title: str, items: Iterable[tuple[str, Any] | tuple[str, Any, Kind]], *, paper: Paper | None = None
) -> Sheet:
    """A two-column sheet of label/value pairs (项目/数值), for the first page of a statement or report.

    The kind of each value is given as a third element or taken from its type: ``Decimal`` → money,
    ``date`` → date, ``int`` → int, anything else → text (a ratio must be given explicitly). With ``paper`` the
    sheet ends with the signature and stamp block and the workbook prints the party and period on every page.
    """

    items = [*items, *(signature_items() if paper is not None else [])]
    rows = [(item[0], Typed(item[1], item[2] if len(item) > 2 else _infer_kind(item[1]))) for item in items]
    return Sheet(
        title=title,
        columns=[Column("label", "项目", "text", width=28), Column("value", "数值", "text", width=24)],
        rows=rows,
        count=len(rows),
        freeze_header=False,
        autofilter=False,
        paper=paper,
    )


def write_workbook(
    sheets: Iterable[Sheet],
    target: str | IO[bytes] | Any,
    *,
    progress: ProgressCallback | None = None,
    total_rows: int | None = None,
    paper: Paper | None = None,
) -> list[SheetResult]:
    """Stream ``sheets`` into an .xlsx at ``target`` (a path or a binary file); return rows and totals.

    ``progress(done, total)`` is called every ``PROGRESS_EVERY`` data rows and once at the end, with
    ``total`` = ``total_rows`` or the sum of the sheets' ``count`` (``None`` when a count is unknown).
    Every sheet gets the print setup of ``riskfund.exports.paper`` with ``paper`` (default: the first sheet's).
    """
    sheets = list(sheets)
    paper = paper or next((s.paper for s in sheets if s.paper is not None), None)
    if total_rows is None and all(s.count is not None for s in sheets):
        total_rows = sum(s.count or 0 for s in sheets)
    wb = Workbook(write_only=True)
    results: list[SheetResult] = []
    done = 0
    titles: set[str] = set()
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    try:
        for spec in sheets:
            if spec.title in titles:
                raise ValueError(f"duplicate sheet title {spec.title!r}")
            titles.add(spec.title)
            ws = ExactSheet(parent=wb, title=spec.title)
            wb._add_sheet(ws)
            apply_print_setup(ws, paper)
            result, done = _write_sheet(ws, spec, done=done, total=total_rows, progress=progress)
            results.append(result)
        wb.save(target)
    except BaseException:
        for ws in wb.worksheets:
            ws.abandon()
        raise
    if progress is not None:
        progress(done, total_rows)
    return results


def safe_text(value: Any) -> str:
    """The text as it goes into a cell: illegal control characters replaced, line breaks as LF."""
    text = value if isinstance(value, str) else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("\ufffd", text)


def is_formula_trigger(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


# --- internals ----------------------------------------------------------------------------------------


def _infer_kind(value: Any) -> Kind:
    if isinstance(value, Decimal):
        return "money"
    if isinstance(value, date) and not isinstance(value, datetime):
        return "date"
    if isinstance(value, int) and not isinstance(value, bool):
        return "int"
    return "text"


def _write_sheet(ws, spec: Sheet, *, done: int, total: int | None, progress: ProgressCallback | None):
    columns = list(spec.columns)
    letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
    for letter, col in zip(letters, columns, strict=True):
        ws.column_dimensions[letter].width = col.display_width
    if spec.freeze_header:
        ws.freeze_panes = "A2"
    styles = _Styles(ws)

    ws.append(
        [_out(letter, col.header, "text", styles, header=True) for letter, col in zip(letters, columns, strict=True)]
    )

    money_keys = [c.key for c in columns if c.kind == "money"]
    sums: dict[str, Decimal] = dict.fromkeys(money_keys, ZERO)
    count = 0
    for row in spec.rows:
        values = _row_values(row, columns, spec.title, count + 2)
        cells = []
        for letter, col, value in zip(letters, columns, values, strict=True):
            if value is None:
                continue
            if isinstance(value, Typed):
                if value.value is not None or value.note:
                    cells.append(_out(letter, value.value, value.kind, styles, note=value.note))
                continue
            if col.kind == "money":
                value = _money(value)
                sums[col.key] += value
            cells.append(_out(letter, value, col.kind, styles))
        ws.append(cells)
        count += 1
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)

    if spec.autofilter:
        ws.auto_filter.ref = f"A1:{letters[-1]}{count + 1}"
    if spec.totals and money_keys:
        label_at = next((i for i, c in enumerate(columns) if c.kind != "money"), None)
        totals = []
        for i, (letter, col) in enumerate(zip(letters, columns, strict=True)):
            if col.kind == "money":
                totals.append(_out(letter, sums[col.key], "money", styles, bold=True))
            elif i == label_at:
                totals.append(_out(letter, TOTAL_LABEL, "text", styles, bold=True))
        ws.append(totals)
    return SheetResult(spec.title, count, sums if spec.totals else {}), done


def _row_values(row, columns: list[Column], title: str, row_no: int) -> list[Any]:
    if isinstance(row, Mapping):
        return [row.get(col.key) for col in columns]
    values = list(row)
    if len(values) != len(columns):
        raise ValueError(f"sheet {title!r} row {row_no}: {len(values)} values for {len(columns)} columns")
    return values


def _money(value: Any) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money is never a float")
    return to_money(value)


def _check_digits(value: Decimal | int) -> None:
    digits = len(str(abs(value))) if isinstance(value, int) else len(value.as_tuple().digits)
    if digits > MAX_SIGNIFICANT_DIGITS:
        raise ValueError(f"{value} has more than {MAX_SIGNIFICANT_DIGITS} significant digits (Excel's precision)")


class _Out(NamedTuple):
    """One prepared cell: column letter, OOXML type (``n`` or ``inlineStr``), exact text, style id, a note."""

    column: str
    type: str
    text: str
    style: int
    note: str = ""


class _Styles:
    """The workbook's style ids for (kind, header/bold, quote prefix), registered once per sheet."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.ids: dict[tuple[str, bool, bool, bool, bool], int] = {}

    def id(
        self, kind: str, *, header: bool = False, bold: bool = False, quote: bool = False, marked: bool = False
    ) -> int:
        key = (kind, header, bold, quote, marked)
        if key not in self.ids:
            cell = WriteOnlyCell(self.ws)
            if kind != "text":
                cell.number_format = NUMBER_FORMATS[kind]
            if header:
                cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
            elif bold:
                cell.font = _BOLD
            if marked:
                cell.fill = _MARKED_FILL
            if quote:
                cell.quotePrefix = True
            self.ids[key] = cell.style_id if cell.has_style else 0
        return self.ids[key]


def _out(
    column: str, value: Any, kind: str, styles: _Styles, *, header: bool = False, bold: bool = False, note: str = ""
) -> _Out:
    """One cell; with a ``note`` it is marked (red fill) and the note becomes its comment."""
    marked = bool(note)
    if value is None:
        return _Out(column, "inlineStr", "", styles.id("text", marked=marked), note)
    if isinstance(value, float):
        raise TypeError(f"a float {value!r} in a {kind} cell: pass Decimal")
    if kind == "text":
        text = safe_text(value)
        quote = is_formula_trigger(text)
        return _Out(
            column, "inlineStr", text, styles.id("text", header=header, bold=bold, quote=quote, marked=marked), note
        )
    if kind == "money":
        value = _money(value)
    elif kind == "ratio":
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise TypeError(f"a ratio must be Decimal, not {type(value).__name__}")
        if not Decimal(value).is_finite():
            raise ValueError(f"not a finite ratio: {value!r}")
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"an int column got {type(value).__name__}")
    elif kind == "date":
        return _Out(column, "n", str(excel_serial(value)), styles.id("date", bold=bold, marked=marked), note)
    _check_digits(value)
    text = str(value) if isinstance(value, int) else format(value, "f")
    return _Out(column, "n", text, styles.id(kind, bold=bold, marked=marked), note)
