"""Who is acting: the per-request (or per-job) context the database triggers write into each audit row.

``AuditContextMiddleware`` puts the current ``HttpRequest`` into a ``ContextVar`` for the request's duration;
the actor is resolved when a row is written, not when the request starts, because the REST API authenticates in
the view (DRF copies the knox user onto the Django request, the bank key sets ``request.bank``), after the
middleware has run. Outside a request (Celery tasks, management commands, tests) ``audit_actor(user=…, source=…)``
sets the actor explicitly; with neither, the row names the process (``manage.py load_demo``, ``celery worker``).

``context_json()`` is the single value both databases receive: ``{"u": user id or null, "a": actor label,
"s": source}``. SQLite's triggers call the SQL function ``riskfund_audit_context()`` (registered on every
connection), PostgreSQL's read the setting ``riskfund.audit_context`` (kept in step by ``sync_postgres``).
"""

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

_request: ContextVar[Any] = ContextVar("riskfund_audit_request", default=None)
_explicit: ContextVar["Actor | None"] = ContextVar("riskfund_audit_actor", default=None)


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str
    source: str


def _process_source() -> str:
    argv = sys.argv or [""]
    parts = [os.path.basename(argv[0])] + [arg for arg in argv[1:2] if not arg.startswith("-")]
    return " ".join(part for part in parts if part)[:200]


PROCESS_SOURCE = _process_source()


def _user_actor(user, source: str) -> Actor:
    pk = getattr(user, "pk", None)
    if isinstance(pk, int) and not isinstance(pk, bool):
        return Actor(pk, user.get_username()[:150], source)
    # a bank key's principal (banks/auth.py: pk "bank:<id>", username "bank:<code>") is not a User row
    return Actor(None, str(getattr(user, "username", "") or "")[:150], source)


def current_actor() -> Actor:
    explicit = _explicit.get()
    if explicit is not None:
        return explicit
    request = _request.get()
    if request is None:
        return Actor(None, "", PROCESS_SOURCE)
    source = f"{request.method} {request.path}"[:200]
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return _user_actor(user, source)
    bank = getattr(request, "bank", None)
    if bank is not None:
        return Actor(None, f"bank:{getattr(bank, 'code', bank)}"[:150], source)
    return Actor(None, "", source)


def context_json() -> str:
    """The actor as the triggers read it. Never raises: a failure to tell the actor must not fail the write (SQLite
    calls this inside the statement); it is logged and the row names no user."""
    try:
        actor = current_actor()
    except Exception:
        logger.exception("audit: could not tell the acting user")
        actor = Actor(None, "?", PROCESS_SOURCE)
    return json.dumps({"u": actor.user_id, "a": actor.label, "s": actor.source}, ensure_ascii=False)


@contextmanager
def audit_request(request) -> Iterator[None]:
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


@contextmanager
def audit_actor(*, user=None, label: str = "", source: str = "") -> Iterator[None]:
    """Attribute the writes inside the block to ``user`` (or to ``label``, e.g. ``"cob"``) from ``source``."""
    if user is not None:
        actor = _user_actor(user, source or PROCESS_SOURCE)
        if label:
            actor = Actor(actor.user_id, label, actor.source)
    else:
        actor = Actor(None, label, source or PROCESS_SOURCE)
    token = _explicit.set(actor)
    try:
        yield
    finally:
        _explicit.reset(token)
