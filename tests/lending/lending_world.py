"""Building blocks for the lending tests: a funded pool, a bank with an active agreement, enterprises and approved
recommendations, and ``register`` with sensible defaults (every figure can be overridden)."""

import itertools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pipeline_support import COUNTER_GUARANTEES, both_approve

from riskfund.lending.models import Enterprise, Recommendation
from riskfund.lending.rules import add_months
from riskfund.lending.services import (
    application_create,
    enterprise_create,
    loan_register,
    recommendation_issue,
)
from riskfund.parties.models import Bank, Funder, Guarantor
from riskfund.parties.seed import seed_funders
from riskfund.parties.services import agreement_sign, bank_create, guarantor_create
from riskfund.policy.seed import seed_industry_standards, seed_lpr
from riskfund.policy.uscc import uscc_check_char
from riskfund.pool.services import injection_post

D = Decimal
DISTRICT = "150202"  # 东河区
FUNDED_ON = date(2024, 1, 2)
SIGNED_ON = date(2021, 5, 6)  # early enough to bound every loan the tests disburse (art. 14, 18)
TODAY = date(2025, 12, 31)  # inside the 2021 version (through 2026-04-29); every test passes ``today``


def make_uscc(serial: int, area: str = "150202") -> str:
    """A valid USCC: "91" (enterprise) + a 6-digit division code (chars 3–6 = its first four) + 9 digits."""
    first17 = f"91{area}{serial:09d}"
    return first17 + uscc_check_char(first17)


def inject(code: str, amount: str | Decimal, paid_on: date = FUNDED_ON):
    return injection_post(funder=Funder.objects.get(code=code), paid_on=paid_on, amount=D(amount))


@dataclass
class World:
    policy: object
    bank: Bank
    guarantor: Guarantor
    serials: itertools.count = field(default_factory=lambda: itertools.count(1))
    contracts: itertools.count = field(default_factory=lambda: itertools.count(1))

    def enterprise(self, *, area: str = "150202", district: str = DISTRICT, **figures) -> Enterprise:
        """A small industrial enterprise (50 persons, revenue 10,000,000: small by the 2011 standard)."""
        values = {"industry": "industry", "employees": 50, "revenue": D("10000000"), "total_assets": D("8000000")}
        values.update(figures)
        serial = next(self.serials)
        return enterprise_create(
            uscc=make_uscc(serial, area),
            name=f"包头测试企业{serial}有限公司",
            district_code=district,
            established_on=date(2015, 6, 1),
            **values,
        )

    def recommendation(
        self, enterprise: Enterprise, amount: str | Decimal, *, bank: Bank | None = None, on: date = date(2025, 1, 2)
    ) -> Recommendation:
        """Application → recommendation → the bank's and the guarantor's approving due diligence (art. 24–26)."""
        bank = bank or self.bank
        application = application_create(enterprise=enterprise, amount=D(amount), term_months=12, submitted_on=on)
        recommendation = recommendation_issue(
            application=application, bank=bank, guarantor=self.guarantor, amount=D(amount), issued_on=on
        )
        return both_approve(recommendation, on, TODAY)

    def register(self, recommendation: Recommendation, principal: str | Decimal | None = None, **kwargs):
        disbursed_on = kwargs.pop("disbursed_on", date(2025, 3, 3))
        values = {
            "bank": recommendation.bank,
            "recommendation": recommendation,
            "contract_no": f"HT-{next(self.contracts):05d}",
            "principal": D(principal) if principal is not None else recommendation.amount,
            "disbursed_on": disbursed_on,
            "maturity_on": add_months(disbursed_on, 12),
            "annual_rate": D("3.45"),
            "repayment_method": "bullet",
            "counter_guarantees": COUNTER_GUARANTEES,
            "today": TODAY,
        }
        values.update(kwargs)
        return loan_register(**values)

    def lend(self, enterprise: Enterprise, principal: str | Decimal, **kwargs):
        """Recommend and register in one go."""
        return self.register(self.recommendation(enterprise, principal), **kwargs)


def build_world(policy, *, injections: dict[str, str] | None = None) -> World:
    """Seed the funders, the SME standard and the LPR, pay in ``injections`` (funder code → amount) on
    2024-01-02 and sign BOB × BJDB (open-ended) on 2021-05-06 (the initial 1,000,000 deposit leaves B unchanged)."""
    seed_funders()
    seed_industry_standards()
    seed_lpr()
    for code, amount in (injections or {DISTRICT: "4000000"}).items():
        inject(code, amount)
    bank = bank_create(code="BOB", name="包商测试银行")
    guarantor = guarantor_create(code="BJDB", name="包头市百佳融资担保有限责任公司")
    agreement_sign(bank=bank, guarantor=guarantor, signed_on=SIGNED_ON)
    return World(policy=policy, bank=bank, guarantor=guarantor)
