"""The admin is thin: pages render, adding calls the services, financial records are never deleted."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from riskfund.approvals.models import ApprovalRequest
from riskfund.ledger.selectors import account_balance
from riskfund.parties.models import Agreement, Bank, Funder, Guarantor
from riskfund.parties.services import bank_create
from riskfund.pool.agreements import agreement_sign
from riskfund.pool.models import DepositTopUp, Injection, InterestCredit, PoolState, PoolStateChange, TopUpStatus
from riskfund.pool.services import injection_post, topup_request

D = Decimal


@pytest.fixture
def admin_client_for(client, seeded):
    def login(username: str):
        user = get_user_model().objects.create_superuser(username=username, password="pw-unused-123")
        client.force_login(user)
        return user

    return login


def test_every_pool_and_parties_page_renders_and_nothing_can_be_deleted(admin_client_for, client):
    admin_client_for("ann")
    injection = injection_post(funder=Funder.objects.get(code="city"), paid_on=date(2025, 1, 6), amount=D("3000000"))
    bank = bank_create(code="ICBC", name="工商银行")
    agreement = agreement_sign(
        bank=bank, guarantor=Guarantor.objects.create(code="G", name="担保"), signed_on=date(2025, 1, 7)
    )
    for model in (
        Funder,
        Bank,
        Guarantor,
        Agreement,
        Injection,
        DepositTopUp,
        InterestCredit,
        PoolState,
        PoolStateChange,
    ):
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
    for obj in (injection, agreement, Funder.objects.get(code="150202"), bank, PoolState.objects.get()):
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        assert client.get(url).status_code == 200, url
        delete = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    page = client.get(reverse("admin:pool_poolstate_changelist")).content.decode()
    assert "3000000" in page.replace(",", "")


def test_admin_add_injection_posts_it_and_an_approved_reversal_request_reverses_it(admin_client_for, client, invariant):
    admin_client_for("ann")
    response = client.post(
        reverse("admin:pool_injection_add"),
        {"funder": "150202", "kind": "injection", "paid_on": "2025-02-03", "amount": "8000000.00", "reference": "X1"},
    )
    assert response.status_code == 302
    injection = Injection.objects.get()
    assert account_balance("funder:150202") == D("8000000.00")
    change = client.post(
        reverse("admin:pool_injection_change", args=[injection.pk]),
        {"funder": "150202", "kind": "injection", "paid_on": "2025-02-03", "amount": "1.00", "reference": "X"},
    )
    assert change.status_code == 403  # posted injections are read-only
    client.post(
        reverse("admin:pool_injection_changelist"),
        {
            "action": "request_reversal",
            "_selected_action": [injection.pk],
            "on_date": "2025-02-04",
            "reason": "重复录入",
        },
    )
    injection.refresh_from_db()
    assert injection.reversed_on is None  # requested: a second user approves it (maker-checker)
    admin_client_for("bob")
    client.post(
        reverse("admin:approvals_approvalrequest_changelist"),
        {"action": "approve_selected", "_selected_action": [ApprovalRequest.objects.get().pk]},
    )
    injection.refresh_from_db()
    assert injection.reversed_on == date(2025, 2, 4)
    assert invariant().pool_funds == D("0.00")


def test_admin_broken_rule_becomes_a_message(admin_client_for, client):
    admin_client_for("ann")
    response = client.post(
        reverse("admin:parties_funder_change", args=["150202"]),
        {"commitment": "7999999.99", "reduced_standard": "", "reduced_reason": ""},
        follow=True,
    )
    assert "commitment_below_minimum（art. 8）" in response.content.decode().lower()
    assert Funder.objects.get(code="150202").commitment is None


def test_admin_topup_approved_by_another_user_then_executed(admin_client_for, client):
    ann = admin_client_for("ann")
    injection_post(funder=Funder.objects.get(code="city"), paid_on=date(2025, 1, 6), amount=D("3000000"))
    bank = bank_create(code="ICBC", name="工商银行")
    agreement_sign(bank=bank, guarantor=Guarantor.objects.create(code="G", name="担保"), signed_on=date(2025, 1, 7))
    Bank.objects.filter(pk=bank.pk).update(outstanding_principal=D("12000000.01"))
    topup = topup_request(bank=bank, amount=D("200001"), reason="增长", user=ann)
    url = reverse("admin:pool_deposittopup_changelist")
    client.post(url, {"action": "approve_selected", "_selected_action": [topup.pk], "on_date": "2025-03-03"})
    topup.refresh_from_db()
    assert topup.status == TopUpStatus.REQUESTED  # ann requested it: refused
    admin_client_for("bob")
    client.post(url, {"action": "approve_selected", "_selected_action": [topup.pk], "on_date": "2025-03-03"})
    client.post(url, {"action": "execute_selected", "_selected_action": [topup.pk], "on_date": "2025-04-03"})
    topup.refresh_from_db()
    assert (topup.status, topup.approved_amount, topup.executed_late) == (TopUpStatus.EXECUTED, D("200001.00"), True)
    assert account_balance("deposit:ICBC") == D("1200001.00")
