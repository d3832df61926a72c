"""Reading uploads: only real .xlsx, size/row/zip-bomb limits, defused XML, exact Decimals, clear errors."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from riskfund.exports.upload import read_rows, read_table
from riskfund.exports.upload_archive import UploadRejected, open_workbook
from tests.exports.upload_support import (
    BALANCE_COLUMNS,
    GOOD_ROWS,
    excel_like_xlsx,
    openpyxl_xlsx,
    our_xlsx,
    rejected,
    rezip,
)

D = Decimal


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


def test_an_excel_style_workbook_with_shared_strings_reads_exactly():
    [row] = read_table(excel_like_xlsx(), columns=BALANCE_COLUMNS[:3])
    assert row == {"contract_no": "HT-001", "balance": D("1234567.89"), "as_of": date(2024, 6, 30)}
    assert dict(read_rows(excel_like_xlsx()))[2][4] == ("text", "包头")  # the phonetic guide is not text
    # the 1904 date system counts from 1904-01-01
    [row] = read_table(excel_like_xlsx(date1904=True), columns=BALANCE_COLUMNS[:3])
    assert row["as_of"] == date(2028, 7, 1)


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
