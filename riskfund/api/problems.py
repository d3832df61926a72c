"""Every API error as ``application/problem+json`` (RFC 9457, API.md Conventions).

The body is ``{"type", "title", "status", "detail", "code", "clause"?, "errors"?}``:

- ``RuleViolation`` → its ``status`` (422 unless the service says otherwise), ``code`` and ``clause``, and its
  ``errors`` when it carries some (an upload refused for several bad cells: messages by ``sheet!cell``);
- DRF ``ValidationError`` / ``ParseError`` / Django ``ValidationError`` → 400 ``validation_error`` with
  ``errors: {field: [messages]}`` (nested fields as dotted paths: ``schedule.0.principal``);
- ``NotAuthenticated`` / ``AuthenticationFailed`` → 401 ``not_authenticated`` (403 ``permission_denied``
  when the view has no authenticator that can challenge), ``PermissionDenied`` → 403, ``NotFound`` /
  ``Http404`` → 404 ``not_found``, ``MethodNotAllowed`` → 405, ``Throttled`` → 429 ``throttled``;
- any ``APIException`` with a ``problem_code`` attribute (the idempotency errors) → that code.

Titles come from this module's catalogue and follow ``Accept-Language`` (zh-hans by default, en).
Exceptions that are not API errors are left to Django (logged, 500), as DRF does.
"""

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings

from riskfund.errors import RuleViolation

from .renderers import PROBLEM_CONTENT_TYPE, ProblemJSONRenderer

__all__ = [
    "PROBLEM_CONTENT_TYPE",
    "PROBLEM_TYPE_BASE",
    "ProblemJSONRenderer",
    "flatten_errors",
    "problem_exception_handler",
    "problem_response",
]

PROBLEM_TYPE_BASE = "https://riskfund.invalid/problems/"

TITLES = {
    "validation_error": _("Invalid input"),
    "not_authenticated": _("Authentication required"),
    "permission_denied": _("Permission denied"),
    "not_found": _("Not found"),
    "method_not_allowed": _("Method not allowed"),
    "not_acceptable": _("Not acceptable"),
    "unsupported_media_type": _("Unsupported media type"),
    "throttled": _("Too many requests"),
    "content_too_large": _("Request body too large"),
    "idempotency_key_required": _("Idempotency-Key header required"),
    "idempotency_key_reused": _("Idempotency key reused"),
    "idempotency_in_progress": _("Request still in progress"),
    "rule_violation": _("Business rule violated"),
    # an uploaded workbook refused (riskfund/exports/upload.py): malformed input, not a broken rule
    "upload_not_xlsx": _("Not an .xlsx workbook"),
    "upload_too_large": _("Uploaded file too large"),
    "upload_unsafe_xml": _("Unsafe content in the workbook"),
    "upload_too_many_rows": _("Too many rows in the workbook"),
    "upload_missing_sheet": _("Worksheet missing"),
    "upload_missing_column": _("Column missing"),
    "upload_duplicate_column": _("Column given twice"),
    "upload_bad_cell": _("Invalid cells in the workbook"),
    "server_error": _("Server error"),
}
VALIDATION_DETAIL = _("The request is malformed; see the messages by field in errors.")
NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY

_CODE_BY_CLASS = [
    (exceptions.ValidationError, "validation_error"),
    (exceptions.ParseError, "validation_error"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "not_authenticated"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
]


def problem_response(
    status: int,
    code: str,
    detail: str = "",
    *,
    title: str | None = None,
    clause: str = "",
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A problem+json ``Response``; ``title`` defaults to the translated title of ``code``."""
    if title is None:
        title = TITLES.get(code) or (TITLES["server_error"] if status >= 500 else code.replace("_", " "))
    body: dict = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": str(title),
        "status": status,
        "detail": str(detail or title),
        "code": code,
    }
    if clause:
        body["clause"] = clause
    if errors:
        body["errors"] = errors
    return Response(body, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as ``{"field": [...], "items.0.amount": [...]}``."""
    out: dict[str, list[str]] = {}

    def add(name: str, messages: list[str]) -> None:
        out.setdefault(name or NON_FIELD, []).extend(messages)

    if isinstance(detail, dict):
        for key, value in detail.items():
            name = str(key) if not prefix or key == NON_FIELD else f"{prefix}.{key}"
            for sub, messages in flatten_errors(value, name).items():
                add(sub, messages)
    elif isinstance(detail, list | tuple):
        if all(isinstance(item, str) for item in detail):
            add(prefix, [str(item) for item in detail])
        else:
            for index, item in enumerate(detail):
                if not item:
                    continue
                name = f"{prefix}.{index}" if prefix else str(index)
                for sub, messages in flatten_errors(item, name).items():
                    add(sub, messages)
    else:
        add(prefix, [str(detail)])
    return out


def retry_after_seconds(wait: float | None) -> str:
    """The ``Retry-After`` of every 429 (declared in the schema): whole seconds, rounded up, at least 1 — DRF's
    ``wait`` may be 0.3 (``"0"`` told the client to retry at once) or None (no header at all)."""
    return str(max(1, math.ceil(wait or 0)))


def _api_exception_code(exc: exceptions.APIException) -> str:
    explicit = getattr(exc, "problem_code", None)
    if explicit:
        return explicit
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed) and exc.status_code == 403:
        return "permission_denied"  # no authenticator could issue a challenge (DRF turns 401 into 403)
    for cls, code in _CODE_BY_CLASS:
        if isinstance(exc, cls):
            return code
    return "server_error" if exc.status_code >= 500 else str(exc.default_code)


def problem_exception_handler(exc, context) -> Response | None:
    """DRF ``EXCEPTION_HANDLER``: the problem+json answer for ``exc``, or None to let Django answer 500."""
    if isinstance(exc, RuleViolation):
        title = TITLES.get(exc.code, TITLES["rule_violation"])
        errors = getattr(exc, "errors", None)  # field messages, or an upload's messages by cell
        if exc.code == "validation_error":
            # a service's malformed-input error (``InputError`` carries field messages; others a sentence)
            errors = errors or {NON_FIELD: [str(exc.message)]}
        if errors:
            errors = {str(k): [str(m) for m in v] for k, v in errors.items()}
        return problem_response(exc.status, exc.code, str(exc.message), title=title, clause=exc.clause, errors=errors)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: exc.messages}
        return problem_response(400, "validation_error", VALIDATION_DETAIL, errors=flatten_errors(errors))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, exceptions.Throttled):
        headers["Retry-After"] = retry_after_seconds(exc.wait)
    code = _api_exception_code(exc)
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(
            exc.status_code, code, VALIDATION_DETAIL, errors=flatten_errors(exc.detail), headers=headers
        )
    detail = exc.detail if isinstance(exc.detail, str) else "; ".join(flatten_errors(exc.detail).get(NON_FIELD, []))
    errors = {NON_FIELD: [str(detail)]} if code == "validation_error" else None
    return problem_response(exc.status_code, code, str(detail), errors=errors, headers=headers)
