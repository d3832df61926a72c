"""Writing workbooks: formats, exact numbers, totals, formula-injection safety and flat memory."""

import gc
import io
import tracemalloc
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.compat import safe_string

from riskfund.exports import xlsx
from riskfund.exports.upload import read_rows, read_table
from riskfund.exports.xlsx import Column, Sheet, Typed, summary_sheet, write_workbook

D = Decimal

LOAN_COLUMNS = [
    Column("contract", "合同编号", "text"),
    Column("enterprise", "企业名称", "text", width=30),
    Column("principal", "贷款本金", "money"),
    Column("disbursed_on", "放款日", "date"),
    Column("overdue_days", "逾期天数", "int"),
    Column("share", "分担比例", "ratio"),
    Column("outstanding", "贷款余额", "money"),
]

LOANS = [
    ("HT-001", "包头稀土科技有限公司", D("0.10"), date(2024, 6, 30), 0, D("0.40"), D("0.10")),
    ("HT-002", "青山区机械厂", D("0.20"), date(2024, 1, 2), 15, D("0.20"), D("0.05")),
    ("HT-003", "昆都仑区食品公司", D("1234567.89"), date(2023, 12, 31), 120, D("0.40"), D("74850651.51")),
]


def write(sheets) -> bytes:
    out = io.BytesIO()
    write_workbook(sheets, out)
    return out.getvalue()


def sheet_xml(data: bytes, number: int = 1) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(f"xl/worksheets/sheet{number}.xml").decode()


def test_round_trip_headers_formats_dates_freeze_filter_and_totals_to_the_fen():
    data = write([Sheet("贷款台账", LOAN_COLUMNS, iter(LOANS), totals=True)])

    ws = load_workbook(io.BytesIO(data))["贷款台账"]
    header = next(ws.iter_rows(min_row=1, max_row=1))
    assert [c.value for c in header] == [
        "合同编号",
        "企业名称",
        "贷款本金",
        "放款日",
        "逾期天数",
        "分担比例",
        "贷款余额",
    ]
    assert all(c.font.bold for c in header)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G4"
    for row in ws.iter_rows(min_row=2, max_row=4):
        assert row[2].number_format == "#,##0.00" and row[6].number_format == "#,##0.00"
        assert row[3].is_date and row[3].number_format == "yyyy-mm-dd"
        assert row[4].number_format == "0" and row[5].number_format == "0.00%"
    assert [ws.cell(row=r, column=4).value for r in (2, 3, 4)] == [
        datetime(2024, 6, 30),
        datetime(2024, 1, 2),
        datetime(2023, 12, 31),
    ]
    assert ws["A5"].value == "合计" and ws["A5"].font.bold
    assert ws["B5"].value is None and ws["D5"].value is None
    assert ws["C5"].number_format == "#,##0.00"
    assert ws.column_dimensions["B"].width == 30

    # the totals are exact: read the stored digits back as Decimal, not through openpyxl's floats
    rows = dict(read_rows(data))
    assert rows[5][3].value == "1234568.19"  # 0.10 + 0.20 + 1234567.89
    assert rows[5][7].value == "74850651.66"  # 0.10 + 0.05 + 74850651.51
    assert D(rows[5][3].value) == sum((r[2] for r in LOANS), D(0))


def test_the_totals_are_returned_as_decimals_computed_while_streaming():
    [result] = write_workbook([Sheet("s", LOAN_COLUMNS, iter(LOANS), totals=True)], io.BytesIO())
    assert result.rows == 3
    assert result.totals == {"principal": D("1234568.19"), "outstanding": D("74850651.66")}


