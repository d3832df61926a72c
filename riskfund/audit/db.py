"""Hands the acting user (riskfund/audit/context.py) to the database triggers, per connection.

SQLite: ``riskfund_audit_context()`` is registered as an SQL function on every new connection; a trigger calls it
for each row it records, so the actor of ``queryset.update()`` or ``bulk_create()`` is the one of the Python code
running the statement, for every row.

PostgreSQL: the triggers read the setting ``riskfund.audit_context``. An execute wrapper on every connection sets
it (``set_config(…, false)``, session level) just before a writing statement whenever the database may hold
another value. A setting made inside a transaction is undone if that transaction — or the savepoint it was made
in — rolls back, so the wrapper keeps, without asking the server:

- ``committed``: the value known to be in force outside any transaction — set in autocommit mode; forgotten
  (None) as soon as a value is set inside a transaction, whose fate (commit or rollback) is not observed;
- ``epoch``: a counter of transactions, moved on whenever a statement runs while psycopg reports the session idle
  (that statement starts a new transaction, or runs alone in autocommit mode);
- ``txn_set``: (epoch, the savepoints open then, value) of the last set made inside a transaction. It is trusted
  while the epoch is the same and those savepoints are all still open; once one of them is gone (released or
  rolled back — Django does not say which here) the value is set again.

So the setting is written at most once per transaction in the usual case, never trusted after a possible
rollback, and never leaks from one request to the next (each write compares against the current context). The
wrapper registers nothing with ``on_commit``. Writes that bypass Django's cursor (raw psycopg, e.g. ``COPY``) get
whatever the session last held. With a connection pooler in transaction mode session settings are unreliable; this
project connects directly.
"""

from django.db.backends.signals import connection_created

from .context import context_json

_SET = "SELECT set_config('riskfund.audit_context', %s, false)"
_WRITES = ("INSERT", "UPDATE", "DELETE", "WITH", "MERGE")


_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE
_INERROR = 3  # psycopg.pq.TransactionStatus.INERROR


class _State:
    __slots__ = ("committed", "epoch", "txn_set")

    def __init__(self) -> None:
        self.committed: str | None = None
        self.epoch = 0
        self.txn_set: tuple[int, tuple[str, ...], str] | None = None


def _state(connection) -> _State:
    state = getattr(connection, "_riskfund_audit", None)
    if state is None:
        state = connection._riskfund_audit = _State()
    return state


def _in_force(connection, state: _State) -> str | None:
    """The value the session holds now, as far as the wrapper knows (None: unknown)."""
    if state.txn_set is None or state.txn_set[0] != state.epoch:
        return state.committed  # nothing set in this transaction: the value it started with
    _epoch, savepoints, value = state.txn_set
    return value if tuple(connection.savepoint_ids[: len(savepoints)]) == savepoints else None


def postgres_wrapper(execute, sql, params, many, context):
    connection = context["connection"]
    state = _state(connection)
    status = connection.connection.info.transaction_status
    if status == _IDLE:
        state.epoch += 1
    if status != _INERROR and isinstance(sql, str) and sql.lstrip()[:6].upper().startswith(_WRITES):
        value = context_json()
        standalone = not connection.in_atomic_block and connection.get_autocommit()
        if standalone:
            if state.committed != value:
                context["cursor"].cursor.execute(_SET, [value])
                state.committed = value
        elif _in_force(connection, state) != value:
            context["cursor"].cursor.execute(_SET, [value])
            state.committed = None
            state.txn_set = (state.epoch, tuple(connection.savepoint_ids), value)
    return execute(sql, params, many, context)


def _on_connection_created(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("riskfund_audit_context", 0, context_json, deterministic=False)
    elif connection.vendor == "postgresql":
        # a new session starts without the setting
        connection._riskfund_audit = _State()
        if postgres_wrapper not in connection.execute_wrappers:
            connection.execute_wrappers.append(postgres_wrapper)


def connect_signals() -> None:
    connection_created.connect(_on_connection_created, dispatch_uid="riskfund_audit_connection")
