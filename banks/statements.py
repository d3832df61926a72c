"""A partner bank's monthly statement workbook (月度对账单) for one calendar month ``YYYY-MM``.

Sheets (Chinese headers, ``#,##0.00``, real dates, frozen header, autofilter, 合计 rows):

概要
    opening / closing outstanding principal (on the day before the month and on its last day), principal
    disbursed, principal and interest repaid, losses compensated, recoveries (gross and net) in the month, and
    the deposit account's opening / closing balance. closing = opening + disbursed − repaid − compensated:
    a compensated loan's outstanding becomes its loss on the deduction date (SPEC §10).
贷款台账
    every loan of the bank that was outstanding at some time in the month (disbursed by its last day, not closed
    before its first): outstanding principal, status and overdue days (SPEC §9) as of the month's last day.
还款明细, 代偿明细 (40:20:40 and 30:30:40 shares, deposit / payable), 追偿明细
    the month's repayments, compensations and recoveries.
抵押金变动
    the entries on ``deposit:<bank>`` with a business date in the month, in posting order, with the running
    balance from the opening balance (the balance column is not summed).

Month-end figures are computed set-wise: one query per sheet, the repaid principal as of a date by a correlated
subquery (the rule of ``riskfund.lending.selectors.loan_outstanding_on``), overdue days by
``with_first_unpaid_due``. Registered as the export kind ``bank_statement`` (banks may own it).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import IO, Any

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from riskfund.claims.models import Compensation, Recovery
from riskfund.dates import month_bounds, month_has_begun
from riskfund.errors import RuleViolation
from riskfund.exports.paper import Paper
from riskfund.exports.registry import register
from riskfund.exports.xlsx import Column, Sheet, SheetResult, Typed, summary_sheet, write_workbook
from riskfund.ledger.models import Entry, Side
from riskfund.lending.models import Loan, LoanStatus, Repayment
from riskfund.lending.selectors import with_first_unpaid_due
from riskfund.money import FEN, ZERO
from riskfund.parties.models import Bank

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MONEY = DecimalField(max_digits=18, decimal_places=2)
HUNDRED = Decimal(100)

SUMMARY_TITLE = "概要"
LOANS_TITLE = "贷款台账"
REPAYMENTS_TITLE = "还款明细"
COMPENSATIONS_TITLE = "代偿明细"
RECOVERIES_TITLE = "追偿明细"
DEPOSIT_TITLE = "抵押金变动"

LOAN_COLUMNS = [
    Column("contract_no", "借款合同编号", width=22),
    Column("enterprise", "企业名称", width=32),
    Column("uscc", "统一社会信用代码", width=22),
    Column("district", "所属地区", width=14),
    Column("principal", "贷款本金", "money"),
    Column("disbursed_on", "放款日期", "date"),
    Column("maturity_on", "到期日期", "date"),
    Column("annual_rate", "年利率", "ratio"),
    Column("outstanding", "月末本金余额", "money"),
    Column("status", "月末状态", width=10),
    Column("overdue_days", "月末逾期天数", "int"),
]
REPAYMENT_COLUMNS = [
    Column("contract_no", "借款合同编号", width=22),
    Column("enterprise", "企业名称", width=32),
    Column("paid_on", "还款日期", "date"),
    Column("principal", "归还本金", "money"),
    Column("interest", "归还利息", "money"),
]
COMPENSATION_COLUMNS = [
    Column("contract_no", "借款合同编号", width=22),
    Column("enterprise", "企业名称", width=32),
    Column("deducted_on", "扣划日期", "date"),
    Column("overdue_days", "扣划日逾期天数", "int"),
    Column("loss", "代偿损失", "money"),
    Column("share_pool", "资金池分担(40%)", "money"),
    Column("share_bank", "合作银行分担(20%)", "money"),
    Column("share_guarantor", "担保机构分担(40%)", "money"),
    Column("split_region", "自治区分担(30%)", "money"),
    Column("split_city", "市本级分担(30%)", "money"),
    Column("split_district", "地区分担(40%)", "money"),
    Column("from_deposit", "从抵押金扣划", "money"),
    Column("to_payable", "应付银行", "money"),
    Column("notified_late", "逾期告知", width=10),
]
RECOVERY_COLUMNS = [
    Column("contract_no", "借款合同编号", width=22),
    Column("enterprise", "企业名称", width=32),
    Column("recovered_on", "追回日期", "date"),
    Column("gross", "追回资金（资产）", "money"),
    Column("costs", "追偿费用", "money"),
    Column("net", "净额", "money"),
    Column("share_pool", "资金池分配(40%)", "money"),
    Column("share_bank", "合作银行分配(20%)", "money"),
    Column("share_guarantor", "担保机构分配(40%)", "money"),
    Column("split_region", "自治区分配(30%)", "money"),
    Column("split_city", "市本级分配(30%)", "money"),
    Column("split_district", "地区分配(40%)", "money"),
]
DEPOSIT_COLUMNS = [
    Column("business_date", "业务日期", "date", blank=True),
    Column("kind", "业务类型", width=18),
    Column("description", "摘要", width=36, blank=True),
    Column("reference", "关联单据", width=20, blank=True),
    Column("debit", "增加（借方）", "money", blank=True),
    Column("credit", "减少（贷方）", "money", blank=True),
    Column("balance", "余额", width=18),  # Typed money: shown as an amount, not summed
]

STATUS_LABELS = dict(LoanStatus.choices)


# --- the month --------------------------------------------------------------------------------------------


def clean_month(params: dict[str, Any]) -> dict[str, Any]:
    unknown = set(params) - {"month"}
    if unknown:
        raise RuleViolation("validation_error", "", f"未知参数 / unknown parameters: {sorted(unknown)}", status=400)
    month = params.get("month")
    month_bounds(month)
    if not month_has_begun(month):
        raise RuleViolation("validation_error", "", f"month: 尚未开始 / has not begun: {month}", status=400)
    return {"month": month}


# --- figures ----------------------------------------------------------------------------------------------


def _repaid_by(on: date) -> Coalesce:
    """Σ principal repaid on the outer loan with ``paid_on`` ≤ ``on`` (0 when none)."""
    repaid = (
        Repayment.objects.filter(loan=OuterRef("pk"), paid_on__lte=on)
        .order_by()
        .values("loan")
        .annotate(total=Sum("principal"))
        .values("total")
    )
    return Coalesce(Subquery(repaid, output_field=_MONEY), Value(ZERO, output_field=_MONEY))


def _outstanding(principal: Decimal, repaid: Decimal, status: str, closed_on: date | None, on: date) -> Decimal:
    """``loan_outstanding_on`` from a row already holding the repaid principal by ``on`` (disbursed by ``on``)."""
    if status == LoanStatus.COMPENSATED and closed_on is not None and on >= closed_on:
        return ZERO
    return (principal - repaid).quantize(FEN)  # SQLite hands the subquery's sum back with extra places


def outstanding_total(bank: Bank, on: date) -> Decimal:
    """Σ outstanding principal of the bank's loans on ``on`` (one query)."""
    rows = (
        Loan.objects.filter(bank=bank, disbursed_on__lte=on)
        .annotate(repaid=_repaid_by(on))
        .values_list("principal", "repaid", "status", "closed_on")
    )
    return sum((_outstanding(p, r, s, c, on) for p, r, s, c in rows.iterator(chunk_size=2000)), ZERO)


