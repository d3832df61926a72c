"""The annual bank performance report (合作银行年度业务开展情况, art. 19: "按年对助保金贷款业务开展情况（包括合作银行
年度开展助保金贷款业务情况）进行绩效自评"), per bank for one calendar year, and its Excel export
``bank_performance_annual``.

Per bank, for the year Y (every figure from the records' business dates, never from when they were entered):

- loans: loans disbursed in Y (``Loan.disbursed_on``), their count and principal ("amounts disbursed");
- firms served: distinct enterprises among those loans (the total counts an enterprise once, even when it
  borrowed from two banks);
- compensations: compensations deducted in Y (``Compensation.deducted_on``), their count and loss (the
  compensated principal, SPEC §10);
- compensation rate = compensated principal in Y ÷ principal disbursed in Y, a ``Decimal`` with 6 places
  (ROUND_HALF_UP); ``None`` (shown "—") when the bank disbursed nothing in Y;
- recoveries: recoveries recorded in Y (``Recovery.recovered_on``) on the bank's loans: count, gross, and net of
  costs (art. 34);
- notice timeliness (art. 27, 32: written notice within 3 working days): the share of the disbursement notices
  (loans disbursed in Y) and of the compensation notices (compensations deducted in Y) that were NOT flagged
  late, each and together, 6 places; ``None`` when there was no notice.

Amounts are summed in Python over exact ``Decimal`` values (SQLite would sum decimals in floating point).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models.functions import ExtractYear
from django.utils import timezone

from riskfund.claims.models import Compensation, Recovery
from riskfund.errors import RuleViolation
from riskfund.exports.paper import PROGRAMME, Paper
from riskfund.exports.registry import register
from riskfund.exports.xlsx import Column, Sheet, summary_sheet
from riskfund.lending.models import Loan
from riskfund.money import ZERO
from riskfund.parties.models import Bank

EXPORT_KIND = "bank_performance_annual"
EXPORT_LABEL = "合作银行年度业务开展情况（第十九条）"
RATE = Decimal("0.000001")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def rate(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole with 6 decimal places (ROUND_HALF_UP), None when whole is zero."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE, rounding=ROUND_HALF_UP)


@dataclass
class BankYear:
    """One bank's figures for the year (``code`` "" and ``name`` "合计" for the total row)."""

    code: str
    name: str
    loans: int = 0
    disbursed: Decimal = ZERO
    firms: int = 0
    compensations: int = 0
    compensated: Decimal = ZERO
    recoveries: int = 0
    recovered_gross: Decimal = ZERO
    recovered_net: Decimal = ZERO
    disbursement_notices_late: int = 0
    compensation_notices_late: int = 0
    enterprises: set = field(default_factory=set, repr=False)

    @property
    def compensation_rate(self) -> Decimal | None:
        return rate(self.compensated, self.disbursed)

    @property
    def disbursement_notices_on_time(self) -> int:
        return self.loans - self.disbursement_notices_late

    @property
    def compensation_notices_on_time(self) -> int:
        return self.compensations - self.compensation_notices_late

    @property
    def disbursement_timeliness(self) -> Decimal | None:
        return rate(self.disbursement_notices_on_time, self.loans)

    @property
    def compensation_timeliness(self) -> Decimal | None:
        return rate(self.compensation_notices_on_time, self.compensations)

    @property
    def notice_timeliness(self) -> Decimal | None:
        on_time = self.disbursement_notices_on_time + self.compensation_notices_on_time
        return rate(on_time, self.loans + self.compensations)

    def as_row(self) -> dict[str, Any]:
        row = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "enterprises"}
        for name in (
            "compensation_rate",
            "disbursement_notices_on_time",
            "compensation_notices_on_time",
            "disbursement_timeliness",
            "compensation_timeliness",
            "notice_timeliness",
        ):
            row[name] = getattr(self, name)
        return row


@dataclass(frozen=True)
class BankPerformance:
    year: int
    banks: list[BankYear]
    total: BankYear


