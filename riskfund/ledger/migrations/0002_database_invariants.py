"""The database itself keeps the ledger honest (see the models module docstring).

PostgreSQL: a deferred constraint trigger checks at commit that each transaction touched balances and has
entries; row triggers refuse UPDATE and DELETE of entries and transactions. SQLite (the embedded
development database) refuses UPDATE only: it has no deferred triggers (Python checks the balance before
writing) and no TRUNCATE, so Django's test flush must be able to DELETE.
"""

from django.db import migrations

POSTGRES = [
    """
    CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        txn uuid; debits numeric; credits numeric; n integer;
    BEGIN
        IF TG_TABLE_NAME = 'ledger_entry' THEN
            txn := NEW.transaction_id;
        ELSE
            txn := NEW.id;
        END IF;
        SELECT COALESCE(SUM(amount) FILTER (WHERE side = 'D'), 0),
               COALESCE(SUM(amount) FILTER (WHERE side = 'C'), 0), COUNT(*)
          INTO debits, credits, n FROM ledger_entry WHERE transaction_id = txn;
        IF n = 0 THEN
            RAISE EXCEPTION 'ledger transaction % has no entries', txn USING ERRCODE = 'check_violation';
        END IF;
        IF debits <> credits THEN
            RAISE EXCEPTION 'ledger transaction % does not balance: debits % credits %', txn, debits, credits
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END $$;
    """,
    """
    CREATE CONSTRAINT TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_entry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();
    """,
    """
    CREATE CONSTRAINT TRIGGER ledger_transaction_balanced AFTER INSERT ON ledger_transaction
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();
    """,
    """
    CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'ledger rows are immutable: % on % refused (post a reversal instead)', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END $$;
    """,
    """
    CREATE TRIGGER ledger_entry_immutable BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
    """,
    """
    CREATE TRIGGER ledger_transaction_immutable BEFORE UPDATE OR DELETE ON ledger_transaction
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
    """,
]

POSTGRES_REVERSE = [
    "DROP TRIGGER ledger_transaction_immutable ON ledger_transaction",
    "DROP TRIGGER ledger_entry_immutable ON ledger_entry",
    "DROP FUNCTION ledger_refuse_change()",
    "DROP TRIGGER ledger_transaction_balanced ON ledger_transaction",
    "DROP TRIGGER ledger_entry_balanced ON ledger_entry",
    "DROP FUNCTION ledger_check_balanced()",
]

SQLITE = [
    f"""
    CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table}
    BEGIN SELECT RAISE(ABORT, 'ledger rows are immutable: {op} on {table} refused'); END
    """
    for table in ("ledger_entry", "ledger_transaction")
    for op in ("UPDATE",)
]

SQLITE_REVERSE = [
    f"DROP TRIGGER {table}_no_update" for table in ("ledger_entry", "ledger_transaction")
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
