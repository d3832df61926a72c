"""Purges the daily close runs for other apps (SPEC §12 housekeeping).

An app registers its purge from its ``AppConfig.ready`` (the API: idempotency keys older than 90 days, API.md),
so the close of business imports none of them and a domain app never depends on the API.
"""

from collections.abc import Callable

_PURGES: dict[str, Callable[[], int]] = {}


def register_purge(name: str, purge: Callable[[], int]) -> None:
    """Run ``purge`` (returns the rows deleted) in every daily close; registering a name again replaces it."""
    _PURGES[name] = purge


def purge_all() -> int:
    """Run every registered purge; the rows deleted in all."""
    return sum(purge() for purge in _PURGES.values())
