"""The bureau's monthly report (市工信局月度报表) for one calendar month ``YYYY-MM``: export kind ``bureau_monthly``.

Sheets (Chinese headers, ``#,##0.00``, real dates, frozen header, autofilter, 合计 rows):

资金池月末状况
    SPEC §4 and §5 figures at the month's end: pool funds F (of which the funders' paid-in and interest), net
    compensation N, pool balance B, credit capacity, outstanding, available capacity, the compensation ratio
    against the threshold, suspended or not and the replenishment that would resume the pool; then the month's
    compensations, recoveries, suspensions and resumptions. ``口径`` says where the figures come from.
出资方
    every funder (region, city, districts): commitment, paid-in, replenishments paid, loss borne, net contribution
    and the replenishment due (SPEC §6, art. 13, 38).
各地区
    every district: paid-in, cap = 25 × paid-in (art. 13), outstanding, the cap's use, loss borne, the district's
    share of the month's compensations, replenishment due.
合作银行
    every bank: deposit balance, payable owed to it, outstanding, N × deposit (art. 16) and whether a top-up is
    needed, active loans, and the month's compensations (count, loss, the pool's share, what came out of the
    deposit).
暂停与恢复
    the month's ``PoolStateChange`` events (art. 37, 38) with the ratio, F and N at the crossing and the cause.

年度银行考核
    the annual bank evaluation of art. 19 for the month's calendar year, from ``reports.bank_performance``: per bank
    the loans disbursed, firms served, compensations and the compensation rate, recoveries and notice timeliness,
    with the programme's total row. It covers the whole year as recorded when the report is generated (the
    selector counts by business date over the calendar year), which the first sheet says.

The cut-off the figures are taken at (the month's last daily snapshot, else the current figures) and the month's
flows: riskfund/dashboard/bureau_figures.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from riskfund.claims.models import Compensation
from riskfund.dates import month_bounds
from riskfund.errors import RuleViolation
from riskfund.exports.paper import PROGRAMME, Paper
from riskfund.exports.registry import register
from riskfund.exports.xlsx import Column, Sheet, summary_sheet
from riskfund.money import ZERO
from riskfund.parties.models import FunderTier
from riskfund.pool.models import PoolStateChange

from .bureau_figures import ReportBasis, money_or_zero, month_flows, report_basis, share
from .reports import COLUMNS as BANK_PERFORMANCE_COLUMNS
from .reports import bank_performance

KIND = "bureau_monthly"
LABEL = "市工信局月度报表"

POSITION_TITLE = "资金池月末状况"
FUNDERS_TITLE = "出资方"
DISTRICTS_TITLE = "各地区"
BANKS_TITLE = "合作银行"
STATE_CHANGES_TITLE = "暂停与恢复"
BANK_PERFORMANCE_TITLE = "年度银行考核"

TIER_LABELS = dict(FunderTier.choices)

FUNDER_COLUMNS = [
    Column("code", "代码", width=10),
    Column("name", "出资方", width=18),
    Column("tier", "层级", width=8),
    Column("commitment", "承诺注资额", "money"),
    Column("paid_in", "实缴注资（含补充）", "money"),
    Column("replenished", "其中：补充资金", "money"),
    Column("loss", "承担代偿净额", "money"),
    Column("net", "净出资（实缴−代偿）", "money"),
    Column("due", "应补充资金", "money"),
]
DISTRICT_COLUMNS = [
    Column("code", "地区代码", width=10),
    Column("name", "地区", width=16),
    Column("paid_in", "实缴注资", "money"),
    Column("cap", "贷款规模上限（25倍）", "money", width=22),
    Column("outstanding", "在贷余额", "money"),
    Column("used", "上限使用率", "ratio", width=12),
    Column("loss", "承担代偿净额", "money"),
    Column("month_split", "本月代偿分担", "money"),
    Column("due", "应补充资金", "money"),
]
BANK_COLUMNS = [
    Column("code", "银行代码", width=10),
    Column("name", "合作银行", width=24),
    Column("deposit", "抵押金余额", "money"),
    Column("payable", "应付银行（抵押金不足）", "money", width=22),
    Column("outstanding", "在贷余额", "money"),
    Column("trigger", "抵押金10倍", "money"),
    Column("topup_needed", "需补充抵押金", width=12),
    Column("active_loans", "在贷笔数", "int"),
    Column("month_count", "本月代偿笔数", "int", width=14),
    Column("month_loss", "本月代偿损失", "money"),
    Column("month_pool", "本月资金池分担", "money"),
    Column("month_from_deposit", "本月从抵押金扣划", "money"),
]
STATE_CHANGE_COLUMNS = [
    Column("business_date", "业务日期", "date"),
    Column("occurred_at", "发生时间", width=20),
    Column("event", "事项", width=8),
    Column("ratio", "代偿比例", "ratio", width=12),
    Column("pool_funds", "资金池资金", "money"),
    Column("net_compensation", "代偿净额累计", "money"),
    Column("cause", "原因", width=40),
]


# --- the month --------------------------------------------------------------------------------------------


def clean_params(params: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(params) - {"month"}
    if unknown:
        raise RuleViolation("validation_error", "", f"未知参数 / unknown parameters: {sorted(unknown)}", status=400)
    month = params.get("month")
    first, _ = month_bounds(month)
    if first > timezone.localdate():
        raise RuleViolation("validation_error", "", f"month: 尚未开始 / has not begun: {month}", status=400)
    return {"month": month}


# --- sheets -----------------------------------------------------------------------------------------------


def position_sheet(basis: ReportBasis, flows: dict[str, Any]) -> Sheet:
    p = basis.position
    paid_in = sum((row["paid_in"] for row in basis.funders), ZERO)
    return summary_sheet(
        POSITION_TITLE,
        [
            ("报表", LABEL),
            ("月份", basis.month),
            ("截止日期", basis.as_of),
            ("口径", basis.source),
            ("政策版本", p["policy_version"]),
            ("资金池资金 F", p["pool_funds"]),
            ("其中：出资方实缴", paid_in),
            ("其中：利息收入", basis.interest),
            ("代偿净额累计 N", p["net_compensation"]),
            ("资金池余额 B", p["pool_balance"]),
            ("授信额度", p["credit_capacity"]),
            ("在贷余额", p["outstanding_principal"]),
            ("可用额度", p["available_capacity"]),
            ("代偿比例", p["compensation_ratio"], "ratio"),
            ("代偿比例（六位小数）", str(p["compensation_ratio"])),
            ("暂停阈值", p["suspension_threshold"], "ratio"),
            ("暂停新增业务", "是" if p["suspended"] else "否"),
            ("恢复业务所需补充资金", p["resume_replenishment"]),
            ("本月代偿笔数", flows["compensations"]),
            ("本月代偿损失", flows["compensated_loss"]),
            ("本月代偿资金池分担", flows["compensated_pool"]),
            ("本月追偿笔数", flows["recoveries"]),
            ("本月追偿净额", flows["recovered_net"]),
            ("本月追偿资金池分配", flows["recovered_pool"]),
            ("本月暂停次数", flows["suspensions"]),
            ("本月恢复次数", flows["resumptions"]),
            ("年度银行考核", f"{basis.first.year}年全年，按生成时已登记的业务（第十九条）"),
            ("生成时间", timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")),
        ],
        paper=Paper(PROGRAMME, f"{basis.month}（截止 {basis.as_of}）"),
    )


def funder_rows(basis: ReportBasis) -> list[dict[str, Any]]:
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "tier": str(TIER_LABELS.get(row["tier"], row["tier"])),
            "commitment": row["commitment"],
            "paid_in": row["paid_in"],
            "replenished": row["replenished"],
            "loss": row["loss"],
            "net": row["paid_in"] - row["loss"],
            "due": row["replenishment_due"],
        }
        for row in basis.funders
    ]


def district_rows(basis: ReportBasis) -> list[dict[str, Any]]:
    splits = dict(
        Compensation.objects.filter(deducted_on__range=(basis.first, basis.last))
        .order_by()
        .values("district")
        .annotate(total=Sum("split_district"))
        .values_list("district", "total")
    )
    rows = []
    for row in basis.funders:
        if row["tier"] != FunderTier.DISTRICT:
            continue
        outstanding = basis.district_outstanding.get(row["code"], ZERO)
        rows.append(
            {
                "code": row["code"],
                "name": row["name"],
                "paid_in": row["paid_in"],
                "cap": row["scale_cap"],
                "outstanding": outstanding,
                "used": share(outstanding, row["scale_cap"]),
                "loss": row["loss"],
                "month_split": money_or_zero(splits.get(row["code"])),
                "due": row["replenishment_due"],
            }
        )
    return rows


def bank_rows(basis: ReportBasis) -> list[dict[str, Any]]:
    compensations = (
        Compensation.objects.filter(deducted_on__range=(basis.first, basis.last))
        .order_by()
        .values("bank__code")
        .annotate(count=Count("pk"), loss=Sum("loss"), pool=Sum("share_pool"), from_deposit=Sum("from_deposit"))
    )
    month = {row["bank__code"]: row for row in compensations}
    rows = []
    for bank in basis.banks:
        trigger = bank["deposit"] * basis.topup_multiple
        flows = month.get(bank["code"], {})
        rows.append(
            {
                "code": bank["code"],
                "name": bank["name"],
                "deposit": bank["deposit"],
                "payable": bank["payable"],
                "outstanding": bank["outstanding"],
                "trigger": trigger,
                "topup_needed": "是" if bank["outstanding"] > trigger else "否",
                "active_loans": bank["active_loans"],
                "month_count": flows.get("count", 0),
                "month_loss": money_or_zero(flows.get("loss")),
                "month_pool": money_or_zero(flows.get("pool")),
                "month_from_deposit": money_or_zero(flows.get("from_deposit")),
            }
        )
    return rows


def state_change_rows(first: date, last: date) -> list[dict[str, Any]]:
    changes = PoolStateChange.objects.filter(business_date__range=(first, last)).order_by("occurred_at", "pk")
    return [
        {
            "business_date": change.business_date,
            "occurred_at": timezone.localtime(change.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
            "event": "暂停" if change.suspended else "恢复",
            "ratio": change.ratio,
            "pool_funds": change.pool_funds,
            "net_compensation": change.net_compensation,
            "cause": change.cause,
        }
        for change in changes
    ]


def bureau_sheets(month: str, today: date | None = None) -> list[Sheet]:
    basis = report_basis(month, today)
    flows = month_flows(basis.first, basis.last)
    funders, districts, banks = funder_rows(basis), district_rows(basis), bank_rows(basis)
    changes = state_change_rows(basis.first, basis.last)
    performance = bank_performance(basis.first.year)
    evaluation = [*(bank.as_row() for bank in performance.banks), performance.total.as_row()]
    bank_columns = [
        Column("trigger", f"抵押金{basis.topup_multiple}倍", "money") if c.key == "trigger" else c for c in BANK_COLUMNS
    ]
    return [
        position_sheet(basis, flows),
        Sheet(FUNDERS_TITLE, FUNDER_COLUMNS, funders, totals=True, count=len(funders)),
        Sheet(DISTRICTS_TITLE, DISTRICT_COLUMNS, districts, totals=True, count=len(districts)),
        Sheet(BANKS_TITLE, bank_columns, banks, totals=True, count=len(banks)),
        Sheet(STATE_CHANGES_TITLE, STATE_CHANGE_COLUMNS, changes, count=len(changes)),
        Sheet(BANK_PERFORMANCE_TITLE, BANK_PERFORMANCE_COLUMNS, evaluation, count=len(evaluation)),
    ]


def bureau_filename(job) -> str:
    return f"{LABEL}-{job.params['month']}.xlsx"


@register(KIND, label=LABEL, clean=clean_params, filename=bureau_filename)
def bureau_monthly(job) -> list[Sheet]:
    """The export kind: staff only (``banks=False``); the report covers the whole programme."""
    return bureau_sheets(job.params["month"])
