"""The database triggers that write the audit trail, for SQLite and PostgreSQL.

Which tables: every concrete table of the project's apps (riskfund.*, banks) and the user, group and membership
tables of ``django.contrib.auth``, except ``EXCLUDED`` below (each with its reason). ``audit_install`` creates
the missing or outdated triggers and drops stale ones; it runs after every ``migrate`` (``post_migrate``), so a
table added or altered by a later migration is covered too (SQLite rebuilds a table on most ALTERs, which drops
its triggers; its triggers also list the columns, so they are rewritten when a column changes). On SQLite every
audit trigger is dropped before ``migrate`` (``pre_migrate``, see ``audit_suspend_sqlite``) and recreated after it.

PostgreSQL: one PL/pgSQL function ``riskfund_audit_row()``; each table has an ``AFTER INSERT OR UPDATE OR DELETE …
FOR EACH ROW`` trigger ``riskfund_audit`` passing the model label, the primary-key column and the secret
columns; the row is ``to_jsonb(OLD/NEW)``. The actor comes from the session setting ``riskfund.audit_context``
(riskfund/audit/db.py keeps it in step with the Python context).

SQLite: three triggers per table (``riskfund_audit_<table>_<op>``), the row as ``json_object(…)`` of its columns
(booleans as JSON true/false, JSON columns embedded), the actor from the SQL function
``riskfund_audit_context()`` that riskfund/audit/db.py registers on each connection. A connection without that
function (the ``sqlite3`` shell) cannot write to an audited table: it gets "no such function".
"""

from django.apps import apps
from django.db import connections, models

EVENT_TABLE = "audit_auditevent"
PG_TRIGGER = "riskfund_audit"
PG_FUNCTION = "riskfund_audit_row"
SQLITE_PREFIX = "riskfund_audit_"

PROJECT_PREFIXES = ("riskfund.", "banks")
AUTH_MODELS = {"auth.user", "auth.group", "auth.user_groups", "auth.user_user_permissions", "auth.group_permissions"}

# app label or "app_label.model_name" → why it is not audited
EXCLUDED = {
    "ledger": "immutable double-entry records: the database refuses UPDATE and DELETE; each transaction keeps its "
    "user and posting time",
    "audit": "the audit trail itself",
    "cob": "the daily close of business's derived figures, recomputed set-wise from the loans and the ledger for "
    "every business date; its runs and steps are their own history",
    "outbox.outboxevent": "delivery bookkeeping of webhook events; the business change behind each event is audited",
    "banks.webhookdelivery": "append-only log of webhook delivery attempts",
    "api.idempotencyrecord": "replay cache of API responses (request fingerprint and stored response)",
}

# secret columns: recorded only as hidden / changed
SECRET_COLUMNS = {"auth_user": ("password",), "banks_bankapikey": ("key_hash",)}
HIDDEN = "[已隐藏]"
HIDDEN_CHANGED = "[已隐藏·已修改]"


def _excluded(model) -> bool:
    return model._meta.app_label in EXCLUDED or model._meta.label_lower in EXCLUDED


def audited_models() -> list[type[models.Model]]:
    """The models whose tables carry audit triggers, in a stable order."""
    chosen = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or _excluded(model):
            continue
        module = model.__module__
        if module.startswith(PROJECT_PREFIXES) or meta.label_lower in AUTH_MODELS:
            chosen.append(model)
    return sorted(chosen, key=lambda m: m._meta.db_table)


# --- PostgreSQL ------------------------------------------------------------------------------------------------

PG_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ctx jsonb := NULLIF(current_setting('riskfund.audit_context', true), '')::jsonb;
    secret text[] := string_to_array(TG_ARGV[2], ',');
    old_row jsonb;
    new_row jsonb;
    col text;
BEGIN
    IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
    IF TG_OP = 'UPDATE' AND old_row = new_row THEN
        RETURN NULL;
    END IF;
    FOREACH col IN ARRAY coalesce(secret, ARRAY[]::text[]) LOOP
        IF TG_OP = 'UPDATE' AND (old_row -> col) IS DISTINCT FROM (new_row -> col) THEN
            new_row := jsonb_set(new_row, ARRAY[col], to_jsonb('{HIDDEN_CHANGED}'::text));
        ELSIF new_row IS NOT NULL THEN
            new_row := jsonb_set(new_row, ARRAY[col], to_jsonb('{HIDDEN}'::text));
        END IF;
        IF old_row IS NOT NULL THEN
            old_row := jsonb_set(old_row, ARRAY[col], to_jsonb('{HIDDEN}'::text));
        END IF;
    END LOOP;
    INSERT INTO {EVENT_TABLE} (occurred_at, model, db_table, object_id, operation, old, new, user_id, actor, source)
    VALUES (clock_timestamp(), TG_ARGV[0], TG_TABLE_NAME, coalesce(new_row, old_row) ->> TG_ARGV[1], lower(TG_OP),
            old_row, new_row, (ctx ->> 'u')::integer, coalesce(ctx ->> 'a', ''), coalesce(ctx ->> 's', ''));
    RETURN NULL;
