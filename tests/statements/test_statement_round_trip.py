"""The bank's monthly statement, generated and read back with openpyxl: every figure and every total equals the
domain (loans, repayments, compensations, recoveries) and the ledger (deposit:<bank>) to the fen."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from excel_world import cell_money, read_sheets

from banks.statements import (
    COMPENSATIONS_TITLE,
    DEPOSIT_TITLE,
    LOANS_TITLE,
    RECOVERIES_TITLE,
    REPAYMENTS_TITLE,
    SUMMARY_TITLE,
    month_bounds,
    statement_write,
)
from riskfund.exports.xlsx import TOTAL_LABEL
from riskfund.ledger.models import Account, Entry
from riskfund.lending.models import Loan, Repayment
from riskfund.lending.selectors import loan_outstanding_on, overdue_days

D = Decimal
FIRST, LAST = date(2025, 3, 1), date(2025, 3, 31)


def _statement(bank, month="2025-03") -> dict:
    buffer = BytesIO()
    statement_write(bank=bank, month=month, target=buffer)
    return read_sheets(buffer.getvalue())


def _summary(sheets) -> dict:
    return dict(sheets[SUMMARY_TITLE][1:])


def _data(rows):
    """Header, data rows and the 合计 row of a sheet with totals."""
    assert TOTAL_LABEL in rows[-1], rows[-1]
    return rows[0], rows[1:-1], rows[-1]


def _col(header, name) -> int:
    return header.index(name)


def test_summary_equals_domain_and_ledger_to_the_fen(march):
    bank = march.world.bank_a
    sheets = _statement(bank)
    summary = _summary(sheets)
    loans = Loan.objects.filter(bank=bank)
    opening = sum((loan_outstanding_on(loan, FIRST - timedelta(days=1)) for loan in loans), D(0))
    closing = sum((loan_outstanding_on(loan, LAST) for loan in loans), D(0))
    # by hand: 1,000,000 + 500,000.03 at the end of February; 799,999.99 + 4 × 300,000 at the end of March
    assert (opening, closing) == (D("1500000.03"), D("1999999.99"))
    assert cell_money(summary["期初贷款余额"]) == opening
    assert cell_money(summary["期末贷款余额"]) == closing
    assert cell_money(summary["本月放款"]) == D("1200000.00")
    assert cell_money(summary["本月归还本金"]) == D("200000.01")
    assert cell_money(summary["本月归还利息"]) == D("2875.50")
    assert cell_money(summary["本月代偿"]) == march.compensation.loss == D("500000.03")
    assert cell_money(summary["本月追偿（毛额）"]) == march.recovery.gross
    assert cell_money(summary["本月追偿（净额）"]) == march.recovery.net == D("100000.01")
    # the month's flows explain the change of the book
    assert closing == opening + D("1200000.00") - D("200000.01") - march.compensation.loss
    # the deposit: placed 2024-01-03, nothing else until March; its closing balance is the ledger's running balance
    deposit = Account.objects.get(code=bank.deposit_account_code)
    assert cell_money(summary["抵押金期初余额"]) == D("1000000.00")
    assert cell_money(summary["抵押金期末余额"]) == deposit.balance
    assert deposit.balance == D("1000000.00") - march.compensation.from_deposit + march.recovery.share_pool
    assert summary["起始日期"].date() == FIRST and summary["截止日期"].date() == LAST


def test_loan_book_rows_and_totals(march):
    sheets = _statement(march.world.bank_a)
    header, rows, total = _data(sheets[LOANS_TITLE])
    contract = _col(header, "借款合同编号")
    by_contract = {row[contract]: row for row in rows}
    # A-FEB was closed in February; bank B's loan is not A's
    assert set(by_contract) == {"A-PART", "A-COMP", "A-NEW-1", "A-NEW-2", "A-NEW-3", "A-NEW-4"}
    outstanding, status, days = _col(header, "月末本金余额"), _col(header, "月末状态"), _col(header, "月末逾期天数")
    for loan in [march.partly_repaid, march.compensated, *march.new_in_march]:
        row = by_contract[loan.contract_no]
        assert cell_money(row[outstanding]) == loan_outstanding_on(loan, LAST)
        assert cell_money(row[_col(header, "贷款本金")]) == loan.principal
        assert row[_col(header, "统一社会信用代码")] == loan.enterprise.uscc
        assert row[_col(header, "放款日期")].date() == loan.disbursed_on
        assert row[_col(header, "到期日期")].date() == loan.maturity_on
        assert cell_money(row[_col(header, "年利率")] * 100) == D("3.45")
    assert by_contract["A-COMP"][status] == "已代偿" and by_contract["A-COMP"][days] == 0
    assert by_contract["A-PART"][status] == "在贷"
    assert by_contract["A-PART"][days] == overdue_days(march.partly_repaid, LAST) == 0
    assert cell_money(total[outstanding]) == D("1999999.99")
    assert cell_money(total[_col(header, "贷款本金")]) == sum(
        (loan.principal for loan in Loan.objects.filter(contract_no__in=by_contract)), D(0)
    )


def test_overdue_days_at_month_end(march):
    """April 2025: A-PART's bullet is not due, so 0; a new instalment loan unpaid since 2025-04-10 is 20 days late."""
    from excel_world import lend

    maturity = date(2026, 1, 2)
    late = lend(
        march.world,
        "A-LATE",
        "100000",
        date(2025, 1, 2),
        maturity_on=maturity,
        repayment_method="instalments",
        schedule=[(date(2025, 4, 10), D("50000")), (maturity, D("50000"))],
    )
    sheets = _statement(march.world.bank_a, "2025-04")
    header, rows, _ = _data(sheets[LOANS_TITLE])
    row = next(r for r in rows if r[0] == "A-LATE")
    assert row[_col(header, "月末逾期天数")] == overdue_days(late, date(2025, 4, 30)) == 20


