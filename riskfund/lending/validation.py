"""Input checks shared by the lending services.

Malformed input is reported as ``InputError`` (riskfund/errors.py): a ``RuleViolation`` with code
``validation_error``, status 400 and an ``errors`` mapping ``{field: [messages]}`` that the API copies into
problem+json's ``errors`` member. A bad USCC, a malformed schedule, a zero repayment are all ``InputError``
(SPEC §8, §9; API.md "400 malformed input"). Broken rules of SPEC.md stay plain ``RuleViolation`` (422).
"""

from datetime import date

from riskfund import dates
from riskfund.errors import InputError, invalid
from riskfund.money import money_input as money

__all__ = ["InputError", "invalid", "money", "today_or_default"]


def today_or_default(today: date | None) -> date:
    """The request's date in Asia/Shanghai (settings.TIME_ZONE) unless a test passes one."""
    return today if today is not None else dates.business_today()
