"""The bureau's monthly report (export kind ``bureau_monthly``), generated and read back with openpyxl: the pool
position, funders, districts, banks and the month's suspensions equal hand-computed figures and the ledger to the
fen, as of the month's last closed business date when the daily job ran, else as of now (and the sheet says so)."""

import sys
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "claims"))

from claims_world import MATURITY_ON, SIGNED_ON, TODAY, after, build_world, inject
from pipeline_support import collected

from riskfund.claims.services import compensation_claim, recovery_post
from riskfund.cob.services import cob_run
from riskfund.dashboard.bureau_report import (
    BANK_PERFORMANCE_TITLE,
    BANKS_TITLE,
    DISTRICTS_TITLE,
    FUNDERS_TITLE,
    KIND,
    POSITION_TITLE,
    STATE_CHANGES_TITLE,
    bureau_sheets,
    clean_params,
)
from riskfund.errors import RuleViolation
from riskfund.exports.registry import export_kind
from riskfund.exports.xlsx import MONEY_FORMAT, TOTAL_LABEL, write_workbook
from riskfund.ledger.models import Account
from riskfund.money import FEN
from riskfund.parties.models import Bank
from riskfund.parties.services import bank_create
from riskfund.pool.agreements import agreement_sign
from riskfund.pool.selectors import pool_position
from riskfund.pool.services import interest_post

D = Decimal
EVIL_BANK = '=HYPERLINK("http://evil.example","点我")银行'
OCT_END = date(2024, 10, 31)
DISTRICTS = 10  # seeded: 东河区 … 稀土高新区
MINIMUM = D("8000000.00")  # art. 8: a district's minimum paid-in


def money(value) -> Decimal:
    """An amount cell as read back: openpyxl gives a float or an int; its shortest repr is the exact text written."""
    assert value is not None and not isinstance(value, bool), value
    return Decimal(repr(value)).quantize(FEN) if isinstance(value, float) else Decimal(value).quantize(FEN)


def generate(month: str = "2024-10", today: date = TODAY) -> dict:
    buffer = BytesIO()
    write_workbook(bureau_sheets(month, today=today), buffer)
    book = load_workbook(BytesIO(buffer.getvalue()))
    sheets: dict = {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in book.worksheets}
    sheets[""] = book
    return sheets


def summary(sheets) -> dict:
    return dict(sheets[POSITION_TITLE][1:])


def table(sheets, title: str, *, totals: bool = True) -> tuple[list[dict], dict]:
    """The data rows of a sheet as dicts by header, and its 合计 row (``{}`` without totals)."""
    rows = sheets[title]
    header = rows[0]
    body = rows[1:-1] if totals else rows[1:]
    if totals:
        assert TOTAL_LABEL in rows[-1], rows[-1]
    return [dict(zip(header, row, strict=True)) for row in body], (
        dict(zip(header, rows[-1], strict=True)) if totals else {}
    )


def balance(code: str) -> Decimal:
    return Account.objects.get(code=code).balance


def total(prefix: str) -> Decimal:
    return sum(Account.objects.filter(code__startswith=prefix).values_list("balance", flat=True), D("0.00"))


