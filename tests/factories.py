"""Shared factories for the test worlds: plain functions with keyword arguments that build the reference data,
funders' payments, banks, enterprises, recommendations, loans and staff clients through the project's services
(so every posting balances and every rule on the way is checked), with the defaults the worlds share. Each
world (``tests/*/*_world.py``, the conftest fixtures) composes them with its own dates, names and figures.
Import from any test directory (``tests/`` is on the path through its conftest)."""

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from knox.models import AuthToken
from pipeline_support import COUNTER_GUARANTEES, guarantor_approves
from rest_framework.test import APIClient

from riskfund.lending.models import Loan, Recommendation
from riskfund.lending.rules import add_months
from riskfund.lending.services import (
    application_create,
    due_diligence_record,
    enterprise_create,
    loan_register,
    recommendation_issue,
)
from riskfund.parties.models import Agreement, Enterprise, Funder, Guarantor, StaffProfile
from riskfund.parties.services import bank_create, guarantor_create
from riskfund.policy.seed import seed_industry_standards, seed_lpr
from riskfund.policy.uscc import uscc_check_char
from riskfund.pool.agreements import agreement_sign
from riskfund.pool.models import Injection
from riskfund.pool.seed import seed_pool
from riskfund.pool.services import injection_post

D = Decimal
DONGHE = "150202"  # 东河区
KUNDULUN = "150203"  # 昆都仑区
# region 6,000,000, city 6,000,000, 东河区 8,000,000, 昆都仑区 4,200,000 → F = 24,200,000
POOL_24_2_MILLION = {"region": "6000000", "city": "6000000", DONGHE: "8000000", KUNDULUN: "4200000"}
# 50 persons, revenue 10,000,000: a small industrial enterprise by the 2011 standard
SMALL_INDUSTRIAL = {
    "industry": "industry",
    "employees": 50,
    "revenue": D("10000000"),
    "total_assets": D("8000000"),
    "established_on": date(2015, 6, 1),
}


@dataclass(kw_only=True)
class Numbering:
    """A world's running serial numbers: ``serials`` for its enterprises' USCCs, ``contracts`` for its loans."""

    serials: itertools.count = field(default_factory=lambda: itertools.count(1))
    contracts: itertools.count = field(default_factory=lambda: itertools.count(1))


def make_uscc(serial: int, area: str = DONGHE) -> str:
    """A valid USCC: "91" + a 6-digit division code (chars 3–6 = its first four) + 9 digits + check char."""
    first17 = f"91{area}{serial:09d}"
    return first17 + uscc_check_char(first17)


def seed_reference() -> None:
    """The funders with their accounts, the SME size standard and the LPR."""
    seed_pool()
    seed_industry_standards()
    seed_lpr()


def inject(code: str, amount: str | Decimal, *, on: date, kind: str = "injection") -> Injection:
    """A funder's payment into the pool (art. 8), posted by the pool service."""
    return injection_post(funder=Funder.objects.get(code=code), paid_on=on, amount=D(amount), kind=kind)


def fund_pool(injections: Mapping[str, str | Decimal], *, on: date) -> None:
    """Every funder of ``injections`` (funder code → amount) pays in on ``on``."""
    for code, amount in injections.items():
        inject(code, amount, on=on)


def guarantor(*, code: str = "BJDB", name: str = "包头市百佳融资担保有限责任公司") -> Guarantor:
    return guarantor_create(code=code, name=name)


def signed_bank(*, code: str, name: str, guarantor: Guarantor, signed_on: date) -> Agreement:
    """A bank that signs with ``guarantor`` on ``signed_on``: the service moves its initial deposit out of
    pool:special (art. 18). The bank is the agreement's ``bank``."""
    return agreement_sign(bank=bank_create(code=code, name=name), guarantor=guarantor, signed_on=signed_on)