END $$;
"""  # noqa: S608 (module constants only)

PG_IMMUTABLE_SQL = [
    """
    CREATE OR REPLACE FUNCTION riskfund_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END $$;
    """,
    f"DROP TRIGGER IF EXISTS riskfund_audit_immutable ON {EVENT_TABLE}",
    f"""
    CREATE TRIGGER riskfund_audit_immutable BEFORE UPDATE OR DELETE ON {EVENT_TABLE}
    FOR EACH ROW EXECUTE FUNCTION riskfund_audit_refuse_change()
    """,
]


def _pg_args(model) -> list[str]:
    table = model._meta.db_table
    return [model._meta.label_lower, model._meta.pk.column, ",".join(SECRET_COLUMNS.get(table, ()))]


def _pg_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _pg_install(connection, chosen) -> dict[str, int]:
    wanted = {m._meta.db_table: _pg_args(m) for m in chosen}
    with connection.cursor() as cursor:
        cursor.execute(PG_FUNCTION_SQL)
        cursor.execute(
            "SELECT c.relname, t.tgargs FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE t.tgname = %s AND n.nspname = current_schema()",
            [PG_TRIGGER],
        )
        present = {}
        for table, raw in cursor.fetchall():
            data = bytes(raw) if not isinstance(raw, bytes | str) else raw
            text = data.decode() if isinstance(data, bytes) else data
            present[table] = text.split("\x00")[:-1] if text else []
        created = dropped = 0
        for table in sorted(set(present) - set(wanted)):
            cursor.execute(f'DROP TRIGGER IF EXISTS {PG_TRIGGER} ON "{table}"')
            dropped += 1
        for table, args in wanted.items():
            if present.get(table) == args:
                continue
            cursor.execute(f'DROP TRIGGER IF EXISTS {PG_TRIGGER} ON "{table}"')
            cursor.execute(
                f'CREATE TRIGGER {PG_TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON "{table}" FOR EACH ROW '
                f"EXECUTE FUNCTION {PG_FUNCTION}({', '.join(_pg_literal(a) for a in args)})"
            )
            created += 1
        for statement in PG_IMMUTABLE_SQL:
            cursor.execute(statement)
    return {"tables": len(wanted), "created": created, "dropped": dropped}


# --- SQLite ----------------------------------------------------------------------------------------------------


def _sqlite_value(field, row: str, column: str, secret: bool, other: str | None = None) -> str:
    ref = f'{row}."{column}"'
    if secret:
        if other is not None:
            return f"CASE WHEN {other}.\"{column}\" IS {ref} THEN '{HIDDEN}' ELSE '{HIDDEN_CHANGED}' END"
        return f"'{HIDDEN}'"
    if isinstance(field, models.BooleanField):
        return f"CASE WHEN {ref} IS NULL THEN NULL WHEN {ref} THEN json('true') ELSE json('false') END"
    if isinstance(field, models.JSONField):
        return f"json({ref})"
    if isinstance(field, models.BinaryField):
        return f"hex({ref})"
    return ref


def _sqlite_json(model, row: str, other: str | None = None) -> str:
    """``json_object(...)`` of the row; chunks joined with ``json_patch`` (SQLite allows 127 arguments)."""
    secret = SECRET_COLUMNS.get(model._meta.db_table, ())
    pairs = [
        f"'{f.column}', {_sqlite_value(f, row, f.column, f.column in secret, other)}"
        for f in model._meta.local_concrete_fields
    ]
    chunks = [f"json_object({', '.join(pairs[i : i + 60])})" for i in range(0, len(pairs), 60)] or ["json_object()"]
    expression = chunks[0]
    for chunk in chunks[1:]:
        expression = f"json_patch({expression}, {chunk})"
    return expression


def _sqlite_triggers(model) -> dict[str, str]:
    meta = model._meta
    table, pk = meta.db_table, meta.pk.column
    label = meta.label_lower
    columns = "occurred_at, model, db_table, object_id, operation, old, new, user_id, actor, source"
    context = (
        "json_extract(c.v, '$.u'), coalesce(json_extract(c.v, '$.a'), ''), coalesce(json_extract(c.v, '$.s'), '') "
        "FROM (SELECT riskfund_audit_context() AS v) AS c"
    )
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    old_json, new_json = _sqlite_json(model, "OLD"), _sqlite_json(model, "NEW")
    changed_json = _sqlite_json(model, "NEW", other="OLD")
    bodies = {
        "insert": ("AFTER INSERT", "", f"CAST(NEW.\"{pk}\" AS TEXT), 'insert', NULL, {new_json}"),
        "update": (
            "AFTER UPDATE",
            f" WHEN {old_json} IS NOT {changed_json}",
            f"CAST(NEW.\"{pk}\" AS TEXT), 'update', {old_json}, {changed_json}",
        ),
        "delete": ("AFTER DELETE", "", f"CAST(OLD.\"{pk}\" AS TEXT), 'delete', {old_json}, NULL"),
    }
    return {
        f"{SQLITE_PREFIX}{table}_{op}": (
            f'CREATE TRIGGER "{SQLITE_PREFIX}{table}_{op}" {when} ON "{table}" FOR EACH ROW{condition} BEGIN '
            f"INSERT INTO \"{EVENT_TABLE}\" ({columns}) SELECT {now}, '{label}', '{table}', {values}, {context}; END"
        )
        for op, (when, condition, values) in bodies.items()
    }


SQLITE_IMMUTABLE = (
    f'CREATE TRIGGER "{SQLITE_PREFIX}immutable" BEFORE UPDATE ON "{EVENT_TABLE}" '
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE refused'); END"
)


def _sqlite_install(connection, chosen) -> dict[str, int]:
    wanted: dict[str, str] = {f"{SQLITE_PREFIX}immutable": SQLITE_IMMUTABLE}
    for model in chosen:
        wanted.update(_sqlite_triggers(model))
    created = dropped = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name GLOB %s", [SQLITE_PREFIX + "*"]
        )
        present = dict(cursor.fetchall())
        for name in sorted(set(present) - set(wanted)):
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
            dropped += 1
        for name, sql in wanted.items():
            if present.get(name) == sql:
                continue
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
            cursor.execute(sql)
            created += 1
    return {"tables": len(chosen), "created": created, "dropped": dropped}


def audit_suspend_sqlite(using: str = "default") -> int:
    """SQLite only, before ``migrate`` (``pre_migrate``): drop every audit trigger. SQLite rebuilds a table to alter
    it (create ``new__t``, copy, drop ``t``, rename); while ``audit_auditevent`` itself is rebuilt, the rename would
    fail on every trigger that writes into it. ``post_migrate`` puts them all back, so writes made BY migrations on
    SQLite are not audited (on PostgreSQL they are)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name GLOB %s", [SQLITE_PREFIX + "*"])
        names = [row[0] for row in cursor.fetchall()]
        for name in names:
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    return len(names)


