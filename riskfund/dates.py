"""The one check that an event's date is not after today (SPEC §8 ``date_in_future``), judged in Asia/Shanghai.

It applies to dates of events that happened (``disbursed_on``, ``paid_on``, ``deducted_on``, …), never to
``maturity_on``, ``due_on`` or ``ends_on``.
"""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext

from riskfund.errors import RuleViolation


def not_in_future(value: date, field: str = "", today: date | None = None) -> date:
    """Return ``value``, or raise ``RuleViolation("date_in_future")`` (422) when it is after ``today``."""
    today = today or timezone.localdate()
    if value > today:
        raise RuleViolation(
            "date_in_future",
            "",
            gettext("%(field)s %(date)s is after today (%(today)s, Asia/Shanghai).")
            % {"field": field or gettext("date"), "date": value.isoformat(), "today": today.isoformat()},
        )
    return value
