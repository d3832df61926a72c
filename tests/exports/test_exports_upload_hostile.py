"""Hostile uploads refused before or while they are opened: wrong formats, macros, size and row limits, zip bombs,
entity expansion and malformed XML."""

import io
import random
import zipfile
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from riskfund.exports.upload import read_table
from tests.exports.upload_support import BALANCE_COLUMNS, GOOD_ROWS, excel_like_xlsx, our_xlsx, rejected, rezip


def test_a_csv_renamed_xlsx_is_refused():
    error = rejected(
        SimpleUploadedFile("balances.xlsx", "合同编号,贷款余额\nHT-001,1.00\n".encode()), "upload_not_xlsx"
    )
    assert "不是 .xlsx" in error.message


def test_random_bytes_a_legacy_xls_and_a_broken_zip_are_refused():
    rejected(random.Random(7).randbytes(4096), "upload_not_xlsx")
    rejected(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000), "upload_not_xlsx")
    rejected(b"PK\x03\x04" + bytes(100), "upload_not_xlsx")
    rejected(our_xlsx(GOOD_ROWS)[:-200], "upload_not_xlsx")


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    assert "Content_Types" in rejected(out.getvalue(), "upload_not_xlsx").message
    docx_types = (
        b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument'
        b'.wordprocessingml.document.main+xml"/></Types>'
    )
    rejected(rezip(our_xlsx(GOOD_ROWS), replace={"[Content_Types].xml": docx_types}), "upload_not_xlsx")


def test_a_macro_enabled_workbook_is_refused():
    data = our_xlsx(GOOD_ROWS)
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    xlsm_types = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    error = rejected(rezip(data, replace={"[Content_Types].xml": xlsm_types}), "upload_not_xlsx")
    assert ".xlsm" in error.message
    # a vbaProject smuggled into an otherwise plain workbook is refused too
    rejected(rezip(data, add={"xl/vbaProject.bin": b"\x00" * 64}), "upload_not_xlsx")


def test_an_oversized_file_is_refused_before_it_is_opened():
    error = rejected(b"PK\x03\x04" + bytes(5 * 1024 * 1024), "upload_too_large")
    assert "5242880" in error.message
    with override_settings(RISKFUND_UPLOAD_MAX_BYTES=1000):
        rejected(our_xlsx(GOOD_ROWS), "upload_too_large")
        rejected(SimpleUploadedFile("a.xlsx", our_xlsx(GOOD_ROWS)), "upload_too_large")


def test_a_file_with_too_many_rows_is_refused():
    rows = [(f"HT-{i}", Decimal("1.00"), date(2024, 6, 30), None) for i in range(11)]
    with override_settings(RISKFUND_UPLOAD_MAX_ROWS=10):
        assert len(list(read_table(our_xlsx(rows[:10]), columns=BALANCE_COLUMNS))) == 10
        error = rejected(our_xlsx(rows), "upload_too_many_rows")
    assert "10" in error.message and error.row == 12


def _bomb(size: int) -> bytes:
    """Our workbook with its sheet replaced by ``size`` bytes of whitespace-padded XML, deflated."""
    data = our_xlsx(GOOD_ROWS)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info.filename))
        with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            chunk = b" " * (1024 * 1024)
            for _ in range(size // len(chunk)):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def test_a_zip_bomb_is_refused_from_its_directory_before_inflating():
    big = _bomb(120 * 1024 * 1024)  # 120 MiB unpacked from about 120 KiB
    assert len(big) < 1024 * 1024
    error = rejected(big, "upload_too_large")
    assert "压缩" in error.message
    with override_settings(RISKFUND_UPLOAD_MAX_RATIO=10_000):  # the total alone also stops it
        assert "bytes unpacked" in rejected(big, "upload_too_large").message
    # a small part with an absurd ratio is refused on the ratio alone
    assert "compression ratio" in rejected(_bomb(2 * 1024 * 1024), "upload_too_large").message


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&xxe;</t></si></sst>"""


def test_entity_expansion_and_external_entities_are_refused():
    data = our_xlsx(GOOD_ROWS)
    error = rejected(rezip(data, replace={"xl/worksheets/sheet1.xml": BILLION_LAUGHS}), "upload_unsafe_xml")
    assert "xl/worksheets/sheet1.xml" in error.message
    bad_types = BILLION_LAUGHS.replace(b"worksheet", b"Types")
    rejected(rezip(data, replace={"[Content_Types].xml": bad_types}), "upload_unsafe_xml")
    # shared strings are parsed the same way
    rejected(rezip(excel_like_xlsx(), replace={"xl/sharedStrings.xml": EXTERNAL_ENTITY}), "upload_unsafe_xml")


def test_malformed_sheet_xml_is_refused():
    data = rezip(our_xlsx(GOOD_ROWS), replace={"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row>"})
    assert "XML" in rejected(data, "upload_not_xlsx").message
