"""JSON renderers that never turn a Decimal into a float (SPEC §3), and the problem+json media type."""

import decimal

from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

PROBLEM_CONTENT_TYPE = "application/problem+json"


class DecimalSafeEncoder(JSONEncoder):
    """DRF's encoder, except that a Decimal is written as its exact string, never as a float."""

    def default(self, obj):
        if isinstance(obj, decimal.Decimal):
            return str(obj)
        return super().default(obj)


class JSONRenderer(renderers.JSONRenderer):
    encoder_class = DecimalSafeEncoder


class ProblemJSONRenderer(JSONRenderer):
    """Renders RFC 9457 problem details; also lets clients send ``Accept: application/problem+json``."""

    media_type = PROBLEM_CONTENT_TYPE
    format = "problem+json"
