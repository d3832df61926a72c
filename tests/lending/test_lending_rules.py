"""The pure rules (no database), with hand-computed dates and amounts: term (art. 22), continuous support
(art. 23), schedule (SPEC §9), overdue days and buckets (SPEC §9)."""

from datetime import date
from decimal import Decimal

import pytest

from riskfund.lending.rules import (
    PastLoan,
    add_months,
    chain_start,
    continuous_support_exceeded,
    overdue_bucket,
    overdue_days_from,
    schedule_problems,
    term_too_long,
)

D = Decimal


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 12, date(2026, 1, 31)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 24, date(2026, 2, 28)),
        (date(2023, 2, 28), 12, date(2024, 2, 28)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 12, 15), 24, date(2027, 12, 15)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def _too_long(disbursed, maturity, extended=False, reason=""):
    return term_too_long(
        disbursed_on=disbursed,
        maturity_on=maturity,
        normal_months=12,
        extended_months=24,
        extended_term=extended,
        extended_reason=reason,
    )


def test_art22_term_one_year_inclusive():
    assert not _too_long(date(2025, 1, 31), date(2026, 1, 31))
    assert _too_long(date(2025, 1, 31), date(2026, 2, 1))
    assert not _too_long(date(2024, 2, 29), date(2025, 2, 28))
    assert _too_long(date(2024, 2, 29), date(2025, 3, 1))


def test_art22_term_two_years_only_with_flag_and_reason():
    assert not _too_long(date(2025, 3, 3), date(2027, 3, 3), extended=True, reason="技改项目回收期长")
    assert _too_long(date(2025, 3, 3), date(2027, 3, 4), extended=True, reason="技改项目回收期长")
    assert _too_long(date(2025, 3, 3), date(2027, 3, 3), extended=True, reason="   ")
    assert _too_long(date(2025, 3, 3), date(2027, 3, 3), extended=False, reason="技改项目回收期长")


def test_art23_chain_starts_at_first_disbursement_without_gap():
    earlier = [
        PastLoan(date(2022, 1, 10), date(2023, 1, 10)),
        PastLoan(date(2023, 1, 20), date(2024, 1, 20)),
    ]
    assert chain_start(earlier=earlier, disbursed_on=date(2024, 2, 1), gap_days=90) == date(2022, 1, 10)


def test_art23_gap_of_91_days_breaks_the_chain_90_does_not():
    repaid = [PastLoan(date(2022, 1, 10), date(2023, 1, 10))]
    # 2023-01-10 → 2023-04-10 is 21 + 28 + 31 + 10 = 90 days
    assert chain_start(earlier=repaid, disbursed_on=date(2023, 4, 10), gap_days=90) == date(2022, 1, 10)
    assert chain_start(earlier=repaid, disbursed_on=date(2023, 4, 11), gap_days=90) == date(2023, 4, 11)


def test_art23_gap_is_measured_from_the_latest_closing_of_all_earlier_loans():
    # the first loan closes late (2023-06-30), after the second was disbursed; the second closes 2023-03-01
    earlier = [
        PastLoan(date(2022, 1, 10), date(2023, 6, 30)),
        PastLoan(date(2022, 3, 1), date(2023, 3, 1)),
    ]
    # 2023-06-30 + 90 days = 2023-09-28: still the same chain; 2023-09-29 starts a new one
    assert chain_start(earlier=earlier, disbursed_on=date(2023, 9, 28), gap_days=90) == date(2022, 1, 10)
    assert chain_start(earlier=earlier, disbursed_on=date(2023, 9, 29), gap_days=90) == date(2023, 9, 29)


def test_art23_an_open_loan_keeps_the_chain_alive():
    earlier = [PastLoan(date(2021, 6, 1), None), PastLoan(date(2021, 7, 1), date(2021, 8, 1))]
    assert chain_start(earlier=earlier, disbursed_on=date(2022, 6, 1), gap_days=90) == date(2021, 6, 1)


def test_art23_later_loans_are_ignored():
    later = [PastLoan(date(2024, 1, 1), None)]
    assert chain_start(earlier=later, disbursed_on=date(2023, 1, 1), gap_days=90) == date(2023, 1, 1)


def test_art23_three_years_exactly_allowed_more_refused_unless_extended():
    # repaid 2023-12-20, the next loan 26 days later: one chain from 2022-01-10, 3 years → 2025-01-10
    earlier = [PastLoan(date(2022, 1, 10), date(2023, 12, 20))]
    kwargs = {"earlier": earlier, "disbursed_on": date(2024, 1, 15), "years": 3, "gap_days": 90}
    assert not continuous_support_exceeded(maturity_on=date(2025, 1, 10), extension_until=None, **kwargs)
    assert continuous_support_exceeded(maturity_on=date(2025, 1, 11), extension_until=None, **kwargs)
    assert continuous_support_exceeded(maturity_on=date(2025, 1, 11), extension_until=date(2025, 1, 10), **kwargs)
    assert not continuous_support_exceeded(maturity_on=date(2025, 1, 11), extension_until=date(2025, 1, 11), **kwargs)


