"""The PRC working-day calendar (SPEC §8) behind the "3个工作日内" notices of art. 27 and 32."""

import logging
from datetime import date, timedelta

import chinese_calendar
import pytest

from riskfund.policy.calendar import add_working_days, add_working_days_judged, calendar_source, is_working_day
from riskfund.policy.models import WorkingDayOverride

pytestmark = pytest.mark.django_db

SPRING_FESTIVAL_2025_OFF = [date(2025, 1, 28) + timedelta(days=i) for i in range(8)]  # 01-28 … 02-04
NATIONAL_DAY_2025_OFF = [date(2025, 10, 1) + timedelta(days=i) for i in range(8)]  # 10-01 … 10-08


def test_the_package_agrees_with_the_2025_state_council_notice():
    # verified against chinese_calendar itself, so a wrong package version fails here first
    assert all(not chinese_calendar.is_workday(d) for d in SPRING_FESTIVAL_2025_OFF + NATIONAL_DAY_2025_OFF)
    assert chinese_calendar.is_workday(date(2025, 1, 26))
    assert chinese_calendar.is_workday(date(2025, 9, 28))
    assert chinese_calendar.is_workday(date(2025, 10, 11))


@pytest.mark.parametrize("day", SPRING_FESTIVAL_2025_OFF + NATIONAL_DAY_2025_OFF)
def test_2025_statutory_holidays_are_not_working_days(day):
    assert not is_working_day(day)
    assert calendar_source(day) == "official"


@pytest.mark.parametrize(
    "day",
    [date(2025, 1, 26), date(2025, 2, 8), date(2025, 9, 28), date(2025, 10, 11)],
    ids=["sun-2025-01-26", "sat-2025-02-08", "sun-2025-09-28", "sat-2025-10-11"],
)
def test_2025_make_up_weekend_days_are_working_days(day):
    assert day.weekday() >= 5
    assert is_working_day(day)


def test_ordinary_weekdays_and_weekends():
    assert is_working_day(date(2025, 3, 3))  # Monday
    assert not is_working_day(date(2025, 3, 8))  # Saturday
    assert not is_working_day(date(2025, 3, 9))  # Sunday


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Mon 01-27 worked; 01-28 … 02-04 off; Wed 02-05 is the 1st, Thu 02-06 the 2nd, Fri 02-07 the 3rd
        (date(2025, 1, 27), 3, date(2025, 2, 7)),
        # Fri 01-24; Sat 01-25 off; Sun 01-26 worked (1st); Mon 01-27 (2nd); then the holiday; Wed 02-05 (3rd)
        (date(2025, 1, 24), 3, date(2025, 2, 5)),
        # Tue 09-30; 10-01 … 10-08 off; Thu 10-09 (1st), Fri 10-10 (2nd), Sat 10-11 worked (3rd)
        (date(2025, 9, 30), 3, date(2025, 10, 11)),
        # Fri 09-26; Sat 09-27 off; Sun 09-28 worked (1st); Mon 09-29 (2nd); Tue 09-30 (3rd)
        (date(2025, 9, 26), 3, date(2025, 9, 30)),
        # from inside the holiday: 10-03 off; 10-09, 10-10, 10-11 worked
        (date(2025, 10, 3), 3, date(2025, 10, 11)),
        # art. 18: ten working days from Mon 2025-09-22: 23,24,25,26,28(Sun),29,30,10-09,10-10,10-11
        (date(2025, 9, 22), 10, date(2025, 10, 11)),
        # an ordinary week: Mon 2025-03-03 + 3 = Thu 03-06; Thu 03-06 + 3 = Tue 03-11
        (date(2025, 3, 3), 3, date(2025, 3, 6)),
        (date(2025, 3, 6), 3, date(2025, 3, 11)),
        (date(2025, 3, 6), 0, date(2025, 3, 6)),
    ],
)
def test_add_working_days_counts_the_nth_working_day_after(start, n, expected):
    assert add_working_days(start, n) == expected
    assert add_working_days_judged(start, n) == (expected, False)


def test_add_working_days_refuses_a_negative_count():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2025, 3, 3), -1)


def test_an_override_wins_over_the_package():
    # Wed 2025-02-05 is a working day officially; an override closes it, and Sat 2025-02-08 stays worked
    WorkingDayOverride.objects.create(day=date(2025, 2, 5), is_working_day=False, note="临时停工")
    WorkingDayOverride.objects.create(day=date(2025, 3, 8), is_working_day=True, note="调休上班")
    assert not is_working_day(date(2025, 2, 5))
    assert calendar_source(date(2025, 2, 5)) == "override"
    assert is_working_day(date(2025, 3, 8))
    assert calendar_source(date(2025, 3, 8)) == "override"
    # 3 after Mon 01-27: 02-05 no longer counts; Thu 02-06 (1st), Fri 02-07 (2nd), Sat 02-08 make-up day (3rd)
    assert add_working_days(date(2025, 1, 27), 3) == date(2025, 2, 8)
    # days without a row of their own still follow the package
    assert calendar_source(date(2025, 2, 6)) == "official"


def test_an_unknown_year_falls_back_to_monday_to_friday_and_says_so(caplog):
    # 2100-01-01 is a Friday, 01-02/03 the weekend, 01-04 a Monday
    with caplog.at_level(logging.WARNING, logger="riskfund.policy.calendar"):
        assert is_working_day(date(2100, 1, 1))
        assert not is_working_day(date(2100, 1, 2))
        assert not is_working_day(date(2100, 1, 3))
        assert is_working_day(date(2100, 1, 4))
        assert calendar_source(date(2100, 1, 4)) == "fallback"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings
    assert "2100" in warnings[0].getMessage()
    assert "Monday–Friday" in warnings[0].getMessage()


def test_a_deadline_through_an_unknown_year_says_it_used_the_fallback(caplog):
    with caplog.at_level(logging.WARNING, logger="riskfund.policy.calendar"):
        assert add_working_days_judged(date(2100, 1, 1), 3) == (date(2100, 1, 6), True)
    # one warning per year and call, not one per day
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


def test_overrides_make_a_year_known(caplog):
    # the admin has entered the year's holidays: the year is no longer a fallback year
    WorkingDayOverride.objects.create(day=date(2100, 1, 1), is_working_day=False, note="元旦")
    with caplog.at_level(logging.WARNING, logger="riskfund.policy.calendar"):
        assert not is_working_day(date(2100, 1, 1))
        assert calendar_source(date(2100, 1, 1)) == "override"
        assert is_working_day(date(2100, 1, 4))
        assert calendar_source(date(2100, 1, 4)) == "override"
        # Thu 2099-12-31 + 3: 01-01 closed by override, 01-04, 01-05, 01-06
        assert add_working_days_judged(date(2099, 12, 31), 3) == (date(2100, 1, 6), False)
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]
