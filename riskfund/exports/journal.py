"""The ledger journal export (``ledger_journal``): every entry of every transaction, for staff.

Params: ``date_from`` and ``date_to`` (``YYYY-MM-DD``, optional, inclusive) on the business date. The
workbook has a summary (period, transactions, entries, debit and credit totals from the database) and the
journal: one row per entry in posting order with the business date, posting time, voucher, kind,
description, reference, reversed voucher, account code and name, and the amount in the debit or the
credit column, with totals (the debit total equals the credit total: every transaction balances).
"""

import re
from datetime import date
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from riskfund.errors import RuleViolation
from riskfund.ledger.models import Entry, Side, Transaction
from riskfund.money import ZERO

from .paper import PROGRAMME, Paper
from .registry import register
from .xlsx import Column, Sheet, summary_sheet

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

JOURNAL_COLUMNS = [
    Column("business_date", "业务日期", "date"),
    Column("posted_at", "记账时间", "text", width=20),
    Column("transaction", "凭证号", "text", width=38),
    Column("kind", "业务类型", "text", width=18),
    Column("description", "摘要", "text", width=36, blank=True),
    Column("reference", "关联单据", "text", width=20, blank=True),
    Column("reverses", "冲正的凭证", "text", width=38, blank=True),
    Column("account", "科目代码", "text", width=22),
    Column("account_name", "科目名称", "text", width=24),
    Column("debit", "借方金额", "money", blank=True),
    Column("credit", "贷方金额", "money", blank=True),
]


def clean_period(params: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key in ("date_from", "date_to"):
        value = params.get(key)
        if value in (None, ""):
            continue
        message = f"{key}: 不是日期 / not a date (YYYY-MM-DD)"
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise RuleViolation("validation_error", "", message, status=400)
        try:
            cleaned[key] = date.fromisoformat(value).isoformat()
        except ValueError:
            raise RuleViolation("validation_error", "", message, status=400) from None
    unknown = set(params) - {"date_from", "date_to"}
    if unknown:
        raise RuleViolation("validation_error", "", f"未知参数 / unknown parameters: {sorted(unknown)}", status=400)
    if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
        raise RuleViolation("validation_error", "", "date_from 晚于 date_to / date_from is after date_to", status=400)
    return cleaned


def _period(params: dict[str, Any]) -> Q:
    q = Q()
    if params.get("date_from"):
        q &= Q(business_date__gte=params["date_from"])
    if params.get("date_to"):
        q &= Q(business_date__lte=params["date_to"])
    return q


def _filename(job) -> str:
    start, end = job.params.get("date_from", "起"), job.params.get("date_to", "止")
    return f"总账分录流水-{start}至{end}.xlsx"


@register("ledger_journal", label="总账分录流水", clean=clean_period, filename=_filename)
def ledger_journal(job) -> list[Sheet]:
    transactions = Transaction.objects.filter(_period(job.params))
    entries = Entry.objects.filter(transaction__in=transactions)
    totals = entries.aggregate(
        n=Count("id"),
        debit=Sum("amount", filter=Q(side=Side.DEBIT)),
        credit=Sum("amount", filter=Q(side=Side.CREDIT)),
    )
    rows = (
        entries.order_by("transaction__posted_at", "transaction_id", "-side", "account__code", "id")  # debits first
        .values_list(
            "transaction__business_date",
            "transaction__posted_at",
            "transaction_id",
            "transaction__kind",
            "transaction__description",
            "transaction__reference",
            "transaction__reverses_id",
            "account__code",
            "account__name",
            "side",
            "amount",
        )
        .iterator(chunk_size=2000)
    )

    def journal():
        for business_date, posted_at, txn, kind, description, reference, reverses, code, name, side, amount in rows:
            yield {
                "business_date": business_date,
                "posted_at": timezone.localtime(posted_at).strftime("%Y-%m-%d %H:%M:%S"),
                "transaction": str(txn),
                "kind": kind,
                "description": description,
                "reference": reference,
                "reverses": str(reverses) if reverses else None,
                "account": code,
                "account_name": name,
                "debit": amount if side == Side.DEBIT else None,
                "credit": amount if side == Side.CREDIT else None,
            }

    summary = summary_sheet(
        "概要",
        [
            ("报表", "总账分录流水"),
            ("起始业务日期", job.params.get("date_from", "（不限）")),
            ("截止业务日期", job.params.get("date_to", "（不限）")),
            ("凭证数", transactions.count()),
            ("分录数", totals["n"]),
            ("借方合计", totals["debit"] or ZERO),
            ("贷方合计", totals["credit"] or ZERO),
            ("生成时间", timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")),
        ],
        paper=Paper(PROGRAMME, f"{job.params.get('date_from', '（不限）')} 至 {job.params.get('date_to', '（不限）')}"),
    )
    return [summary, Sheet("分录", JOURNAL_COLUMNS, journal(), totals=True, count=totals["n"])]
