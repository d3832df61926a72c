"""The round trip of issue 17: a generated two-year book of 2,000 loans (instalments, repayments, compensations,
recoveries, top-ups, payables, interest, an agreement ended and its deposit returned), lived through the services
(``tools.bench.book``), exported to the template and imported into an empty riskfund, reproduces the same
ledger to the fen: every account balance, F, N, B with B = F − N, every loan's status and outstanding, and
``verify_ledger`` passes."""

import time
from datetime import date
from io import StringIO

from django.core.management import call_command
from django.db import transaction
from imports_world import balances

from riskfund.claims.models import Compensation, Payable, Recovery
from riskfund.imports.export import book_export_bytes
from riskfund.imports.resolve import Scope
from riskfund.imports.services import import_book
from riskfund.lending.models import Loan, LoanEvent, Repayment, ScheduleLine
from riskfund.pool.models import DepositTopUp, PoolState
from tools.bench.book import simulate_book

LOANS = 2000
TODAY = date(2026, 11, 30)


def snapshot() -> dict:
    state = PoolState.objects.get(pk=1)
    return {
        "accounts": balances(),
        "figures": (state.pool_funds, state.net_compensation, state.pool_balance, state.outstanding_principal),
        "suspended": state.suspended,
        "loans": {
            (bank, contract): (status, outstanding, closed_on)
            for bank, contract, status, outstanding, closed_on in Loan.objects.values_list(
                "bank__code", "contract_no", "status", "outstanding_principal", "closed_on"
            )
        },
        "counts": {
            model.__name__: model.objects.count()
            for model in (Loan, ScheduleLine, Repayment, LoanEvent, Compensation, Recovery, Payable, DepositTopUp)
        },
    }


def test_a_two_year_book_of_2000_loans_comes_back_to_the_fen(world):
    began = time.monotonic()
    savepoint = transaction.savepoint()
    counts = simulate_book(loans=LOANS, today=TODAY)
    original = snapshot()
    data = book_export_bytes(today=TODAY)
    transaction.savepoint_rollback(savepoint)  # an empty riskfund (the reference data stays)
    assert not Loan.objects.exists() and PoolState.objects.filter(pool_funds__gt=0).count() == 0
    simulated = time.monotonic()

    result = import_book(file=data, scope=Scope(), today=TODAY, commit=True)
    assert result["outcome"].problems == [], result["outcome"].problems[:5]
    assert result["committed"]
    imported = snapshot()

    assert counts["loans"] >= 0.95 * LOANS and counts["compensations"] >= LOANS // 50 and counts["recoveries"] >= 1
    assert original["counts"]["Loan"] == counts["loans"]
    assert imported == original
    funds, net, pool_balance, _ = imported["figures"]
    assert pool_balance == funds - net
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert "ledger verified" in out.getvalue()
    took = time.monotonic() - simulated
    print(f"simulated {counts} in {simulated - began:.0f} s; exported and imported in {took:.0f} s")
