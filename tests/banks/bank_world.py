"""Building blocks for the bank API tests: a funded pool, two banks (A = BOB, B = BOC) with active agreements and
API keys, a bureau user, enterprises and recommendations, and helpers to call the API as a bank.

Dates are relative to today (Asia/Shanghai) because the API judges ``date_in_future`` and ``notified_late`` on
the real date; the policy version is made to cover today so that registrations stay possible whenever the tests
run. Each figure in a test is computed from these dates, never from the clock directly.
"""

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from knox.models import AuthToken
from pipeline_support import COUNTER_GUARANTEES, guarantor_approves
from rest_framework.test import APIClient

from banks.auth import bank_api_key_issue
from riskfund.lending.models import Enterprise, Recommendation
from riskfund.lending.rules import add_months
from riskfund.lending.services import (
    application_create,
    due_diligence_record,
    enterprise_create,
    loan_register,
    recommendation_issue,
)
from riskfund.parties.models import Bank, Funder, Guarantor
from riskfund.parties.seed import seed_funders
from riskfund.parties.services import agreement_sign, bank_create, guarantor_create
from riskfund.policy.models import PolicyVersion
from riskfund.policy.seed import seed_industry_standards, seed_lpr
from riskfund.policy.uscc import uscc_check_char
from riskfund.pool.services import injection_post

D = Decimal
DISTRICT = "150202"  # 东河区
FUNDED_ON = date(2024, 1, 2)
SIGNED_ON = date(2024, 1, 3)
PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def today() -> date:
    return timezone.localdate()


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def make_uscc(serial: int, area: str = DISTRICT) -> str:
    first17 = f"91{area}{serial:09d}"
    return first17 + uscc_check_char(first17)


def bank_client(key: str | None) -> APIClient:
    client = APIClient()
    if key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def post(client, path: str, body=None, *, key: str | None = "auto", **extra):
    """POST JSON with a fresh Idempotency-Key (``key=None`` sends none)."""
    if key == "auto":
        key = f"key-{uuid.uuid4()}"
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(path, body if body is not None else {}, format="json", **extra)


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.content)
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert (body["status"], body["code"]) == (status, code)
    return body


@dataclass
class World:
    policy: PolicyVersion
    bank_a: Bank
    bank_b: Bank
    guarantor: Guarantor
    key_a: str
    key_b: str
    serials: itertools.count = field(default_factory=lambda: itertools.count(1))
    contracts: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def a(self) -> APIClient:
        return bank_client(self.key_a)

    @property
    def b(self) -> APIClient:
        return bank_client(self.key_b)

    def staff(self) -> APIClient:
        user = get_user_model().objects.create_user(username=f"staff-{uuid.uuid4().hex[:8]}", is_superuser=True)
        _, token = AuthToken.objects.create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    def enterprise(self) -> Enterprise:
        """A small industrial enterprise of 东河区 (50 persons, revenue 10,000,000)."""
        serial = next(self.serials)
        return enterprise_create(
            uscc=make_uscc(serial),
            name=f"包头银行接口测试企业{serial}有限公司",
            district_code=DISTRICT,
            industry="industry",
            employees=50,
            revenue=D("10000000"),
            total_assets=D("8000000"),
            established_on=date(2015, 6, 1),
        )

    def recommendation(
        self, amount="1000000", *, bank: Bank | None = None, approve: bool = False, on: date | None = None
    ) -> Recommendation:
        """Application → recommendation to ``bank`` (default A) → the guarantor's approval (recorded by the bureau,
        art. 26); ``approve`` records the bank's approval too."""
        bank = bank or self.bank_a
        on = on or days_ago(200)
        application = application_create(
            enterprise=self.enterprise(), amount=D(amount), term_months=12, submitted_on=on
        )
        recommendation = recommendation_issue(
            application=application, bank=bank, guarantor=self.guarantor, amount=D(amount), issued_on=on
        )
        guarantor_approves(recommendation, on)
        recommendation.refresh_from_db()
        if approve:
            due_diligence_record(recommendation=recommendation, party="bank", opinion="approve", reported_on=on)
            recommendation.refresh_from_db()
        return recommendation

    def loan(self, amount="1000000", *, bank: Bank | None = None, disbursed_on: date | None = None, **kwargs):
        """A registered bullet loan (through the service, for tests about other endpoints)."""
        recommendation = self.recommendation(amount, bank=bank, approve=True)
        disbursed_on = disbursed_on or days_ago(30)
        values = {
            "bank": recommendation.bank,
            "recommendation": recommendation,
            "contract_no": f"SVC-{next(self.contracts):05d}",
            "principal": D(amount),
            "disbursed_on": disbursed_on,
            "maturity_on": add_months(disbursed_on, 12),
            "annual_rate": D("3.45"),
            "repayment_method": "bullet",
            "counter_guarantees": COUNTER_GUARANTEES,
        }
        values.update(kwargs)
        return loan_register(**values)

    def overdue_loan(self, amount="1000000", *, bank: Bank | None = None, overdue: int = 60):
        """An instalment loan whose first instalment (40 %) fell due ``overdue`` days ago, unpaid."""
        disbursed_on = days_ago(overdue + 60)
        principal = D(amount)
        first = (principal * D("0.4")).quantize(D("0.01"))
        maturity_on = add_months(disbursed_on, 12)
        return self.loan(
            amount,
            bank=bank,
            disbursed_on=disbursed_on,
            maturity_on=maturity_on,
            repayment_method="instalments",
            schedule=[(days_ago(overdue), first), (maturity_on, principal - first)],
        )


def build_world(*, injections: dict[str, str] | None = None, signed_on: date = SIGNED_ON) -> World:
    """Pool balance B = 4,000,000 paid in by 东河区 on 2024-01-02 (or ``injections``: funder code → amount); banks
    BOB (A) and BOC (B) sign with BJDB on 2024-01-03 or ``signed_on`` (each deposit 1,000,000 from pool:special);
    the 2021 parameters, in force through today + 2 years."""
    policy = PolicyVersion.objects.create(
        code="2021",
        title="包头市中小微企业助保金贷款管理办法（修订）",
        document_no="包府办发〔2021〕49号",
        effective_from=date(2021, 4, 30),
        effective_to=today() + timedelta(days=730),
        approved_at=timezone.now(),
    )
    seed_funders()
    seed_industry_standards()
    seed_lpr()
    for code, amount in (injections or {DISTRICT: "4000000"}).items():
        injection_post(funder=Funder.objects.get(code=code), paid_on=FUNDED_ON, amount=D(amount))
    guarantor = guarantor_create(code="BJDB", name="包头市百佳融资担保有限责任公司")
    bank_a = bank_create(code="BOB", name="包商测试银行")
    bank_b = bank_create(code="BOC", name="另一家测试银行")
    for bank in (bank_a, bank_b):
        agreement_sign(bank=bank, guarantor=guarantor, signed_on=signed_on)
    _, key_a = bank_api_key_issue(bank=bank_a, name="core A")
    _, key_b = bank_api_key_issue(bank=bank_b, name="core B")
    return World(policy=policy, bank_a=bank_a, bank_b=bank_b, guarantor=guarantor, key_a=key_a, key_b=key_b)
