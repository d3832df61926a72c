"""Reconciliation of a bank's loan book against riskfund's (API.md: ``/api/v1/reconciliations/``).

Template
    One sheet 贷款余额 with the columns 合同编号 (text) and 贷款余额 (money), and a sheet 说明 with instructions.

Upload → match (``reconciliation_start``, synchronous, so a bad file is answered at once with 400)
    The file goes through ``riskfund.exports.upload.read_table``: xlsx only, size- and row-limited, parsed with
    defusedxml, formulas refused. Every bad cell is collected (``problems``), with a negative balance and a
    contract number listed twice (naming both rows): one 400 names them all, each by sheet, row and column.
    ``as_of`` after today → 422 ``date_in_future``.

    riskfund's side is every loan of the bank disbursed on or before ``as_of`` with its outstanding principal on
    that date (SPEC §9/§10, ``loan_outstanding_on``; set-wise, one query). Matched by contract number:

    matched              in both, same amount
    mismatched           in both, amounts differ (both amounts kept)
    missing_in_riskfund  listed by the bank, no loan of this bank in riskfund with that contract number
    missing_at_bank      outstanding in riskfund (> 0 on ``as_of``) and not listed by the bank

Record
    The result is kept as an ``ExportJob`` of kind ``bank_reconciliation`` owned by the bank (``owner_bank``):
    ``params`` hold ``as_of``, the uploaded file's name and the four lists frozen at upload time, so the counts
    answered by the API and the report workbook always agree even if a backdated repayment arrives later. The
    job writes the report workbook in Celery (write-only openpyxl), with progress and expiry like every export.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from riskfund.dates import not_in_future
from riskfund.errors import RuleViolation
from riskfund.exports.models import ExportJob
from riskfund.exports.paper import Paper
from riskfund.exports.registry import register
from riskfund.exports.services import export_job_start
from riskfund.exports.upload import read_table
from riskfund.exports.upload_archive import UploadRejected, open_workbook, rejected_all
from riskfund.exports.xlsx import Column, Sheet, summary_sheet
from riskfund.lending.models import Loan
from riskfund.money import ZERO
from riskfund.parties.models import Bank

from .statements import _outstanding, _repaid_by

KIND = "bank_reconciliation"
LISTS = ("matched", "mismatched", "missing_in_riskfund", "missing_at_bank")
TEMPLATE_SHEET = "贷款余额"
TEMPLATE_COLUMNS = [
    Column("contract_no", "合同编号", "text", width=24),
    Column("outstanding", "贷款余额", "money"),
]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

REPORT_TITLES = {
    "matched": "一致",
    "mismatched": "金额不一致",
    "missing_in_riskfund": "风险池无此合同",
    "missing_at_bank": "银行未报送",
}
REPORT_COLUMNS = {
    "matched": [Column("contract_no", "合同编号", width=24), Column("amount", "贷款余额", "money")],
    "mismatched": [
        Column("contract_no", "合同编号", width=24),
        Column("bank_amount", "银行余额", "money"),
        Column("riskfund_amount", "风险池余额", "money"),
        Column("difference", "差额（银行−风险池）", "money"),
    ],
    "missing_in_riskfund": [
        Column("contract_no", "合同编号", width=24),
        Column("bank_amount", "银行余额", "money"),
        Column("row", "上传文件行号", "int"),
    ],
    "missing_at_bank": [Column("contract_no", "合同编号", width=24), Column("riskfund_amount", "风险池余额", "money")],
}


# --- template ------------------------------------------------------------------------------------------


def template_sheets() -> list[Sheet]:
    instructions = summary_sheet(
        "说明",
        [
            ("用途", "合作银行贷款余额对账"),
            ("填写", "在「贷款余额」表逐笔填写借款合同编号与对账日的本金余额（元，最多两位小数）"),
            ("格式", "仅接受 .xlsx；不得含公式；合同编号不得重复"),
            ("上传", "POST /api/v1/reconciliations/（file、as_of）"),
        ],
    )
    return [Sheet(TEMPLATE_SHEET, TEMPLATE_COLUMNS, [], count=0), instructions]


# --- reading and matching ------------------------------------------------------------------------------


def reconciliation_read(file: Any) -> dict[str, tuple[Decimal, int]]:
    """The bank's balances by contract number (with the sheet row). A bad file → ``UploadRejected`` (400) that
    names EVERY bad cell at once (a cell of the wrong kind, a formula, a blank, a negative balance, a contract
    number repeating an earlier row), each by sheet, row and column, in problem+json's ``errors``."""
    problems: list[UploadRejected] = []
    book = open_workbook(file)
    sheet = next(iter(book.sheets))
    rows = list(read_table(book, columns=TEMPLATE_COLUMNS, sheet=sheet, stop_at_totals=True, problems=problems))
    balances: dict[str, tuple[Decimal, int]] = {}
    for row in rows:
        contract, outstanding = row["contract_no"], row["outstanding"]
        if outstanding is not None and outstanding < ZERO:
            problems.append(_bad_cell(sheet, row.row, "B", "贷款余额", "余额不能为负", "negative"))
        if contract is None:
            continue
        if contract in balances:
            first = balances[contract][1]
            problems.append(
                _bad_cell(
                    sheet,
                    row.row,
                    "A",
                    "合同编号",
                    f"合同编号 {contract} 与第 {first} 行重复",
                    f"contract {contract} repeats row {first}",
                )
            )
        elif outstanding is not None:
            balances[contract] = (outstanding, row.row)
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column))
        raise rejected_all(problems)
    return balances


def _bad_cell(sheet: str, row: int, column: str, header: str, zh: str, en: str) -> UploadRejected:
    return UploadRejected(
        "upload_bad_cell",
        f"第 {row} 行 {column} 列（{header}）：{zh} / row {row}, column {column} ({header}): {en}",
        sheet=sheet,
        row=row,
        column=column,
        header=header,
        detail_zh=zh,
        detail_en=en,
    )


