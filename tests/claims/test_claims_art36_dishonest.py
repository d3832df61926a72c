"""Art. 36 (失信企业名单, "恶意逃避债务"; SPEC §10): a compensation makes a listing PROPOSAL, not a listing. While it is
pending the firm gets no application, recommendation or loan (``enterprise_under_review``); a bureau user decides
with a reason: ``list`` (→ ``enterprise_dishonest``) or ``dismiss`` (eligible again). Lifting stays maker-checker."""

import importlib
from datetime import date
from decimal import Decimal

import pytest
from claims_world import MATURITY_ON, RECOMMENDED_ON, TODAY, after
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from factories import registered_loan
from pipeline_support import collected

from riskfund.approvals.models import ApprovalKind
from riskfund.approvals.services import approval_approve, approval_request
from riskfund.claims.services import compensation_claim
from riskfund.errors import RuleViolation
from riskfund.lending.services import application_create, listing_decide, recommendation_issue
from riskfund.lending.services.enterprises import enterprise_lift_dishonest, enterprise_list_dishonest
from riskfund.parties.models import DishonestAction, DishonestCause, DishonestListing, DishonestRecord, Enterprise

D = Decimal
DAY_26 = after(MATURITY_ON, 26)  # 2024-09-28
DECIDED_ON = date(2024, 10, 15)


@pytest.fixture
def bureau(db):
    group, _ = Group.objects.get_or_create(name="bureau")
    users = []
    for name in ("ann", "bob"):
        user = get_user_model().objects.create_user(username=name, password="x-unused-password")
        user.groups.add(group)
        users.append(user)
    return users


def _compensated(world):
    loan = world.lend("800000")
    compensation_claim(loan=collected(loan, DAY_26), deducted_on=DAY_26, today=TODAY)
    return loan


def _code(call) -> tuple[str, str]:
    with pytest.raises(RuleViolation) as refused:
        call()
    return refused.value.code, refused.value.clause


def _register(world, recommendation, contract_no: str):
    return registered_loan(
        recommendation=recommendation,
        contract_no=contract_no,
        principal="300000",
        disbursed_on=after(MATURITY_ON, 40),
        maturity_on=after(MATURITY_ON, 200),
        today=TODAY,
    )


def test_art36_a_compensation_proposes_a_listing_and_the_firm_is_under_review_at_all_three_steps(world):
    loan = world.lend("800000")
    enterprise = loan.enterprise
    usable = world.recommendation(enterprise, D("300000"))  # both opinions in before the loss
    application = application_create(
        enterprise=enterprise, amount=D("200000"), term_months=12, submitted_on=RECOMMENDED_ON
    )
    compensation = compensation_claim(loan=collected(loan, DAY_26), deducted_on=DAY_26, today=TODAY)

    listing = DishonestListing.objects.get()
    assert (listing.enterprise_id, listing.compensation_id, listing.status, listing.proposed_on) == (
        enterprise.pk,
        compensation.pk,
        "pending",
        DAY_26,
    )
    assert Enterprise.objects.get(pk=enterprise.pk).dishonest is False  # a loss alone lists nobody
    assert not DishonestRecord.objects.exists()

    under_review = ("enterprise_under_review", "art. 36")
    on = after(MATURITY_ON, 30)
    assert _code(lambda: application_create(enterprise=enterprise, amount=D("1"), term_months=12, submitted_on=on)) == (
        under_review
    )
    assert (
        _code(
            lambda: recommendation_issue(
                application=application, bank=world.bank, guarantor=world.guarantor, amount=D("200000"), issued_on=on
            )
        )
        == under_review
    )
    assert _code(lambda: _register(world, usable, "DC-REVIEW")) == under_review


def test_art36_dismiss_reopens_the_firm(world, bureau):
    loan = _compensated(world)
    listing = listing_decide(
        listing=DishonestListing.objects.get(),
        decision="dismiss",
        reason="经核查系经营困难，无恶意逃债",
        user=bureau[0],
        on=DECIDED_ON,
    )
    assert (listing.status, listing.decided_on, listing.decided_by, listing.reason) == (
        "dismissed",
        DECIDED_ON,
        bureau[0],
        "经核查系经营困难，无恶意逃债",
    )
    enterprise = Enterprise.objects.get(pk=loan.enterprise_id)
    assert enterprise.dishonest is False
    again = application_create(enterprise=enterprise, amount=D("100000"), term_months=12, submitted_on=DECIDED_ON)
    assert again.status == "submitted"


