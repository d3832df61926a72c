"""Idempotent POSTs (API.md, Conventions), shared by every POST endpoint through ``IdempotentMixin``.

The flow for a POST, after authentication, permissions and throttling (so 401/403/429 come first):

1. ``Idempotency-Key`` must be 1–255 printable ASCII characters, else 400 ``idempotency_key_required``.
2. The fingerprint is SHA-256 of method, path and the canonical body (JSON with sorted keys and no
   whitespace; multipart: the fields and the SHA-256 of each file).
3. ``idempotency_begin`` inserts an ``in_progress`` record in its own committed transaction. If (client, key)
   exists: another fingerprint → 422 ``idempotency_key_reused``; a stored answer → replayed with
   ``Idempotent-Replayed: true``; still running → 409 ``idempotency_in_progress``.
4. The view runs inside ``transaction.atomic()`` that first locks the record row (on PostgreSQL a duplicate
   sees the lock and answers 409 at once) and, when the answer is to be kept, marks it ``done`` with the
   status and body in the same transaction as the business write: both commit or neither does.
5. If the view raised, its writes are rolled back and the error answer (a 400 or 422) is stored in its own
   transaction. Answers of 5xx, 401, 403, 409 and 429 are not stored: the record is deleted, so the client
   may retry with the same key.

A process that dies between steps 3 and 4 leaves an unlocked ``in_progress`` record; after
``STALE_AFTER`` a retry with the same fingerprint takes it over.
"""

import hashlib
import json
import re
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException
from rest_framework.request import is_form_media_type

from .models import IdempotencyRecord
from .roles import client_scope

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_RE = re.compile(r"^[\x20-\x7e]{1,255}$")
NOT_STORED = frozenset({401, 403, 409, 429})
STALE_AFTER = timedelta(minutes=5)
KEEP_DAYS = 90


class IdempotencyKeyRequired(APIException):
    status_code = 400
    problem_code = "idempotency_key_required"
    default_code = "idempotency_key_required"
    default_detail = _("Send an Idempotency-Key header of 1 to 255 printable ASCII characters with every POST.")


class IdempotencyKeyReused(APIException):
    status_code = 422
    problem_code = "idempotency_key_reused"
    default_code = "idempotency_key_reused"
    default_detail = _("This Idempotency-Key was already used for a different request (another body or path).")


class IdempotencyInProgress(APIException):
    status_code = 409
    problem_code = "idempotency_in_progress"
    default_code = "idempotency_in_progress"
    default_detail = _("A request with this Idempotency-Key is still being processed; retry later.")


def is_storable(status_code: int) -> bool:
    """Whether an answer with this status is kept for replay (below 500, not 401, 403, 409 or 429)."""
    return status_code < 500 and status_code not in NOT_STORED


def canonical_json(value) -> str:
    """Sorted keys, no whitespace; a Decimal (a JSON number with a fraction) keeps its exact text."""
    if isinstance(value, dict):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canonical_json(v) for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _file_sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def request_fingerprint(request) -> str:
    """SHA-256 (hex) of method, full path and canonical body of a DRF ``request``."""
    if is_form_media_type(request.content_type):
        request.data  # noqa: B018 — parse the body so POST and FILES are populated
        body = {
            "fields": {k: request.POST.getlist(k) for k in request.POST},
            "files": {k: [_file_sha256(f) for f in request.FILES.getlist(k)] for k in request.FILES},
        }
    else:
        body = request.data
    text = f"{request.method}\n{request.get_full_path()}\n{canonical_json(body)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def idempotency_begin(
    *, client: str, key: str, fingerprint: str, method: str, path: str
) -> tuple[IdempotencyRecord, bool]:
    """Claim (client, key): ``(record, False)`` to run the request, ``(record, True)`` to replay its answer.

    Raises ``IdempotencyKeyReused`` (422) or ``IdempotencyInProgress`` (409). Must run outside any
    transaction so the claim commits at once (inside one, as in tests, it is a savepoint).
    """
    for _attempt in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    client=client,
                    key=key,
                    fingerprint=fingerprint,
                    method=method,
                    path=path[:2000],
                    created_at=now,
                    started_at=now,
                )
            return record, False
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(client=client, key=key).first()
        if existing is None:
            continue  # its request failed and gave the key back a moment ago: claim it again
        if existing.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        if existing.state == IdempotencyRecord.State.DONE:
            return existing, True
        with transaction.atomic():
            # The running request holds this row's lock for as long as its work lasts (PostgreSQL).
            mine = (
                IdempotencyRecord.objects.select_for_update(skip_locked=True)
                .filter(pk=existing.pk, state=IdempotencyRecord.State.IN_PROGRESS, started_at__lt=now - STALE_AFTER)
                .first()
            )
            if mine is None:
                raise IdempotencyInProgress()
            mine.started_at = now  # abandoned by a request that died before answering: take it over
            mine.save(update_fields=["started_at"])
            return mine, False
    raise IdempotencyInProgress()


