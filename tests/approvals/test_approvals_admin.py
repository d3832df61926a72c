"""The admin side of maker-checker: "申请移出失信名单" on enterprises and "申请冲正" on injections record requests;
the bureau approves or rejects them in the approval list; other roles see the list (trustee, auditor) or nothing
(district officer) and run no decision."""

from datetime import date

import pytest
from django.urls import reverse

from riskfund.approvals.models import ApprovalKind, ApprovalRequest, ApprovalStatus
from riskfund.approvals.services import approval_request
from riskfund.parties.models import DishonestAction, Enterprise
from riskfund.pool.models import Injection

CHANGELIST = "admin:approvals_approvalrequest_changelist"


def post_action(client, url_name, action, pks, **extra):
    data = {"action": action, "_selected_action": [str(pk) for pk in pks], **extra}
    return client.post(reverse(url_name), data, follow=True)


def test_bureau_requests_a_lift_on_the_enterprise_list_and_another_bureau_user_approves_it(client, world):
    enterprise = world["enterprise"]
    client.force_login(world["ann"])
    page = client.get(reverse("admin:parties_enterprise_changelist")).content.decode()
    assert "request_dishonest_lift" in page and "申请移出失信名单" in page
    # without a reason: refused, nothing recorded
    response = post_action(client, "admin:parties_enterprise_changelist", "request_dishonest_lift", [enterprise.pk])
    assert "validation_error" in response.content.decode()
    assert not ApprovalRequest.objects.exists()
    post_action(
        client,
        "admin:parties_enterprise_changelist",
        "request_dishonest_lift",
        [enterprise.pk],
        on_date="2025-06-30",
        reason="已归还全部代偿款",
    )
    request = ApprovalRequest.objects.get()
    assert (request.kind, request.maker, request.payload) == (
        ApprovalKind.DISHONEST_LIFT,
        world["ann"],
        {"on": "2025-06-30", "reason": "已归还全部代偿款"},
    )
    # ann cannot approve her own request
    response = post_action(client, CHANGELIST, "approve_selected", [request.pk])
    assert "approver_is_maker" in response.content.decode()
    assert Enterprise.objects.get(pk=enterprise.pk).dishonest is True
    client.force_login(world["bob"])
    response = post_action(client, CHANGELIST, "approve_selected", [request.pk], note="同意移出")
    assert response.status_code == 200
    enterprise.refresh_from_db()
    assert enterprise.dishonest is False
    assert list(enterprise.dishonest_records.order_by("on").values_list("action", flat=True)) == [
        DishonestAction.LISTED,
        DishonestAction.LIFTED,
    ]
    request.refresh_from_db()
    assert (request.status, request.checker, request.decision_note) == (
        ApprovalStatus.APPROVED,
        world["bob"],
        "同意移出",
    )
    detail = client.get(reverse("admin:approvals_approvalrequest_change", args=[request.pk]))
    assert detail.status_code == 200 and "已归还全部代偿款" in detail.content.decode()


def test_trustee_requests_a_reversal_and_the_bureau_rejects_then_approves_a_new_one(client, world):
    injection = world["injection"]
    client.force_login(world["tom"])
    page = client.get(reverse("admin:pool_injection_changelist")).content.decode()
    assert "request_reversal" in page and "reverse_selected" not in page
    extra = {"on_date": "2025-01-07", "reason": "金额录错"}
    post_action(client, "admin:pool_injection_changelist", "request_reversal", [injection.pk], **extra)
    response = post_action(client, "admin:pool_injection_changelist", "request_reversal", [injection.pk], **extra)
    assert "approval_already_pending" in response.content.decode()
    first = ApprovalRequest.objects.get()
    # the trustee sees the list but has no decision to run
    listing = client.get(reverse(CHANGELIST))
    assert listing.status_code == 200 and "approve_selected" not in listing.content.decode()
    post_action(client, CHANGELIST, "approve_selected", [first.pk])
    assert ApprovalRequest.objects.get(pk=first.pk).status == ApprovalStatus.PENDING
    client.force_login(world["ann"])
    post_action(client, CHANGELIST, "reject_selected", [first.pk], note="请核对凭证")
    assert ApprovalRequest.objects.get(pk=first.pk).status == ApprovalStatus.REJECTED
    assert Injection.objects.get(pk=injection.pk).reversal_id is None
    client.force_login(world["tom"])
    post_action(client, "admin:pool_injection_changelist", "request_reversal", [injection.pk], **extra)
    second = ApprovalRequest.objects.get(status=ApprovalStatus.PENDING)
    client.force_login(world["bob"])
    post_action(client, CHANGELIST, "approve_selected", [second.pk])
    injection.refresh_from_db()
    assert (injection.reversed_on, injection.reversal_reason) == (date(2025, 1, 7), "金额录错")


@pytest.mark.parametrize(
    ("user", "listing", "actions"),
    [("ann", 200, True), ("tom", 200, False), ("amy", 200, False), ("dan", 403, False)],
)
def test_who_sees_the_approval_list_and_who_decides(client, world, user, listing, actions):
    approval_request(
        kind=ApprovalKind.INJECTION_REVERSAL,
        subject=world["injection"],
        payload={"on": "2025-01-07", "reason": "重复录入"},
        maker=world["tom"],
    )
    client.force_login(world[user])
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == listing
    if listing == 200:
        assert ("approve_selected" in response.content.decode()) is actions
    enterprises = client.get(reverse("admin:parties_enterprise_changelist"))
    if enterprises.status_code == 200:
        assert ("request_dishonest_lift" in enterprises.content.decode()) is (user == "ann")


def test_the_dashboard_counts_pending_requests_for_the_bureau(client, world):
    from riskfund.dashboard.selectors import Scope, pending_approvals

    approval_request(
        kind=ApprovalKind.DISHONEST_LIFT,
        subject=world["enterprise"],
        payload={"on": "2025-06-30", "reason": "已归还"},
        maker=world["ann"],
    )
    pending = pending_approvals(Scope())
    assert (pending["approval_requests"], pending["count"]) == (1, 1)
    assert pending_approvals(Scope(district="150202", limited=True))["approval_requests"] == 0
    client.force_login(world["bob"])
    page = client.get(reverse("admin:index")).content.decode()
    assert "1项申请待另一人复核" in page
