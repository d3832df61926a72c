"""Workbooks for the upload reader's tests (tests/exports/test_exports_upload*.py): ours, openpyxl's, re-zipped with
parts replaced or added, and the assertion that one is refused with a stable code."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from riskfund.errors import RuleViolation
from riskfund.exports.upload import read_table
from riskfund.exports.upload_archive import UploadRejected
from riskfund.exports.xlsx import Column, Sheet, write_workbook

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

BALANCE_COLUMNS = [
    Column("contract_no", "合同编号", "text"),
    Column("balance", "贷款余额", "money"),
    Column("as_of", "余额日期", "date"),
    Column("note", "备注", "text", blank=True),
]


def our_xlsx(rows, columns=BALANCE_COLUMNS, title="余额") -> bytes:
    out = io.BytesIO()
    write_workbook([Sheet(title, columns, rows)], out)
    return out.getvalue()


def openpyxl_xlsx(rows) -> bytes:
    """A workbook as a bank's other tools would write it: shared strings, openpyxl's own number printing."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info.filename)))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def rejected(data, code: str, columns=BALANCE_COLUMNS[:3], **kwargs) -> UploadRejected:
    with pytest.raises(UploadRejected) as info:
        list(read_table(data, columns=columns, **kwargs))
    assert info.value.code == code, info.value.message
    assert info.value.status == 400
    assert isinstance(info.value, RuleViolation)
    return info.value


GOOD_ROWS = [
    ("HT-001", Decimal("1234567.89"), date(2024, 6, 30), None),
    ("HT-002", Decimal("0.10"), date(2024, 6, 30), "x"),
]


def excel_like_xlsx(date1904: bool = False) -> bytes:
    """A minimal workbook laid out as Excel writes it: shared strings (with rich-text runs and a phonetic
    guide), relative targets, prefixed relationship ids, a 17-digit double and a date serial."""
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL}"><workbookPr date1904="{int(date1904)}"/>'
            '<sheets><sheet name="Hidden notes" sheetId="2" r:id="rId9"/>'
            '<sheet name="余额" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId9" Type="{REL}/externalLink" Target="http://x" TargetMode="External"/>'
            "</Relationships>"
        ),
        "xl/sharedStrings.xml": (
            f'<sst xmlns="{MAIN_NS}" count="5" uniqueCount="5">'
            "<si><t>合同编号</t></si><si><t>贷款余额</t></si><si><t>余额日期</t></si>"
            "<si><r><rPr><b/></rPr><t>HT-</t></r><r><t>001</t></r></si>"
            '<si><t>包头</t><rPh sb="0" eb="2"><t>baotou</t></rPh></si></sst>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A1:D2"/><sheetData>'
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
            '<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2"><v>1234567.8899999999</v></c>'
            '<c r="C2" s="1"><v>45473</v></c><c r="D2" t="s"><v>4</v></c></row>'
            "</sheetData></worksheet>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return out.getvalue()
