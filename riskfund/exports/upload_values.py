"""The value of one cell of an uploaded .xlsx (riskfund/exports/upload.py), as stored, turned into text, an exact
Decimal or a date.

Numbers
    A number cell holds a decimal string (``<v>1234567.89</v>``) and is parsed with ``Decimal``, never
    via float arithmetic. A cell in .xlsx is an IEEE double, and Excel writes some doubles with up to 17
    significant digits (1234567.89 typed by a user may be stored as ``1234567.8899999999``); a value with
    more than 15 significant digits is therefore read as the shortest decimal that is the same double
    (Python's ``repr`` of it, exact by construction), which is what the user typed. Up to 15 significant
    digits the string is taken as it is. An amount must then have at most two decimal places.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from openpyxl.utils import column_index_from_string

_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_SPACES = re.compile(r"\s+")


# --- values -------------------------------------------------------------------------------------------


def number_of(raw: str) -> Decimal | None:
    """An exact Decimal of a number cell's stored string (see the module docstring on 16–17 digits)."""
    try:
        number = Decimal(raw)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if len(number.as_tuple().digits) > 15:
        number = Decimal(repr(float(number)))
    return number


def decimal_text(text: str, *, ratio: bool) -> Decimal | None:
    text = text.replace(" ", "").replace("\u3000", "")
    percent = ratio and text.endswith("%")
    if percent:
        text = text[:-1]
    if _GROUPED_NUMBER.fullmatch(text):
        text = text.replace(",", "")
    if not _PLAIN_NUMBER.fullmatch(text):
        return None
    number = Decimal(text)
    return number.scaleb(-2) if percent else number


def serial_date(serial: Decimal, date1904: bool) -> date | None:
    if serial != serial.to_integral_value():
        return None
    days = int(serial)
    try:
        if date1904:
            return date(1904, 1, 1) + timedelta(days=days) if days >= 0 else None
        if days < 1 or days == 60:  # Excel's serial 60 is 1900-02-29, a day that did not exist
            return None
        return date(1899, 12, 31) + timedelta(days=days) if days < 60 else date(1899, 12, 30) + timedelta(days=days)
    except OverflowError:
        return None


def iso_date(text: str) -> date | None:
    match = _ISO_DATE.fullmatch(text)
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def normalise_header(text: str) -> str:
    return _SPACES.sub("", text.replace("\u3000", " "))


def rich_text(el) -> str:
    """The text of an ``<si>`` or ``<is>``: its ``<t>``, or its runs' ``<t>``, without phonetic runs."""
    parts = []
    for child in el:
        tag = local_name(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if local_name(t.tag) == "t")
    return "".join(parts)


def column_of(ref: str | None, previous: int) -> int:
    if ref:
        letters = ref.rstrip("0123456789")
        try:
            return column_index_from_string(letters)
        except ValueError:
            pass
    return previous + 1


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