def deposit_balance_on(bank: Bank, on: date) -> Decimal:
    """The deposit account's balance at the end of business date ``on`` (debits − credits of its entries)."""
    totals = Entry.objects.filter(
        account__code=bank.deposit_account_code, transaction__business_date__lte=on
    ).aggregate(debit=Sum("amount", filter=Q(side=Side.DEBIT)), credit=Sum("amount", filter=Q(side=Side.CREDIT)))
    return (totals["debit"] or ZERO) - (totals["credit"] or ZERO)


def statement_loans(bank: Bank, first: date, last: date) -> QuerySet[Loan]:
    """The bank's loans outstanding at some time in the month, with ``repaid`` and ``first_unpaid_due`` at ``last``."""
    loans = Loan.objects.filter(bank=bank, disbursed_on__lte=last).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=first)
    )
    return (
        with_first_unpaid_due(loans, last)
        .annotate(repaid=_repaid_by(last))
        .select_related("enterprise", "district")
        .order_by("disbursed_on", "contract_no")
    )


def statement_summary(bank: Bank, first: date, last: date) -> dict[str, Decimal]:
    """The 概要 figures (see the module docstring)."""
    day_before = first - timedelta(days=1)
    disbursed = Loan.objects.filter(bank=bank, disbursed_on__range=(first, last)).aggregate(t=Sum("principal"))["t"]
    repaid = Repayment.objects.filter(loan__bank=bank, paid_on__range=(first, last)).aggregate(
        principal=Sum("principal"), interest=Sum("interest")
    )
    compensated = Compensation.objects.filter(bank=bank, deducted_on__range=(first, last)).aggregate(t=Sum("loss"))["t"]
    recovered = Recovery.objects.filter(loan__bank=bank, recovered_on__range=(first, last)).aggregate(
        gross=Sum("gross"), net=Sum("net")
    )
    return {
        "opening_outstanding": outstanding_total(bank, day_before),
        "disbursed": disbursed or ZERO,
        "repaid_principal": repaid["principal"] or ZERO,
        "repaid_interest": repaid["interest"] or ZERO,
        "compensated": compensated or ZERO,
        "recovered_gross": recovered["gross"] or ZERO,
        "recovered_net": recovered["net"] or ZERO,
        "closing_outstanding": outstanding_total(bank, last),
        "deposit_opening": deposit_balance_on(bank, day_before),
        "deposit_closing": deposit_balance_on(bank, last),
    }


