"""``generate_portfolio`` writes a consistent book: a small one here, on whichever database the suite runs (SQLite:
bulk_create; PostgreSQL: COPY, with the ledger's deferred balance trigger checking the COPY'd entries at commit and
every foreign key of the trigger-less COPY checked afterwards). No timing here: that is ``make bench``."""

from collections import Counter
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q, Sum

from riskfund.claims.models import Compensation, Payable, Recovery
from riskfund.ledger.models import Account, Entry
from riskfund.lending.models import Loan, Repayment, ScheduleLine
from riskfund.money import ZERO, allocate
from riskfund.parties.models import Agreement, Bank, DishonestRecord, Enterprise, Funder, FunderTier
from riskfund.policy.uscc import is_valid_uscc, registration_area
from riskfund.pool.models import PoolState

pytestmark = pytest.mark.django_db(transaction=True)
AS_OF = date(2026, 4, 29)  # generate_portfolio's default --as-of


def _balances(prefix: str) -> Decimal:
    return Account.objects.filter(code__startswith=prefix).aggregate(t=Sum("balance"))["t"] or ZERO


@pytest.fixture
def portfolio():
    out = StringIO()
    call_command("generate_portfolio", "--loans", "200", "--banks", "3", "--bank-shares", "2,2,1", stdout=out)
    return out.getvalue()


def test_the_ledger_verifies_and_every_transaction_balances(portfolio):
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert "ledger verified" in out.getvalue()
    debits = Entry.objects.filter(side="D").aggregate(t=Sum("amount"))["t"]
    credits = Entry.objects.filter(side="C").aggregate(t=Sum("amount"))["t"]
    assert debits == credits > 0


def test_pool_figures_follow_the_accounts_and_b_is_f_minus_n(portfolio):
    state = PoolState.objects.get(pk=1)
    funds = _balances("funder:") + _balances("pool:interest")
    net = _balances("loss:")
    balance = _balances("pool:special") + _balances("deposit:") - _balances("payable:")
    assert (state.pool_funds, state.net_compensation, state.pool_balance) == (funds, net, balance)
    assert state.pool_balance == state.pool_funds - state.net_compensation
    assert net > 0 and not state.suspended
    active = Loan.objects.filter(status="active").aggregate(t=Sum("outstanding_principal"))["t"]
    assert state.outstanding_principal == active
    assert state.outstanding_principal <= 10 * state.pool_balance  # art. 9: the book is within capacity
    assert Account.objects.filter(Q(code="pool:special") | Q(code__startswith="deposit:"), balance__lt=0).count() == 0


def test_counters_equal_the_sums_over_active_loans(portfolio):
    active = Loan.objects.filter(status="active")
    for bank in Bank.objects.all():
        mine = active.filter(bank=bank).aggregate(t=Sum("outstanding_principal"), n=Count("pk"))
        assert (bank.outstanding_principal, bank.active_loans) == (mine["t"] or ZERO, mine["n"])
        assert Agreement.objects.filter(bank=bank, status="active").count() == 1
    for funder in Funder.objects.filter(tier=FunderTier.DISTRICT):
        mine = active.filter(district=funder).aggregate(t=Sum("outstanding_principal"))["t"] or ZERO
        assert funder.outstanding_principal == mine
        assert funder.first_paid_on is not None
        paid_in = Account.objects.get(code=funder.account_code).balance
        assert funder.outstanding_principal <= 25 * paid_in  # art. 13


def test_the_loan_book_has_every_fate_and_each_loan_adds_up(portfolio):
    assert Loan.objects.count() == 200
    assert Counter(Loan.objects.values_list("status", flat=True)) == {"active": 186, "repaid": 10, "compensated": 4}
    assert Counter(Loan.objects.values_list("bank__code", flat=True)) == {"BENCH01": 80, "BENCH02": 80, "BENCH03": 40}
    for loan in Loan.objects.all():
        lines = list(ScheduleLine.objects.filter(loan=loan).values_list("principal", "paid_principal"))
        repaid = Repayment.objects.filter(loan=loan).aggregate(t=Sum("principal"))["t"] or ZERO
        assert sum(p for p, _ in lines) == loan.principal
        assert sum(paid for _, paid in lines) == repaid
        expected = loan.principal - repaid if loan.status == "active" else ZERO
        assert loan.outstanding_principal == expected
    past_due = ScheduleLine.objects.filter(loan__status="active", due_on__lt=AS_OF, paid_principal__lt=F("principal"))
    assert past_due.values("loan").distinct().count() == 10  # 5 %: overdue on the portfolio's date


