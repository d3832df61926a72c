"""Building blocks for the staff-endpoint tests: seeded reference data, district officers, and a lending world
built through the domain services (so top-ups and payables exist for the API to act on)."""

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import factories
from pipeline_support import collected

from riskfund.claims.models import Payable
from riskfund.claims.services import compensation_claim
from riskfund.lending.models import Loan
from riskfund.parties.models import Agreement, Bank, Enterprise, Funder, Guarantor, StaffProfile

D = Decimal
_serials = itertools.count(1)


def district_officer(make_staff, district: str = factories.DONGHE):
    """A staff client whose only role is ``district``, scoped to ``district``."""
    client = make_staff("district")
    StaffProfile.objects.create(user=client.user, district=Funder.objects.get(code=district))
    return client


def small_enterprise(*, district: str = factories.DONGHE, name: str = "") -> Enterprise:
    """A small industrial enterprise (50 persons, revenue 10,000,000 — small by the 2011 standard)."""
    uscc = factories.make_uscc(next(_serials), area=district)
    return factories.small_enterprise(uscc=uscc, name=name or f"包头测试企业{uscc[-6:]}有限公司", district=district)


@dataclass
class LendingWorld:
    bank: Bank
    guarantor: Guarantor
    agreement: Agreement
    loans: list[Loan]


def build_lending_world(*, compensate: bool = False) -> LendingWorld:
    """东河区 pays in 4,000,000 (2024-01-02); BOB × BJDB sign on 2024-01-03 (deposit 1,000,000, special account
    3,000,000); two loans of 6,000,000 each disbursed 2025-03-03, bullet at 2026-03-03: BOB's outstanding
    12,000,000 > 10 × its deposit, so a top-up may be requested. With ``compensate`` the first loan is compensated
    on 2026-04-10 (38 days overdue): pool share 2,400,000, 1,000,000 from the deposit, 1,400,000 payable."""
    factories.seed_reference()
    factories.inject(factories.DONGHE, "4000000", on=date(2024, 1, 2))
    agreement = factories.signed_bank(
        code="BOB", name="包商测试银行", guarantor=factories.guarantor(), signed_on=date(2024, 1, 3)
    )
    bank, bjdb = agreement.bank, agreement.guarantor
    loans = []
    for number in (1, 2):
        recommendation = factories.approved_recommendation(
            enterprise=small_enterprise(), bank=bank, guarantor=bjdb, amount="6000000", on=date(2025, 1, 2)
        )
        loans.append(
            factories.registered_loan(
                recommendation=recommendation, contract_no=f"HT-{number:05d}", disbursed_on=date(2025, 3, 3)
            )
        )
    if compensate:
        compensation_claim(loan=collected(loans[0], date(2026, 4, 10)), deducted_on=date(2026, 4, 10))
    return LendingWorld(bank=bank, guarantor=bjdb, agreement=agreement, loans=loans)


def the_payable() -> Payable:
    return Payable.objects.get()
