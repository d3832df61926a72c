"""System check: the daily job's SQL needs SQLite ≥ 3.35 (UPDATE … FROM … RETURNING, upsert, window functions)."""

from django.core import checks
from django.db import connections

from .sql import SQLITE_MINIMUM


@checks.register(checks.Tags.database)
def sqlite_version_check(app_configs=None, databases=None, **kwargs):
    errors = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "sqlite":
            continue
        import sqlite3

        version = tuple(int(part) for part in sqlite3.sqlite_version.split("."))
        if version < SQLITE_MINIMUM:
            errors.append(
                checks.Error(
                    f"SQLite {sqlite3.sqlite_version} is too old for the daily job (needs ≥ 3.35)",
                    id="cob.E001",
                )
            )
    return errors
