"""Input checks shared by the lending services.

Malformed input is reported as ``InputError``: a ``RuleViolation`` with code ``validation_error``, status 400
and an ``errors`` mapping ``{field: [messages]}`` that the API copies into problem+json's ``errors`` member.
A bad USCC, a malformed schedule, a zero repayment are all ``InputError`` (SPEC §8, §9; API.md "400
malformed input"). Broken rules of SPEC.md stay plain ``RuleViolation`` (422).
"""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from riskfund.errors import RuleViolation
from riskfund.money import ZERO, to_money


class InputError(RuleViolation):
    """400 ``validation_error`` with field messages."""

    def __init__(self, errors: dict[str, list[str]], clause: str = "") -> None:
        message = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
        super().__init__("validation_error", clause, message, status=400)
        self.errors = errors


def invalid(field: str, message: str, clause: str = "") -> InputError:
    return InputError({field: [message]}, clause)


def money(value: Decimal | int | str, field: str, *, positive: bool = False, clause: str = "") -> Decimal:
    """A two-place non-negative amount (positive when asked), else ``InputError`` on ``field``."""
    try:
        amount = to_money(value)
    except (TypeError, ValueError) as exc:
        raise invalid(field, str(exc), clause) from exc
    if amount < ZERO or (positive and amount == ZERO):
        raise invalid(field, "须大于0" if positive else "不能为负数", clause)
    return amount


def today_or_default(today: date | None) -> date:
    """The request's date in Asia/Shanghai (settings.TIME_ZONE) unless a test passes one."""
    return today if today is not None else timezone.localdate()
