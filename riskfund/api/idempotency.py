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
6. A field shown once (a webhook's signing secret) is never kept: the stored body has it as null with
   ``<field>_withheld: true``, and so has its replay (API.md, Webhooks).

Steps 1–3 run in DRF's ``initial`` hook, 4 around the handler, 5 and 6 in ``handle_exception`` and
``finalize_response`` (``IdempotentMixin``): no copy of DRF's ``dispatch``, as pretix does it.

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


def stored_body(response, withheld: tuple[str, ...]) -> str:
    """The answer's body as kept for replay: each ``withheld`` field (a secret shown once) as null, with
    ``<field>_withheld: true`` (API.md, Webhooks), so the record holds nothing a replay must not show."""
    text = response.content.decode("utf-8")
    if not withheld or response.status_code >= 400:
        return text
    body = json.loads(text)
    if isinstance(body, dict):
        for name in withheld:
            if name in body:
                body[name] = None
                body[f"{name}_withheld"] = True
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _complete(record: IdempotencyRecord, response, withheld: tuple[str, ...] = ()) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        state=IdempotencyRecord.State.DONE,
        status_code=response.status_code,
        response_body=stored_body(response, withheld),
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


class Replay(Exception):
    """Not an error: the stored answer of an earlier request with the key, raised past the handler."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("replay")
        self.response = response


class IdempotentCall:
    """One claimed request: the database transaction its work runs in, holding the lock on its record."""

    def __init__(self, record: IdempotencyRecord, withheld: tuple[str, ...]) -> None:
        self.record = record
        self.withheld = withheld
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.open = True
        try:
            list(IdempotencyRecord.objects.select_for_update().filter(pk=record.pk).values_list("pk"))
        except BaseException:
            self._close(rollback=True)
            raise

    def _close(self, *, rollback: bool) -> None:
        if self.open:
            self.open = False
            if rollback:
                transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

    def roll_back(self) -> None:
        """The view raised: its writes go; the answer to the error is kept (or not) by ``finish``."""
        self._close(rollback=True)

    def finish(self, response) -> None:
        """Keep a storable answer with the view's writes (same transaction), else roll back and free the key."""
        storable = is_storable(response.status_code)
        try:
            if storable and self.open:
                _complete(self.record, response, self.withheld)
                self._close(rollback=False)
                return
            self._close(rollback=True)
            if storable:
                with transaction.atomic():
                    _complete(self.record, response, self.withheld)
                return
        except BaseException:
            self.abandon()
            raise
        _forget(self.record)

    def abandon(self) -> None:
        """Nothing will be answered from here (a crash): roll back and free the key for a retry."""
        self._close(rollback=True)
        _forget(self.record)


class IdempotentMixin:
    """Makes every POST of an ``APIView`` / ``GenericAPIView`` / ``ViewSet`` idempotent (put it first).

    Built on DRF's hooks, not on a copy of ``dispatch``: ``initial`` (after authentication, permissions and
    throttling) checks the key and claims it, or raises ``Replay`` with the stored answer; ``handle_exception``
    rolls a failed view's writes back; ``finalize_response`` keeps the answer. ``idempotency_withheld`` names the
    answer's fields shown once (a signing secret): kept and replayed as null with ``<field>_withheld: true``.
    """

    idempotency_exempt = False
    idempotency_withheld: tuple[str, ...] = ()

    def requires_idempotency(self, request) -> bool:
        return request.method == "POST" and not self.idempotency_exempt and hasattr(self, "post")

    def initial(self, request, *args, **kwargs):
        self._idempotent_call = None
        super().initial(request, *args, **kwargs)
        if not self.requires_idempotency(request):
            return
        key = request.headers.get(KEY_HEADER)
        if key is None or not KEY_RE.fullmatch(key):
            raise IdempotencyKeyRequired()
        record, replay = idempotency_begin(
            client=client_scope(request),
            key=key,
            fingerprint=request_fingerprint(request),
            method=request.method,
            path=request.get_full_path(),
        )
        if replay:
            raise Replay(replay_response(record))
        self._idempotent_call = IdempotentCall(record, self.idempotency_withheld)

    def handle_exception(self, exc):
        if isinstance(exc, Replay):
            return exc.response
        call = getattr(self, "_idempotent_call", None)
        if call is not None:
            call.roll_back()
        try:
            return super().handle_exception(exc)
        except BaseException:
            if call is not None:
                self._idempotent_call = None
                call.abandon()
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        call = getattr(self, "_idempotent_call", None)
        self._idempotent_call = None
        try:
            response = super().finalize_response(request, response, *args, **kwargs)
            if call is not None and hasattr(response, "render"):
                response.render()
        except BaseException:
            if call is not None:
                call.abandon()
            raise
        if call is not None:
            call.finish(response)
        return response