def clean_year(value: Any) -> int:
    """A calendar year between 2000 and 2100 (an int, or its decimal digits), else 400 ``validation_error``."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not FIRST_YEAR <= value <= LAST_YEAR:
        raise RuleViolation("validation_error", "art. 19", f"year: 须为 {FIRST_YEAR}–{LAST_YEAR} 的年份", status=400)
    return value


def bank_performance(year: int) -> BankPerformance:
    """Every bank's figures for ``year`` (art. 19), banks in code order, and the programme's total."""
    year = clean_year(year)
    banks = {bank.pk: BankYear(code=bank.code, name=bank.name) for bank in Bank.objects.order_by("code")}
    total = BankYear(code="", name="合计")

    loans = Loan.objects.filter(disbursed_on__year=year).values_list(
        "bank_id", "principal", "enterprise_id", "notified_late"
    )
    for bank_id, principal, enterprise_id, late in loans.iterator(chunk_size=2000):
        for row in (banks[bank_id], total):
            row.loans += 1
            row.disbursed += principal
            row.enterprises.add(enterprise_id)
            row.disbursement_notices_late += int(late)

    compensations = Compensation.objects.filter(deducted_on__year=year).values_list("bank_id", "loss", "notified_late")
    for bank_id, loss, late in compensations.iterator(chunk_size=2000):
        for row in (banks[bank_id], total):
            row.compensations += 1
            row.compensated += loss
            row.compensation_notices_late += int(late)

    recoveries = Recovery.objects.filter(recovered_on__year=year).values_list("loan__bank_id", "gross", "net")
    for bank_id, gross, net in recoveries.iterator(chunk_size=2000):
        for row in (banks[bank_id], total):
            row.recoveries += 1
            row.recovered_gross += gross
            row.recovered_net += net

    for row in [*banks.values(), total]:
        row.firms = len(row.enterprises)
    return BankPerformance(year=year, banks=list(banks.values()), total=total)


def report_years(today: date | None = None) -> list[int]:
    """The years with a disbursement, a compensation or a recovery, and the current year, newest first."""
    today = today or timezone.localdate()
    years = {today.year}
    for queryset, name in (
        (Loan.objects, "disbursed_on"),
        (Compensation.objects, "deducted_on"),
        (Recovery.objects, "recovered_on"),
    ):
        years.update(queryset.annotate(y=ExtractYear(name)).values_list("y", flat=True).distinct().order_by())
    return sorted((y for y in years if y is not None), reverse=True)


# --- Excel export --------------------------------------------------------------------------------------------

COLUMNS = [
    Column("code", "银行代码", "text", width=12),
    Column("name", "合作银行", "text", width=28),
    Column("loans", "放款笔数", "int"),
    Column("disbursed", "放款金额（元）", "money"),
    Column("firms", "服务企业数", "int"),
    Column("compensations", "代偿笔数", "int"),
    Column("compensated", "代偿本金（元）", "money"),
    Column("compensation_rate", "代偿率", "ratio", width=12, blank=True),
    Column("recoveries", "追偿笔数", "int"),
    Column("recovered_gross", "追回资金（资产）（元）", "money"),
    Column("recovered_net", "追偿净额（元）", "money"),
    Column("disbursement_notices_on_time", "放款按时告知笔数", "int"),
    Column("disbursement_timeliness", "放款告知及时率", "ratio", width=14, blank=True),
    Column("compensation_notices_on_time", "代偿按时告知笔数", "int"),
    Column("compensation_timeliness", "代偿告知及时率", "ratio", width=14, blank=True),
    Column("notice_timeliness", "告知及时率（合计）", "ratio", width=16, blank=True),
]

DEFINITIONS = [
    ("放款", "当年放款日期的贷款：笔数与本金合计"),
    ("服务企业数", "当年放款的不同企业数（合计行中同一企业只计一次）"),
    ("代偿", "当年扣划日期的代偿：笔数与代偿本金（第三十二条）"),
    ("代偿率", "当年代偿本金 ÷ 当年放款金额，保留6位小数；当年无放款时为空"),
    ("追偿", "当年追回日期的追偿：追回资金（资产）与扣除费用后的净额（第三十四条）"),
    ("告知及时率", "未被标记逾期告知的放款告知（第二十七条）与代偿告知（第三十二条）所占比例，保留6位小数"),
]


def clean_params(params: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(params) - {"year"}
    if unknown:
        raise RuleViolation("validation_error", "", f"未知参数 / unknown parameters: {sorted(unknown)}", status=400)
    return {"year": clean_year(params.get("year"))}


def report_sheets(year: int) -> list[Sheet]:
    report = bank_performance(year)
    total = report.total
    summary = summary_sheet(
        "概要",
        [
            ("报表", EXPORT_LABEL),
            ("年度", str(report.year)),
            ("合作银行数", len(report.banks)),
            ("放款笔数", total.loans),
            ("放款金额（元）", total.disbursed),
            ("服务企业数", total.firms),
            ("代偿本金（元）", total.compensated),
            *([("代偿率", total.compensation_rate, "ratio")] if total.compensation_rate is not None else []),
            ("追偿净额（元）", total.recovered_net),
            *([("告知及时率", total.notice_timeliness, "ratio")] if total.notice_timeliness is not None else []),
            ("生成时间", timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")),
            *((f"口径：{label}", text) for label, text in DEFINITIONS),
        ],
        paper=Paper(PROGRAMME, f"{report.year} 年度"),
    )
    rows: Iterable[dict[str, Any]] = [*(bank.as_row() for bank in report.banks), total.as_row()]
    return [summary, Sheet("各合作银行", COLUMNS, rows, count=len(report.banks) + 1)]


def _filename(job) -> str:
    return f"合作银行年度业务开展情况-{job.params['year']}.xlsx"


@register(EXPORT_KIND, label=EXPORT_LABEL, clean=clean_params, filename=_filename)
def bank_performance_annual(job) -> list[Sheet]:
    return report_sheets(job.params["year"])