def build_october(policy, *, close_on_oct_9: bool = False):
    """F = 24,200,000 (region 6,000,000, city 6,000,000, 东河区 150202 8,000,000, 昆都仑区 150203 4,200,000); banks BOB
    and BOC (a formula-like name) with a 1,000,000 deposit each, signed 2024-01-03. Loans of 2024-03-01 due
    2024-09-02: A 10,000,000 (BOB, 150202), B 2,099,999.98 (BOB, 150203), C 670,000 (BOB, 150202); D 300,000
    (BOC, 150203, due 2025-02-28, never in default).

    September: A and B compensated on 2024-09-28 (pool shares 4,000,000 and 839,999.99). October: C compensated on
    10-08 (pool 268,000: N = 5,107,999.99 ≥ 20 % × 24,200,000 → suspended); the city replenishes 1,000,000 on 10-10
    and on 10-11 (F = 26,200,000 → resumed); interest 12,345.67 on the special account on 10-15; on 10-20 A
    recovers 100,000.03 less 0.02 costs (net 100,000.01, pool share 40,000.01 back into deposit:BOB).
    ``close_on_oct_9``: the daily job closes 2024-10-09 in between (the pool suspended).
    """
    world = build_world(policy)
    other = bank_create(code="BOC", name=EVIL_BANK)
    agreement_sign(bank=other, guarantor=world.guarantor, signed_on=SIGNED_ON)
    a = world.lend("10000000")
    b = world.lend("2099999.98", district="150203")
    c = world.lend("670000")
    world.lend("300000", district="150203", bank=other, maturity_on=date(2025, 2, 28))
    compensation_claim(loan=collected(a, after(MATURITY_ON, 26)), deducted_on=after(MATURITY_ON, 26), today=TODAY)
    compensation_claim(loan=collected(b, after(MATURITY_ON, 26)), deducted_on=after(MATURITY_ON, 26), today=TODAY)
    compensation_claim(loan=collected(c, date(2024, 10, 8)), deducted_on=date(2024, 10, 8), today=TODAY)
    if close_on_oct_9:
        cob_run(business_date=date(2024, 10, 9), today=TODAY)
    inject("city", "1000000", on=date(2024, 10, 10), kind="replenishment")
    inject("city", "1000000", on=date(2024, 10, 11), kind="replenishment")
    interest_post(credited_on=date(2024, 10, 15), amount=D("12345.67"), account="special")
    recovery_post(loan=a, recovered_on=date(2024, 10, 20), gross=D("100000.03"), costs={"litigation": D("0.02")})
    return world


@pytest.fixture
def october(policy_2021):
    return build_october(policy_2021)


def check_october_position(figures: dict) -> None:
    # F = 24,200,000 + 2 × 1,000,000 + 12,345.67; N = 4,000,000 + 839,999.99 + 268,000 − 40,000.01
    assert money(figures["资金池资金 F"]) == D("26212345.67")
    assert money(figures["其中：出资方实缴"]) == D("26200000.00")
    assert money(figures["其中：利息收入"]) == D("12345.67")
    assert money(figures["代偿净额累计 N"]) == D("5067999.98")
    assert money(figures["资金池资金 F"]) - money(figures["代偿净额累计 N"]) == money(figures["资金池余额 B"])
    assert money(figures["资金池余额 B"]) == D("21144345.69")
    assert money(figures["授信额度"]) == D("211443456.90")  # 10 × B (art. 9)
    assert money(figures["在贷余额"]) == D("300000.00")  # only D is active
    assert money(figures["可用额度"]) == D("211143456.90")
    # 5,067,999.98 ÷ 26,212,345.67 = 0.19334400…: below the 20 % line, open again
    assert figures["代偿比例（六位小数）"] == "0.193344"
    assert money(figures["代偿比例"] * 1000000) == D("193344.00")
    assert figures["暂停阈值"] == 0.2
    assert figures["暂停新增业务"] == "否"
    assert money(figures["恢复业务所需补充资金"]) == D("0.00")
    assert figures["本月代偿笔数"] == 1
    assert money(figures["本月代偿损失"]) == D("670000.00")
    assert money(figures["本月代偿资金池分担"]) == D("268000.00")
    assert figures["本月追偿笔数"] == 1
    assert money(figures["本月追偿净额"]) == D("100000.01")
    assert money(figures["本月追偿资金池分配"]) == D("40000.01")
    assert (figures["本月暂停次数"], figures["本月恢复次数"]) == (1, 1)


def ledger_figures() -> dict[str, Decimal]:
    """The running balances the report's totals must equal (taken at the end of October)."""
    return {
        "funder": total("funder:"),
        "loss": total("loss:"),
        "district_loss": total("loss:15"),
        "deposit": total("deposit:"),
        "payable": total("payable:"),
        "deposit:BOB": balance("deposit:BOB"),
        "payable:BOB": balance("payable:BOB"),
        "B": balance("pool:special") + total("deposit:") - total("payable:"),
    }


