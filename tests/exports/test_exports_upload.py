"""Reading uploads: only real .xlsx, size/row/zip-bomb limits, defused XML, exact Decimals, clear errors."""

import io
import random
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import Workbook

from riskfund.errors import RuleViolation
from riskfund.exports.upload import read_rows, read_table
from riskfund.exports.upload_archive import UploadRejected, open_workbook
from riskfund.exports.xlsx import Column, Sheet, write_workbook

D = Decimal

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


GOOD_ROWS = [("HT-001", D("1234567.89"), date(2024, 6, 30), None), ("HT-002", D("0.10"), date(2024, 6, 30), "x")]


# --- what is read -------------------------------------------------------------------------------------


def test_a_template_written_with_the_same_columns_reads_back_typed_and_exact():
    rows = list(read_table(our_xlsx(GOOD_ROWS), columns=BALANCE_COLUMNS))
    assert rows == [
        {"contract_no": "HT-001", "balance": D("1234567.89"), "as_of": date(2024, 6, 30), "note": None},
        {"contract_no": "HT-002", "balance": D("0.10"), "as_of": date(2024, 6, 30), "note": "x"},
    ]
    assert [r.row for r in rows] == [2, 3]
    assert str(rows[0]["balance"]) == "1234567.89"


def test_text_and_numeric_amounts_parse_to_the_exact_decimal():
    data = openpyxl_xlsx(
        [
            ["合同编号", "贷款余额", "余额日期"],
            ["A", "1234567.89", "2024-06-30"],  # text cells (shared strings)
            ["B", 1234567.89, date(2024, 6, 30)],  # a numeric cell and a real Excel date
            ["C", " 1,234,567.89 ", 45473],  # grouped text; a bare date serial
            ["D", 1000, "2024-02-29"],
            [20240001, D("0.1"), "2024-06-30"],  # a contract number typed as a number
        ]
    )
    rows = list(read_table(data, columns=BALANCE_COLUMNS[:3]))
    assert [r["balance"] for r in rows] == [D("1234567.89")] * 3 + [D("1000.00"), D("0.10")]
    assert all(str(r["balance"]) in ("1234567.89", "1000.00", "0.10") for r in rows)
    assert [r["as_of"] for r in rows] == [date(2024, 6, 30)] * 3 + [date(2024, 2, 29), date(2024, 6, 30)]
    assert rows[4]["contract_no"] == "20240001"


def sheet_with_values(values: list[str]) -> bytes:
    """Our template with its balance cells' stored strings replaced, as Excel might have written them."""
    data = our_xlsx([(f"HT-{i}", D("1.00"), date(2024, 6, 30), None) for i in range(len(values))])
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    for i, value in enumerate(values):
        xml = xml.replace(f'<c r="B{i + 2}" t="n" s="2"><v>1.00</v>', f'<c r="B{i + 2}" t="n" s="2"><v>{value}</v>', 1)
    return rezip(data, replace={"xl/worksheets/sheet1.xml": xml.encode()})


def test_excel_17_digit_doubles_are_read_as_the_amount_the_user_typed():
    values = ["1234567.8899999999", "74850651.51000001", "2.4500000000000002", "1.0000000000000001E-2", "1234567.89"]
    rows = list(read_table(sheet_with_values(values), columns=BALANCE_COLUMNS))
    assert [r["balance"] for r in rows] == [D("1234567.89"), D("74850651.51"), D("2.45"), D("0.01"), D("1234567.89")]


@pytest.mark.parametrize("value", ["0.125", "1234567.8899", "1E+400", "NaN", "abc"])
def test_a_stored_number_with_more_than_two_places_or_no_number_at_all_is_refused(value):
    error = rejected(sheet_with_values([value]), "upload_bad_cell")
    assert (error.row, error.column, error.header) == (2, "B", "贷款余额")


def test_a_bad_amount_is_refused_naming_sheet_row_and_column():
    data = openpyxl_xlsx(
        [["合同编号", "余额日期", "贷款余额"], ["A", "2024-06-30", "1.00"], ["B", "2024-06-30", "12,34a"]]
    )
    error = rejected(data, "upload_bad_cell")
    assert error.message == (
        "工作表「Sheet1」第 3 行 C 列（贷款余额）：不是金额 / sheet Sheet1, row 3, column C (贷款余额): not an amount"
    )
    assert (error.sheet, error.row, error.column) == ("Sheet1", 3, "C")


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        (["A", "1.001", "2024-06-30"], "最多两位小数"),
        (["A", "1.00", "2024/06/30"], "不是日期"),
        (["A", "1.00", "2024-02-30"], "不是日期"),
        (["A", None, "2024-06-30"], "不能为空"),
        (["A", True, "2024-06-30"], "TRUE/FALSE"),
        (["A", "=1+1", "2024-06-30"], "公式"),
    ],
)
def test_bad_cells_are_refused_with_their_reason(row, fragment):
    error = rejected(openpyxl_xlsx([["合同编号", "贷款余额", "余额日期"], row]), "upload_bad_cell")
    assert fragment in error.message and error.row == 2


def test_a_formula_is_never_evaluated_even_with_a_cached_value():
    data = sheet_with_values(["5.00"])
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    xml = xml.replace("<v>5.00</v>", '<f>WEBSERVICE("http://x")</f><v>5.00</v>')
    error = rejected(rezip(data, replace={"xl/worksheets/sheet1.xml": xml.encode()}), "upload_bad_cell")
    assert "公式" in error.message and error.column == "B"


