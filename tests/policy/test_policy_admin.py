"""The policy admin: forms run the SPEC §2 checks, writes go through the services, approved versions are
read-only, and approval is maker-checker."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from riskfund.policy.models import PolicyVersion
from riskfund.policy.services import EDITABLE_FIELDS
from riskfund.pool.seed import seed_pool

pytestmark = pytest.mark.django_db


def bureau_user(username: str):
    """A bureau user, no superuser (SPEC §2: the bureau's daily work needs none; its group carries the permissions)."""
    user = get_user_model().objects.create_user(username, email=f"{username}@example.invalid", is_staff=True)
    user.groups.add(Group.objects.get(name="bureau"))
    return user


@pytest.fixture
def admin_user():
    return bureau_user("bureau-a")


@pytest.fixture
def other_admin():
    return bureau_user("bureau-b")


def form_data(**overrides):
    defaults = {f.name: f.default for f in PolicyVersion._meta.concrete_fields if f.name in EDITABLE_FIELDS}
    data = {
        **{k: v for k, v in defaults.items() if v is not None and not callable(v)},
        "code": "2026",
        "title": "包头市中小微企业助保金贷款管理办法",
        "document_no": "",
        "effective_from": "2026-04-30",
        "effective_to": "2031-04-29",
    }
    data.update(overrides)
    return {k: str(v) for k, v in data.items()}


@pytest.mark.parametrize("model", ["policyversion", "workingdayoverride", "lprrate", "industrystandard"])
def test_the_admin_pages_open(client, admin_user, policy_2021, model):
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:policy_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:policy_{model}_add")).status_code == 200


def test_an_overlapping_proposal_is_shown_as_a_form_error(client, admin_user, policy_2021):
    client.force_login(admin_user)
    response = client.post(reverse("admin:policy_policyversion_add"), form_data(effective_from="2026-01-01"))
    assert response.status_code == 200
    assert "重叠" in response.content.decode()
    assert PolicyVersion.objects.count() == 1


def test_non_monotone_weights_are_shown_as_a_form_error(client, admin_user):
    client.force_login(admin_user)
    data = form_data(loss_weight_pool=1, loss_weight_bank=3, loss_weight_guarantor=3)
    response = client.post(reverse("admin:policy_policyversion_add"), data)
    assert response.status_code == 200
    assert "不单调" in response.content.decode()
    assert not PolicyVersion.objects.exists()


def test_a_proposal_is_pending_with_its_maker(client, admin_user, policy_2021):
    client.force_login(admin_user)
    response = client.post(reverse("admin:policy_policyversion_add"), form_data())
    assert response.status_code == 302
    version = PolicyVersion.objects.get(code="2026")
    assert version.created_by == admin_user
    assert version.approved_at is None
    assert version.effective_from == date(2026, 4, 30)


def test_an_approved_version_is_read_only(client, admin_user, policy_2021):
    client.force_login(admin_user)
    url = reverse("admin:policy_policyversion_change", args=[policy_2021.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, form_data(code="2021", pool_leverage=8)).status_code == 403
    policy_2021.refresh_from_db()
    assert policy_2021.pool_leverage == 10


def test_approval_in_the_admin_is_maker_checker(client, admin_user, other_admin, policy_2021):
    client.force_login(admin_user)
    client.post(reverse("admin:policy_policyversion_add"), form_data())
    version = PolicyVersion.objects.get(code="2026")
    changelist = reverse("admin:policy_policyversion_changelist")
    action = {"action": "approve_selected", "_selected_action": [version.pk]}

    response = client.post(changelist, action, follow=True)
    assert "批准人不能是提出人" in response.content.decode()
    version.refresh_from_db()
    assert version.approved_at is None

    client.force_login(other_admin)
    client.post(changelist, action, follow=True)
    version.refresh_from_db()
    assert version.approved_by == other_admin
    assert version.approved_at is not None


def test_spec_2_a_second_bureau_user_sees_the_approve_action_a_trustee_does_not(client, admin_user, other_admin):
    trustee = get_user_model().objects.create_user("trustee-a", is_staff=True)
    trustee.groups.add(Group.objects.get(name="trustee"))
    changelist = reverse("admin:policy_policyversion_changelist")
    seen = {}
    for user in (other_admin, trustee):
        client.force_login(user)
        response = client.get(changelist)
        assert response.status_code == 200
        seen[user.username] = set(response.context["cl"].model_admin.get_actions(response.wsgi_request))
    assert {"approve_selected", "renew_selected"} <= seen["bureau-b"]
    assert not seen["trustee-a"] & {"approve_selected", "renew_selected"}


def test_art_40_renewal_in_the_admin_opens_the_add_form_with_every_number(client, admin_user, policy_2021):
    PolicyVersion.objects.filter(pk=policy_2021.pk).update(pool_leverage=9, counter_guarantee_required=False)
    client.force_login(admin_user)
    changelist = reverse("admin:policy_policyversion_changelist")
    response = client.post(changelist, {"action": "renew_selected", "_selected_action": [policy_2021.pk]})
    assert response.status_code == 302 and response.url.startswith(reverse("admin:policy_policyversion_add"))
    form = client.get(response.url).context["adminform"].form
    assert form.initial["pool_leverage"] == "9" and form.initial["suspension_threshold"] == "0.200000"
    assert form.initial["title"] == policy_2021.title
    assert not form["counter_guarantee_required"].value()  # False travels as an empty value, an unticked box


def _index(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


def test_spec_4_the_dashboard_says_new_business_is_closed_and_why(client, admin_user, policy_2021):
    seed_pool()
    today = timezone.localdate()
    # the only version ended yesterday: no version in force today (art. 40)
    PolicyVersion.objects.filter(pk=policy_2021.pk).update(
        effective_from=today - timedelta(days=400), effective_to=today - timedelta(days=1)
    )
    page = _index(client, admin_user)
    assert "rf-status-no_policy" in page and "新增业务：暂停（无有效政策版本）" in page
    PolicyVersion.objects.filter(pk=policy_2021.pk).update(effective_to=today + timedelta(days=400))
    page = _index(client, admin_user)
    assert "rf-status-open" in page and "rf-status-no_policy" not in page