def check_october_tables(sheets, ledger: dict[str, Decimal]) -> None:
    funders, funder_total = table(sheets, FUNDERS_TITLE)
    by_code = {row["代码"]: row for row in funders}
    assert len(funders) == 2 + DISTRICTS
    # losses: region = city = 1,200,000 + 252,000 + 80,400 − 12,000; 东河区 1,600,000 + 107,200 − 16,000.01
    expected = {
        "region": ("6000000.00", "0.00", "1520400.00", "0.00"),
        "city": ("8000000.00", "2000000.00", "1520400.00", "0.00"),
        "150202": ("8000000.00", "0.00", "1691199.99", "1691199.99"),  # max(L − R, M − (P − L)) = L
        "150203": ("4200000.00", "0.00", "335999.99", "4135999.99"),  # 8,000,000 − (4,200,000 − 335,999.99)
    }
    for code, (paid_in, replenished, loss, due) in expected.items():
        row = by_code[code]
        got = (money(row["实缴注资（含补充）"]), money(row["其中：补充资金"]), money(row["承担代偿净额"]))
        assert got == (D(paid_in), D(replenished), D(loss)), code
        assert money(row["应补充资金"]) == D(due), code
        assert money(row["净出资（实缴−代偿）"]) == D(paid_in) - D(loss)
    unpaid = [row for code, row in by_code.items() if code not in expected]
    assert all(money(row["应补充资金"]) == MINIMUM for row in unpaid)  # nothing paid in: M − 0
    # totals equal the ledger to the fen
    assert money(funder_total["实缴注资（含补充）"]) == ledger["funder"] == D("26200000.00")
    assert money(funder_total["承担代偿净额"]) == ledger["loss"] == D("5067999.98")
    assert money(funder_total["其中：补充资金"]) == D("2000000.00")
    assert money(funder_total["应补充资金"]) == D("1691199.99") + D("4135999.99") + 8 * MINIMUM

    districts, district_total = table(sheets, DISTRICTS_TITLE)
    by_code = {row["地区代码"]: row for row in districts}
    assert len(districts) == DISTRICTS
    donghe, kundulun = by_code["150202"], by_code["150203"]
    assert money(donghe["贷款规模上限（25倍）"]) == D("200000000.00")
    assert money(donghe["在贷余额"]) == D("0.00")
    assert money(donghe["本月代偿分担"]) == D("107200.00")  # C: 268,000 × 40 %
    assert money(kundulun["贷款规模上限（25倍）"]) == D("105000000.00")
    assert money(kundulun["在贷余额"]) == D("300000.00")
    assert kundulun["上限使用率"] == 0.0029  # 300,000 ÷ 105,000,000 = 0.2857 %, kept to 4 places
    assert money(kundulun["承担代偿净额"]) == D("335999.99")
    assert money(district_total["实缴注资"]) == D("12200000.00")
    assert money(district_total["承担代偿净额"]) == ledger["district_loss"] == D("2027199.98")
    assert money(district_total["在贷余额"]) == D("300000.00")
    assert money(district_total["本月代偿分担"]) == D("107200.00")

    banks, bank_total = table(sheets, BANKS_TITLE)
    by_code = {row["银行代码"]: row for row in banks}
    bob, boc = by_code["BOB"], by_code["BOC"]
    # BOB: its deposit went on A (1,000,000), the recovery's pool share came back; the rest of A, B, C is payable
    assert money(bob["抵押金余额"]) == ledger["deposit:BOB"] == D("40000.01")
    assert money(bob["应付银行（抵押金不足）"]) == ledger["payable:BOB"] == D("4107999.99")
    assert (money(bob["在贷余额"]), bob["在贷笔数"], bob["需补充抵押金"]) == (D("0.00"), 0, "否")
    assert (bob["本月代偿笔数"], money(bob["本月代偿损失"]), money(bob["本月资金池分担"])) == (
        1,
        D("670000.00"),
        D("268000.00"),
    )
    assert money(bob["本月从抵押金扣划"]) == D("0.00")  # the deposit was already used up by A
    assert boc["合作银行"] == EVIL_BANK  # a formula-like name comes back as text
    assert sheets[""][BANKS_TITLE]["B3"].data_type == "s"
    assert money(boc["抵押金余额"]) == D("1000000.00")
    assert money(boc["抵押金10倍"]) == D("10000000.00")
    assert (money(boc["在贷余额"]), boc["在贷笔数"], boc["本月代偿笔数"]) == (D("300000.00"), 1, 0)
    assert money(bank_total["抵押金余额"]) == ledger["deposit"] == D("1040000.01")
    assert money(bank_total["应付银行（抵押金不足）"]) == ledger["payable"]
    assert money(bank_total["在贷余额"]) == D("300000.00")
    # B = pool:special + Σ deposit − Σ payable (SPEC §4)
    assert ledger["B"] == D("21144345.69")

    changes, _ = table(sheets, STATE_CHANGES_TITLE, totals=False)
    assert [(row["事项"], row["业务日期"].date()) for row in changes] == [
        ("暂停", date(2024, 10, 8)),
        ("恢复", date(2024, 10, 11)),
    ]
    suspended, resumed = changes
    assert (money(suspended["资金池资金"]), money(suspended["代偿净额累计"])) == (D("24200000.00"), D("5107999.99"))
    assert money(suspended["代偿比例"] * 1000000) == D("211074.00")
    assert (money(resumed["资金池资金"]), money(resumed["代偿净额累计"])) == (D("26200000.00"), D("5107999.99"))


