"""The ledger: balanced, immutable postings with O(1) running balances (SPEC §4)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from riskfund.errors import RuleViolation
from riskfund.ledger.models import Account, Entry, Side, Transaction
from riskfund.ledger.selectors import account_balance, recomputed_balances
from riskfund.ledger.services import account_open, transaction_post, transaction_reverse

D = Decimal
DAY = date(2025, 3, 1)


@pytest.fixture
def accounts(db):
    account_open(code="pool:special", name="special", normal_side=Side.DEBIT)
    account_open(code="funder:region", name="region", normal_side=Side.CREDIT)
    account_open(code="deposit:ICBC", name="deposit", normal_side=Side.DEBIT)


def inject(amount: str) -> Transaction:
    return transaction_post(
        kind="injection",
        business_date=DAY,
        debits=[("pool:special", D(amount))],
        credits=[("funder:region", D(amount))],
    )


def test_posting_moves_running_balances_on_each_normal_side(accounts):
    inject("8000000.00")
    transaction_post(
        kind="deposit",
        business_date=DAY,
        debits=[("deposit:ICBC", D("1000000"))],
        credits=[("pool:special", D("1000000"))],
    )
    assert account_balance("pool:special") == D("7000000.00")
    assert account_balance("deposit:ICBC") == D("1000000.00")
    assert account_balance("funder:region") == D("8000000.00")
    assert recomputed_balances() == dict(Account.objects.values_list("code", "balance"))


def test_unbalanced_posting_is_refused_and_writes_nothing(accounts):
    with pytest.raises(RuleViolation) as err:
        transaction_post(
            kind="x", business_date=DAY, debits=[("pool:special", D("1.00"))], credits=[("funder:region", D("0.99"))]
        )
    assert err.value.code == "ledger_unbalanced"
    assert not Transaction.objects.exists()


def test_zero_legs_post_no_entry_and_nothing_posts_nothing(accounts):
    assert (
        transaction_post(
            kind="x", business_date=DAY, debits=[("pool:special", D("0"))], credits=[("funder:region", D("0"))]
        )
        is None
    )
    txn = transaction_post(
        kind="x",
        business_date=DAY,
        debits=[("pool:special", D("5.00")), ("deposit:ICBC", D("0.00"))],
        credits=[("funder:region", D("5.00"))],
    )
    assert txn.entries.count() == 2


def test_unknown_account_is_refused(accounts):
    with pytest.raises(RuleViolation) as err:
        transaction_post(kind="x", business_date=DAY, debits=[("nope", D("1"))], credits=[("funder:region", D("1"))])
    assert err.value.code == "ledger_unknown_account"


def test_reversal_mirrors_the_original_once(accounts):
    original = inject("100.00")
    reversal = transaction_reverse(original=original, business_date=DAY, reason="typo")
    assert account_balance("pool:special") == D("0.00")
    assert {(e.account.code, e.side) for e in reversal.entries.all()} == {
        ("pool:special", "C"),
        ("funder:region", "D"),
    }
    with pytest.raises(RuleViolation) as err:
        transaction_reverse(original=original, business_date=DAY)
    assert err.value.code == "ledger_already_reversed"


def test_verify_ledger_reports_a_tampered_running_balance(accounts, capsys):
    inject("10.00")
    call_command("verify_ledger")
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":  # the guard refuses it; a superuser tampers past every trigger
            cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute("UPDATE ledger_account SET balance = 9.00 WHERE code = 'pool:special'")
    with pytest.raises(Exception, match="1 balance difference"):
        call_command("verify_ledger")
    assert "pool:special: running balance 9.00 != sum of entries 10.00" in capsys.readouterr().out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_refuses_an_unbalanced_transaction_at_commit(accounts):
    special, region = Account.objects.get(code="pool:special"), Account.objects.get(code="funder:region")
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO ledger_transaction (id, kind, business_date, posted_at, description, reference)"
            " VALUES ('00000000-0000-0000-0000-000000000001', 'raw', '2025-03-01', now(), '', '')"
        )
        cur.execute(
            "INSERT INTO ledger_entry (transaction_id, account_id, side, amount) VALUES"
            " ('00000000-0000-0000-0000-000000000001', %s, 'D', 10.00),"
            " ('00000000-0000-0000-0000-000000000001', %s, 'C', 9.99)",
            [special.pk, region.pk],
        )
    assert not Transaction.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_refuses_a_transaction_without_entries(accounts):
    with pytest.raises(IntegrityError, match="no entries"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO ledger_transaction (id, kind, business_date, posted_at, description, reference)"
            " VALUES ('00000000-0000-0000-0000-000000000002', 'raw', '2025-03-01', now(), '', '')"
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_entry SET amount = 11",
        pytest.param("DELETE FROM ledger_entry", marks=pytest.mark.postgres),
        "UPDATE ledger_transaction SET kind = 'x'",
        pytest.param("DELETE FROM ledger_transaction", marks=pytest.mark.postgres),
    ],
)
def test_database_refuses_raw_update_and_delete(accounts, sql):
    inject("10.00")
    with pytest.raises(Exception, match="immutable"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql)
    assert Entry.objects.get(side="D").amount == D("10.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_refuses_a_non_positive_amount(accounts):
    special = Account.objects.get(code="pool:special")
    txn_id = "00000000-0000-0000-0000-000000000003"
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO ledger_transaction (id, kind, business_date, posted_at, description, reference)"
            f" VALUES ('{txn_id}', 'raw', '2025-03-01', now(), '', '')"
        )
        cur.execute(
            "INSERT INTO ledger_entry (transaction_id, account_id, side, amount) VALUES (%s, %s, 'D', 0)",
            [txn_id, special.pk],
        )


def test_running_balances_stay_exact_to_the_fen_on_every_database(accounts):
    """0.10 + 0.20 − 0.30 is 5.55e-17 in binary floating point; SQLite stores decimals as doubles, so every
    running-balance update is rounded to the fen (riskfund/dbmoney.py) and the balance comes back exactly 0."""
    for amount in ("0.10", "0.20"):
        inject(amount)
    transaction_post(
        kind="x", business_date=DAY, debits=[("funder:region", D("0.30"))], credits=[("pool:special", D("0.30"))]
    )
    assert account_balance("pool:special") == D("0.00")
    assert not Account.objects.filter(balance__lt=0).exists()
    assert not Account.objects.filter(balance__gt=0).exists()
    call_command("verify_ledger")