def riskfund_balances(bank: Bank, as_of: date) -> dict[str, Decimal]:
    """Outstanding principal on ``as_of`` of each loan of ``bank`` disbursed by then, by contract number."""
    rows = (
        Loan.objects.filter(bank=bank, disbursed_on__lte=as_of)
        .annotate(repaid=_repaid_by(as_of))
        .values_list("contract_no", "principal", "repaid", "status", "closed_on")
    )
    return {c: _outstanding(p, r, s, closed, as_of) for c, p, r, s, closed in rows.iterator(chunk_size=2000)}


def reconciliation_match(bank_side: dict[str, tuple[Decimal, int]], ours: dict[str, Decimal]) -> dict[str, list]:
    """The four lists (JSON-ready: amounts as strings), each sorted by contract number."""
    result: dict[str, list] = {name: [] for name in LISTS}
    for contract in sorted(bank_side):
        amount, row = bank_side[contract]
        if contract not in ours:
            result["missing_in_riskfund"].append([contract, str(amount), row])
        elif ours[contract] == amount:
            result["matched"].append([contract, str(amount)])
        else:
            result["mismatched"].append([contract, str(amount), str(ours[contract])])
    for contract in sorted(ours):
        if contract not in bank_side and ours[contract] > ZERO:
            result["missing_at_bank"].append([contract, str(ours[contract])])
    return result


def reconciliation_start(*, bank: Bank, file: Any, as_of: date, filename: str = "", today: date | None = None):
    """Read the upload, match it against riskfund as of ``as_of`` and queue the report; returns the job."""
    not_in_future(as_of, "as_of", today)
    bank_side = reconciliation_read(file)
    result = reconciliation_match(bank_side, riskfund_balances(bank, as_of))
    params = {"as_of": as_of.isoformat(), "filename": filename[:200], **result}
    return export_job_start(kind=KIND, params=params, owner=str(bank.pk))


# --- the record ------------------------------------------------------------------------------------------


def _money(value: Any) -> Decimal:
    try:
        amount = Decimal(value) if isinstance(value, str) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"not an amount: {value!r}")
    return amount


def clean_params(params: dict[str, Any]) -> dict[str, Any]:
    """Check the frozen result's shape (amounts as two-place decimal strings)."""

    def bad(detail: str) -> RuleViolation:
        return RuleViolation("validation_error", "", f"对账参数无效 / bad reconciliation params: {detail}", status=400)

    if set(params) != {"as_of", "filename", *LISTS}:
        raise bad("keys")
    if not isinstance(params["as_of"], str) or not _ISO_DATE.fullmatch(params["as_of"]):
        raise bad("as_of")
    shapes = {"matched": (str, str), "mismatched": (str, str, str), "missing_in_riskfund": (str, str, int)}
    shapes["missing_at_bank"] = (str, str)
    for name in LISTS:
        items = params[name]
        if not isinstance(items, list):
            raise bad(name)
        for item in items:
            shape = shapes[name]
            if not isinstance(item, list) or len(item) != len(shape):
                raise bad(name)
            if not all(isinstance(v, t) for v, t in zip(item, shape, strict=True)):
                raise bad(name)
            try:
                for value, kind in zip(item[1:], shape[1:], strict=True):
                    if kind is str:
                        _money(value)
            except ValueError:
                raise bad(name) from None
    return dict(params)


def reconciliation_counts(job: ExportJob) -> dict[str, int]:
    return {name: len(job.params.get(name, [])) for name in LISTS}


def _report_rows(name: str, items: Iterable[list]):
    for item in items:
        if name == "matched":
            yield {"contract_no": item[0], "amount": _money(item[1])}
        elif name == "mismatched":
            bank_amount, ours = _money(item[1]), _money(item[2])
            yield {
                "contract_no": item[0],
                "bank_amount": bank_amount,
                "riskfund_amount": ours,
                "difference": bank_amount - ours,
            }
        elif name == "missing_in_riskfund":
            yield {"contract_no": item[0], "bank_amount": _money(item[1]), "row": item[2]}
        else:
            yield {"contract_no": item[0], "riskfund_amount": _money(item[1])}


@register(
    KIND,
    label="贷款余额对账",
    banks=True,
    clean=clean_params,
    filename=lambda job: f"贷款余额对账报告-{Bank.objects.get(pk=job.owner_bank).code}-{job.params['as_of']}.xlsx",
)
def bank_reconciliation(job) -> list[Sheet]:
    """The report workbook: a summary with the counts, then the four lists (mismatched with both amounts)."""
    if not job.owner_bank:
        raise RuleViolation("validation_error", "", "对账属于一家银行 / a reconciliation belongs to a bank", status=400)
    bank = Bank.objects.get(pk=job.owner_bank)
    counts = reconciliation_counts(job)
    summary = summary_sheet(
        "概要",
        [
            ("报表", "贷款余额对账报告"),
            ("合作银行", f"{bank.name}（{bank.code}）"),
            ("对账日", date.fromisoformat(job.params["as_of"])),
            ("上传文件", job.params.get("filename") or "（未命名）"),
            *[(f"{REPORT_TITLES[name]}（笔）", counts[name]) for name in LISTS],
        ],
        paper=Paper(f"{bank.name}（{bank.code}）", f"对账日 {job.params['as_of']}"),
    )
    sheets = [summary]
    for name in LISTS:
        items = job.params[name]
        sheets.append(
            Sheet(REPORT_TITLES[name], REPORT_COLUMNS[name], _report_rows(name, items), totals=True, count=len(items))
        )
    return sheets
