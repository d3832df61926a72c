"""A hypothesis state machine over random sequences of injections and replenishments, loans, repayments,
compensations (when due, art. 32), several recoveries per loan (art. 34), payable settlements and interest
(art. 12), all through the services with dates from a deterministic clock. After every step (SPEC §4, §5, §11):

- B = F − N, and F, N, B of the state row equal the account balances; ``verify_ledger`` agrees;
- every split sums exactly (loss = pool + bank + guarantor, pool share = region + city + district, pool share =
  from deposit + payable; net = the same for recoveries) and cumulative recovery shares equal allocate(Σ net);
- no ``loss:*``, ``deposit:*`` or ``payable:*`` account below zero, the special account never overdrawn;
- suspended ⇔ N ≥ threshold × F;
- the outstanding counters (pool, bank, district) equal the sums over active loans.

Amounts are drawn in fens on both databases (SQLite included: riskfund/dbmoney.py keeps its running sums exact).
"""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import factories
from claims_world import assert_pool_invariants
from django.db import transaction
from django.db.models import F, Sum
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from pipeline_support import collected

from riskfund.claims.models import Compensation, Payable, Recovery
from riskfund.claims.services import compensation_claim, payable_settle, recovery_post
from riskfund.errors import RuleViolation
from riskfund.ledger.selectors import account_balance
from riskfund.lending.models import Loan, LoanStatus, ScheduleLine
from riskfund.lending.selectors import overdue_days
from riskfund.lending.services import repayment_post
from riskfund.money import FEN, ZERO, allocate
from riskfund.parties.models import Bank, Guarantor
from riskfund.pool.models import PoolState
from riskfund.pool.services import interest_post

D = Decimal
START = date(2024, 1, 2)
LAST_DISBURSEMENT = date(2026, 3, 31)  # the 2021 version is in force through 2026-04-29
FUNDERS = ["region", "city", "150202", "150203", "150207"]
DISTRICTS = ["150202", "150203", "150207"]
LOAN_REFUSALS = {"pool_suspended", "pool_capacity_exceeded", "district_scale_exceeded"}


def fens(n: int) -> Decimal:
    return D(n) * FEN


