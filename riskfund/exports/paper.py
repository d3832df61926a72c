"""Paper: the print setup of every workbook the shared writer makes (issue 18, "对账单盖章").

Statements and reports are printed, signed and stamped before they go to a finance bureau or a bank's archive.
Opened in a spreadsheet program and printed, each sheet of a workbook written by ``riskfund.exports.xlsx``:

- is landscape A4, scaled to fit ONE page wide (as many pages tall as the rows need), so no column spills onto a
  page of its own;
- repeats its header row (row 1) at the top of every printed page;
- carries the party and the period (``Paper``) and the sheet's name in the page header, and "第 x 页 共 y 页" in the
  page footer (Excel's ``&P`` / ``&N`` fields; LibreOffice numbers the pages of the whole workbook).

A summary sheet made with ``summary_sheet(..., paper=Paper(...))`` ends with the signature and stamp block
(经办人 / 复核人 / 盖章 and the date) under its figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.worksheet.properties import PageSetupProperties

PROGRAMME = "包头市中小微企业助保金贷款资金池"  # the party of the programme-wide reports
A4 = "9"  # ECMA-376 paper size code
HEADER_ROW = "1:1"
PAGE_FOOTER = "第 &P 页 共 &N 页"
SHEET_NAME_FIELD = "&A"
MAX_HEADER_TEXT = 200  # a header or footer section holds at most 255 characters with its codes
SIGNATURE_BLOCK: tuple[tuple[str, str | None], ...] = (
    ("经办人（签字）", None),
    ("复核人（签字）", None),
    ("盖章", None),
    ("日期", "      年    月    日"),
)


@dataclass(frozen=True)
class Paper:
    """Who the printed workbook is about (``party``: a bank, a funder, the programme) and for when (``period``)."""

    party: str
    period: str

    @property
    def header(self) -> str:
        return escape_header(f"{self.party}  {self.period}")


def escape_header(text: str) -> str:
    """Text for a header/footer section: ``&`` starts a code there, so a literal one is doubled; controls go."""
    text = "".join(ch for ch in text if ch >= " ")[:MAX_HEADER_TEXT]
    return text.replace("&", "&&")


def signature_items() -> list[tuple[str | None, str | None]]:
    """The rows a summary sheet ends with: one blank row, then 经办人 / 复核人 / 盖章 / 日期 with room to sign."""
    return [(None, None), *SIGNATURE_BLOCK]


def apply_print_setup(ws, paper: Paper | None) -> None:
    """Landscape A4 fitted one page wide, row 1 repeated on each page, party/period and page x of y (before any row
    is written: a write-only sheet writes its properties with its first row)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = HEADER_ROW
    if paper is not None:
        ws.oddHeader.center.text = paper.header
    ws.oddHeader.right.text = SHEET_NAME_FIELD
    ws.oddFooter.center.text = PAGE_FOOTER
