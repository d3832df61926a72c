"""Every kind of writer at once, from real threads on PostgreSQL: registrations, repayments, compensations,
injections and interest credits all take their locks in the one global order (riskfund/pool/posting.py), so none
deadlocks, and the figures come out exact: B = F − N, the pool's counters equal the loans and the accounts, the
limits of SPEC §8 hold and ``verify_ledger`` passes."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from io import StringIO
from threading import Barrier

import pytest
from django.core.management import call_command
from django.db import connection
from lending_world import DISTRICT, TODAY, build_world
from pipeline_support import collected

from riskfund.claims.services import compensation_claim
from riskfund.ledger.models import Account
from riskfund.ledger.selectors import account_balance
from riskfund.lending.models import Loan
from riskfund.lending.services import repayment_post
from riskfund.money import ZERO
from riskfund.parties.models import Bank, Funder
from riskfund.pool.models import InterestCredit, PoolState
from riskfund.pool.services import injection_post, interest_post

D = Decimal
REPAID_ON = date(2025, 6, 2)
DEDUCTED_ON = date(2025, 6, 2)  # the short loans matured 2025-04-02: 61 days overdue (> 25, art. 32)


def _sum(prefix: str) -> Decimal:
    return sum(Account.objects.filter(code__startswith=prefix).values_list("balance", flat=True), ZERO)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_lock_order_mixed_writers_never_deadlock_and_keep_every_invariant(policy_2021):
    world = build_world(policy_2021, injections={DISTRICT: "4000000", "region": "2000000"})
    repaid = [world.lend(world.enterprise(), "100000") for _ in range(6)]
    defaulted = [
        world.lend(world.enterprise(), "100000", disbursed_on=date(2025, 1, 2), maturity_on=date(2025, 4, 2))
        for _ in range(4)
    ]
    for loan in defaulted:  # art. 31 (三): two collection calls before each deduction
        collected(loan, DEDUCTED_ON)
    fresh = [world.recommendation(world.enterprise(), "200000") for _ in range(8)]
    region = Funder.objects.get(code="region")

    def registrations():
        for recommendation in fresh:
            world.register(recommendation)

    def repayments():
        for _ in range(2):
            for loan in repaid:
                repayment_post(loan=loan, paid_on=REPAID_ON, principal=D("50000"), interest=D("12.34"), today=TODAY)

    def compensations():
        for loan in defaulted:
            compensation_claim(loan=loan, deducted_on=DEDUCTED_ON, today=TODAY)

    def injections():
        for _ in range(10):
            injection_post(funder=region, paid_on=REPAID_ON, amount=D("1000.01"))

    def interest():
        for i in range(10):
            account = InterestCredit.SPECIAL if i % 2 else world.bank.code
            interest_post(credited_on=REPAID_ON, amount=D("10.01"), account=account)

    writers = [registrations, repayments, compensations, injections, interest]
    barrier = Barrier(len(writers))

    def run(writer) -> str:
        try:
            barrier.wait(timeout=60)
            writer()
            return "ok"
        except Exception as exc:  # a deadlock is a DatabaseError; report every failure by name
            return f"{writer.__name__}: {type(exc).__name__}: {exc}"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(writers)) as pool:
        results = list(pool.map(run, writers))
    assert results == ["ok"] * len(writers)

    # F = 4,000,000 + 2,000,000 + 10 × 1,000.01 + 10 × 10.01 = 6,010,100.20
    # N = 4 compensations × pool share 40 % of 100,000 = 160,000.00; B = F − N = 5,850,100.20
    state = PoolState.objects.get(pk=1)
    assert (state.pool_funds, state.net_compensation, state.pool_balance) == (
        D("6010100.20"),
        D("160000.00"),
        D("5850100.20"),
    )
    assert state.pool_funds == _sum("funder:") + account_balance("pool:interest")
    assert state.net_compensation == _sum("loss:")
    assert state.pool_balance == account_balance("pool:special") + _sum("deposit:") - _sum("payable:")
    # deposit 1,000,000 − 4 × 40,000 + 5 × 10.01 interest = 840,050.05
    assert account_balance(f"deposit:{world.bank.code}") == D("840050.05")

    # outstanding: 8 new × 200,000; the repaid and the compensated loans are closed
    active = Loan.objects.filter(status="active")
    assert state.outstanding_principal == sum(active.values_list("outstanding_principal", flat=True)) == D("1600000.00")
    assert Funder.objects.get(code=DISTRICT).outstanding_principal == D("1600000.00")
    bank = Bank.objects.get(pk=world.bank.pk)
    assert (bank.outstanding_principal, bank.active_loans) == (D("1600000.00"), 8)
    assert Loan.objects.filter(status="repaid").count() == 6
    assert Loan.objects.filter(status="compensated").count() == 4

    # the limits of SPEC §8: art. 9 (10 × B), art. 13 (25 × the district's paid-in), art. 22 (10,000,000 a firm)
    assert state.outstanding_principal <= 10 * state.pool_balance
    assert Funder.objects.get(code=DISTRICT).outstanding_principal <= 25 * account_balance(f"funder:{DISTRICT}")
    assert all(loan.outstanding_principal <= D("10000000") for loan in active)

    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert "ledger verified" in out.getvalue()
