"""Building blocks for the bank API tests: a funded pool, two banks (A = BOB, B = BOC) with active agreements and
API keys, a bureau user, enterprises and recommendations, and helpers to call the API as a bank.

Dates are relative to today (Asia/Shanghai) because the API judges ``date_in_future`` and ``notified_late`` on
the real date; the policy version is made to cover today so that registrations stay possible whenever the tests
run. Each figure in a test is computed from these dates, never from the clock directly.
"""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import factories
from django.utils import timezone
from rest_framework.test import APIClient

from banks.auth import bank_api_key_issue
from riskfund.lending.models import Recommendation
from riskfund.lending.rules import add_months
from riskfund.parties.models import Bank, Enterprise, Guarantor
from riskfund.policy.models import PolicyVersion

D = Decimal
FUNDED_ON = date(2024, 1, 2)
SIGNED_ON = date(2024, 1, 3)
PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def today() -> date:
    return timezone.localdate()


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


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
class World(factories.Numbering):
    policy: PolicyVersion
    bank_a: Bank
    bank_b: Bank
    guarantor: Guarantor
    key_a: str
    key_b: str

    @property
    def a(self) -> APIClient:
        return bank_client(self.key_a)

    @property
    def b(self) -> APIClient:
        return bank_client(self.key_b)

    def staff(self) -> APIClient:
        return factories.staff_client(username=f"staff-{uuid.uuid4().hex[:8]}", is_superuser=True)

    def enterprise(self) -> Enterprise:
        """A small industrial enterprise of 东河区 (50 persons, revenue 10,000,000)."""
        serial = next(self.serials)
        return factories.small_enterprise(
            uscc=factories.make_uscc(serial), name=f"包头银行接口测试企业{serial}有限公司"
        )

    def recommendation(
        self, amount="1000000", *, bank: Bank | None = None, approve: bool = False, on: date | None = None
    ) -> Recommendation:
        """Application → recommendation to ``bank`` (default A) → the guarantor's approval (recorded by the bureau,
        art. 26); ``approve`` records the bank's approval too."""
        return factories.approved_recommendation(
            enterprise=self.enterprise(),
            bank=bank or self.bank_a,
            guarantor=self.guarantor,
            amount=amount,
            on=on or days_ago(200),
            bank_approves=approve,
        )

    def loan(self, amount="1000000", *, bank: Bank | None = None, disbursed_on: date | None = None, **kwargs):
        """A registered bullet loan (through the service, for tests about other endpoints)."""
        recommendation = self.recommendation(amount, bank=bank, approve=True)
        values = {
            "contract_no": f"SVC-{next(self.contracts):05d}",
            "principal": amount,
            "repayment_method": "bullet",
        }
        values.update(kwargs)
        return factories.registered_loan(
            recommendation=recommendation, disbursed_on=disbursed_on or days_ago(30), **values
        )

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
    factories.seed_reference()
    factories.fund_pool(injections or {factories.DONGHE: "4000000"}, on=FUNDED_ON)
    bjdb = factories.guarantor()
    bank_a = factories.signed_bank(code="BOB", name="包商测试银行", guarantor=bjdb, signed_on=signed_on).bank
    bank_b = factories.signed_bank(code="BOC", name="另一家测试银行", guarantor=bjdb, signed_on=signed_on).bank
    _, key_a = bank_api_key_issue(bank=bank_a, name="core A")
    _, key_b = bank_api_key_issue(bank=bank_b, name="core B")
    return World(policy=policy, bank_a=bank_a, bank_b=bank_b, guarantor=bjdb, key_a=key_a, key_b=key_b)
