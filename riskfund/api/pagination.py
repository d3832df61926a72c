"""Pagination (API.md): page numbers ``{"count", "next", "previous", "results"}`` with ``?page_size=`` up to
500 for lists, and cursors ``{"next", "previous", "results"}`` for the ledger so rows never shift."""

from rest_framework import pagination

MAX_PAGE_SIZE = 500


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class LedgerCursorPagination(pagination.CursorPagination):
    """Cursor over ``posted_at`` (then ``id``): chronological, and a page never repeats or skips a row
    because newer postings only ever append after the cursor."""

    ordering = ("posted_at", "id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
