"""SME size class by the national standard (工信部联企业〔2011〕300号), required by art. 4: an enterprise is
eligible only when it is a 中小微企业 "符合国家中小微企业划型标准". The figures live in ``IndustryStandard``
rows (seeded from ``data/sme-standard-2011.csv``); ``data/README.md`` fixes the reading:

- SME if ANY listed measure is below its ``sme_below`` figure ("X以下或Y以下"); else large;
- medium if EVERY listed measure is at or above its ``medium_from`` figure ("X及以上，且Y及以上");
- else small if every measure is at or above ``small_from``; else micro.

"以上" includes the figure, "以下" excludes it.
"""

from decimal import Decimal

from riskfund.errors import RuleViolation

from .models import IndustryStandard, Measure, SizeClass


def _measure(name: str, value: Decimal | int | None) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float | bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal or an int, never a float: {value!r}")
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{name} must be a non-negative number: {value!r}")
    return amount


def size_class(
    standard: IndustryStandard,
    *,
    employees: int | None,
    revenue: Decimal | None,
    total_assets: Decimal | None,
) -> str:
    """The size class of an enterprise under one industry's standard (art. 4; 工信部联企业〔2011〕300号)."""
    values = {
        Measure.EMPLOYEES: _measure("employees", employees),
        Measure.REVENUE: _measure("revenue", revenue),
        Measure.ASSETS: _measure("total_assets", total_assets),
    }
    criteria = standard.criteria
    figures = []
    for measure, sme_below, medium_from, small_from in criteria:
        value = values[measure]
        if value is None:
            raise ValueError(f"industry {standard.code} is classified by {measure}, which was not given")
        figures.append((value, sme_below, medium_from, small_from))
    if not any(value < sme_below for value, sme_below, _, _ in figures):
        return SizeClass.LARGE.value
    if all(value >= medium_from for value, _, medium_from, _ in figures):
        return SizeClass.MEDIUM.value
    if all(value >= small_from for value, _, _, small_from in figures):
        return SizeClass.SMALL.value
    return SizeClass.MICRO.value


def classify_size(*, industry: str, employees: int, revenue: Decimal, total_assets: Decimal) -> str:
    """ "micro" | "small" | "medium" | "large" for an enterprise of ``industry`` (a code of
    ``sme-standard-2011.csv``); an unknown industry is refused with ``validation_error`` (art. 4)."""
    standard = IndustryStandard.objects.filter(code=industry).first()
    if standard is None:
        raise RuleViolation(
            "validation_error",
            "art. 4",
            f"unknown industry {industry!r}: use a code of the SME standard (工信部联企业〔2011〕300号)",
            status=400,
        )
    return size_class(standard, employees=employees, revenue=revenue, total_assets=total_assets)