def small_enterprise(*, uscc: str, name: str, district: str = DONGHE, **figures) -> Enterprise:
    """An enterprise of ``district`` with the figures of ``SMALL_INDUSTRIAL`` unless ``figures`` say otherwise."""
    return enterprise_create(uscc=uscc, name=name, district_code=district, **{**SMALL_INDUSTRIAL, **figures})


def approved_recommendation(
    *,
    enterprise: Enterprise,
    bank,
    guarantor: Guarantor,
    amount: str | Decimal,
    on: date,
    term_months: int = 12,
    reported_on: date | None = None,
    today: date | None = None,
    bank_approves: bool = True,
) -> Recommendation:
    """Application and recommendation on ``on`` (art. 24, 25), then the guarantor's approving opinion and, with
    ``bank_approves``, the bank's, reported on ``reported_on`` (default ``on``; art. 26)."""
    application = application_create(enterprise=enterprise, amount=D(amount), term_months=term_months, submitted_on=on)
    recommendation = recommendation_issue(
        application=application, bank=bank, guarantor=guarantor, amount=D(amount), issued_on=on
    )
    reported_on = reported_on or on
    guarantor_approves(recommendation, reported_on, today)
    if bank_approves:
        due_diligence_record(
            recommendation=recommendation, party="bank", opinion="approve", reported_on=reported_on, today=today
        )
    recommendation.refresh_from_db()
    return recommendation


def registered_loan(
    *,
    recommendation: Recommendation,
    contract_no: str,
    disbursed_on: date,
    principal: str | Decimal | None = None,
    maturity_on: date | None = None,
    repayment_method: str | None = None,
    schedule=None,
    **terms,
) -> Loan:
    """The loan registered on ``recommendation`` (art. 27) by its bank: the recommended amount unless ``principal``
    says otherwise, 12 months from ``disbursed_on`` at 3.45 %, bullet (instalments when a ``schedule`` is given),
    with ``COUNTER_GUARANTEES``; ``terms`` override any other argument of ``loan_register``."""
    values = {
        "bank": recommendation.bank,
        "annual_rate": D("3.45"),
        "counter_guarantees": COUNTER_GUARANTEES,
        **terms,
    }
    return loan_register(
        recommendation=recommendation,
        contract_no=contract_no,
        principal=D(principal) if principal is not None else recommendation.amount,
        disbursed_on=disbursed_on,
        maturity_on=maturity_on or add_months(disbursed_on, 12),
        repayment_method=repayment_method or ("instalments" if schedule else "bullet"),
        schedule=schedule,
        **values,
    )


def recommended_loan(
    *,
    enterprise: Enterprise,
    bank,
    guarantor: Guarantor,
    principal: str | Decimal,
    recommended_on: date,
    contract_no: str,
    disbursed_on: date,
    reported_on: date | None = None,
    today: date | None = None,
    **terms,
) -> Loan:
    """``approved_recommendation`` for ``principal`` on ``recommended_on``, then ``registered_loan`` on it (``terms``
    as there); ``today`` goes to both."""
    recommendation = approved_recommendation(
        enterprise=enterprise,
        bank=bank,
        guarantor=guarantor,
        amount=principal,
        on=recommended_on,
        reported_on=reported_on,
        today=today,
    )
    return registered_loan(
        recommendation=recommendation,
        contract_no=contract_no,
        principal=principal,
        disbursed_on=disbursed_on,
        today=today,
        **terms,
    )


def staff_client(*roles: str, username: str, district: str | None = None, **user_fields) -> APIClient:
    """An APIClient holding a fresh knox token of a new user with the ``roles`` (groups), scoped to ``district``
    when given; ``user_fields`` go to ``create_user`` (password, is_staff, is_superuser). The user is
    ``client.user``."""
    user = get_user_model().objects.create_user(username=username, **user_fields)
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    if district:
        StaffProfile.objects.create(user=user, district=Funder.objects.get(code=district))
    _, token = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    client.user = user
    return client