def test_compensations_are_split_posted_and_list_the_enterprise(portfolio):
    compensations = list(Compensation.objects.select_related("loan", "policy_version", "transaction"))
    assert len(compensations) == 4
    for c in compensations:
        assert c.overdue_days > c.policy_version.compensation_trigger_days  # art. 32
        assert [c.share_pool, c.share_bank, c.share_guarantor] == allocate(c.loss, (40, 20, 40))
        assert [c.split_region, c.split_city, c.split_district] == allocate(c.share_pool, (30, 30, 40))
        assert c.from_deposit + c.to_payable == c.share_pool
        posted = c.transaction.entries.aggregate(
            d=Sum("amount", filter=Q(side="D")), c=Sum("amount", filter=Q(side="C"))
        )
        assert posted["d"] == posted["c"] == c.share_pool
        assert c.loan.status == "compensated" and c.loan.closed_on == c.deducted_on
        assert c.loan.enterprise.dishonest
        assert DishonestRecord.objects.filter(enterprise=c.loan.enterprise, action="listed").exists()
        assert (c.listing.status, c.listing.decided_on) == ("listed", c.deducted_on)  # art. 36, SPEC §10
    recovered = Recovery.objects.aggregate(t=Sum("share_pool"))["t"]
    assert PoolState.objects.get(pk=1).net_compensation == sum(c.share_pool for c in compensations) - recovered > 0


def _legs(txn) -> set[tuple[str, str, Decimal]]:
    return set(txn.entries.values_list("account__code", "side", "amount"))


def test_recoveries_are_cumulative_shares_posted_back_to_the_deposit(portfolio):
    compensations = Compensation.objects.filter(recoveries__isnull=False).distinct().select_related("bank", "district")
    assert sorted(c.recoveries.count() for c in compensations) == [1, 2]
    for c in compensations:
        recoveries = list(c.recoveries.order_by("cumulative_net"))
        total = recoveries[-1].cumulative_net
        assert sum(r.net for r in recoveries) == total <= c.loss
        shares = [sum(getattr(r, name) for r in recoveries) for name in ("share_pool", "share_bank", "share_guarantor")]
        assert shares == allocate(total, (40, 20, 40))  # SPEC §11: the parts of all recoveries allocate their total
        splits = [
            sum(getattr(r, name) for r in recoveries) for name in ("split_region", "split_city", "split_district")
        ]
        assert splits == allocate(shares[0], (30, 30, 40))
        for r in recoveries:
            assert r.net == r.gross - r.cost_litigation > 0 and c.deducted_on <= r.recovered_on <= AS_OF
            assert _legs(r.transaction) == {
                (f"deposit:{c.bank.code}", "D", r.share_pool),
                ("loss:region", "C", r.split_region),
                ("loss:city", "C", r.split_city),
                (f"loss:{c.district_id}", "C", r.split_district),
            }


def test_payables_owe_the_uncovered_pool_share_to_the_bank_unpaid_or_settled(portfolio):
    payables = list(Payable.objects.select_related("compensation", "bank", "transaction"))
    assert sorted(p.settled_on is None for p in payables) == [False, True]
    for p in payables:
        assert p.amount == p.compensation.to_payable > 0 and p.due_since == p.compensation.deducted_on
        assert (f"payable:{p.bank.code}", "C", p.amount) in _legs(p.compensation.transaction)
        if p.settled_on is not None:
            assert p.due_since <= p.settled_on <= AS_OF
            assert _legs(p.transaction) == {(f"payable:{p.bank.code}", "D", p.amount), ("pool:special", "C", p.amount)}
    assert _balances("payable:") == sum(p.amount for p in payables if p.settled_on is None)


def test_enterprises_are_baotou_smes_with_valid_codes(portfolio):
    rows = list(Enterprise.objects.values_list("uscc", "size_class"))
    assert len(rows) == 66
    assert all(is_valid_uscc(code) and registration_area(code) == "1502" for code, _ in rows)
    assert {size for _, size in rows} <= {"micro", "small", "medium"}


def test_a_second_run_on_a_loaded_database_is_refused(portfolio):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="already has loans"):
        call_command("generate_portfolio", "--loans", "10", "--banks", "1", stdout=StringIO())
