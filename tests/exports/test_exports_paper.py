"""Paper (issue 18): every workbook of the shared writer prints landscape, one page wide, its header row on every
page, the party / period and "第 x 页 共 y 页" in the page header and footer, and a signature and stamp block under
the summary.

The LibreOffice test converts a generated workbook to PDF (``libreoffice --headless --convert-to pdf``, Debian's
``libreoffice-calc-nogui`` in CI) and reads each page back with ``pdftotext`` (poppler-utils); it is skipped, with
the reason, where either is missing.
"""

import re
import shutil
import subprocess
import uuid
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from banks.statements import LOAN_COLUMNS
from riskfund.exports.paper import PAGE_FOOTER, Paper, escape_header
from riskfund.exports.xlsx import Sheet, summary_sheet, write_workbook

PAPER = Paper("包头银行（BOB）", "2025-03（2025-03-01 至 2025-03-31）")
LOANS = 150
PAGE_MARK = re.compile(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页")


def loan_rows(n: int):
    for i in range(n):
        yield {
            "contract_no": f"PRINT-{i:04d}",
            "enterprise": f"包头打印测试企业{i}有限公司",
            "uscc": "91150202MA0000000X",
            "district": "东河区",
            "principal": Decimal("1000000.00"),
            "disbursed_on": date(2025, 1, 1) + timedelta(days=i % 60),
            "maturity_on": date(2026, 1, 1),
            "annual_rate": Decimal("0.0345"),
            "outstanding": Decimal("500000.01"),
            "status": "正常",
            "overdue_days": 0,
        }


def workbook(target) -> None:
    summary = summary_sheet(
        "概要", [("报表", "合作银行月度对账单"), ("期末贷款余额", Decimal("75000000.75"))], paper=PAPER
    )
    write_workbook([summary, Sheet("贷款台账", LOAN_COLUMNS, loan_rows(LOANS), totals=True, count=LOANS)], target)


def test_every_sheet_has_the_print_setup_and_the_summary_ends_with_the_signature_block():
    buffer = BytesIO()
    workbook(buffer)
    book = load_workbook(BytesIO(buffer.getvalue()))
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.print_title_rows == "$1:$1"
        assert ws.oddHeader.center.text == "包头银行（BOB）  2025-03（2025-03-01 至 2025-03-31）"
        assert ws.oddHeader.right.text == "&A"
        assert ws.oddFooter.center.text == PAGE_FOOTER == "第 &P 页 共 &N 页"
    rows = [tuple(c.value for c in row) for row in book["概要"].iter_rows()]
    assert rows[-5:] == [(None, None), ("经办人（签字）", None), ("复核人（签字）", None), ("盖章", None), rows[-1]]
    assert rows[-1][0] == "日期" and "年" in rows[-1][1]


def test_a_workbook_without_paper_still_prints_one_page_wide_with_page_numbers():
    buffer = BytesIO()
    write_workbook([Sheet("贷款台账", LOAN_COLUMNS, loan_rows(3))], buffer)
    ws = load_workbook(BytesIO(buffer.getvalue()))["贷款台账"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.oddHeader.center.text is None and ws.oddFooter.center.text == PAGE_FOOTER


def test_an_ampersand_in_a_party_name_prints_as_itself():
    assert escape_header("A&B 银行\x07") == "A&&B 银行"


def pdf_pages(xlsx_path, out_dir) -> list[str]:
    profile = f"file://{out_dir}/lo-profile-{uuid.uuid4().hex}"
    subprocess.run(  # noqa: S603 — fixed arguments, our own file
        [
            shutil.which("libreoffice"),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(xlsx_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = xlsx_path.with_suffix(".pdf")
    info = subprocess.run([shutil.which("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True)  # noqa: S603
    pages = int(re.search(r"^Pages:\s+(\d+)$", info.stdout, re.MULTILINE).group(1))
    texts = []
    for page in range(1, pages + 1):
        text = subprocess.run(  # noqa: S603
            [shutil.which("pdftotext"), "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        texts.append(text)
    return texts


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed (libreoffice-calc-nogui)")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext/pdfinfo are not installed (poppler-utils)")
def test_printed_through_libreoffice_every_page_is_one_page_wide_with_the_header_row_and_page_x_of_y(tmp_path):
    path = tmp_path / "statement.xlsx"
    workbook(str(path))
    pages = pdf_pages(path, tmp_path)

    # the summary: one page, with the party, the period and the signature block
    summary, loan_pages = pages[0], pages[1:]
    assert "包头银行（BOB）" in summary and "2025-03-01 至 2025-03-31" in summary
    for label in ("项目", "经办人（签字）", "复核人（签字）", "盖章"):
        assert label in summary
    # 150 loans do not fit on one page: the loan sheet runs over several, each carrying the whole header row
    # (its first and its last column: fitted one page wide), the party and the period
    assert len(loan_pages) >= 2
    first, last = LOAN_COLUMNS[0].header, LOAN_COLUMNS[-1].header
    for text in loan_pages:
        assert first in text and last in text, text[:400]
        assert "包头银行（BOB）" in text and "贷款台账" in text
    # every row printed once, none lost between pages; the 合计 row on the last page
    printed = [c for text in loan_pages for c in re.findall(r"PRINT-\d{4}", text)]
    assert printed == [f"PRINT-{i:04d}" for i in range(LOANS)]
    assert "合计" in loan_pages[-1]
    # "第 x 页 共 y 页" on every page: x counts 1..y, y is the PDF's page count
    marks = [PAGE_MARK.search(text).groups() for text in pages]
    assert [(int(x), int(y)) for x, y in marks] == [(n, len(pages)) for n in range(1, len(pages) + 1)]