def _complete(record: IdempotencyRecord, response) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        state=IdempotencyRecord.State.DONE,
        status_code=response.status_code,
        response_body=response.content.decode("utf-8"),
        content_type=response.get("Content-Type", ""),
        completed_at=timezone.now(),
    )


def _forget(record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk, state=IdempotencyRecord.State.IN_PROGRESS).delete()


def replay_response(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        record.response_body.encode("utf-8"), status=record.status_code, content_type=record.content_type
    )
    response[REPLAYED_HEADER] = "true"
    return response


def idempotency_purge(*, older_than_days: int = KEEP_DAYS) -> int:
    """Delete records older than ``older_than_days`` (at least 90, API.md); returns how many went."""
    if older_than_days < KEEP_DAYS:
        raise ValueError(f"idempotency keys are kept at least {KEEP_DAYS} days")
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


class IdempotentMixin:
    """Makes every POST of an ``APIView`` / ``GenericAPIView`` / ``ViewSet`` idempotent (put it first).

    The view's handler needs nothing special: it validates, calls one service and returns a Response;
    raising ``RuleViolation`` or a ``ValidationError`` rolls its writes back and the problem is stored.
    """

    idempotency_exempt = False

    def requires_idempotency(self, request) -> bool:
        return request.method == "POST" and not self.idempotency_exempt and hasattr(self, "post")

    def dispatch(self, request, *args, **kwargs):
        # DRF's APIView.dispatch (3.18), with the POST handler run through ``idempotent_call``.
        self.args = args
        self.kwargs = kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        try:
            self.initial(request, *args, **kwargs)
            if request.method.lower() in self.http_method_names:
                handler = getattr(self, request.method.lower(), self.http_method_not_allowed)
            else:
                handler = self.http_method_not_allowed
            if self.requires_idempotency(request):
                self.response = self.idempotent_call(handler, request, *args, **kwargs)
                return self.response
            response = handler(request, *args, **kwargs)
        except Exception as exc:
            response = self.handle_exception(exc)
        self.response = self.finalize_response(request, response, *args, **kwargs)
        return self.response

    def _rendered(self, request, response, *args, **kwargs):
        response = self.finalize_response(request, response, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        return response

    def idempotent_call(self, handler, request, *args, **kwargs):
        key = request.headers.get(KEY_HEADER)
        if key is None or not KEY_RE.match(key):
            raise IdempotencyKeyRequired()
        record, replay = idempotency_begin(
            client=client_scope(request),
            key=key,
            fingerprint=request_fingerprint(request),
            method=request.method,
            path=request.get_full_path(),
        )
        if replay:
            return self.finalize_response(request, replay_response(record), *args, **kwargs)
        try:
            with transaction.atomic():
                list(IdempotencyRecord.objects.select_for_update().filter(pk=record.pk).values_list("pk"))
                response = self._rendered(request, handler(request, *args, **kwargs), *args, **kwargs)
                if is_storable(response.status_code):
                    _complete(record, response)
                else:
                    transaction.set_rollback(True)
        except Exception as exc:
            try:
                response = self._rendered(request, self.handle_exception(exc), *args, **kwargs)
            except BaseException:
                _forget(record)
                raise
            if is_storable(response.status_code):
                with transaction.atomic():
                    _complete(record, response)
                return response
        if not is_storable(response.status_code):
            _forget(record)
        return response