def test_month_sheets_match_their_records(march):
    sheets = _statement(march.world.bank_a)

    header, rows, total = _data(sheets[REPAYMENTS_TITLE])
    assert [(r[0], r[_col(header, "还款日期")].date()) for r in rows] == [("A-PART", date(2025, 3, 15))]
    repayments = Repayment.objects.filter(loan__bank=march.world.bank_a, paid_on__range=(FIRST, LAST))
    assert cell_money(total[_col(header, "归还本金")]) == sum((r.principal for r in repayments), D(0))
    assert cell_money(total[_col(header, "归还利息")]) == D("2875.50")

    header, rows, total = _data(sheets[COMPENSATIONS_TITLE])
    c = march.compensation
    (row,) = rows
    expected = {
        "代偿损失": c.loss,
        "资金池分担(40%)": c.share_pool,
        "合作银行分担(20%)": c.share_bank,
        "担保机构分担(40%)": c.share_guarantor,
        "自治区分担(30%)": c.split_region,
        "市本级分担(30%)": c.split_city,
        "地区分担(40%)": c.split_district,
        "从抵押金扣划": c.from_deposit,
        "应付银行": c.to_payable,
    }
    for name, value in expected.items():
        assert cell_money(row[_col(header, name)]) == value, name
        assert cell_money(total[_col(header, name)]) == value, name
    # by hand (SPEC §3): 500,000.03 × 40:20:40 floors to 200,000.01 / 100,000.00 / 200,000.01, the fen left over
    # goes to the largest remainder (bank, .006); 200,000.01 × 30:30:40 floors to 60,000.00 / 60,000.00 / 80,000.00,
    # the fen to the district (.004)
    assert (c.share_pool, c.share_bank, c.share_guarantor) == (D("200000.01"), D("100000.01"), D("200000.01"))
    assert (c.split_region, c.split_city, c.split_district) == (D("60000.00"), D("60000.00"), D("80000.01"))

    header, rows, total = _data(sheets[RECOVERIES_TITLE])
    r = march.recovery
    (row,) = rows
    for name, value in {
        "追回资金（资产）": r.gross,
        "追偿费用": D("0.02"),
        "净额": r.net,
        "资金池分配(40%)": r.share_pool,
        "合作银行分配(20%)": r.share_bank,
        "担保机构分配(40%)": r.share_guarantor,
        "自治区分配(30%)": r.split_region,
        "市本级分配(30%)": r.split_city,
        "地区分配(40%)": r.split_district,
    }.items():
        assert cell_money(row[_col(header, name)]) == value, name
        assert cell_money(total[_col(header, name)]) == value, name
    assert r.share_pool + r.share_bank + r.share_guarantor == r.net