class ClaimsMachine(RuleBasedStateMachine):
    """Each run lives in a savepoint rolled back in ``teardown``; the reference data is seeded once outside."""

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.clock = START
        self.serials = itertools.count(1)

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def has_active_loans(self) -> bool:
        return Loan.objects.filter(status=LoanStatus.ACTIVE).exists()

    def has_compensations(self) -> bool:
        return Compensation.objects.exists()

    def has_unsettled_payables(self) -> bool:
        return Payable.objects.filter(settled_on__isnull=True).exists()

    # --- set-up: the first injections and two banks with their 1,000,000 deposits -------------------------------

    @initialize(
        amounts=st.lists(st.integers(min_value=1_000_000, max_value=3_000_000), min_size=len(FUNDERS), max_size=5)
    )
    def fund_and_sign(self, amounts):
        factories.fund_pool(dict(zip(FUNDERS, amounts, strict=True)), on=self.clock)
        bjdb = factories.guarantor(name="百佳担保")
        for code in ("BOB", "CCB"):
            factories.signed_bank(code=code, name=code, guarantor=bjdb, signed_on=self.clock)

    # --- the rules ---------------------------------------------------------------------------------------------

    @rule(days=st.integers(min_value=1, max_value=30))
    def advance(self, days):
        self.clock += timedelta(days=days)

    @rule(
        code=st.sampled_from(FUNDERS),
        amount=st.integers(min_value=1, max_value=200_000_000),
        kind=st.sampled_from(["injection", "replenishment"]),
    )
    def inject(self, code, amount, kind):
        factories.inject(code, fens(amount), on=self.clock, kind=kind)

    @rule(amount=st.integers(min_value=1, max_value=5_000_000), account=st.sampled_from(["special", "BOB", "CCB"]))
    def interest(self, amount, account):
        interest_post(credited_on=self.clock, amount=fens(amount), account=account)

    @precondition(lambda self: self.clock <= LAST_DISBURSEMENT)
    @rule(
        principal=st.integers(min_value=500_000_00, max_value=3_000_000_00),
        district=st.sampled_from(DISTRICTS),
        bank=st.sampled_from(["BOB", "CCB"]),
        term=st.integers(min_value=10, max_value=60),
        instalments=st.booleans(),
    )
    def lend(self, principal, district, bank, term, instalments):
        amount = fens(principal)
        serial = next(self.serials)
        enterprise = factories.small_enterprise(
            uscc=factories.make_uscc(serial, district), name=f"状态机企业{serial}", district=district
        )
        recommendation = factories.approved_recommendation(
            enterprise=enterprise,
            bank=Bank.objects.get(code=bank),
            guarantor=Guarantor.objects.get(code="BJDB"),
            amount=amount,
            on=self.clock,
            today=self.clock,
        )
        maturity = self.clock + timedelta(days=2 * term)
        schedule = None
        if instalments:
            first = (amount / 2).quantize(FEN)
            schedule = [
                {"due_on": self.clock + timedelta(days=term), "principal": first},
                {"due_on": maturity, "principal": amount - first},
            ]
        try:
            factories.registered_loan(
                recommendation=recommendation,
                contract_no=f"SM-{serial:05d}",
                principal=amount,
                disbursed_on=self.clock,
                maturity_on=maturity,
                schedule=schedule,
                today=self.clock,
            )
        except RuleViolation as exc:
            event(f"loan refused: {exc.code}")
            assert exc.code in LOAN_REFUSALS, exc
            if exc.code == "pool_suspended":
                assert PoolState.objects.get(pk=1).suspended

    @precondition(lambda self: self.has_active_loans())
    @rule(data=st.data())
    def repay(self, data):
        loans = list(Loan.objects.filter(status=LoanStatus.ACTIVE).order_by("contract_no"))
        if not loans:
            return
        loan = data.draw(st.sampled_from(loans), label="loan")
        outstanding = int(loan.outstanding_principal / FEN)
        principal = data.draw(st.integers(min_value=0, max_value=outstanding), label="principal")
        interest = data.draw(st.integers(min_value=0 if principal else 1, max_value=5_000_00), label="interest")
        repayment_post(loan=loan, paid_on=self.clock, principal=fens(principal), interest=fens(interest))

    @precondition(lambda self: self.has_active_loans())
    @rule(data=st.data(), late=st.integers(min_value=22, max_value=40))
    def compensate(self, data, late):
        """Art. 32: the bank deducts ``late`` days after the earliest unpaid due date (the clock moves there when
        that is later); allowed iff the principal is then overdue more than 25 days (``compensation_not_due``)."""
        loans = list(Loan.objects.filter(status=LoanStatus.ACTIVE).order_by("contract_no"))
        if not loans:
            return
        loan = data.draw(st.sampled_from(loans), label="loan")
        unpaid = ScheduleLine.objects.filter(loan=loan, paid_principal__lt=F("principal")).order_by("due_on").first()
        self.clock = max(self.clock, unpaid.due_on + timedelta(days=late))
        days = (self.clock - unpaid.due_on).days
        assert overdue_days(loan, self.clock) == days
        outstanding = loan.outstanding_principal
        try:
            compensation = compensation_claim(
                loan=collected(loan, self.clock), deducted_on=self.clock, today=self.clock
            )
        except RuleViolation as exc:
            assert days <= 25 and exc.code == "compensation_not_due", exc
            event("compensation not due")
            return
        assert days > 25
        event("compensated" + (" with a payable" if compensation.to_payable else ""))
        assert compensation.loss == outstanding
        pool, bank, guarantor = allocate(outstanding, [40, 20, 40])
        assert compensation.shares == {"pool": pool, "bank": bank, "guarantor": guarantor}

    @precondition(lambda self: self.has_compensations())
    @rule(data=st.data())
    def recover(self, data):
        """Art. 34, SPEC §11: refused exactly when costs > gross or the cumulative net would exceed the loss."""
        compensations = list(Compensation.objects.order_by("created_at"))
        if not compensations:
            return
        compensation = data.draw(st.sampled_from(compensations), label="compensation")
        recovered = Recovery.objects.filter(compensation=compensation).aggregate(t=Sum("net"))["t"] or ZERO
        remaining = int((compensation.loss - recovered) / FEN)
        gross = data.draw(st.integers(min_value=1, max_value=remaining + 1_000_00), label="gross")
        costs = data.draw(st.integers(min_value=0, max_value=gross + 100), label="costs")
        litigation = costs // 2
        try:
            recovery = recovery_post(
                loan=compensation.loan,
                recovered_on=self.clock,
                gross=fens(gross),
                costs={"litigation": fens(litigation), "other": fens(costs - litigation)},
                today=self.clock,
            )
        except RuleViolation as exc:
            expected = "costs_exceed_recovery" if costs > gross else "recovery_exceeds_loss"
            assert exc.code == expected, exc
            assert costs > gross or gross - costs > remaining
            event(f"recovery refused: {exc.code}")
            return
        event("recovered" if recovery.transaction else "recovered, nothing posted")
        assert costs <= gross and gross - costs <= remaining
        assert recovery.net == fens(gross - costs)

    @precondition(lambda self: self.has_unsettled_payables())
    @rule(data=st.data())
    def settle(self, data):
        payables = list(Payable.objects.filter(settled_on__isnull=True).order_by("created_at"))
        if not payables:
            return
        payable = data.draw(st.sampled_from(payables), label="payable")
        special = account_balance("pool:special")
        try:
            payable_settle(payable=payable, settled_on=self.clock, today=self.clock)
        except RuleViolation as exc:
            assert exc.code == "insufficient_pool_funds" and special < payable.amount, exc
            event("payable waits for funds")
            return
        event("payable settled")
        assert special >= payable.amount
        assert account_balance("pool:special") == special - payable.amount

    # --- the invariants ----------------------------------------------------------------------------------------

    @invariant()
    def pool_figures_hold(self):
        assert_pool_invariants()

    @invariant()
    def every_split_sums_exactly_and_recoveries_never_drift(self):
        for c in Compensation.objects.all():
            assert c.loss == c.share_pool + c.share_bank + c.share_guarantor
            assert c.share_pool == c.split_region + c.split_city + c.split_district == c.from_deposit + c.to_payable
            recoveries = list(Recovery.objects.filter(compensation=c))
            total = sum((r.net for r in recoveries), ZERO)
            assert total <= c.loss
            shares = [sum((getattr(r, f"share_{p}") for r in recoveries), ZERO) for p in ("pool", "bank", "guarantor")]
            assert shares == allocate(total, [40, 20, 40])
            splits = [sum((getattr(r, f"split_{p}") for r in recoveries), ZERO) for p in ("region", "city", "district")]
            assert splits == allocate(shares[0], [30, 30, 40])
            for r in recoveries:
                assert r.net == r.share_pool + r.share_bank + r.share_guarantor
                assert r.share_pool == r.split_region + r.split_city + r.split_district
                assert min(r.shares.values()) >= ZERO and min(r.pool_split.values()) >= ZERO
        for p in Payable.objects.select_related("compensation"):
            assert p.amount == p.compensation.to_payable > ZERO


def test_claims_state_machine_keeps_every_pool_invariant(policy_2021):
    factories.seed_reference()
    run_state_machine_as_test(
        ClaimsMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=40,
            deadline=None,
            derandomize=False,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
