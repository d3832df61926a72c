"""Building blocks for the lending tests: a funded pool, a bank with an active agreement, enterprises and approved
recommendations, and ``register`` with sensible defaults (every figure can be overridden)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import factories
import pytest

from riskfund.errors import RuleViolation
from riskfund.lending.models import Recommendation
from riskfund.parties.models import Bank, Enterprise, Guarantor

DISTRICT = factories.DONGHE
FUNDED_ON = date(2024, 1, 2)
SIGNED_ON = date(2021, 5, 6)  # early enough to bound every loan the tests disburse (art. 14, 18)
TODAY = date(2025, 12, 31)  # inside the 2021 version (through 2026-04-29); every test passes ``today``


def refused(call, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    return caught.value


def inject(code: str, amount: str | Decimal):
    """A funder's payment on 2024-01-02."""
    return factories.inject(code, amount, on=FUNDED_ON)


@dataclass
class World(factories.Numbering):
    policy: object
    bank: Bank
    guarantor: Guarantor

    def enterprise(self, *, area: str = factories.DONGHE, district: str = DISTRICT, **figures) -> Enterprise:
        """A small industrial enterprise (50 persons, revenue 10,000,000: small by the 2011 standard)."""
        serial = next(self.serials)
        return factories.small_enterprise(
            uscc=factories.make_uscc(serial, area), name=f"包头测试企业{serial}有限公司", district=district, **figures
        )

    def recommendation(
        self, enterprise: Enterprise, amount: str | Decimal, *, bank: Bank | None = None, on: date = date(2025, 1, 2)
    ) -> Recommendation:
        """Application → recommendation → the bank's and the guarantor's approving due diligence (art. 24–26)."""
        return factories.approved_recommendation(
            enterprise=enterprise, bank=bank or self.bank, guarantor=self.guarantor, amount=amount, on=on, today=TODAY
        )

    def register(self, recommendation: Recommendation, principal: str | Decimal | None = None, **kwargs):
        """The loan on ``recommendation``: contract HT-n, disbursed 2025-03-03, bullet, unless ``kwargs`` say
        otherwise."""
        values = {
            "contract_no": f"HT-{next(self.contracts):05d}",
            "disbursed_on": date(2025, 3, 3),
            "repayment_method": "bullet",
            "today": TODAY,
            **kwargs,
        }
        return factories.registered_loan(recommendation=recommendation, principal=principal, **values)

    def lend(self, enterprise: Enterprise, principal: str | Decimal, **kwargs):
        """Recommend and register in one go."""
        return self.register(self.recommendation(enterprise, principal), **kwargs)


def build_world(policy, *, injections: dict[str, str] | None = None) -> World:
    """Seed the funders, the SME standard and the LPR, pay in ``injections`` (funder code → amount) on
    2024-01-02 and sign BOB × BJDB (open-ended) on 2021-05-06 (the initial 1,000,000 deposit leaves B unchanged)."""
    factories.seed_reference()
    factories.fund_pool(injections or {DISTRICT: "4000000"}, on=FUNDED_ON)
    agreement = factories.signed_bank(
        code="BOB", name="包商测试银行", guarantor=factories.guarantor(), signed_on=SIGNED_ON
    )
    return World(policy=policy, bank=agreement.bank, guarantor=agreement.guarantor)