def audit_install(using: str = "default") -> dict[str, int]:
    """Create or refresh the audit triggers of every audited table (idempotent; cheap when nothing changed)."""
    connection = connections[using]
    chosen = audited_models()
    existing = set(connection.introspection.table_names())
    if EVENT_TABLE not in existing:
        return {"tables": 0, "created": 0, "dropped": 0}
    chosen = [m for m in chosen if m._meta.db_table in existing]
    if connection.vendor == "postgresql":
        return _pg_install(connection, chosen)
    if connection.vendor == "sqlite":
        return _sqlite_install(connection, chosen)
    raise NotImplementedError(f"no audit triggers for {connection.vendor}")


def tables_without_triggers(using: str = "default") -> list[str]:
    """Audited tables that lack their trigger(s) — empty when ``audit_install`` has run since the last migration."""
    connection = connections[using]
    tables = {m._meta.db_table for m in audited_models()}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = %s",
                [PG_TRIGGER],
            )
            covered = {row[0] for row in cursor.fetchall()}
        else:
            cursor.execute(
                "SELECT tbl_name, count(*) FROM sqlite_master "
                "WHERE type = 'trigger' AND name GLOB %s GROUP BY tbl_name",
                [SQLITE_PREFIX + "*"],
            )
            covered = {table for table, count in cursor.fetchall() if count == 3}
    return sorted(tables - covered)