# --- sheets -----------------------------------------------------------------------------------------------


def _loan_rows(loans: QuerySet[Loan], last: date) -> Iterator[dict[str, Any]]:
    # plain values, not Loan / Enterprise / Funder instances: building three models a row was a third of the export
    # of 100,000 loans (cProfile: 308,625 Model.__init__, ~10 of 31 s; BENCHMARKS.md)
    fields = ("contract_no", "principal", "disbursed_on", "maturity_on", "annual_rate", "repaid", "status", "closed_on")
    rows = loans.values(
        *fields, "first_unpaid_due", name=F("enterprise__name"), uscc=F("enterprise__uscc"), area=F("district__name")
    )
    for loan in rows.iterator(chunk_size=2000):
        closed_on = loan["closed_on"]
        status = loan["status"] if closed_on is not None and closed_on <= last else LoanStatus.ACTIVE
        unpaid = loan["first_unpaid_due"]
        days = (last - unpaid).days if status == LoanStatus.ACTIVE and unpaid is not None and unpaid < last else 0
        yield {
            "contract_no": loan["contract_no"],
            "enterprise": loan["name"],
            "uscc": loan["uscc"],
            "district": loan["area"],
            "principal": loan["principal"],
            "disbursed_on": loan["disbursed_on"],
            "maturity_on": loan["maturity_on"],
            "annual_rate": loan["annual_rate"] / HUNDRED,
            "outstanding": _outstanding(loan["principal"], loan["repaid"], loan["status"], closed_on, last),
            "status": str(STATUS_LABELS[status]),
            "overdue_days": days,
        }


def _deposit_rows(entries: QuerySet[Entry], opening: Decimal, first: date) -> Iterator[dict[str, Any]]:
    balance = opening
    yield {"business_date": first, "kind": "期初余额", "balance": Typed(balance, "money")}
    rows = entries.values_list(
        "transaction__business_date",
        "transaction__kind",
        "transaction__description",
        "transaction__reference",
        "side",
        "amount",
    )
    for business_date, kind, description, reference, side, amount in rows.iterator(chunk_size=2000):
        balance += amount if side == Side.DEBIT else -amount
        yield {
            "business_date": business_date,
            "kind": kind,
            "description": description,
            "reference": reference,
            "debit": amount if side == Side.DEBIT else None,
            "credit": amount if side == Side.CREDIT else None,
            "balance": Typed(balance, "money"),
        }


_LOAN_NAMES = {"contract_no": F("loan__contract_no"), "enterprise": F("loan__enterprise__name")}
_SHARES = ("share_pool", "share_bank", "share_guarantor", "split_region", "split_city", "split_district")
_COMPENSATION_FIELDS = ("deducted_on", "overdue_days", "loss", *_SHARES, "from_deposit", "to_payable", "notified_late")
_RECOVERY_FIELDS = ("recovered_on", "gross", "net", *_SHARES)