def test_numbers_are_written_with_their_exact_digits_not_openpyxls_16_digit_float_print():
    # openpyxl alone serialises numbers with "%.16g", through a float
    assert safe_string(D("74850651.51")) == "74850651.51000001"
    data = write([Sheet("s", LOAN_COLUMNS, iter(LOANS))])
    xml = sheet_xml(data)
    assert "<v>74850651.51</v>" in xml and "74850651.51000001" not in xml
    assert "<v>1234567.89</v>" in xml and "<v>0.10</v>" in xml
    assert "ns0:" not in xml  # openpyxl's own elements keep the default namespace
    # and read back through the upload reader they are the same Decimals
    table = list(read_table(data, columns=LOAN_COLUMNS))
    assert [r["outstanding"] for r in table] == [D("0.10"), D("0.05"), D("74850651.51")]
    assert [r["principal"] for r in table] == [D("0.10"), D("0.20"), D("1234567.89")]
    assert [r["disbursed_on"] for r in table] == [date(2024, 6, 30), date(2024, 1, 2), date(2023, 12, 31)]
    assert [r["overdue_days"] for r in table] == [0, 15, 120]
    assert table[0]["share"] == D("0.40")
    # what Excel itself sees is the same double
    ws = load_workbook(io.BytesIO(data))["s"]
    assert ws["G4"].value == float("74850651.51")


def test_dict_rows_blank_cells_and_typed_values():
    rows = [
        {"contract": "A", "principal": D("5"), "outstanding": None},
        {"contract": "B", "enterprise": None, "principal": 7, "outstanding": D("1.5")},
    ]
    data = write([Sheet("s", LOAN_COLUMNS, rows, totals=True)])
    ws = load_workbook(io.BytesIO(data))["s"]
    assert ws["B2"].value is None and ws["G2"].value is None
    assert ws["C4"].value == 12 and ws["G4"].value == 1.5
    assert "<v>5.00</v>" in sheet_xml(data)  # money is written with its two places


@pytest.mark.parametrize(
    ("kind", "value", "error"),
    [
        ("money", 1.5, TypeError),
        ("money", D("1.005"), ValueError),
        ("money", D("NaN"), ValueError),
        ("ratio", 0.4, TypeError),
        ("int", 1.0, TypeError),
        ("int", True, TypeError),
        ("date", datetime(2024, 1, 1, 9, 30), TypeError),
        ("date", date(1900, 2, 28), ValueError),
        ("money", D("12345678901234.56"), ValueError),  # 16 significant digits: beyond an Excel cell
    ],
)
def test_floats_and_values_excel_cannot_hold_exactly_are_refused(kind, value, error):
    with pytest.raises(error):
        write([Sheet("s", [Column("v", "值", kind)], [(value,)])])


def test_a_row_of_the_wrong_length_and_bad_specs_are_refused():
    with pytest.raises(ValueError, match="2 values for 1 columns"):
        write([Sheet("s", [Column("v", "值")], [("a", "b")])])
    with pytest.raises(ValueError):
        Column("v", "值", "float")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Sheet("a/b", [Column("v", "值")], [])
    with pytest.raises(ValueError):
        Sheet("s", [Column("v", "值"), Column("v", "另一个")], [])


def test_an_empty_sheet_still_has_its_header_filter_and_zero_totals():
    data = write([Sheet("模板", LOAN_COLUMNS, [], totals=True)])
    ws = load_workbook(io.BytesIO(data))["模板"]
    assert ws.auto_filter.ref == "A1:G1"
    assert ws["A2"].value == "合计" and ws["C2"].value == 0
    assert "<v>0.00</v>" in sheet_xml(data)


FORMULA_TRIGGERS = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2",
    "@SUM(A1)",
    "\tcmd",
    "=1+1&CHAR(10)",
    "  leading and trailing  ",
    "a<b>&c",
]


def test_formula_trigger_strings_come_back_as_the_same_literal_text_never_formulas():
    rows = [(text, text) for text in FORMULA_TRIGGERS]
    data = write([Sheet("s", [Column("name", "企业名称"), Column("ref", "关联单据")], rows)])
    xml = sheet_xml(data)
    assert "<f>" not in xml and "<f " not in xml

    ws = load_workbook(io.BytesIO(data))["s"]
    for row, text in zip(ws.iter_rows(min_row=2), FORMULA_TRIGGERS, strict=True):
        for cell in row:
            assert cell.value == text
            assert cell.data_type == "s"  # never "f"
            # shown as literal text and kept as text when edited (Excel/WPS's leading-apostrophe flag)
            assert cell.quotePrefix is bool(xlsx.is_formula_trigger(text))

    # the read-only (streaming) reader agrees
    ro = load_workbook(io.BytesIO(data), read_only=True)["s"]
    assert [r[0].value for r in ro.iter_rows(min_row=2)] == FORMULA_TRIGGERS


