"""A JSON parser that never produces a float: JSON numbers with a fraction or exponent become ``Decimal``
(SPEC §3); the non-standard constants ``NaN``, ``Infinity`` and ``-Infinity`` are refused (400)."""

import codecs
import json
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from .renderers import JSONRenderer


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def loads(text: str):
    """``json.loads`` with Decimal for non-integral numbers and no NaN/Infinity."""
    return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)


class DecimalJSONParser(BaseParser):
    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return loads(codecs.getreader(encoding)(stream).read())
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise ParseError(_("JSON parse error - %(detail)s") % {"detail": str(exc)}) from exc