def statement_sheets(bank: Bank, month: str) -> list[Sheet]:
    first, last = month_bounds(month)
    figures = statement_summary(bank, first, last)
    loans = statement_loans(bank, first, last)
    repayments = (
        Repayment.objects.filter(loan__bank=bank, paid_on__range=(first, last))
        .order_by("paid_on", "created_at")
        .values("loan__contract_no", "loan__enterprise__name", "paid_on", "principal", "interest")
    )
    compensations = Compensation.objects.filter(bank=bank, deducted_on__range=(first, last)).order_by(
        "deducted_on", "created_at"
    )
    recoveries = Recovery.objects.filter(loan__bank=bank, recovered_on__range=(first, last)).order_by(
        "recovered_on", "created_at"
    )
    entries = Entry.objects.filter(
        account__code=bank.deposit_account_code, transaction__business_date__range=(first, last)
    ).order_by("transaction__business_date", "transaction__posted_at", "id")

    def repayment_rows():
        for row in repayments.iterator(chunk_size=2000):
            yield {
                "contract_no": row["loan__contract_no"],
                "enterprise": row["loan__enterprise__name"],
                "paid_on": row["paid_on"],
                "principal": row["principal"],
                "interest": row["interest"],
            }

    # plain values, as for the loans: a chunk of 2,000 Compensation + Loan + Enterprise instances was the part of the
    # export's peak memory that grew with the bank (tracemalloc, BENCHMARKS.md)
    def compensation_rows():
        for row in compensations.values(*_COMPENSATION_FIELDS, **_LOAN_NAMES).iterator(chunk_size=2000):
            yield {**row, "notified_late": "是" if row["notified_late"] else "否"}

    def recovery_rows():
        for row in recoveries.values(*_RECOVERY_FIELDS, **_LOAN_NAMES).iterator(chunk_size=2000):
            yield {**row, "costs": row["gross"] - row["net"]}

    summary = summary_sheet(
        SUMMARY_TITLE,
        [
            ("报表", "合作银行月度对账单"),
            ("合作银行", f"{bank.name}（{bank.code}）"),
            ("月份", month),
            ("起始日期", first),
            ("截止日期", last),
            ("期初贷款余额", figures["opening_outstanding"]),
            ("本月放款", figures["disbursed"]),
            ("本月归还本金", figures["repaid_principal"]),
            ("本月归还利息", figures["repaid_interest"]),
            ("本月代偿", figures["compensated"]),
            ("本月追偿（毛额）", figures["recovered_gross"]),
            ("本月追偿（净额）", figures["recovered_net"]),
            ("期末贷款余额", figures["closing_outstanding"]),
            ("抵押金期初余额", figures["deposit_opening"]),
            ("抵押金期末余额", figures["deposit_closing"]),
            ("生成时间", timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")),
        ],
        paper=Paper(f"{bank.name}（{bank.code}）", f"{month}（{first} 至 {last}）"),
    )
    return [
        summary,
        Sheet(LOANS_TITLE, LOAN_COLUMNS, _loan_rows(loans, last), totals=True, count=loans.count()),
        Sheet(REPAYMENTS_TITLE, REPAYMENT_COLUMNS, repayment_rows(), totals=True, count=repayments.count()),
        Sheet(COMPENSATIONS_TITLE, COMPENSATION_COLUMNS, compensation_rows(), totals=True, count=compensations.count()),
        Sheet(RECOVERIES_TITLE, RECOVERY_COLUMNS, recovery_rows(), totals=True, count=recoveries.count()),
        Sheet(
            DEPOSIT_TITLE,
            DEPOSIT_COLUMNS,
            _deposit_rows(entries, figures["deposit_opening"], first),
            totals=True,
            count=entries.count() + 1,
        ),
    ]


def statement_filename(bank: Bank, month: str) -> str:
    return f"月度对账单-{bank.code}-{month}.xlsx"


def statement_write(*, bank: Bank, month: str, target: str | IO[bytes]) -> list[SheetResult]:
    """Write the statement of ``bank`` for ``month`` to ``target`` (a path or a binary file)."""
    return write_workbook(statement_sheets(bank, month), target)


@register(
    "bank_statement",
    label="合作银行月度对账单",
    banks=True,
    clean=clean_month,
    filename=lambda job: statement_filename(Bank.objects.get(pk=job.owner_bank), job.params["month"]),
)
def bank_statement(job) -> list[Sheet]:
    if not job.owner_bank:
        raise RuleViolation("validation_error", "", "对账单属于一家银行 / a statement belongs to a bank", status=400)
    return statement_sheets(Bank.objects.get(pk=job.owner_bank), job.params["month"])
