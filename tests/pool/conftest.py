"""Fixtures for the pool tests: the 2021 policy, the seeded funders and accounts, and the invariant check."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from riskfund.ledger.models import Account
from riskfund.ledger.selectors import account_balance
from riskfund.money import ZERO, allocate
from riskfund.pool.models import PoolState
from riskfund.pool.seed import seed_pool
from riskfund.pool.services import pool_post

D = Decimal


@pytest.fixture
def seeded(policy_2021):
    seed_pool()
    return policy_2021


@pytest.fixture
def users(db):
    User = get_user_model()
    return {name: User.objects.create_user(username=name, password="x-unused-password") for name in ("ann", "bob")}


def _sum(prefix: str) -> Decimal:
    return sum(Account.objects.filter(code__startswith=prefix).values_list("balance", flat=True), ZERO)


def assert_pool_invariant() -> PoolState:
    """F, N, B of the state row equal the account balances, B = F − N, and the ledger verifies."""
    state = PoolState.objects.get(pk=1)
    funds = _sum("funder:") + account_balance("pool:interest")
    net = _sum("loss:")
    balance = account_balance("pool:special") + _sum("deposit:") - _sum("payable:")
    assert (state.pool_funds, state.net_compensation, state.pool_balance) == (funds, net, balance)
    assert state.pool_balance == state.pool_funds - state.net_compensation
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert "ledger verified" in out.getvalue()
    return state


@pytest.fixture
def invariant():
    return assert_pool_invariant


def post_loss(*, bank_code: str, district: str, amount: Decimal, on: date):
    """A pool-share loss split 30:30:40 (art. 20), charged to the bank's deposit up to its balance and the
    rest payable (SPEC §4). The claims app will post compensations this way; here it stands alone."""
    region, city, dist = allocate(amount, [30, 30, 40])
    covered = min(account_balance(f"deposit:{bank_code}"), amount)
    return pool_post(
        kind="compensation",
        business_date=on,
        debits=[("loss:region", region), ("loss:city", city), (f"loss:{district}", dist)],
        credits=[(f"deposit:{bank_code}", covered), (f"payable:{bank_code}", amount - covered)],
        cause="test loss",
    )


@pytest.fixture
def loss():
    return post_loss
