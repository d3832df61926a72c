"""Concurrent postings serialise on the PoolState row: F, N, B stay equal to the account balances."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from riskfund.parties.models import Funder
from riskfund.pool.models import PoolState
from riskfund.pool.seed import seed_pool
from riskfund.pool.services import injection_post

D = Decimal


def _inject_many(code: str, n: int) -> None:
    try:
        funder = Funder.objects.get(code=code)
        for _ in range(n):
            injection_post(funder=funder, paid_on=date(2025, 3, 3), amount=D("1000.01"))
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_injections_keep_pool_figures_exact(policy_2021, invariant):
    seed_pool()
    codes = ["region", "city", "150202", "150203"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda code: _inject_many(code, 15), codes))
    state = invariant()
    assert state.pool_funds == state.pool_balance == D("1000.01") * 60
    assert PoolState.objects.count() == 1
