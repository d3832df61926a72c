"""The PRC working-day calendar (SPEC §8) used for the notice deadlines of art. 27 and art. 32 ("3个工作日内")
and the deposit return of art. 18 ("10个工作日内").

A day is judged, in this order:

1. ``override`` — a ``WorkingDayOverride`` row for that day (edited in the admin) wins;
2. ``official`` — the ``chinese_calendar`` package (statutory holidays and make-up working days announced by
   the State Council) when it covers the year;
3. ``override`` — a year the package does not cover but for which the admin has entered overrides: that
   year's calendar is the overrides, every other day Monday–Friday;
4. ``fallback`` — a year nobody knows: Monday–Friday, with a warning logged, and ``calendar_source`` says so.
"""

import logging
from datetime import date, timedelta
from typing import Literal

import chinese_calendar

from .models import WorkingDayOverride

logger = logging.getLogger(__name__)

Source = Literal["official", "override", "fallback"]


class _Judge:
    """Judges days, reading the overrides of each year once (a deadline walks over a few days)."""

    def __init__(self) -> None:
        self._overrides: dict[int, dict[date, bool]] = {}
        self._warned: set[int] = set()
        self.fallback_used = False

    def _year(self, year: int) -> dict[date, bool]:
        if year not in self._overrides:
            self._overrides[year] = dict(
                WorkingDayOverride.objects.filter(day__year=year).values_list("day", "is_working_day")
            )
        return self._overrides[year]

    def judge(self, d: date) -> tuple[bool, Source]:
        overrides = self._year(d.year)
        if d in overrides:
            return overrides[d], "override"
        try:
            return chinese_calendar.is_workday(d), "official"
        except NotImplementedError:
            pass  # the package raises for a year it has no data for
        weekday = d.weekday() < 5
        if overrides:
            return weekday, "override"
        self.fallback_used = True
        if d.year not in self._warned:
            self._warned.add(d.year)
            logger.warning(
                "working days of %s: year %d is neither in chinese_calendar nor in the overrides; "
                "judged Monday–Friday (add the year's holidays as working-day overrides in the admin)",
                d.isoformat(),
                d.year,
            )
        return weekday, "fallback"


def calendar_source(d: date) -> Source:
    """Which calendar judges ``d``: "official" (chinese_calendar), "override" (admin) or "fallback" (Mon–Fri)."""
    return _Judge().judge(d)[1]


def is_working_day(d: date) -> bool:
    """True when ``d`` is a working day of the official PRC calendar, as corrected by the overrides."""
    return _Judge().judge(d)[0]


def add_working_days_judged(d: date, n: int) -> tuple[date, bool]:
    """The ``n``-th working day after ``d`` (``d`` itself not counted), and whether any day on the way was
    judged by the Monday–Friday fallback, so that a caller can say so (SPEC §8)."""
    if n < 0:
        raise ValueError(f"a number of working days is not negative: {n}")
    judge = _Judge()
    day = d
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if judge.judge(day)[0]:
            counted += 1
    return day, judge.fallback_used


def add_working_days(d: date, n: int) -> date:
    """The ``n``-th working day after ``d``, ``d`` itself not counted (SPEC §8 ``notice_deadline``; art. 18, 27,
    32): 3 working days after Monday 2025-01-27 is Friday 2025-02-07, across the Spring Festival."""
    return add_working_days_judged(d, n)[0]
