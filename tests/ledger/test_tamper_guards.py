"""PostgreSQL refuses the three ledger tampers of issue 12 (finding 8) while the posting path keeps working.

Each tamper is tried as raw SQL by the application's connection, the way an attacker with the app's database role
(or a careless operator) would: appending a balanced pair to an already posted transaction, TRUNCATE of a ledger
table, and writing a running balance directly. SQLite has no transaction ids, trigger depth or TRUNCATE: what it
can refuse is tested at the end (riskfund/ledger/migrations/0003_tamper_guards.py says what differs).
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from riskfund.ledger.models import Account, Entry, Side, Transaction
from riskfund.ledger.selectors import recomputed_balances
from riskfund.ledger.services import account_open, transaction_post, transaction_reverse

D = Decimal
DAY = date(2025, 3, 1)


@pytest.fixture
def posted(db):
    """Accounts and one committed injection of 100.00: pool:special 100.00 (D), funder:region 100.00 (C)."""
    account_open(code="pool:special", name="special", normal_side=Side.DEBIT)
    account_open(code="funder:region", name="region", normal_side=Side.CREDIT)
    account_open(code="deposit:ICBC", name="deposit", normal_side=Side.DEBIT)
    return transaction_post(
        kind="injection",
        business_date=DAY,
        debits=[("pool:special", D("100.00"))],
        credits=[("funder:region", D("100.00"))],
    )


def _ids() -> dict[str, int]:
    return dict(Account.objects.values_list("code", "id"))


def _balances() -> dict[str, Decimal]:
    return dict(Account.objects.values_list("code", "balance"))


def _refused(sql: str, params=None) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_refuses_a_balanced_pair_appended_to_a_posted_transaction(posted):
    ids = _ids()
    with pytest.raises(DatabaseError, match="already posted"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO ledger_entry (transaction_id, account_id, side, amount)"
            " VALUES (%s, %s, 'D', 50), (%s, %s, 'C', 50)",
            [posted.pk, ids["deposit:ICBC"], posted.pk, ids["pool:special"]],
        )
    assert Entry.objects.filter(transaction=posted).count() == 2
    assert _balances() == {"deposit:ICBC": D("0.00"), "funder:region": D("100.00"), "pool:special": D("100.00")}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_stamps_the_creating_transaction_whatever_the_insert_says(posted):
    """A forged ``created_xid`` on INSERT is overwritten, so a new transaction row cannot borrow an old one's id."""
    with connection.cursor() as cur:
        cur.execute("SELECT created_xid FROM ledger_transaction WHERE id = %s", [posted.pk])
        (stamped,) = cur.fetchone()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO ledger_transaction (id, kind, business_date, posted_at, description, reference, created_xid)"
            " VALUES ('00000000-0000-0000-0000-0000000000f0', 'raw', '2025-03-01', now(), '', '', %s)",
            [stamped],
        )
        cur.execute("SELECT created_xid = txid_current() FROM ledger_transaction WHERE kind = 'raw'")
        assert cur.fetchone() == (True,)
        transaction.set_rollback(True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("table", ["ledger_entry", "ledger_transaction", "ledger_account"])
def test_postgres_refuses_truncate_of_a_ledger_table(posted, table):
    _refused(f"TRUNCATE {table} CASCADE")
    assert Entry.objects.count() == 2
    assert Transaction.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_account SET balance = 1000000.00 WHERE code = 'pool:special'",
        "UPDATE ledger_account SET balance = balance + 0.01",
        "UPDATE ledger_account SET code = 'pool:elsewhere' WHERE code = 'pool:special'",
        "UPDATE ledger_account SET normal_side = 'C' WHERE code = 'pool:special'",
        "INSERT INTO ledger_account (code, name, normal_side, balance) VALUES ('deposit:X', '', 'D', 500)",
    ],
)
def test_postgres_refuses_a_balance_written_outside_the_posting_path(posted, sql):
    _refused(sql)
    assert _balances() == {"deposit:ICBC": D("0.00"), "funder:region": D("100.00"), "pool:special": D("100.00")}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_posting_path_still_works_and_the_ledger_verifies(posted, capsys):
    """After the injection of 100.00: a deposit of 30.00 at ICBC, then its reversal, then the renaming of an account
    (allowed: name only). pool:special 100 − 30 + 30 = 100.00, deposit:ICBC 30 − 30 = 0.00, funder:region 100.00."""
    placed = transaction_post(
        kind="deposit", business_date=DAY, debits=[("deposit:ICBC", D("30.00"))], credits=[("pool:special", D("30.00"))]
    )
    assert _balances()["pool:special"] == D("70.00")
    transaction_reverse(original=placed, business_date=DAY, reason="wrong bank")
    Account.objects.filter(code="deposit:ICBC").update(name="工商银行保证金")
    assert _balances() == {"deposit:ICBC": D("0.00"), "funder:region": D("100.00"), "pool:special": D("100.00")}
    assert _balances() == recomputed_balances()
    call_command("verify_ledger")
    assert "ledger verified: 3 accounts agree" in capsys.readouterr().out


def test_balances_are_kept_by_the_database_on_entry_insert_on_every_database(posted):
    """The running balance moves with the entries, whoever inserts them in the transaction that creates them:
    a raw balanced posting of 12.34 from pool:special to deposit:ICBC moves both (100 − 12.34 = 87.66)."""
    ids = _ids()
    txn = Transaction.objects.create(kind="raw", business_date=DAY)
    Entry.objects.bulk_create(
        [
            Entry(transaction=txn, account_id=ids["deposit:ICBC"], side=Side.DEBIT, amount=D("12.34")),
            Entry(transaction=txn, account_id=ids["pool:special"], side=Side.CREDIT, amount=D("12.34")),
        ]
    )
    assert _balances() == {"deposit:ICBC": D("12.34"), "funder:region": D("100.00"), "pool:special": D("87.66")}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_account SET code = 'pool:elsewhere' WHERE code = 'pool:special'",
        "INSERT INTO ledger_account (code, name, normal_side, balance) VALUES ('deposit:X', '', 'D', 500)",
    ],
)
def test_every_database_refuses_an_account_opened_with_money_or_renumbered(posted, sql):
    _refused(sql)
    assert _balances() == {"deposit:ICBC": D("0.00"), "funder:region": D("100.00"), "pool:special": D("100.00")}
