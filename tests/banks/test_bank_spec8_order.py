"""Every code of SPEC §8 triggered through the API, in SPEC §8's order of checks.

One registration body breaks every rule at once; the bank posts it again after each fix, and the answers come in
SPEC §8's order, code by code — authentication (401) → idempotency_key_required → validation_error (400) →
unknown recommendation (404) → date_in_future → agreement_not_active (art. 14, 18), recommendation_not_usable
(art. 26), amount_exceeds_recommendation (art. 25), duplicate_contract_no (art. 27), fees_not_allowed (art. 17),
term_too_long (art. 22), counter_guarantee_required (art. 28) → enterprise_not_eligible (art. 4, 5),
enterprise_dishonest, enterprise_under_review (art. 36) → no_policy_in_force (art. 40), pool_suspended (art. 37),
pool_capacity_exceeded (art. 9), district_scale_exceeded (art. 13), enterprise_limit_exceeded (art. 22),
continuous_support_exceeded (art. 23) — until it registers (201).

Figures (hand-computed): region pays in 1,900,000 and 昆都仑区 (150203) 100,000 → B = 2,000,000 (the two
1,000,000 deposits stay inside B), capacity 20,000,000; the district's cap 25 × 100,000 = 2,500,000. The
recommendation is for 20,000,000.01. The city's 1,000,000 lifts capacity to 30,000,000; the district's 700,000
lifts its cap to 20,000,000.00 (still one fen short), its 0.01 to 20,000,000.25; then 20,000,000.01 > the
10,000,000 enterprise limit, and 10,000,000.00 lands once the bureau extends support (the chain of pool loans
began 1,000 days before the disbursement: 1,000 − 10 + 731 days > 3 years).
"""

from datetime import timedelta
from decimal import Decimal

from bank_world import World, assert_problem, bank_client, build_world, days_ago, post, today
from factories import KUNDULUN, approved_recommendation, inject, make_uscc, registered_loan, small_enterprise
from pipeline_support import guarantor_approves

from riskfund.lending.models import Loan
from riskfund.lending.rules import add_months
from riskfund.lending.services import (
    application_create,
    enterprise_extension_grant,
    enterprise_list_dishonest,
    enterprise_update,
    recommendation_issue,
    repayment_post,
)
from riskfund.parties.models import Agreement, DishonestListing, Enterprise, ListingStatus
from riskfund.pool.models import PoolState

D = Decimal
URL = "/api/v1/loans/"


def _inject(code: str, amount: str) -> None:
    inject(code, amount, on=days_ago(400))


def _enterprise() -> Enterprise:
    return small_enterprise(
        uscc=make_uscc(901, KUNDULUN),
        name="包头顺序测试企业有限公司",
        district=KUNDULUN,
        established_on=days_ago(4000),
    )


def _earlier_loan(world: World, enterprise: Enterprise) -> Loan:
    """A 1,000.00 loan of the same firm, disbursed 1,000 days ago for 24 months, repaid 40 days ago: contract
    HT-ORDER, and the start of an unbroken chain (the new loan comes 30 days after its closing)."""
    disbursed = days_ago(1000)
    recommendation = approved_recommendation(
        enterprise=enterprise, bank=world.bank_a, guarantor=world.guarantor, amount="1000", on=disbursed, term_months=24
    )
    loan = registered_loan(
        recommendation=recommendation,
        contract_no="HT-ORDER",
        disbursed_on=disbursed,
        maturity_on=add_months(disbursed, 24),
        extended_term=True,
        extended_reason="项目周期",
    )
    repayment_post(loan=loan, paid_on=days_ago(40), principal=D("1000"), interest=D("69"))
    return loan


