"""Serializer fields for the API's conventions (API.md): amounts and ratios as decimal strings, dates
as ``YYYY-MM-DD``, and the ``date_in_future`` rule.

Every pattern is matched against the whole string (``fullmatch``): ``$`` alone also matches before a final newline,
which let ``"1000\n"`` through as an amount.

Requests accept an amount only as a JSON string of digits with at most ``places`` decimals (``"1000"``,
``"1000.5"``, ``"1000.50"``); a JSON number, more decimals, an exponent, NaN, Infinity, or a negative
value where the field is not ``signed`` is a 400 with a message on the field. Responses always carry
exactly ``places`` decimals (``"1000000.00"``).
"""

import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import ISO_8601, serializers

DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


class DecimalStringField(serializers.DecimalField):
    """A fixed-point decimal carried as a JSON string with at most ``places`` decimals."""

    default_error_messages = {
        "not_a_string": _('Enter the value as a JSON string such as "1000.00", not as a number.'),
        "invalid_format": _('Enter a decimal number with at most {places} decimal places, such as "1000.50".'),
        "negative": _("A negative value is not allowed here."),
    }

    example = "1000.00"

    def __init__(self, *, places: int = 2, max_digits: int = 18, signed: bool = False, **kwargs) -> None:
        kwargs["coerce_to_string"] = True
        super().__init__(max_digits=max_digits, decimal_places=places, **kwargs)
        self.signed = signed
        self.quantum = Decimal(1).scaleb(-places)
        sign = "-?" if signed else ""
        self.pattern = rf"^{sign}[0-9]+(\.[0-9]{{1,{places}}})?$"
        self._regex = re.compile(self.pattern)
        self._unsigned = re.compile(rf"^[0-9]+(\.[0-9]{{1,{places}}})?$")

    def to_internal_value(self, data) -> Decimal:
        if not isinstance(data, str):
            self.fail("not_a_string")
        if not self._regex.fullmatch(data):
            if data.startswith("-") and self._unsigned.fullmatch(data[1:]):
                self.fail("negative")
            self.fail("invalid_format", places=self.decimal_places)
        whole = data.lstrip("-").split(".")[0].lstrip("0")
        if len(whole) > self.max_whole_digits:
            self.fail("max_whole_digits", max_whole_digits=self.max_whole_digits)
        return Decimal(data).quantize(self.quantum)

    def to_representation(self, value) -> str:
        return str(Decimal(value).quantize(self.quantum))


class MoneyField(DecimalStringField):
    """An amount in CNY: two places, ``DecimalField(max_digits=18, decimal_places=2)`` in the database."""

    example = "1000000.00"

    def __init__(self, *, signed: bool = False, **kwargs) -> None:
        super().__init__(places=2, max_digits=18, signed=signed, **kwargs)


class RatioField(DecimalStringField):
    """A ratio such as ``compensation_ratio``: six places (``"0.200000"``)."""

    example = "0.200000"

    def __init__(self, *, signed: bool = False, **kwargs) -> None:
        super().__init__(places=6, max_digits=12, signed=signed, **kwargs)


class BusinessDateField(serializers.DateField):
    """A date written exactly ``YYYY-MM-DD`` (no other ISO 8601 spelling, no time).

    A request's date lies between 1900-01-01 and 2999-12-31: no business of the pool is dated outside, and a year 1
    or 9999 that passes the format is an attack or a typing slip, never a date to store.

    Answers use ``date.isoformat()``, which always writes four year digits: ``strftime("%Y")`` writes year 337
    as ``"337"``, not a date by the schema's own ``format: date``."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("format", ISO_8601)
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    default_error_messages = {"out_of_range": _("Enter a date between 1900-01-01 and 2999-12-31.")}

    def to_internal_value(self, value) -> date:
        if not isinstance(value, str) or not DATE_RE.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        parsed = super().to_internal_value(value)
        if not EARLIEST_DATE <= parsed <= LATEST_DATE:
            self.fail("out_of_range")
        return parsed


class CountField(serializers.IntegerField):
    """A count (``employees``, ``term_months``): a JSON integer only — not a string, a float or a boolean — within
    a range every count must state (``min_value`` and ``max_value``, documented as the schema's ``minimum`` and
    ``maximum``), so no value can overflow the database column (3,000,000,000 is past PostgreSQL's ``integer``,
    10**20 past SQLite's)."""

    default_error_messages = {"not_an_integer": _("Enter the count as a JSON integer such as 12.")}

    def __init__(self, *, min_value: int, max_value: int, **kwargs) -> None:
        if not 0 <= min_value <= max_value <= 2**31 - 1:
            raise ValueError("a count's range must lie within 0 … 2,147,483,647 (a database integer)")
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_internal_value(self, data) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("not_an_integer")
        return super().to_internal_value(data)


class TextField(serializers.CharField):
    """Free or coded text in a request: a JSON string only. DRF's own CharField would read the number 0 as the
    text "0" (a bank code "0", a purpose "12.5"), which hides a client's mistake."""

    default_error_messages = {"not_a_string": _("Enter text as a JSON string.")}

    def to_internal_value(self, data) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class IdField(serializers.UUIDField):
    """An object id in a request: a UUID string only (API.md "object ids are opaque strings"); DRF's own
    UUIDField would also take a JSON integer and turn 0 into 00000000-0000-0000-0000-000000000000."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class FullMatchValidator(RegexValidator):
    """Django's ``RegexValidator`` searches, and its ``$`` matches before a final newline: this one requires the
    whole value to match. The pattern (anchored ``^…$`` for the OpenAPI document) is the same."""

    def __call__(self, value) -> None:
        if not self.regex.fullmatch(str(value)):
            raise DjangoValidationError(self.message, code=self.code, params={"value": value})


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as its own enum component named ``enum_name`` (schema.py), so that equal field
    names with different choice sets across the API (``status``, ``kind``) never collide in the OpenAPI document."""

    def __init__(self, *, enum_name: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.enum_name = enum_name