def test_art36_list_makes_the_firm_dishonest_and_a_second_decision_is_refused(world, bureau):
    loan = _compensated(world)
    listing = listing_decide(
        listing=DishonestListing.objects.get(),
        decision="list",
        reason="转移资产、逃避债务",
        user=bureau[0],
        on=DECIDED_ON,
    )
    assert listing.status == "listed"
    enterprise = Enterprise.objects.get(pk=loan.enterprise_id)
    assert enterprise.dishonest is True
    record = DishonestRecord.objects.get(enterprise=enterprise)
    assert (record.action, record.cause, record.on, record.reason, record.user) == (
        DishonestAction.LISTED,
        DishonestCause.EVASION,
        DECIDED_ON,
        "转移资产、逃避债务",
        bureau[0],
    )
    refused = _code(
        lambda: application_create(enterprise=enterprise, amount=D("1"), term_months=12, submitted_on=DECIDED_ON)
    )
    assert refused == ("enterprise_dishonest", "art. 36")
    assert _code(
        lambda: listing_decide(listing=listing, decision="dismiss", reason="再议", user=bureau[1], on=DECIDED_ON)
    ) == ("listing_not_pending", "art. 36")


def test_art36_a_decision_needs_a_reason_a_known_decision_and_no_future_date(world, bureau):
    _compensated(world)
    listing = DishonestListing.objects.get()
    for decision, reason, on, code in (
        ("list", "   ", DECIDED_ON, "validation_error"),
        ("ban", "理由", DECIDED_ON, "validation_error"),
        ("list", "理由", date(2024, 9, 27), "validation_error"),  # before the proposal of 2024-09-28
        ("list", "理由", date(2099, 1, 1), "date_in_future"),
    ):
        with pytest.raises(RuleViolation) as refused:
            listing_decide(listing=listing, decision=decision, reason=reason, user=bureau[0], on=on)
        assert refused.value.code == code
    assert DishonestListing.objects.get().status == "pending"


def test_art36_lifting_a_listed_firm_stays_maker_checker_and_marks_the_decision_lifted(world, bureau):
    loan = _compensated(world)
    listing_decide(
        listing=DishonestListing.objects.get(), decision="list", reason="逃避债务", user=bureau[0], on=DECIDED_ON
    )
    enterprise = Enterprise.objects.get(pk=loan.enterprise_id)
    payload = {"on": "2024-12-01", "reason": "已全额清偿"}
    request = approval_request(kind=ApprovalKind.DISHONEST_LIFT, subject=enterprise, payload=payload, maker=bureau[0])
    assert _code(lambda: approval_approve(request=request, checker=bureau[0]))[0] == "approver_is_maker"
    approval_approve(request=request, checker=bureau[1])
    assert Enterprise.objects.get(pk=enterprise.pk).dishonest is False
    listing = DishonestListing.objects.get()
    assert (listing.status, listing.lifted_on) == ("lifted", date(2024, 12, 1))


class _RegistryOfThatMigration:
    """The app registry as ``lending.0005`` asks it: its ``lending.DishonestListing`` and ``lending.DishonestRecord``
    are the parties app's models now (the same tables, renamed by ``lending.0006``)."""

    @staticmethod
    def get_model(app_label: str, model_name: str):
        moved = app_label == "lending" and model_name.startswith("Dishonest")
        return django_apps.get_model("parties" if moved else app_label, model_name)


def test_art36_migration_turns_automatic_listings_into_listed_decisions(world, bureau):
    """Data before SPEC §10's review: a compensated firm put on the list at once, no decision row. The migration
    records a ``listed`` decision (or ``lifted`` when the firm was taken off since), so no status changes."""
    migration = importlib.import_module("riskfund.lending.migrations.0005_listings_before_review")
    listed_loan, lifted_loan = _compensated(world), _compensated(world)
    DishonestListing.objects.all().delete()  # as the data stood before the proposals existed
    for loan in (listed_loan, lifted_loan):
        enterprise_list_dishonest(enterprise=loan.enterprise, on=DAY_26, reason="代偿（第三十六条）")
    enterprise_lift_dishonest(enterprise=lifted_loan.enterprise, on=date(2024, 11, 5), reason="已清偿", user=bureau[0])

    migration.listings_from_compensations(_RegistryOfThatMigration, None)

    rows = {row.enterprise_id: row for row in DishonestListing.objects.all()}
    listed, lifted = rows[listed_loan.enterprise_id], rows[lifted_loan.enterprise_id]
    assert (listed.status, listed.decided_on, listed.reason, listed.compensation_id) == (
        "listed",
        DAY_26,
        "listed before review was required",
        listed_loan.compensation.pk,
    )
    assert (lifted.status, lifted.lifted_on) == ("lifted", date(2024, 11, 5))
    assert Enterprise.objects.get(pk=listed_loan.enterprise_id).dishonest is True
    assert Enterprise.objects.get(pk=lifted_loan.enterprise_id).dishonest is False
    migration.listings_from_compensations(_RegistryOfThatMigration, None)  # safe to run again: one row per compensation
    assert DishonestListing.objects.count() == 2
