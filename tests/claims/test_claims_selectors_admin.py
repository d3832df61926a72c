"""The claims reads (``compensation_detail``, ``recovery_list``, ``payables_due``) and the admin: pages render in
Chinese, compensations, payables and recoveries are read-only and never deleted, payables are settled by an
action that calls the service."""

from datetime import date
from decimal import Decimal

import pytest
from claims_world import MATURITY_ON, TODAY, after, balance
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from pipeline_support import collected

from riskfund.claims.models import Compensation, Payable, Recovery
from riskfund.claims.selectors import compensation_detail, payables_due, recovery_list
from riskfund.claims.services import compensation_claim, recovery_post

D = Decimal
DAY_26 = after(MATURITY_ON, 26)


@pytest.fixture
def claimed(world):
    """5,000,000 compensated (payable 1,000,000) and recovered twice: 300,000 − 20,000 costs, then 100,000.03."""
    loan = world.lend("5000000")
    compensation = compensation_claim(loan=collected(loan, DAY_26), deducted_on=DAY_26, today=date(2024, 10, 9))
    recovery_post(
        loan=loan,
        recovered_on=date(2024, 11, 1),
        gross=D("300000"),
        costs={"litigation": "15000", "appraisal": "5000"},
        today=TODAY,
    )
    recovery_post(loan=loan, recovered_on=date(2024, 12, 2), gross=D("100000.03"), today=TODAY)
    return compensation


def test_compensation_detail_shows_the_claim_its_funding_and_what_was_recovered(claimed):
    detail = compensation_detail(claimed)
    assert detail["loss"] == D("5000000.00")
    assert detail["shares"] == {"pool": D("2000000.00"), "bank": D("1000000.00"), "guarantor": D("2000000.00")}
    assert detail["pool_split"] == {"region": D("600000.00"), "city": D("600000.00"), "district": D("800000.00")}
    assert (detail["from_deposit"], detail["to_payable"], detail["payable_settled_on"]) == (
        D("1000000.00"),
        D("1000000.00"),
        None,
    )
    # reported on 2024-10-09, a day after the deadline 2024-10-08 (National Day)
    assert (detail["notice_deadline"], detail["notified_late"]) == (date(2024, 10, 8), True)
    # net 280,000 + 100,000.03 = 380,000.03 → allocate: 152,000.01 / 76,000.01 / 152,000.01
    assert detail["recovered_net"] == D("380000.03")
    assert detail["recovered_shares"] == {"pool": D("152000.01"), "bank": D("76000.01"), "guarantor": D("152000.01")}
    # 152,000.01 × 30:30:40 → 45,600.00 / 45,600.00 / 60,800.01
    assert detail["recovered_pool_split"] == {
        "region": D("45600.00"),
        "city": D("45600.00"),
        "district": D("60800.01"),
    }
    assert (detail["unrecovered_loss"], detail["recoveries"]) == (D("4619999.97"), 2)


def test_recovery_list_is_the_loans_recoveries_in_order(claimed):
    recoveries = list(recovery_list(claimed.loan))
    assert [(r.recovered_on, r.net) for r in recoveries] == [
        (date(2024, 11, 1), D("280000.00")),
        (date(2024, 12, 2), D("100000.03")),
    ]
    assert recoveries[1].cumulative_net == D("380000.03")


def test_payables_due_lists_unsettled_payables_of_one_bank_or_all(claimed, world):
    payable = Payable.objects.get()
    assert list(payables_due()) == [payable]
    assert list(payables_due(bank=world.bank)) == [payable]


@pytest.fixture
def staff(client, db):
    user = get_user_model().objects.create_superuser(username="trustee", password="pw-unused-123")
    client.force_login(user)
    return user


def test_admin_pages_render_records_are_read_only_and_never_deleted(claimed, staff, client):
    recovery = Recovery.objects.first()
    for obj in (claimed, claimed.payable, recovery):
        meta = obj._meta
        changelist = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert changelist.status_code == 200
        assert client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])).status_code == 200
        assert client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add")).status_code == 403
        delete = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    page = client.get(reverse("admin:claims_compensation_changelist")).content.decode()
    assert "代偿" in page
    assert Compensation.objects.count() == 1


def test_admin_settle_action_pays_the_payable_from_the_special_account(claimed, staff, client):
    payable = claimed.payable
    special = balance("pool:special")
    response = client.post(
        reverse("admin:claims_payable_changelist"),
        {"action": "settle_selected", "_selected_action": [str(payable.pk)], "on_date": "2024-10-15"},
    )
    assert response.status_code == 302
    payable.refresh_from_db()
    assert (payable.settled_on, payable.settled_by) == (date(2024, 10, 15), staff)
    assert balance("pool:special") == special - D("1000000.00")
    assert list(payables_due()) == []


def role_user(client, name: str):
    user = get_user_model().objects.create_user(username=name, password="pw-unused-123", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=name)[0])
    client.force_login(user)
    return user


def test_admin_only_a_role_that_settles_payables_may_run_the_action(claimed, client):
    payable = claimed.payable
    url = reverse("admin:claims_payable_changelist")
    form = {"action": "settle_selected", "_selected_action": [str(payable.pk)], "on_date": "2024-10-15"}
    role_user(client, "auditor")  # reads everything, runs no action
    assert client.get(url).status_code == 200
    client.post(url, form)
    payable.refresh_from_db()
    assert payable.settled_on is None
    trustee = role_user(client, "trustee")  # the trustee pays the bank (SPEC §4)
    client.post(url, form)
    payable.refresh_from_db()
    assert (payable.settled_on, payable.settled_by) == (date(2024, 10, 15), trustee)
    assert client.get(reverse("admin:claims_payable_change", args=[payable.pk])).status_code == 200
