"""The one check that an event's date is not after today (SPEC §8 ``date_in_future``), judged in Asia/Shanghai.

It applies to dates of events that happened (``disbursed_on``, ``paid_on``, ``deducted_on``, …, and the staff
events ``signed_on``, ``ended_on``, ``approved_on``, ``executed_on``, ``returned_on``, ``settled_on``,
``credited_on``), never to ``maturity_on``, ``due_on`` or ``ends_on``. The SERVICES call it (SPEC §8), so the admin,
the API, management commands and imports refuse a future date alike; views only check the shape of input.

"Today" is ``business_today()``: every service that takes ``today=None`` reads it from here, so a test passes
``today`` or patches this one function. Also the calendar month ``YYYY-MM`` of the monthly statements and reports
(bank statement, bureau report, funder statement).
"""

import re
from calendar import monthrange
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext

from riskfund.errors import RuleViolation


def business_today() -> date:
    """Today's business date in Asia/Shanghai (settings.TIME_ZONE). Services call it as ``dates.business_today()`` so
    that a test can patch this one function."""
    return timezone.localdate()


def not_in_future(value: date, field: str = "", today: date | None = None) -> date:
    """Return ``value``, or raise ``RuleViolation("date_in_future")`` (422) when it is after ``today``."""
    today = today or business_today()
    if value > today:
        raise RuleViolation(
            "date_in_future",
            "",
            gettext("%(field)s %(date)s is after today (%(today)s, Asia/Shanghai).")
            % {"field": field or gettext("date"), "date": value.isoformat(), "today": today.isoformat()},
        )
    return value


_MONTH = re.compile(r"(\d{4})-(\d{2})")


def month_bounds(month: object) -> tuple[date, date]:
    """First and last day of ``YYYY-MM``; anything else → 400 ``validation_error``."""
    match = _MONTH.fullmatch(month) if isinstance(month, str) else None
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1901:
        raise RuleViolation("validation_error", "", f"month: 不是有效月份 / not a month (YYYY-MM): {month}", status=400)
    year, number = int(match.group(1)), int(match.group(2))
    return date(year, number, 1), date(year, number, monthrange(year, number)[1])


def month_has_begun(month: str, today: date | None = None) -> bool:
    first, _ = month_bounds(month)
    return first <= (today or business_today())
