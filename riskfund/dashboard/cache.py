"""The dashboard's figures (``selectors.dashboard``) kept in the cache until the data under them changes (issue 13:
the admin index under 150 ms; computing them takes some 30 queries).

An entry is keyed on whose figures they are (the scope), the language, the business date and the **data version**:
the highest id of the audit trail (every INSERT, UPDATE and DELETE of a domain table writes one, by trigger,
riskfund/audit/triggers.py), of the ledger's entries and of the close of business's committed steps and ranges (the
ledger and the COB are not audited; each posting inserts entries, and every COB write commits with its ``CobStep``
or ``CobPart`` row). Any write that commits after the figures were read raises one of these ids, so the next request
reads another key and computes the figures afresh: the dashboard is never stale after a posting. The audit rows of
the database cache's own table (riskfund/security/models.py) are left out: storing the figures must not change
their version.

One case would defeat the ids: a transaction still in flight when the version is read holds ids below the highest
one visible and commits later without raising the maximum. On PostgreSQL the version is therefore read with the
transactions in progress at that moment (``pg_current_snapshot``); while one of them may belong to this database
nothing is stored, and the figures are computed as without a cache. SQLite has one writer at a time, which takes
its ids in commit order. The version starts with the database's oid, so a restore into a new database (as
docs/operations.md does it), whose ids start again lower, never meets the entries of the old one.
"""

# ruff: noqa: S608 (the SQL below names only the models' own tables and columns)

from django.core.cache import cache
from django.db import connection
from django.utils.translation import get_language

from riskfund.audit.models import AuditEvent
from riskfund.cob.models import CobPart, CobStep
from riskfund.ledger.models import Entry
from riskfund.security.models import CACHE_TABLE

KEY_PREFIX = "riskfund:dashboard"
CACHE_SECONDS = 24 * 60 * 60  # the key changes with the data anyway; a day bounds what an unused entry occupies
UNAUDITED_TABLES = (Entry, CobStep, CobPart)  # besides the audit trail; each with an ever-increasing integer id

# true when no transaction in progress at the statement's snapshot may be one of this database's: each running xid
# is matched to a backend of another database (an xid that has finished since, or a hidden one, matches nothing)
PG_QUIET = """NOT EXISTS (
    SELECT 1 FROM pg_snapshot_xip(pg_current_snapshot()) AS running(xid)
    WHERE NOT EXISTS (
        SELECT 1 FROM pg_stat_activity AS other
        WHERE other.datname <> current_database()
          AND other.backend_xid::text = mod(running.xid::text::numeric, 4294967296)::text
    )
)"""


def data_version() -> str | None:
    """The data version (see the module docstring), or None when it cannot be trusted for caching."""
    quote = connection.ops.quote_name
    audit = AuditEvent._meta
    maxima = [
        f"(SELECT MAX({quote(audit.pk.column)}) FROM {quote(audit.db_table)} "
        f"WHERE {quote(audit.get_field('db_table').column)} <> %s)",
        *(f"(SELECT MAX({quote(m._meta.pk.column)}) FROM {quote(m._meta.db_table)})" for m in UNAUDITED_TABLES),
    ]
    if connection.vendor == "postgresql":
        quiet, database = PG_QUIET, "(SELECT oid FROM pg_database WHERE datname = current_database())"
    else:
        quiet, database = "1 = 1", "0"
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join([quiet, database, *maxima]), [CACHE_TABLE])
        trusted, *ids = cursor.fetchone()
    if not trusted:
        return None
    return ".".join(str(value or 0) for value in ids)


def dashboard_key(scope, today, version: str) -> str:
    return f"{KEY_PREFIX}:{scope.district or '-'}:{int(scope.limited)}:{get_language()}:{today.isoformat()}:{version}"


def cached_dashboard(scope, today, compute) -> dict:
    """``compute()``'s figures for ``scope`` on ``today``, from the cache when the data has not changed since."""
    version = data_version()
    if version is None:
        return compute()
    key = dashboard_key(scope, today, version)
    figures = cache.get(key)
    if figures is None:
        figures = compute()
        cache.set(key, figures, CACHE_SECONDS)
    return figures