def test_spec9_schedule_problems():
    disbursed, maturity = date(2025, 1, 15), date(2026, 1, 15)
    good = [(date(2025, 7, 15), D("400000.00")), (date(2026, 1, 15), D("600000.00"))]
    assert schedule_problems(principal=D("1000000"), maturity_on=maturity, disbursed_on=disbursed, lines=good) == []
    short = [(date(2025, 7, 15), D("400000.00")), (date(2026, 1, 15), D("599999.99"))]
    assert schedule_problems(principal=D("1000000"), maturity_on=maturity, disbursed_on=disbursed, lines=short)
    unordered = [(date(2026, 1, 15), D("400000.00")), (date(2025, 7, 15), D("600000.00"))]
    assert schedule_problems(principal=D("1000000"), maturity_on=maturity, disbursed_on=disbursed, lines=unordered)
    not_at_maturity = [(date(2025, 7, 15), D("400000.00")), (date(2026, 1, 14), D("600000.00"))]
    assert schedule_problems(
        principal=D("1000000"), maturity_on=maturity, disbursed_on=disbursed, lines=not_at_maturity
    )
    zero_line = [(date(2025, 7, 15), D("0.00")), (date(2026, 1, 15), D("1000000.00"))]
    assert schedule_problems(principal=D("1000000"), maturity_on=maturity, disbursed_on=disbursed, lines=zero_line)
    same_day = [(date(2026, 1, 15), D("400000.00")), (date(2026, 1, 15), D("600000.00"))]
    assert schedule_problems(principal=D("1000000"), maturity_on=maturity, disbursed_on=disbursed, lines=same_day)


SCHEDULE = [
    (date(2025, 4, 15), D("1000000.00")),
    (date(2025, 7, 15), D("1000000.00")),
    (date(2026, 1, 15), D("1000000.00")),
]
REPAYMENTS = [(date(2025, 4, 15), D("1000000.00")), (date(2025, 7, 20), D("600000.00"))]


@pytest.mark.parametrize(
    ("on", "days"),
    [
        (date(2025, 4, 15), 0),  # first line due today, paid today
        (date(2025, 7, 15), 0),  # second line due today: not yet past due
        (date(2025, 7, 16), 1),  # 1,000,000 repaid < 2,000,000 scheduled through 07-15
        (date(2025, 7, 19), 4),  # the 07-20 partial repayment is after D and ignored
        (date(2025, 7, 20), 5),  # 1,600,000 < 2,000,000: a partial payment clears nothing
        (date(2025, 8, 14), 30),  # 16 + 14 days
    ],
)
def test_spec9_overdue_days_instalments_with_a_partial_repayment(on, days):
    assert overdue_days_from(schedule=SCHEDULE, repayments=REPAYMENTS, on=on) == days


def test_spec9_overdue_days_after_the_line_is_completed():
    repayments = [*REPAYMENTS, (date(2025, 8, 20), D("400000.00"))]
    assert overdue_days_from(schedule=SCHEDULE, repayments=repayments, on=date(2025, 8, 19)) == 35
    assert overdue_days_from(schedule=SCHEDULE, repayments=repayments, on=date(2025, 8, 20)) == 0
    # the third line: on 2026-02-10 it is 26 days past due
    assert overdue_days_from(schedule=SCHEDULE, repayments=repayments, on=date(2026, 2, 10)) == 26


def test_spec9_bullet_overdue_on_maturity_plus_26_is_26_days():
    bullet = [(date(2026, 3, 3), D("500000.00"))]
    assert overdue_days_from(schedule=bullet, repayments=[], on=date(2026, 3, 3)) == 0
    assert overdue_days_from(schedule=bullet, repayments=[], on=date(2026, 3, 28)) == 25
    assert overdue_days_from(schedule=bullet, repayments=[], on=date(2026, 3, 29)) == 26
    paid_late = [(date(2026, 4, 1), D("500000.00"))]
    assert overdue_days_from(schedule=bullet, repayments=paid_late, on=date(2026, 3, 31)) == 28
    assert overdue_days_from(schedule=bullet, repayments=paid_late, on=date(2026, 4, 1)) == 0


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, "current"),
        (1, "1-25"),
        (25, "1-25"),
        (26, "26-60"),
        (60, "26-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "91+"),
        (400, "91+"),
    ],
)
def test_spec9_overdue_buckets(days, bucket):
    assert overdue_bucket(days) == bucket


def test_spec9_overdue_bucket_refuses_negative_days():
    with pytest.raises(ValueError, match="never negative"):
        overdue_bucket(-1)
