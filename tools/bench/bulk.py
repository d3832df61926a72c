"""Bulk writing of generated rows: ``COPY … FROM STDIN`` on PostgreSQL (psycopg 3 ``cursor.copy``), ``bulk_create``
on SQLite.

Triggers. On PostgreSQL, when the role may (a superuser), the tables other than the ledger's are COPY'd with
``SET LOCAL session_replication_role = replica``, as ``pg_restore --disable-triggers`` does: their per-row triggers
— the audit trail's (riskfund.audit) and the deferred foreign-key checks — do not fire for synthetic rows, and
``orphans`` then checks every foreign key of those tables set-wise (one anti-join each). The ledger's tables
(``checked``) are always COPY'd with every trigger in force: the deferred balance trigger checks each transaction at
commit, the immutability triggers stand.

Rows are tuples of Python values in the order of the table's declared fields: amounts are ``Decimal`` end to end
(a float is refused). For COPY each ``Decimal`` is formatted to a string of its exact digits (``format(value, "f")``)
as the row is added; ``Copy.write_row`` then writes the rows, adapting dates, timestamps and UUIDs in psycopg's C code.
"""

# SQL here is built from table and column names taken from the models' meta, never from data.
# ruff: noqa: S608

import time
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal

from django.db import connection, models, transaction
from django.utils import timezone


def _checked(row: tuple) -> tuple:
    """The row as given; a float anywhere is refused."""
    for value in row:
        if type(value) is float:
            raise TypeError(f"a float {value!r} in generated data: amounts are Decimal")
    return row


def _copy_values(row: tuple) -> tuple:
    """The row for COPY: each ``Decimal`` formatted to its exact digits (``format(value, "f")``); a float refused."""
    out = []
    for value in row:
        kind = type(value)
        if kind is Decimal:
            value = format(value, "f")
        elif kind is float:
            raise TypeError(f"a float {value!r} in generated data: amounts are Decimal")
        out.append(value)
    return tuple(out)


class Table:
    """A model and the fields (names, not columns) its generated rows give, in order."""

    def __init__(self, model: type[models.Model], fields: list[str]) -> None:
        self.model = model
        self.fields = [model._meta.get_field(name) for name in fields]
        # Any other column gets its field's default (the same value on every row), so that a field added to a model
        # later with a default does not break the load; an auto id and a nullable column without default are left
        # to the database.
        self.defaults = []
        for f in model._meta.concrete_fields:
            if f in self.fields or isinstance(f, models.AutoField) or (f.null and not f.has_default()):
                continue
            auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            self.fields.append(f)
            self.defaults.append(timezone.now() if auto else f.get_default())
        self.defaults = tuple(self.defaults)
        self.attnames = [f.attname for f in self.fields]
        quote = connection.ops.quote_name
        self.columns = ", ".join(quote(f.column) for f in self.fields)
        self.name = quote(model._meta.db_table)


class BulkWriter:
    """Buffers rows per table and writes them with ``flush`` (COPY on PostgreSQL, ``bulk_create`` elsewhere), in the
    order the tables were first added, so that a row's foreign keys are written before it or in the same flush."""

    def __init__(self, *tables: Table, checked: tuple[Table, ...] = ()) -> None:
        self.copy = connection.vendor == "postgresql"
        self.buffers: dict[Table, list] = {table: [] for table in tables}  # flush order: as declared, then as added
        self.checked = set(checked)
        self.bypass = self.copy and may_bypass_triggers()
        self.written: dict[str, int] = {}
        self.seconds: dict[str, float] = {}  # COPY time per table
        self._pool: ThreadPoolExecutor | None = None
        self._pending: Future | None = None

    def add(self, table: Table, row: tuple) -> None:
        buffer = self.buffers.setdefault(table, [])
        row += table.defaults
        buffer.append(_copy_values(row) if self.copy else _checked(row))

    def flush_in_background(self) -> None:
        """Hand the buffered rows to a writer thread, which COPYs them in ONE transaction of its own connection while
        the caller generates the next chunk; waits for the previous hand-over first (and re-raises its error)."""
        self.wait()
        batch = self.buffers
        self.buffers = {table: [] for table in batch}
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy")
        self._pending = self._pool.submit(self._write_batch, batch)

    def _write_batch(self, batch: dict) -> None:
        try:
            with transaction.atomic():
                self._write(batch)
        finally:
            connection.close()

    def wait(self) -> None:
        """Wait for the writer thread's last batch to commit (re-raising its error); call before reading the rows."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def close(self) -> None:
        self.wait()
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def flush(self) -> None:
        """Write every buffered row; inside a transaction (``SET LOCAL`` lasts until it ends)."""
        self._write(self.buffers)

    def _write(self, buffers: dict) -> None:
        order = [t for t in buffers if t not in self.checked] + [t for t in buffers if t in self.checked]
        role = None
        for table in order:
            rows = buffers[table]
            if not rows:
                continue
            if self.copy:
                wanted = "replica" if self.bypass and table not in self.checked else "origin"
                if wanted != role:
                    with connection.cursor() as cursor:
                        cursor.execute(f"SET LOCAL session_replication_role = {wanted}")
                    role = wanted
                began = time.monotonic()
                self._copy(table, rows)
                self.seconds[table.model._meta.label] = self.seconds.get(table.model._meta.label, 0) + (
                    time.monotonic() - began
                )
            else:
                objects = [table.model(**dict(zip(table.attnames, row, strict=True))) for row in rows]
                table.model.objects.bulk_create(objects, batch_size=500)
            label = table.model._meta.label
            self.written[label] = self.written.get(label, 0) + len(rows)
            rows.clear()
        if role == "replica":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")

    @staticmethod
    def _copy(table: Table, rows: list[tuple]) -> None:
        sql = f"COPY {table.name} ({table.columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


def may_bypass_triggers() -> bool:
    """Whether this PostgreSQL role may set ``session_replication_role`` (superusers only)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def orphans(tables: list[Table]) -> dict[str, int]:
    """Rows whose foreign key points at no row, per ``table.column`` (empty when every key resolves)."""
    quote = connection.ops.quote_name
    found = {}
    with connection.cursor() as cursor:
        for table in tables:
            for fk in table.fields:
                if not fk.is_relation:
                    continue
                target = fk.target_field
                parent = quote(target.model._meta.db_table)
                sql = (
                    f"SELECT COUNT(*) FROM {table.name} c WHERE c.{quote(fk.column)} IS NOT NULL AND NOT EXISTS "
                    f"(SELECT 1 FROM {parent} p WHERE p.{quote(target.column)} = c.{quote(fk.column)})"
                )
                cursor.execute(sql)
                count = cursor.fetchone()[0]
                if count:
                    found[f"{table.model._meta.db_table}.{fk.column}"] = count
    return found
