"""The export kinds: ``kind`` → a function that builds the workbook's ``Sheet`` specs for a job.

Other apps register their kinds when they load (in their ``AppConfig.ready``)::

    from riskfund.exports.registry import register
    from riskfund.exports.xlsx import Column, Sheet, summary_sheet

    @register("bank_statement", label="银行月度对账单", banks=True, clean=clean_month)
    def bank_statement(job):
        month = job.params["month"]
        loans = loan_rows(bank_id=job.owner_bank, month=month)  # a generator over queryset.iterator()
        return [summary_sheet("概要", [...]), Sheet("贷款台账", LOAN_COLUMNS, loans, totals=True, count=...)]

``build(job)`` must scope its data by the job's owner (``job.owner_bank`` for a bank). ``clean(params)``
validates the parameters when the job is started (raise ``RuleViolation``, status 400) and returns them
JSON-ready. ``filename(job)`` names the download (Chinese is fine). ``banks=True`` lets a bank own a job
of this kind; otherwise only staff users may.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from riskfund.errors import RuleViolation

from .xlsx import Sheet

Build = Callable[[Any], Sequence[Sheet]]


@dataclass(frozen=True)
class ExportKind:
    kind: str
    label: str
    build: Build
    clean: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None
    filename: Callable[[Any], str] | None = None
    banks: bool = False

    def clean_params(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        params = dict(params or {})
        return self.clean(params) if self.clean else params

    def download_name(self, job) -> str:
        if self.filename:
            return self.filename(job)
        return f"{self.label}-{job.created_at:%Y%m%d-%H%M%S}.xlsx"


_KINDS: dict[str, ExportKind] = {}


def register(
    kind: str,
    *,
    label: str,
    clean: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
    filename: Callable[[Any], str] | None = None,
    banks: bool = False,
) -> Callable[[Build], Build]:
    """Register ``build`` under ``kind`` (decorator); registering another function under a taken kind fails."""

    def decorator(build: Build) -> Build:
        existing = _KINDS.get(kind)
        if existing is not None and existing.build is not build:
            raise ValueError(f"export kind {kind!r} is already registered")
        _KINDS[kind] = ExportKind(kind, label, build, clean, filename, banks)
        return build

    return decorator


def unregister(kind: str) -> None:
    _KINDS.pop(kind, None)


def export_kind(kind: str) -> ExportKind:
    try:
        return _KINDS[kind]
    except KeyError:
        message = f"未知的报表类型 / unknown export kind: {kind}"
        raise RuleViolation("export_kind_unknown", "", message, status=400) from None


def export_kind_label(kind: str) -> str:
    spec = _KINDS.get(kind)
    # the labels are Chinese msgids with English translations in the catalogs: people read the kind in their language
    return gettext(spec.label) if spec else kind


def export_kinds() -> list[ExportKind]:
    return sorted(_KINDS.values(), key=lambda k: k.kind)
