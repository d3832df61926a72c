"""The API's JSON parser (API.md Conventions).

- Numbers with a fraction or an exponent become ``Decimal``, never ``float`` (SPEC §3); the non-standard constants
  ``NaN``, ``Infinity`` and ``-Infinity`` are refused (400).
- A body larger than ``MAX_JSON_BODY`` (1 MiB) is refused with 413 ``content_too_large`` before a byte of it is
  read: DRF hands the parser the raw request stream, so Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` never applies to
  JSON. Uploads (multipart) are not parsed here and keep their own limit (``riskfund/exports/upload.py``).
- JSON nested deeper than ``MAX_DEPTH`` (32) levels is a 400: the depth is measured on the text before parsing,
  because Python's decoder recurses once per level and a deep enough document ends in ``RecursionError``.
"""

import codecs
import json
import re
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser

from .renderers import JSONRenderer

MAX_JSON_BODY = 1024 * 1024
MAX_DEPTH = 32

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


class ContentTooLarge(APIException):
    status_code = 413
    problem_code = "content_too_large"
    default_code = "content_too_large"
    default_detail = _("The request body is larger than 1 MiB.")


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def loads(text: str):
    """``json.loads`` with Decimal for non-integral numbers, no NaN/Infinity and at most ``MAX_DEPTH`` levels."""
    if nesting_depth(text) > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)


def content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class DecimalJSONParser(BaseParser):
    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context.get("request")
        if request is not None and content_length(request) > MAX_JSON_BODY:
            raise ContentTooLarge()
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            return loads(codecs.getreader(encoding)(stream).read())
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise ParseError(_("JSON parse error - %(detail)s") % {"detail": str(exc)}) from exc