def test_deposit_movements_running_balance_equals_the_ledger(march):
    bank = march.world.bank_a
    sheets = _statement(bank)
    header, rows, total = _data(sheets[DEPOSIT_TITLE])
    debit, credit, balance = _col(header, "增加（借方）"), _col(header, "减少（贷方）"), _col(header, "余额")
    opening_row, *movements = rows
    assert opening_row[_col(header, "业务类型")] == "期初余额"
    assert cell_money(opening_row[balance]) == D("1000000.00")
    entries = list(
        Entry.objects.filter(account__code=bank.deposit_account_code, transaction__business_date__range=(FIRST, LAST))
        .order_by("transaction__business_date", "transaction__posted_at", "id")
        .values_list("side", "amount")
    )
    assert len(movements) == len(entries) == 2
    running = D("1000000.00")
    for row, (side, amount) in zip(movements, entries, strict=True):
        running += amount if side == "D" else -amount
        moved = row[debit] if side == "D" else row[credit]
        assert cell_money(moved) == amount
        assert cell_money(row[balance]) == running
    assert running == Account.objects.get(code=bank.deposit_account_code).balance
    assert cell_money(total[debit]) - cell_money(total[credit]) == running - D("1000000.00")
    assert total[balance] is None  # a running balance is not summed


def test_formula_trigger_names_come_back_as_text(march):
    sheets = _statement(march.world.bank_a)
    book = sheets[""]
    ws = book[LOANS_TITLE]
    names = {loan.enterprise.name for loan in march.new_in_march}
    found = set()
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if cell.value in names:
                assert cell.data_type == "s"
                found.add(cell.value)
    assert found == names
    assert all(ws.cell(1, i).value for i in range(1, ws.max_column + 1))


def test_number_formats_and_frozen_header(march):
    book = _statement(march.world.bank_a)[""]
    ws = book[LOANS_TITLE]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")
    header = [c.value for c in ws[1]]
    assert ws.cell(2, header.index("贷款本金") + 1).number_format == "#,##0.00"
    assert ws.cell(2, header.index("放款日期") + 1).number_format == "yyyy-mm-dd"
    assert ws.cell(2, header.index("放款日期") + 1).is_date


def test_an_empty_month_has_zero_flows(march):
    sheets = _statement(march.world.bank_a, "2024-05")
    summary = _summary(sheets)
    for label in ("期初贷款余额", "本月放款", "本月归还本金", "本月代偿", "期末贷款余额"):
        assert cell_money(summary[label]) == D("0.00"), label
    assert cell_money(summary["抵押金期末余额"]) == D("1000000.00")
    assert len(sheets[LOANS_TITLE]) == 2  # header and 合计


@pytest.mark.parametrize("month", ["2025-13", "2025-3", "25-03", "2025-00", "march"])
def test_a_malformed_month_is_refused(month):
    from riskfund.errors import RuleViolation

    with pytest.raises(RuleViolation) as caught:
        month_bounds(month)
    assert caught.value.status == 400 and caught.value.code == "validation_error"
