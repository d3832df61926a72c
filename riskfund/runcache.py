"""Reads kept for the length of one long run (a book import's replay), where they cannot change.

A book import replays tens of thousands of rows through the services inside ONE transaction; each service reads
the policy version in force on its date and whether a date is at or before the last closed business date. Nothing
in the replay writes either: policy versions are entered through their own API, and the close of business needs
the ``PoolState`` lock that the replay holds from its first posting to its commit. ``run_cache()`` keeps such
reads for the run; outside it ``cached`` simply computes (every other caller reads afresh, as before). A service
that must see a concurrent close still judges it on the row it has locked (``is_backdated(d, state)``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
_store: ContextVar[dict[tuple, Any] | None] = ContextVar("riskfund_run_cache", default=None)


@contextmanager
def run_cache() -> Iterator[None]:
    """Keep ``cached`` reads until the block ends (nested blocks share the outer run's store)."""
    if _store.get() is not None:
        yield
        return
    token = _store.set({})
    try:
        yield
    finally:
        _store.reset(token)


def cached(key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, kept under ``key`` for the current ``run_cache`` block (computed every time outside one)."""
    store = _store.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]
