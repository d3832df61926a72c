"""Building blocks for the claims tests: a funded pool (F = 24,200,000 by default), a bank with an active
agreement and its 1,000,000 deposit, enterprises, and ``lend`` (application → recommendation → due diligence →
registration) with dates in 2024 so every worked example can pass ``today`` explicitly."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import factories
from django.core.management import call_command

from riskfund.ledger.models import Account
from riskfund.ledger.selectors import account_balance
from riskfund.lending.models import Loan
from riskfund.money import ZERO
from riskfund.parties.models import Bank, Enterprise, Funder, Guarantor
from riskfund.pool.models import PoolState

D = Decimal
FUNDED_ON = date(2024, 1, 2)
SIGNED_ON = date(2024, 1, 3)
RECOMMENDED_ON = date(2024, 2, 20)
DISBURSED_ON = date(2024, 3, 1)
MATURITY_ON = date(2024, 9, 2)  # a Monday; M + 25 = 2024-09-27, M + 26 = 2024-09-28
TODAY = date(2025, 12, 31)  # every service call passes ``today`` (inside the 2021 version)


def inject(code: str, amount: str | Decimal, *, on: date = FUNDED_ON, kind: str = "injection"):
    """A funder's payment, on 2024-01-02 unless ``on`` says otherwise."""
    return factories.inject(code, amount, on=on, kind=kind)


def after(d: date, days: int) -> date:
    return d + timedelta(days=days)


@dataclass
class World(factories.Numbering):
    policy: object
    bank: Bank
    guarantor: Guarantor

    def enterprise(self, district: str = factories.DONGHE) -> Enterprise:
        """A small industrial enterprise (50 persons, revenue 10,000,000) registered in ``district``."""
        serial = next(self.serials)
        return factories.small_enterprise(
            uscc=factories.make_uscc(serial, district), name=f"包头代偿测试企业{serial}有限公司", district=district
        )

    def recommendation(self, enterprise: Enterprise, amount: Decimal, *, bank: Bank | None = None):
        return factories.approved_recommendation(
            enterprise=enterprise,
            bank=bank or self.bank,
            guarantor=self.guarantor,
            amount=amount,
            on=RECOMMENDED_ON,
            today=TODAY,
        )

    def lend(
        self,
        principal: str | Decimal,
        *,
        district: str = factories.DONGHE,
        enterprise: Enterprise | None = None,
        bank: Bank | None = None,
        disbursed_on: date = DISBURSED_ON,
        maturity_on: date = MATURITY_ON,
        schedule=None,
        today: date = TODAY,
    ) -> Loan:
        """A bullet loan (or instalments with ``schedule``) registered through the lending services."""
        principal = D(principal)
        enterprise = enterprise or self.enterprise(district)
        return factories.registered_loan(
            recommendation=self.recommendation(enterprise, principal, bank=bank),
            contract_no=f"DC-{next(self.contracts):05d}",
            principal=principal,
            disbursed_on=disbursed_on,
            maturity_on=maturity_on,
            schedule=schedule,
            today=today,
        )


def build_world(policy, *, injections: dict[str, str] | None = None, bank_code: str = "BOB") -> World:
    """Seed funders, the SME standard and the LPR; pay ``injections`` in on 2024-01-02 (default: region 6,000,000,
    city 6,000,000, 东河区 150202 8,000,000, 昆都仑区 150203 4,200,000 → F = 24,200,000); sign BOB × BJDB on
    2024-01-03, which moves the initial 1,000,000 deposit from pool:special to deposit:BOB (B unchanged)."""
    factories.seed_reference()
    factories.fund_pool(injections or factories.POOL_24_2_MILLION, on=FUNDED_ON)
    agreement = factories.signed_bank(
        code=bank_code, name="包商代偿测试银行", guarantor=factories.guarantor(), signed_on=SIGNED_ON
    )
    return World(policy=policy, bank=agreement.bank, guarantor=agreement.guarantor)


def balance(code: str) -> Decimal:
    return account_balance(code)


def total(prefix: str) -> Decimal:
    return sum(Account.objects.filter(code__startswith=prefix).values_list("balance", flat=True), ZERO)


def assert_pool_invariants() -> PoolState:
    """SPEC §4: the state row's F, N, B equal the balances, B = F − N, no loss:* or deposit:* below zero, suspended
    ⇔ N ≥ threshold × F, outstanding = Σ active loans, and ``verify_ledger`` agrees with the running balances."""
    from riskfund.lending.models import LoanStatus
    from riskfund.policy.selectors import policy_for_pool

    state = PoolState.objects.get(pk=1)
    funds = total("funder:") + balance("pool:interest")
    net = total("loss:")
    pool_balance = balance("pool:special") + total("deposit:") - total("payable:")
    assert (state.pool_funds, state.net_compensation, state.pool_balance) == (funds, net, pool_balance)
    assert state.pool_balance == state.pool_funds - state.net_compensation
    assert not Account.objects.filter(code__startswith="loss:", balance__lt=0).exists()
    assert not Account.objects.filter(code__startswith="deposit:", balance__lt=0).exists()
    assert not Account.objects.filter(code__startswith="payable:", balance__lt=0).exists()
    assert balance("pool:special") >= ZERO
    threshold = policy_for_pool(TODAY).suspension_threshold
    assert state.suspended == (state.pool_funds > 0 and state.net_compensation >= threshold * state.pool_funds)
    active = Loan.objects.filter(status=LoanStatus.ACTIVE)
    assert state.outstanding_principal == sum(active.values_list("outstanding_principal", flat=True), ZERO)
    for bank in Bank.objects.all():
        mine = active.filter(bank=bank)
        assert bank.outstanding_principal == sum(mine.values_list("outstanding_principal", flat=True), ZERO)
        assert bank.active_loans == mine.count()
    for district in Funder.objects.filter(tier="district"):
        mine = active.filter(district=district)
        assert district.outstanding_principal == sum(mine.values_list("outstanding_principal", flat=True), ZERO)
    assert_ledger_verified()
    return state


def assert_ledger_verified() -> None:
    """``verify_ledger`` agrees: every running balance equals the sum of its entries and every transaction balances."""
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert "ledger verified" in out.getvalue()