def check_annual_evaluation(sheets) -> None:
    """Art. 19 for 2024 (the year of the month): BOB lent A, B and C and had all three compensated, D is BOC's."""
    rows, _ = table(sheets, BANK_PERFORMANCE_TITLE, totals=False)
    by_name = {row["合作银行"]: row for row in rows}
    bob, boc, total_row = by_name["包商代偿测试银行"], by_name[EVIL_BANK], by_name["合计"]
    assert rows[-1] is total_row
    assert (bob["放款笔数"], money(bob["放款金额（元）"]), bob["服务企业数"]) == (3, D("12769999.98"), 3)
    assert (bob["代偿笔数"], money(bob["代偿本金（元）"]), bob["代偿率"]) == (3, D("12769999.98"), 1)
    assert (bob["追偿笔数"], money(bob["追回资金（资产）（元）"]), money(bob["追偿净额（元）"])) == (
        1,
        D("100000.03"),
        D("100000.01"),
    )
    assert (boc["放款笔数"], money(boc["放款金额（元）"]), boc["代偿笔数"], boc["代偿率"]) == (1, D("300000.00"), 0, 0)
    # the total row: 12,769,999.98 ÷ 13,069,999.98 = 0.977047 (6 places)
    assert total_row["放款笔数"] == total_row["服务企业数"] == 4
    assert money(total_row["放款金额（元）"]) == D("13069999.98")
    assert money(total_row["代偿率"] * 1000000) == D("977047.00")
    assert summary(sheets)["年度银行考核"] == "2024年全年，按生成时已登记的业务（第十九条）"


def test_registered_as_a_staff_only_kind_with_a_month():
    spec = export_kind(KIND)
    assert (spec.label, spec.banks) == ("市工信局月度报表", False)
    assert clean_params({"month": "2024-10"}) == {"month": "2024-10"}
    for bad in ({"month": "2024-13"}, {"month": "202410"}, {}, {"month": "2024-10", "bank": "x"}, {"month": "9999-01"}):
        with pytest.raises(RuleViolation) as refused:
            clean_params(bad)
        assert (refused.value.code, refused.value.status) == ("validation_error", 400)


