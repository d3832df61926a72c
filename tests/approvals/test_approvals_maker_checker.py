"""Maker-checker (SPEC §2, §7, §10; issue 6): lifting the dishonest flag (art. 36) and reversing an injection
(SPEC §4) take two people — the approver differs from the maker — and a second pending request for the same
thing is refused; approving carries the action out, rejecting changes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from riskfund.approvals.models import ApprovalKind, ApprovalRequest, ApprovalStatus
from riskfund.approvals.services import approval_approve, approval_reject, approval_request
from riskfund.errors import RuleViolation
from riskfund.ledger.models import Transaction
from riskfund.ledger.selectors import account_balance
from riskfund.lending.services.enterprises import enterprise_lift_dishonest
from riskfund.parties.models import DishonestAction, Enterprise
from riskfund.pool.models import Injection, PoolState

D = Decimal
LIFT = ApprovalKind.DISHONEST_LIFT
REVERSAL = ApprovalKind.INJECTION_REVERSAL


def lift_request(world, maker="ann", reason="已全额归还代偿款，经研究同意移出"):
    return approval_request(
        kind=LIFT, subject=world["enterprise"], payload={"on": "2025-06-30", "reason": reason}, maker=world[maker]
    )


def reversal_request(world, maker="tom"):
    payload = {"on": "2025-01-07", "reason": "重复录入"}
    return approval_request(kind=REVERSAL, subject=world["injection"], payload=payload, maker=world[maker])


def test_the_maker_cannot_approve_its_own_lift_request(world):
    request = lift_request(world)
    with pytest.raises(RuleViolation) as exc:
        approval_approve(request=request, checker=world["ann"])
    assert exc.value.code == "approver_is_maker"
    request.refresh_from_db()
    assert (request.status, request.checker) == (ApprovalStatus.PENDING, None)
    assert Enterprise.objects.get(pk=world["enterprise"].pk).dishonest is True


def test_a_second_pending_request_for_the_same_subject_is_refused(world):
    first = lift_request(world)
    with pytest.raises(RuleViolation) as exc:
        lift_request(world, maker="bob")
    assert exc.value.code == "approval_already_pending"
    assert ApprovalRequest.objects.filter(kind=LIFT, status=ApprovalStatus.PENDING).count() == 1
    # the database holds the rule too: one pending row per (kind, subject)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalRequest.objects.create(
            kind=LIFT,
            subject_type=first.subject_type,
            subject_id=first.subject_id,
            subject_key=first.subject_key,
            payload=first.payload,
            maker=world["bob"],
        )
    # once decided, a new request for the same enterprise may be made
    approval_reject(request=first, checker=world["bob"], note="理由不充分")
    again = lift_request(world, maker="bob")
    assert again.status == ApprovalStatus.PENDING


def test_requests_of_different_kinds_or_subjects_do_not_block_each_other(world):
    lift_request(world)
    reversal = reversal_request(world)
    assert reversal.status == ApprovalStatus.PENDING
    assert ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING).count() == 2


def test_approving_a_lift_takes_the_enterprise_off_the_list_with_listed_and_lifted_history(world):
    request = lift_request(world)
    approved = approval_approve(request=request, checker=world["bob"], note="同意")
    enterprise = Enterprise.objects.get(pk=world["enterprise"].pk)
    assert enterprise.dishonest is False
    history = list(enterprise.dishonest_records.order_by("on", "created_at").values_list("action", "on", "user"))
    assert history == [
        (DishonestAction.LISTED, date(2025, 3, 10), None),
        (DishonestAction.LIFTED, date(2025, 6, 30), world["bob"].pk),
    ]
    lifted = enterprise.dishonest_records.get(action=DishonestAction.LIFTED)
    assert lifted.reason == "已全额归还代偿款，经研究同意移出"
    assert (approved.status, approved.checker, approved.decision_note) == (
        ApprovalStatus.APPROVED,
        world["bob"],
        "同意",
    )
    assert approved.decided_at is not None
    assert approved.result == {"dishonest_record": str(lifted.pk)}


def test_approving_a_reversal_posts_the_ledger_reversal_and_lowers_pool_funds(world):
    assert PoolState.objects.get().pool_funds == D("8000000.00")
    request = reversal_request(world)
    approval_approve(request=request, checker=world["ann"])
    injection = Injection.objects.get(pk=world["injection"].pk)
    assert injection.reversed_on == date(2025, 1, 7)
    assert injection.reversal_reason == "重复录入"
    reversal = Transaction.objects.get(pk=injection.reversal_id)
    assert reversal.reverses_id == injection.transaction_id
    assert reversal.business_date == date(2025, 1, 7)
    assert account_balance("funder:150202") == D("0.00")
    assert account_balance("pool:special") == D("0.00")
    state = PoolState.objects.get()
    assert (state.pool_funds, state.pool_balance) == (D("0.00"), D("0.00"))
    request.refresh_from_db()
    assert request.result == {"reversal_transaction": str(reversal.pk)}


def test_rejecting_leaves_everything_unchanged(world):
    lift = lift_request(world)
    reversal = reversal_request(world)
    approval_reject(request=lift, checker=world["bob"], note="材料不全")
    approval_reject(request=reversal, checker=world["ann"])
    assert Enterprise.objects.get(pk=world["enterprise"].pk).dishonest is True
    assert list(world["enterprise"].dishonest_records.values_list("action", flat=True)) == [DishonestAction.LISTED]
    injection = Injection.objects.get(pk=world["injection"].pk)
    assert (injection.reversal_id, injection.reversed_on) == (None, None)
    assert PoolState.objects.get().pool_funds == D("8000000.00")
    lift.refresh_from_db()
    assert (lift.status, lift.checker, lift.decision_note) == (ApprovalStatus.REJECTED, world["bob"], "材料不全")
    # a decided request cannot be decided again
    with pytest.raises(RuleViolation) as exc:
        approval_approve(request=lift, checker=world["ann"])
    assert exc.value.code == "approval_not_pending"


@pytest.mark.parametrize("checker", ["tom", "amy", "dan"])
def test_only_the_bureau_approves_or_rejects(world, checker):
    request = reversal_request(world, maker="ann")
    for decide in (approval_approve, approval_reject):
        with pytest.raises(RuleViolation) as exc:
            decide(request=request, checker=world[checker])
        assert (exc.value.code, exc.value.status) == ("approver_not_authorised", 403)
    request.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING
    assert Injection.objects.get(pk=world["injection"].pk).reversal_id is None


@pytest.mark.parametrize(
    ("maker", "kind", "allowed"),
    [
        ("ann", LIFT, True),
        ("tom", LIFT, False),
        ("amy", LIFT, False),
        ("dan", LIFT, False),
        ("ann", REVERSAL, True),
        ("tom", REVERSAL, True),
        ("amy", REVERSAL, False),
        ("dan", REVERSAL, False),
    ],
)
def test_who_may_make_a_request(world, maker, kind, allowed):
    subject = world["enterprise"] if kind == LIFT else world["injection"]
    payload = {"on": "2025-06-30", "reason": "理由"}
    if allowed:
        assert approval_request(kind=kind, subject=subject, payload=payload, maker=world[maker]).is_pending
    else:
        with pytest.raises(RuleViolation) as exc:
            approval_request(kind=kind, subject=subject, payload=payload, maker=world[maker])
        assert (exc.value.code, exc.value.status) == ("maker_not_authorised", 403)


def test_a_request_needs_a_reason_a_date_and_no_floats(world):
    bad = [
        ({"on": "2025-06-30", "reason": "  "}, "reason"),
        ({"on": "30/06/2025", "reason": "理由"}, "on"),
        ({"on": "2025-06-30", "reason": "理由", "amount": 1.5}, "payload.amount"),
    ]
    for payload, field in bad:
        with pytest.raises(RuleViolation) as exc:
            approval_request(kind=LIFT, subject=world["enterprise"], payload=payload, maker=world["ann"])
        assert exc.value.code == "validation_error"
        assert field in exc.value.errors
    assert not ApprovalRequest.objects.exists()


def test_a_lift_for_an_enterprise_not_listed_and_a_reversal_before_payment_are_refused(world):
    approval_approve(request=lift_request(world), checker=world["bob"])
    with pytest.raises(RuleViolation) as exc:
        lift_request(world)
    assert exc.value.code == "enterprise_not_dishonest"
    with pytest.raises(RuleViolation) as exc:
        approval_request(
            kind=REVERSAL, subject=world["injection"], payload={"on": "2025-01-05", "reason": "x"}, maker=world["tom"]
        )
    assert exc.value.code == "validation_error"


def test_a_failing_action_leaves_the_request_pending(world):
    """The action runs in the approval's transaction: if its service refuses, the decision is not recorded."""
    request = lift_request(world)
    enterprise_lift_dishonest(enterprise=world["enterprise"], on=date(2025, 5, 1), reason="另行处理", user=world["bob"])
    with pytest.raises(RuleViolation) as exc:
        approval_approve(request=request, checker=world["bob"])
    assert exc.value.code == "enterprise_not_dishonest"
    request.refresh_from_db()
    assert (request.status, request.checker, request.decided_at) == (ApprovalStatus.PENDING, None, None)


def test_the_lift_service_is_the_bureaus_and_needs_a_reason(world):
    for user, code in ((world["tom"], "approver_not_authorised"), (world["amy"], "approver_not_authorised")):
        with pytest.raises(RuleViolation) as exc:
            enterprise_lift_dishonest(enterprise=world["enterprise"], on=date(2025, 5, 1), reason="x", user=user)
        assert exc.value.code == code
    with pytest.raises(RuleViolation) as exc:
        enterprise_lift_dishonest(enterprise=world["enterprise"], on=date(2025, 5, 1), reason=" ", user=world["ann"])
    assert exc.value.code == "validation_error"
    assert Enterprise.objects.get(pk=world["enterprise"].pk).dishonest is True
