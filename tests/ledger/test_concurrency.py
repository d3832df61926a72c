"""Concurrent postings from real threads leave running balances equal to the sum of entries."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction

from riskfund.ledger.models import Account, Side
from riskfund.ledger.selectors import recomputed_balances
from riskfund.ledger.services import account_open, transaction_post


def _post_many(n: int, bank: str) -> None:
    try:
        for i in range(n):
            with transaction.atomic():
                transaction_post(
                    kind="transfer",
                    business_date=date(2025, 3, 1),
                    debits=[(f"deposit:{bank}", Decimal("1.01")), ("pool:special", Decimal(i % 3))],
                    credits=[("pool:special", Decimal("1.01")), ("funder:city", Decimal(i % 3))],
                )
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_postings_keep_running_balances_exact():
    account_open(code="pool:special", name="", normal_side=Side.DEBIT)
    account_open(code="funder:city", name="", normal_side=Side.CREDIT)
    for bank in "ABCD":
        account_open(code=f"deposit:{bank}", name="", normal_side=Side.DEBIT)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda b: _post_many(25, b), "ABCD"))
    stored = dict(Account.objects.values_list("code", "balance"))
    assert stored == recomputed_balances()
    assert stored["deposit:A"] == Decimal("25.25")
    assert stored["funder:city"] == Decimal(4 * sum(i % 3 for i in range(25)))