def test_line_breaks_are_normalised_to_lf_and_control_characters_replaced():
    # XML 1.0 §2.11 turns CR LF and a lone CR into LF when a file is read, so they are written as LF
    rows = [("\r\n",), ("a\rb",), ("\nx",), ("bad\x00\x07char",)]
    data = write([Sheet("s", [Column("t", "文本")], rows)])
    ws = load_workbook(io.BytesIO(data))["s"]
    values = [ws.cell(row=r, column=1) for r in range(2, 6)]
    assert [c.value for c in values] == ["\n", "a\nb", "\nx", "bad\ufffd\ufffdchar"]
    assert all(c.data_type == "s" for c in values)
    assert values[0].quotePrefix and values[2].quotePrefix and not values[1].quotePrefix


def test_summary_sheet_mixes_kinds_in_one_column():
    data = write(
        [
            summary_sheet(
                "概要",
                [
                    ("银行", "=中国工商银行"),
                    ("期末余额", D("1234567.89")),
                    ("截止日期", date(2024, 6, 30)),
                    ("贷款笔数", 42),
                    ("分担比例", D("0.40"), "ratio"),
                ],
            ),
            Sheet("明细", [Column("v", "值", "money")], [(D("1"),)], totals=True),
        ]
    )
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["概要", "明细"]
    ws = wb["概要"]
    assert [ws.cell(row=1, column=c).value for c in (1, 2)] == ["项目", "数值"]
    assert ws["B2"].value == "=中国工商银行" and ws["B2"].data_type == "s"
    assert ws["B3"].number_format == "#,##0.00" and "<v>1234567.89</v>" in sheet_xml(data, 1)
    assert ws["B4"].is_date and ws["B4"].value == datetime(2024, 6, 30)
    assert ws["B5"].value == 42 and ws["B6"].number_format == "0.00%"
    assert ws.freeze_panes is None and ws.auto_filter.ref is None
    # with no text column to hold the 合计 label, the totals row has the sums alone
    assert wb["明细"]["A3"].value == 1 and wb["明细"]["A3"].number_format == "#,##0.00"


def test_typed_cells_override_the_column_kind():
    data = write([Sheet("s", [Column("v", "值")], [(Typed(D("2.50"), "money"),), (Typed(None, "money"),)])])
    ws = load_workbook(io.BytesIO(data))["s"]
    assert ws["A2"].value == 2.5 and ws["A2"].number_format == "#,##0.00"
    assert ws["A3"].value is None


def test_progress_is_reported_every_thousand_rows_and_at_the_end(tmp_path):
    calls = []
    rows = ((f"企业{i}", D(i)) for i in range(2500))
    columns = [Column("name", "企业名称"), Column("amount", "金额", "money")]
    write_workbook(
        [Sheet("s", columns, rows, count=2500)], tmp_path / "p.xlsx", progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(1000, 2500), (2000, 2500), (2500, 2500)]


def test_duplicate_sheet_titles_and_empty_workbooks_are_refused():
    with pytest.raises(ValueError):
        write([Sheet("s", [Column("v", "值")], []), Sheet("s", [Column("v", "值")], [])])
    with pytest.raises(ValueError):
        write([])


def _peak_bytes(n: int, path) -> int:
    columns = [Column("name", "企业名称"), Column("amount", "贷款余额", "money"), Column("on", "放款日", "date")]
    rows = ((f"企业{i}", D(i).scaleb(-2), date(2024, 1, 1)) for i in range(n))
    gc.collect()
    tracemalloc.start()
    try:
        write_workbook([Sheet("s", columns, rows, totals=True, count=n)], path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_from_ten_thousand_to_a_hundred_thousand_rows(tmp_path):
    small = _peak_bytes(10_000, tmp_path / "small.xlsx")
    large = _peak_bytes(100_000, tmp_path / "large.xlsx")
    assert large <= 1.5 * small, (small, large)
    # and the large file really has the rows, and the exact total under them
    tail = zipfile.ZipFile(tmp_path / "large.xlsx").read("xl/worksheets/sheet1.xml")[-600:].decode()
    total = sum(D(i).scaleb(-2) for i in range(100_000))
    assert '<row r="100002"><c r="A100002" t="inlineStr"' in tail and f"<v>{total}</v>" in tail