def test_spec8_every_code_through_the_api_in_order(db):
    world = build_world(injections={"region": "1900000", KUNDULUN: "100000"}, signed_on=days_ago(2000))
    enterprise = _enterprise()
    _earlier_loan(world, enterprise)
    application = application_create(enterprise=enterprise, amount=D("20000000.01"), term_months=24)
    recommendation = recommendation_issue(
        application=application,
        bank=world.bank_a,
        guarantor=world.guarantor,
        amount=D("20000000.01"),
        issued_on=days_ago(20),
    )
    guarantor_approves(recommendation, days_ago(20))  # the bank has not approved yet
    enterprise_update(enterprise=enterprise, employees=2000, revenue=D("500000000"))  # now large
    enterprise_list_dishonest(enterprise=enterprise, on=days_ago(15), reason="测试", cause="other")
    DishonestListing.objects.create(enterprise=enterprise, proposed_on=days_ago(14))  # pending: under review
    agreement = Agreement.objects.get(bank=world.bank_a)
    Agreement.objects.filter(pk=agreement.pk).update(status="ending", ended_on=days_ago(12))
    PoolState.objects.update(suspended=True)

    tomorrow = today() + timedelta(days=1)
    disbursed = days_ago(10)
    body = {
        "recommendation": "0c9d8e7f-6a5b-4c3d-8e1f-0a9b8c7d6e5f",  # unknown
        "contract_no": "HT-ORDER",
        "principal": 20000000.02,  # a JSON number: malformed
        "disbursed_on": tomorrow.isoformat(),
        "maturity_on": (add_months(tomorrow, 24) + timedelta(days=1)).isoformat(),
        "annual_rate": "3.45",
        "repayment_method": "bullet",
        "extended_term": True,
        "extended_reason": "项目建设期",
        "extra_fees": "0.01",
        "counter_guarantees": [],
    }
    policy_end = world.policy.effective_to

    def approve_as_bank():
        answer = post(
            world.a,
            f"/api/v1/recommendations/{recommendation.pk}/due-diligence/",
            {"opinion": "approve", "reported_on": today().isoformat()},
        )
        assert answer.status_code == 200, answer.content

    def end_the_policy_before_disbursement():
        world.policy.__class__.objects.filter(pk=world.policy.pk).update(effective_to=days_ago(11))

    steps = [
        (401, "not_authenticated", None),  # no key at all
        (400, "idempotency_key_required", None),  # a key, but no Idempotency-Key
        (400, "validation_error", lambda: body.update(principal="20000000.02")),
        (404, "not_found", lambda: body.update(recommendation=str(recommendation.pk))),
        (
            422,
            "date_in_future",
            lambda: (
                body.update(
                    disbursed_on=disbursed.isoformat(),
                    maturity_on=(add_months(disbursed, 24) + timedelta(days=1)).isoformat(),
                ),
                end_the_policy_before_disbursement(),
            ),
        ),
        # ending (art. 18) …
        (
            422,
            "agreement_not_active",
            lambda: Agreement.objects.filter(pk=agreement.pk).update(status="active", ends_on=days_ago(11)),
        ),
        # … then active but ended the day before disbursed_on (art. 14)
        (422, "agreement_not_active", lambda: Agreement.objects.filter(pk=agreement.pk).update(ends_on=None)),
        (422, "recommendation_not_usable", approve_as_bank),
        (422, "amount_exceeds_recommendation", lambda: body.update(principal="20000000.01")),
        (422, "duplicate_contract_no", lambda: body.update(contract_no="HT-ORDER-2")),
        (422, "fees_not_allowed", lambda: body.update(extra_fees="0.00")),
        (422, "term_too_long", lambda: body.update(maturity_on=add_months(disbursed, 24).isoformat())),
        (
            422,
            "counter_guarantee_required",
            lambda: body.update(counter_guarantees=[{"kind": "real_estate", "description": "厂房", "value": "1"}]),
        ),
        (
            422,
            "enterprise_not_eligible",
            lambda: enterprise_update(enterprise=enterprise, employees=50, revenue=D("10000000")),
        ),
        (422, "enterprise_dishonest", lambda: Enterprise.objects.filter(pk=enterprise.pk).update(dishonest=False)),
        (
            422,
            "enterprise_under_review",
            lambda: DishonestListing.objects.filter(enterprise=enterprise).update(
                status=ListingStatus.DISMISSED, decided_on=today(), reason="无恶意"
            ),
        ),
        (
            422,
            "no_policy_in_force",
            lambda: world.policy.__class__.objects.filter(pk=world.policy.pk).update(effective_to=policy_end),
        ),
        (422, "pool_suspended", lambda: PoolState.objects.update(suspended=False)),
        (422, "pool_capacity_exceeded", lambda: _inject("city", "1000000")),  # capacity 30,000,000
        (422, "district_scale_exceeded", lambda: _inject(KUNDULUN, "700000")),  # cap 20,000,000.00
        (422, "district_scale_exceeded", lambda: _inject(KUNDULUN, "0.01")),  # cap 20,000,000.25
        (422, "enterprise_limit_exceeded", lambda: body.update(principal="10000000.00")),
        (
            422,
            "continuous_support_exceeded",
            lambda: enterprise_extension_grant(
                enterprise=enterprise, until=add_months(disbursed, 24), reason="协调办公室研究同意", user=None
            ),
        ),
    ]
    seen = []
    for index, (status, code, fix) in enumerate(steps):
        if index == 0:
            answer = post(bank_client(None), URL, body)
        elif index == 1:
            answer = post(world.a, URL, body, key=None)
        else:
            answer = post(world.a, URL, body)
        problem = assert_problem(answer, status, code)
        seen.append(problem["code"])
        if fix is not None:
            fix()
    assert seen == [code for _status, code, _fix in steps]
    assert Loan.objects.filter(contract_no="HT-ORDER-2").count() == 0

    registered = post(world.a, URL, body)
    assert registered.status_code == 201, registered.content
    loan = registered.json()
    assert (loan["principal"], loan["contract_no"], loan["district"]) == ("10000000.00", "HT-ORDER-2", KUNDULUN)
    assert loan["counter_guarantees"] == [{"kind": "real_estate", "description": "厂房", "value": "1.00"}]
