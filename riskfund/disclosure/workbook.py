"""The funder statement as a workbook (出资方月度对账单), written by the shared writer with the bank statement's
conventions: Chinese headers, ``#,##0.00``, real dates, frozen header, autofilter, 合计 rows, and the print setup of
``riskfund.exports.paper`` (the funder and the month on every page, the signature and stamp block under 概要).

Sheets: 概要 (the figures of ``FunderStatement``; for a district its loans at the month's end), 实缴变动 (entries on
``funder:<code>``), 代偿分担 (its share of each compensation: loan, bank, date, amount), 追偿返还 (its share of each
recovery), and 其他变动 (any other posting on ``loss:<code>``, e.g. a reversal) when there is one.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from riskfund.exports.paper import Paper
from riskfund.exports.xlsx import Column, Sheet, summary_sheet
from riskfund.parties.models import FunderTier

from .statements import ClaimShare, FunderStatement, Movement

SUMMARY_TITLE = "概要"
PAID_IN_TITLE = "实缴变动"
COMPENSATIONS_TITLE = "代偿分担"
RECOVERIES_TITLE = "追偿返还"
OTHER_TITLE = "其他变动"

KIND_LABELS = {
    "injection": "注资",
    "replenishment": "补充资金",
    "injection_reversal": "注资冲正",
    "replenishment_reversal": "补充资金冲正",
    "compensation": "代偿分担",
    "compensation_reversal": "代偿冲正",
    "recovery": "追偿返还",
    "recovery_reversal": "追偿冲正",
}
BUCKET_LABELS = {
    "current": "未逾期",
    "1-25": "逾期1–25天",
    "26-60": "逾期26–60天",
    "61-90": "逾期61–90天",
    "91+": "逾期91天以上",
}
TIER_LABELS = {FunderTier.REGION: "自治区", FunderTier.CITY: "市本级", FunderTier.DISTRICT: "地区"}

MOVEMENT_COLUMNS = [
    Column("business_date", "业务日期", "date"),
    Column("kind", "业务类型", width=14),
    Column("description", "摘要", width=36),
    Column("reference", "凭证号", width=20),
    Column("amount", "金额（减少为负）", "money"),
    Column("transaction", "记账凭证", width=38),
]


def claim_columns(date_header: str, whole_header: str, pool_header: str, own_header: str) -> list[Column]:
    return [
        Column("business_date", date_header, "date"),
        Column("contract_no", "借款合同编号", width=22),
        Column("bank", "合作银行", width=26),
        Column("district", "所属地区", width=10),
        Column("whole", whole_header, "money"),
        Column("pool_share", pool_header, "money"),
        Column("amount", own_header, "money"),
    ]


COMPENSATION_COLUMNS = claim_columns("扣划日期", "代偿损失", "资金池分担(40%)", "本方分担")
RECOVERY_COLUMNS = claim_columns("追回日期", "追偿净额", "资金池分配(40%)", "本方返还")


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def movement_rows(movements: list[Movement]) -> list[dict[str, Any]]:
    return [
        {
            "business_date": m.business_date,
            "kind": kind_label(m.kind),
            "description": m.description,
            "reference": m.reference,
            "amount": m.amount,
            "transaction": m.transaction,
        }
        for m in movements
    ]


def claim_rows(shares: list[ClaimShare]) -> list[dict[str, Any]]:
    return [
        {
            "business_date": s.business_date,
            "contract_no": s.contract_no,
            "bank": f"{s.bank_name}（{s.bank_code}）",
            "district": s.district,
            "whole": s.whole,
            "pool_share": s.pool_share,
            "amount": s.amount,
        }
        for s in shares
    ]


def summary_items(st: FunderStatement) -> list[tuple]:
    funder = st.funder
    items: list[tuple] = [
        ("报表", "出资方月度对账单"),
        ("出资方", f"{funder.name}（{funder.code}）"),
        ("层级", TIER_LABELS.get(funder.tier, funder.tier)),
        ("月份", st.month),
        ("起始日期", st.first),
        ("截止日期", st.last),
        ("期初实缴（含补充资金）", st.opening_paid_in),
        ("本月注资", st.injections),
        ("本月补充资金", st.replenishments),
        ("本月冲正及其他", st.paid_in_other),
        ("期末实缴（含补充资金）", st.closing_paid_in),
        ("期初承担代偿净额", st.opening_loss),
        ("本月代偿分担", st.compensation_total),
        ("本月追偿返还", st.recovery_total),
        ("本月其他变动", st.loss_other),
        ("期末承担代偿净额", st.closing_loss),
        ("期初净出资（实缴−代偿）", st.opening_position),
        ("期末净出资（实缴−代偿）", st.closing_position),
        ("累计补充资金（月末）", st.replenished),
    ]
    if funder.tier == FunderTier.DISTRICT:
        items.append(("最低注资标准（第八条）", st.minimum))
    items.append(("应补充资金（第十三条、第三十八条）", st.replenishment_due))
    if funder.tier == FunderTier.CITY:
        items.append(("月末资金池暂停新增业务（第三十七条）", "是" if st.pool_suspended else "否"))
    if st.district is not None:
        d = st.district
        items += [
            ("月末在贷笔数", d.active_loans),
            ("月末在贷余额", d.outstanding),
            *(
                item
                for bucket, label in BUCKET_LABELS.items()
                for item in (
                    (f"{label}（笔）", d.buckets[bucket]["count"]),
                    (f"{label}（余额）", d.buckets[bucket]["amount"]),
                )
            ),
            ("本月代偿笔数", d.compensated_in_month["count"]),
            ("本月代偿损失", d.compensated_in_month["loss"]),
            ("累计代偿笔数", d.compensated_to_date["count"]),
            ("累计代偿损失", d.compensated_to_date["loss"]),
            ("累计本方代偿分担", d.compensated_to_date["share"]),
            ("贷款规模上限（实缴×25倍，第十三条）", d.scale_cap),
            *([("上限使用率", d.cap_used, "ratio")] if d.cap_used is not None else []),
            ("上限剩余额度", d.cap_left),
        ]
    items.append(("生成时间", timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")))
    return items


def statement_paper(st: FunderStatement) -> Paper:
    return Paper(f"{st.funder.name}（{st.funder.code}）", f"{st.month}（{st.first} 至 {st.last}）")


def statement_sheets(st: FunderStatement) -> list[Sheet]:
    paid_in = movement_rows(st.paid_in_movements)
    compensations, recoveries = claim_rows(st.compensations), claim_rows(st.recoveries)
    sheets = [
        summary_sheet(SUMMARY_TITLE, summary_items(st), paper=statement_paper(st)),
        Sheet(PAID_IN_TITLE, MOVEMENT_COLUMNS, paid_in, totals=True, count=len(paid_in)),
        Sheet(COMPENSATIONS_TITLE, COMPENSATION_COLUMNS, compensations, totals=True, count=len(compensations)),
        Sheet(RECOVERIES_TITLE, RECOVERY_COLUMNS, recoveries, totals=True, count=len(recoveries)),
    ]
    if st.other_loss_movements:
        other = movement_rows(st.other_loss_movements)
        sheets.append(Sheet(OTHER_TITLE, MOVEMENT_COLUMNS, other, totals=True, count=len(other)))
    return sheets


def statement_filename(st: FunderStatement) -> str:
    return f"出资方月度对账单-{st.funder.code}-{st.month}.xlsx"
