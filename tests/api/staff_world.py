"""Building blocks for the staff-endpoint tests: seeded reference data, district officers, and a lending world
built through the domain services (so top-ups and payables exist for the API to act on)."""

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pipeline_support import COUNTER_GUARANTEES, collected, guarantor_approves

from riskfund.claims.models import Payable
from riskfund.claims.services import compensation_claim
from riskfund.lending.models import Enterprise, Loan
from riskfund.lending.rules import add_months
from riskfund.lending.services import (
    application_create,
    due_diligence_record,
    enterprise_create,
    loan_register,
    recommendation_issue,
)
from riskfund.parties.models import Agreement, Bank, Funder, Guarantor, StaffProfile
from riskfund.parties.seed import seed_funders
from riskfund.parties.services import agreement_sign, bank_create, guarantor_create
from riskfund.policy.seed import seed_industry_standards, seed_lpr
from riskfund.policy.uscc import uscc_check_char
from riskfund.pool.services import injection_post

D = Decimal
DONGHE = "150202"  # 东河区
KUNDULUN = "150203"  # 昆都仑区
_serials = itertools.count(1)


def make_uscc(serial: int | None = None, area: str = DONGHE) -> str:
    """A valid USCC: "91" + a 6-digit division code (chars 3–6 = its first four) + 9 digits + check char."""
    first17 = f"91{area}{(serial if serial is not None else next(_serials)):09d}"
    return first17 + uscc_check_char(first17)


def seed_reference() -> None:
    seed_funders()
    seed_industry_standards()
    seed_lpr()


def district_officer(make_staff, district: str = DONGHE):
    """A staff client whose only role is ``district``, scoped to ``district``."""
    client = make_staff("district")
    StaffProfile.objects.create(user=client.user, district=Funder.objects.get(code=district))
    return client


def small_enterprise(*, district: str = DONGHE, name: str = "") -> Enterprise:
    """A small industrial enterprise (50 persons, revenue 10,000,000 — small by the 2011 standard)."""
    uscc = make_uscc(area=district)
    return enterprise_create(
        uscc=uscc,
        name=name or f"包头测试企业{uscc[-6:]}有限公司",
        district_code=district,
        industry="industry",
        employees=50,
        revenue=D("10000000"),
        total_assets=D("8000000"),
        established_on=date(2015, 6, 1),
    )


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
    seed_reference()
    injection_post(funder=Funder.objects.get(code=DONGHE), paid_on=date(2024, 1, 2), amount=D("4000000"))
    bank = bank_create(code="BOB", name="包商测试银行")
    guarantor = guarantor_create(code="BJDB", name="包头市百佳融资担保有限责任公司")
    agreement = agreement_sign(bank=bank, guarantor=guarantor, signed_on=date(2024, 1, 3))
    loans = []
    for number in (1, 2):
        enterprise = small_enterprise()
        application = application_create(
            enterprise=enterprise, amount=D("6000000"), term_months=12, submitted_on=date(2025, 1, 2)
        )
        recommendation = recommendation_issue(
            application=application, bank=bank, guarantor=guarantor, amount=D("6000000"), issued_on=date(2025, 1, 2)
        )
        guarantor_approves(recommendation, date(2025, 1, 2))
        due_diligence_record(
            recommendation=recommendation, party="bank", opinion="approve", reported_on=date(2025, 1, 2)
        )
        loans.append(
            loan_register(
                counter_guarantees=COUNTER_GUARANTEES,
                bank=bank,
                recommendation=recommendation,
                contract_no=f"HT-{number:05d}",
                principal=D("6000000"),
                disbursed_on=date(2025, 3, 3),
                maturity_on=add_months(date(2025, 3, 3), 12),
                annual_rate=D("3.45"),
                repayment_method="bullet",
            )
        )
    if compensate:
        compensation_claim(loan=collected(loans[0], date(2026, 4, 10)), deducted_on=date(2026, 4, 10))
    return LendingWorld(bank=bank, guarantor=guarantor, agreement=agreement, loans=loans)


def the_payable() -> Payable:
    return Payable.objects.get()
