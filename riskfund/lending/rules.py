"""Pure rules of the loan pipeline (SPEC §8, §9): no database, only dates and Decimals, so that each rule can be
read against the article it cites and tested with hand-computed figures.

- ``add_months`` / ``max_maturity`` / ``term_too_long``: the term of art. 22 (二) — "不超过1年（含1年）", up to 2 years
  when extended with a reason: ``maturity_on`` ≤ ``disbursed_on`` + 12 months, same day of month clamped to the
  month's end (2024-02-29 + 12 months = 2025-02-28), or + 24 months with ``extended_term`` and a non-blank reason.
- ``add_years`` / ``chain_start`` / ``continuous_support_exceeded``: art. 23, three years of continuous support.
- ``schedule_problems``: the instalment schedule of SPEC §9.
- ``overdue_days_from`` / ``overdue_bucket``: the overdue rule of SPEC §9, which the daily job recomputes in SQL.
"""

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from riskfund.money import ZERO


def add_months(d: date, months: int) -> date:
    """``d`` plus ``months`` calendar months, the same day of month clamped to the month's end."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def add_years(d: date, years: int) -> date:
    """``d`` plus ``years`` years, 29 February clamped to 28 February (art. 23 "3年")."""
    return add_months(d, 12 * years)


def max_maturity(
    *, disbursed_on: date, normal_months: int, extended_months: int, extended_term: bool, extended_reason: str
) -> date:
    """The latest maturity allowed by art. 22 (二): + ``normal_months``, or + ``extended_months`` when the term is
    extended AND a reason is given (a blank reason does not extend)."""
    if extended_term and extended_reason.strip():
        return add_months(disbursed_on, extended_months)
    return add_months(disbursed_on, normal_months)


def term_too_long(
    *,
    disbursed_on: date,
    maturity_on: date,
    normal_months: int,
    extended_months: int,
    extended_term: bool,
    extended_reason: str,
) -> bool:
    """True when ``maturity_on`` is later than ``max_maturity`` (art. 22 (二), code ``term_too_long``)."""
    limit = max_maturity(
        disbursed_on=disbursed_on,
        normal_months=normal_months,
        extended_months=extended_months,
        extended_term=extended_term,
        extended_reason=extended_reason,
    )
    return maturity_on > limit


@dataclass(frozen=True)
class PastLoan:
    """An earlier pool loan of the enterprise: disbursed, and closed (repaid or compensated) or not (None)."""

    disbursed_on: date
    closed_on: date | None


def chain_start(*, earlier: Iterable[PastLoan], disbursed_on: date, gap_days: int) -> date:
    """The first disbursement of the unbroken chain of pool loans that a loan disbursed on ``disbursed_on`` joins
    (art. 23, SPEC §8).

    ``earlier`` are the enterprise's other loans disbursed on or before ``disbursed_on`` (later ones are ignored).
    Walking the loans in disbursement order, the chain breaks at a disbursement that comes MORE than ``gap_days``
    days after the latest closing date of ALL loans disbursed before it; a loan that is still open has no closing
    date and keeps the chain alive. With no earlier loan the chain starts at ``disbursed_on``.
    """
    loans = sorted((loan for loan in earlier if loan.disbursed_on <= disbursed_on), key=lambda x: x.disbursed_on)
    dates = [*(loan.disbursed_on for loan in loans), disbursed_on]
    start = dates[0]
    latest_close: date | None = None
    open_loan = False
    for i, when in enumerate(dates):
        if i > 0 and not open_loan and latest_close is not None and (when - latest_close).days > gap_days:
            start = when
        if i < len(loans):
            closed = loans[i].closed_on
            if closed is None:
                open_loan = True
            elif latest_close is None or closed > latest_close:
                latest_close = closed
    return start


def continuous_support_exceeded(
    *,
    earlier: Iterable[PastLoan],
    disbursed_on: date,
    maturity_on: date,
    years: int,
    gap_days: int,
    extension_until: date | None,
) -> bool:
    """Art. 23: more than ``years`` years from the first disbursement of the unbroken chain to the new maturity,
    unless the bureau has granted an extension until a date on or after the new maturity."""
    start = chain_start(earlier=earlier, disbursed_on=disbursed_on, gap_days=gap_days)
    if maturity_on <= add_years(start, years):
        return False
    return not (extension_until is not None and extension_until >= maturity_on)


def schedule_problems(
    *, principal: Decimal, maturity_on: date, disbursed_on: date, lines: Sequence[tuple[date, Decimal]]
) -> list[str]:
    """Why an instalment schedule is malformed (SPEC §9), empty when it is good: at least one line, every
    principal > 0, ``due_on`` strictly increasing and after the disbursement, the last on ``maturity_on``,
    the principals summing to the loan's principal."""
    problems: list[str] = []
    if not lines:
        return ["分期还款须提供还款计划 (a schedule is required for instalments)"]
    previous: date | None = None
    for due_on, amount in lines:
        if amount <= ZERO:
            problems.append(f"{due_on}: 每期本金须大于0 (every principal > 0)")
        if due_on <= disbursed_on:
            problems.append(f"{due_on}: 还款日须晚于放款日 (due_on after disbursed_on)")
        if previous is not None and due_on <= previous:
            problems.append(f"{due_on}: 还款日须严格递增 (due_on strictly increasing)")
        previous = due_on
    if lines[-1][0] != maturity_on:
        problems.append("最后一期还款日须等于到期日 (last due_on = maturity_on)")
    total = sum((amount for _, amount in lines), ZERO)
    if total != principal:
        problems.append(f"各期本金合计 {total} 不等于贷款本金 {principal} (schedule sums to the principal)")
    return problems