def test_without_a_snapshot_the_report_shows_current_figures_and_says_so(october):
    sheets = generate("2024-10", today=TODAY)
    assert list(sheets)[:-1] == [
        POSITION_TITLE,
        FUNDERS_TITLE,
        DISTRICTS_TITLE,
        BANKS_TITLE,
        STATE_CHANGES_TITLE,
        BANK_PERFORMANCE_TITLE,
    ]
    figures = summary(sheets)
    assert figures["口径"] == f"当前余额（本月无日终快照，按生成日 {TODAY.isoformat()} 的数填列）"
    assert figures["截止日期"].date() == TODAY
    check_october_position(figures)
    position = pool_position(TODAY)
    assert money(figures["资金池资金 F"]) == position["pool_funds"]
    assert money(figures["资金池余额 B"]) == position["pool_balance"]
    check_october_tables(sheets, ledger_figures())
    check_annual_evaluation(sheets)


def test_with_the_month_end_snapshot_later_postings_stay_out(october):
    cob_run(business_date=OCT_END, today=TODAY)
    ledger = ledger_figures()
    # November: the region pays in 500,000, more interest, and a new loan at BOC (none of it in October's report)
    inject("region", "500000", on=date(2024, 11, 5))
    interest_post(credited_on=date(2024, 11, 6), amount=D("1000.00"), account="special")
    boc = Bank.objects.get(code="BOC")
    october.lend("250000", district="150203", bank=boc, disbursed_on=date(2024, 11, 7), maturity_on=date(2025, 5, 7))
    sheets = generate("2024-10", today=TODAY)
    figures = summary(sheets)
    assert figures["口径"] == "日终快照（业务日期 2024-10-31）"
    assert figures["截止日期"].date() == OCT_END
    check_october_position(figures)
    check_october_tables(sheets, ledger)
    # the current position has moved on
    assert pool_position(TODAY)["pool_funds"] == D("26713345.67")
    assert pool_position(TODAY)["outstanding_principal"] == D("550000.00")


def test_the_position_uses_the_last_closed_date_of_the_month(policy_2021):
    build_october(policy_2021, close_on_oct_9=True)  # suspended that evening
    sheets = generate("2024-10", today=TODAY)
    figures = summary(sheets)
    assert figures["口径"] == "日终快照（业务日期 2024-10-09）"
    assert figures["暂停新增业务"] == "是"
    # N = 5,107,999.99 on F = 24,200,000; 5,107,999.99 ÷ 0.2 − 24,200,000 = 1,339,999.95, + 0.01
    assert money(figures["代偿净额累计 N"]) == D("5107999.99")
    assert money(figures["恢复业务所需补充资金"]) == D("1339999.96")
    funders, _ = table(sheets, FUNDERS_TITLE)
    city = next(row for row in funders if row["代码"] == "city")
    assert money(city["实缴注资（含补充）"]) == D("6000000.00")  # the replenishments came on 10-10 and 10-11
    assert money(city["应补充资金"]) == D("1339999.96")  # art. 38: the city's due is the resume amount
    # the month's flows still cover the whole month
    assert (figures["本月暂停次数"], figures["本月恢复次数"]) == (1, 1)


def test_money_cells_are_formatted_and_a_quiet_month_has_empty_tables(october):
    sheets = generate("2024-08", today=TODAY)
    book = sheets[""]
    figures = summary(sheets)
    assert figures["本月代偿笔数"] == 0 and money(figures["本月代偿损失"]) == D("0.00")
    assert table(sheets, STATE_CHANGES_TITLE, totals=False)[0] == []
    funders_sheet = book[FUNDERS_TITLE]
    assert funders_sheet["E2"].number_format == MONEY_FORMAT
    assert funders_sheet.freeze_panes == "A2"
    assert book[POSITION_TITLE]["B7"].number_format == MONEY_FORMAT  # 资金池资金 F
