"""The database refuses the ledger tampers that row triggers on UPDATE/DELETE do not catch (issue 12, finding 8),
and keeps the running balances itself (see the models module docstring).

PostgreSQL:

- each ``ledger_transaction`` row is stamped with the id of the database transaction that inserts it (column
  ``created_xid``, set by a BEFORE INSERT trigger whatever the INSERT says, not in the Django model); entries may
  be inserted only by that same database transaction, so nothing is appended to a transaction once committed;
- the running balances are written by an AFTER INSERT statement trigger on ``ledger_entry`` (one UPDATE per
  statement, accounts locked in id order); any other change of ``ledger_account.balance`` (trigger depth 1: a
  client's UPDATE) is refused, as is an account opened with a non-zero balance or a change of its code or side;
- TRUNCATE of the three ledger tables is refused by statement triggers (row triggers do not fire on TRUNCATE).
  A superuser may still bypass every trigger with ``session_replication_role = replica`` (as pg_restore
  ``--disable-triggers`` and the bench's bulk loader do); the application's role cannot.

SQLite: a row trigger keeps the balances the same way (rounded to the fen, riskfund/dbmoney.py), a non-zero
opening balance and a change of an account's code or side are refused. SQLite has neither transaction ids nor
trigger depth nor TRUNCATE: appends to a committed transaction and a direct UPDATE of a balance are not refused
there (``verify_ledger`` reports the latter).
"""

from django.db import migrations

POSTGRES = [
    "ALTER TABLE ledger_transaction ADD COLUMN created_xid bigint",
    """
    CREATE FUNCTION ledger_stamp_transaction() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.created_xid := txid_current();
        RETURN NEW;
    END $$;
    """,
    """
    CREATE TRIGGER ledger_transaction_stamp BEFORE INSERT ON ledger_transaction
    FOR EACH ROW EXECUTE FUNCTION ledger_stamp_transaction();
    """,
    """
    CREATE FUNCTION ledger_entries_posted() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        late uuid;
    BEGIN
        SELECT e.transaction_id INTO late FROM new_entries e JOIN ledger_transaction t ON t.id = e.transaction_id
         WHERE t.created_xid IS DISTINCT FROM txid_current() LIMIT 1;
        IF late IS NOT NULL THEN
            RAISE EXCEPTION 'ledger transaction % is already posted: entries are added only when it is created', late
                USING ERRCODE = 'restrict_violation';
        END IF;
        PERFORM 1 FROM ledger_account WHERE id IN (SELECT account_id FROM new_entries) ORDER BY id FOR UPDATE;
        UPDATE ledger_account a
           SET balance = a.balance + CASE WHEN a.normal_side = 'D' THEN d.debit ELSE -d.debit END
          FROM (SELECT account_id, SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END) AS debit
                  FROM new_entries GROUP BY account_id) d
         WHERE a.id = d.account_id;
        RETURN NULL;
    END $$;
    """,
    """
    CREATE TRIGGER ledger_entry_posted AFTER INSERT ON ledger_entry REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_posted();
    """,
    """
    CREATE FUNCTION ledger_account_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF NEW.balance <> 0 THEN
                RAISE EXCEPTION 'account % opens with a zero balance; money arrives by posting', NEW.code
                    USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN NEW;
        END IF;
        IF NEW.code IS DISTINCT FROM OLD.code OR NEW.normal_side IS DISTINCT FROM OLD.normal_side THEN
            RAISE EXCEPTION 'account % keeps its code and normal side', OLD.code USING ERRCODE = 'restrict_violation';
        END IF;
        IF NEW.balance IS DISTINCT FROM OLD.balance AND pg_trigger_depth() < 2 THEN
            RAISE EXCEPTION 'the balance of % is written only by posting entries', OLD.code
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END $$;
    """,
    """
    CREATE TRIGGER ledger_account_guard BEFORE INSERT OR UPDATE ON ledger_account
    FOR EACH ROW EXECUTE FUNCTION ledger_account_guard();
    """,
    *(
        f"""
        CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
        """
        for table in ("ledger_entry", "ledger_transaction", "ledger_account")
    ),
]

POSTGRES_REVERSE = [
    *(f"DROP TRIGGER {table}_no_truncate ON {table}" for table in ("ledger_account", "ledger_transaction", "ledger_entry")),
    "DROP TRIGGER ledger_account_guard ON ledger_account",
    "DROP FUNCTION ledger_account_guard()",
    "DROP TRIGGER ledger_entry_posted ON ledger_entry",
    "DROP FUNCTION ledger_entries_posted()",
    "DROP TRIGGER ledger_transaction_stamp ON ledger_transaction",
    "DROP FUNCTION ledger_stamp_transaction()",
    "ALTER TABLE ledger_transaction DROP COLUMN created_xid",
]

SQLITE = [
    """
    CREATE TRIGGER ledger_entry_posted AFTER INSERT ON ledger_entry
    BEGIN
        UPDATE ledger_account
           SET balance = ROUND(balance + CASE WHEN normal_side = NEW.side THEN NEW.amount ELSE -NEW.amount END, 2)
         WHERE id = NEW.account_id;
    END
    """,
    """
    CREATE TRIGGER ledger_account_opens_at_zero BEFORE INSERT ON ledger_account WHEN NEW.balance <> 0
    BEGIN SELECT RAISE(ABORT, 'an account opens with a zero balance; money arrives by posting'); END
    """,
    """
    CREATE TRIGGER ledger_account_keeps_code BEFORE UPDATE OF code, normal_side ON ledger_account
    WHEN NEW.code IS NOT OLD.code OR NEW.normal_side IS NOT OLD.normal_side
    BEGIN SELECT RAISE(ABORT, 'an account keeps its code and normal side'); END
    """,
]

SQLITE_REVERSE = [
    "DROP TRIGGER ledger_account_keeps_code",
    "DROP TRIGGER ledger_account_opens_at_zero",
    "DROP TRIGGER ledger_entry_posted",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_database_invariants")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
