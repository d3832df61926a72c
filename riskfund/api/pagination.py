"""Pagination (API.md): page numbers ``{"count", "next", "previous", "results"}`` with ``?page_size=`` up to
500 for lists, and cursors ``{"next", "previous", "results"}`` for the ledger so rows never shift.

``page_size`` is an integer from 1 to 500, declared so in the OpenAPI document; anything else (``501``, ``0``,
``ten``) is a 400 ``validation_error`` on ``page_size`` — DRF itself ignores a bad value and caps a large one,
which hid a client's mistake behind a page of another size than it asked for."""

import re

from django.utils.translation import gettext_lazy as _
from rest_framework import pagination, serializers

MAX_PAGE_SIZE = 500
_DIGITS = re.compile(r"[0-9]{1,6}")


class StrictPageSizeMixin:
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= self.max_page_size:
            message = _("Enter a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
            raise serializers.ValidationError({self.page_size_query_param: [message]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            elif parameter["name"] == getattr(self, "page_query_param", None):
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


class PageNumberPagination(StrictPageSizeMixin, pagination.PageNumberPagination):
    page_size = 50


class LedgerCursorPagination(StrictPageSizeMixin, pagination.CursorPagination):
    """Cursor over ``posted_at`` (then ``id``): chronological, and a page never repeats or skips a row
    because newer postings only ever append after the cursor."""

    ordering = ("posted_at", "id")
    page_size = 100
