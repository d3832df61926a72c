"""The sheet XML of riskfund's workbooks, with exact numbers (riskfund/exports/xlsx.py explains why): openpyxl's
write-only worksheet and worksheet writer, changed to stream rows prepared as text, so that a ``Decimal`` or an
``int`` keeps its exact digits, a date is its 1900-system serial, text stays an inline string, and a cell's note
becomes an Excel comment."""

from __future__ import annotations

from contextlib import contextmanager, suppress
from datetime import date, datetime
from typing import IO
from xml.sax.saxutils import escape

from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.xml.constants import REL_NS, SHEET_MAIN_NS
from openpyxl.xml.functions import tostring

KINDS: tuple[str, ...] = ("text", "money", "date", "int", "ratio")

NOTE_AUTHOR = "riskfund"
_EXCEL_EPOCH = date(1899, 12, 30)
_FIRST_SAFE_DATE = date(1900, 3, 1)


def excel_serial(value: date) -> int:
    """The 1900-system serial of a date (Excel counts a nonexistent 1900-02-29, so earlier dates are refused)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"a date column needs datetime.date, got {type(value).__name__}")
    if value < _FIRST_SAFE_DATE:
        raise ValueError(f"dates before {_FIRST_SAFE_DATE} are not written: {value}")
    return (value - _EXCEL_EPOCH).days


class RawXml:
    """The sheetData stream: ``element`` opens and closes a tag, ``raw`` writes already-escaped XML."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def raw(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    @contextmanager
    def element(self, tag: str):
        self.raw(f"<{tag}>")
        yield self
        self.raw(f"</{tag}>")


class ExactWriter(WorksheetWriter):
    """openpyxl's worksheet writer, streaming prepared rows as text: numbers keep their exact digits, text
    stays an inline string. The parts above and below the rows (views, columns, autofilter, margins) are
    openpyxl's own elements, serialised as they come (``get_stream`` speaks ``WorksheetWriter``'s protocol:
    an element is written, ``True`` hands out the row stream, ``None`` takes it back)."""

    def get_stream(self):
        with open(self.out, "wb") as out:
            out.write(b'<?xml version="1.0" encoding="utf-8"?>\n')
            out.write(f'<worksheet xmlns="{SHEET_MAIN_NS}" xmlns:r="{REL_NS}">'.encode())
            try:
                while True:
                    el = yield
                    if el is True:
                        yield RawXml(out)
                    elif el is not None:
                        out.write(tostring(el))
            except GeneratorExit:
                out.write(b"</worksheet>")

    def write_row(self, xf, row, row_idx):
        parts = [f'<row r="{row_idx}">']
        for out in row:
            if out.note:
                comment = CommentRecord(ref=f"{out.column}{row_idx}", author=NOTE_AUTHOR, height=120, width=240)
                comment.text.t = out.note
                self.ws._comments.append(comment)
            style = f' s="{out.style}"' if out.style else ""
            if out.type == "n":
                parts.append(f'<c r="{out.column}{row_idx}" t="n"{style}><v>{out.text}</v></c>')
            else:
                space = ' xml:space="preserve"' if out.text != out.text.strip() else ""
                parts.append(
                    f'<c r="{out.column}{row_idx}" t="inlineStr"{style}><is><t{space}>{escape(out.text)}</t></is></c>'
                )
        parts.append("</row>")
        xf.raw("".join(parts))


class ExactSheet(WriteOnlyWorksheet):
    """A write-only worksheet whose rows are lists of ``xlsx._Out`` cells, written by ``ExactWriter``."""

    def _get_writer(self):
        if self._writer is None:
            self._writer = ExactWriter(self)
            self._writer.write_top()

    def _values_to_row(self, values, row_idx):
        return values

    def abandon(self) -> None:
        """Close the row stream, then the file, and remove the temporary file of a sheet left half-written."""
        if self._rows is not None:
            self._rows.close()
            self._rows = None
        if self._writer is not None:
            self._writer.close()
            with suppress(FileNotFoundError, ValueError):  # already archived and removed by save()
                self._writer.cleanup()