def overdue_days_from(
    *, schedule: Iterable[tuple[date, Decimal]], repayments: Iterable[tuple[date, Decimal]], on: date
) -> int:
    """Overdue days on ``on`` (SPEC §9), in calendar days.

    Rule (the daily job computes the same in SQL): take the repaid principal R = Σ principal of repayments with
    ``paid_on`` ≤ ``on`` (later repayments are ignored). Walk the schedule in due-date order keeping the
    cumulative scheduled principal C_k through line k. The first line with R < C_k is the earliest one not fully
    paid by ``on``; the overdue days are ``on`` − its ``due_on`` when that is positive, else 0 (not yet due).
    When every line is covered (R ≥ C_last) the loan is not overdue: 0.
    Repayments are applied cumulatively, so a partial payment never clears a line it does not cover.
    """
    first_unpaid = first_unpaid_due_from(schedule=schedule, repayments=repayments, on=on)
    return 0 if first_unpaid is None else max(0, (on - first_unpaid).days)


def first_unpaid_due_from(
    *, schedule: Iterable[tuple[date, Decimal]], repayments: Iterable[tuple[date, Decimal]], on: date
) -> date | None:
    """The ``due_on`` of the earliest schedule line not fully paid by repayments with ``paid_on`` ≤ ``on`` (U(on)
    of SPEC §9, see ``overdue_days_from``), or None when every line is covered."""
    repaid = sum((amount for paid_on, amount in repayments if paid_on <= on), ZERO)
    cumulative = ZERO
    for due_on, amount in sorted(schedule, key=lambda line: line[0]):
        cumulative += amount
        if repaid < cumulative:
            return due_on
    return None


BUCKETS = ("current", "1-25", "26-60", "61-90", "91+")


def overdue_bucket(days: int) -> str:
    """SPEC §9 buckets: 0 → "current", 1–25, 26–60, 61–90, 91+ (26 is the first day a compensation is due)."""
    if days < 0:
        raise ValueError(f"overdue days are never negative: {days}")
    if days == 0:
        return "current"
    if days <= 25:
        return "1-25"
    if days <= 60:
        return "26-60"
    if days <= 90:
        return "61-90"
    return "91+"