def test_headers_in_any_order_extra_columns_title_rows_and_blank_rows():
    data = openpyxl_xlsx(
        [
            [],
            ["余额日期", "其他", " 合同 编号 ", "贷款余额"],  # spaces inside a header are ignored
            [],
            ["2024-06-30", "ignored", "A", "5"],
            [None, None, None, None],
            ["2024-06-30", "", "B", "6.5"],
        ]
    )
    rows = list(read_table(data, columns=[("合同编号", "text"), ("贷款余额", "money"), ("余额日期", "date")]))
    assert [(r.row, r["合同编号"], r["贷款余额"]) for r in rows] == [(4, "A", D("5.00")), (6, "B", D("6.50"))]


def test_missing_and_duplicate_columns_and_a_missing_sheet():
    error = rejected(
        openpyxl_xlsx([["合同编号", "余额日期"], ["A", "2024-06-30"]]), "upload_missing_column", columns=BALANCE_COLUMNS
    )
    assert "贷款余额" in error.message and "备注" in error.message
    rejected(openpyxl_xlsx([["合同编号", "贷款余额", "贷款余额", "余额日期", "备注"]]), "upload_duplicate_column")
    rejected(openpyxl_xlsx([]), "upload_missing_column")
    rejected(our_xlsx(GOOD_ROWS), "upload_missing_sheet", sheet="不存在")
    assert len(list(read_table(our_xlsx(GOOD_ROWS, title="余额"), columns=BALANCE_COLUMNS, sheet="余额"))) == 2


def test_uploaded_file_objects_and_paths_are_accepted(tmp_path):
    data = our_xlsx(GOOD_ROWS)
    upload = SimpleUploadedFile("余额.xlsx", data, content_type="application/octet-stream")
    assert len(list(read_table(upload, columns=BALANCE_COLUMNS))) == 2
    path = tmp_path / "b.xlsx"
    path.write_bytes(data)
    assert len(list(read_table(path, columns=BALANCE_COLUMNS))) == 2
    assert list(open_workbook(data).sheets) == ["余额"]


# --- what is refused ----------------------------------------------------------------------------------


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


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


def test_an_excel_style_workbook_with_shared_strings_reads_exactly():
    [row] = read_table(excel_like_xlsx(), columns=BALANCE_COLUMNS[:3])
    assert row == {"contract_no": "HT-001", "balance": D("1234567.89"), "as_of": date(2024, 6, 30)}
    assert dict(read_rows(excel_like_xlsx()))[2][4] == ("text", "包头")  # the phonetic guide is not text
    # the 1904 date system counts from 1904-01-01
    [row] = read_table(excel_like_xlsx(date1904=True), columns=BALANCE_COLUMNS[:3])
    assert row["as_of"] == date(2028, 7, 1)


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
    rows = [(f"HT-{i}", D("1.00"), date(2024, 6, 30), None) for i in range(11)]
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


def test_read_rows_gives_the_stored_strings():
    rows = dict(read_rows(our_xlsx(GOOD_ROWS)))
    assert rows[1][2] == ("text", "贷款余额")
    assert rows[2][2] == ("number", "1234567.89")
    assert rows[2][3] == ("number", "45473")


# --- collecting every bad cell (issue 17) ---------------------------------------------------------------


def test_collecting_mode_reports_every_bad_cell_and_keeps_reading():
    """With ``problems`` the reader records each bad cell (place, and what is wrong in both languages), gives
    ``None`` for it, names it in the row's ``bad`` set and reads on: three bad cells over two rows, one good row."""
    rows = [
        ["合同编号", "贷款余额", "余额日期"],
        ["HT-1", "一百", "2024-13-01"],
        ["HT-2", 5, date(2024, 6, 30)],
        [None, "=1+1", date(2024, 6, 30)],
    ]
    problems: list[UploadRejected] = []
    read = list(read_table(openpyxl_xlsx(rows), columns=BALANCE_COLUMNS[:3], problems=problems))
    assert [(p.row, p.column, p.header) for p in problems] == [
        (2, "B", "贷款余额"),
        (2, "C", "余额日期"),
        (4, "B", "贷款余额"),
        (4, "A", "合同编号"),
    ]
    assert [p.detail_zh for p in problems] == [
        "不是金额",
        "不是日期（YYYY-MM-DD）",
        "含有公式，请粘贴为数值",
        "不能为空",
    ]
    assert problems[0].detail_en == "not an amount"
    assert [r.row for r in read] == [2, 3, 4]
    assert read[0]["balance"] is None and read[0].bad == frozenset({"balance", "as_of"})
    assert read[1] == {"contract_no": "HT-2", "balance": D("5.00"), "as_of": date(2024, 6, 30)} and not read[1].bad


def test_a_template_field_row_under_the_header_is_skipped():
    rows = [["合同编号", "贷款余额", "余额日期"], ["contract_no", "balance", "as_of"], ["HT-1", 5, date(2024, 6, 30)]]
    read = list(read_table(openpyxl_xlsx(rows), columns=BALANCE_COLUMNS[:3], field_row=True))
    assert [r.row for r in read] == [3]
