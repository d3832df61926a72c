"""Roles in the admin (SPEC §1): every changelist for every role, district scoping, who runs which action."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from riskfund.lending.models import Loan
from riskfund.parties.models import Bank, Enterprise
from riskfund.pool.models import DepositTopUp, TopUpStatus
from riskfund.pool.selectors import deposit_balance

NOT_PROGRAMME = {
    "auth.group",
    "auth.user",
    "knox.authtoken",
    "django_celery_beat.clockedschedule",
    "django_celery_beat.crontabschedule",
    "django_celery_beat.intervalschedule",
    "django_celery_beat.periodictask",
    "django_celery_beat.solarschedule",
    "banks.bankapikey",
    "parties.staffprofile",
    "otp_totp.totpdevice",  # staff two-factor devices: the bureau deletes a lost one (issue 12)
}
# the audit trail and the annual bank report (issue 6), the failed and successful logins (issue 12): the bureau and
# the auditor only
BUREAU_AUDITOR = {
    "audit.auditevent",
    "dashboard.bankperformancereport",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
}
DISTRICT_PAGES = {
    "parties.enterprise",
    "lending.application",
    "lending.recommendation",
    "lending.loan",
    "lending.loanevent",
    "imports.importrun",  # a district officer imports its district's enterprises and applications (issue 17)
    "disclosure.funderstatementpage",  # its own district's funder statement only (issue 18)
}
REGISTERED = sorted(f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry)


def expected(role: str, key: str) -> int:
    if role in {"superuser", "bureau"}:
        return 200
    if key in BUREAU_AUDITOR:
        return 200 if role == "auditor" else 403
    if role in {"trustee", "auditor"}:
        return 403 if key in NOT_PROGRAMME else 200
    if role == "district":
        return 200 if key in DISTRICT_PAGES else 403
    return 403  # a staff user with no role


@pytest.fixture
def users(demo):
    User = get_user_model()
    found = {name: User.objects.get(username=name) for name in ("bureau", "trustee", "district", "auditor")}
    found["superuser"] = User.objects.create_superuser("root", "root@riskfund.invalid", "x")
    found["norole"] = User.objects.create_user("norole", "n@riskfund.invalid", "x", is_staff=True)
    return found


def test_every_registered_admin_is_in_the_table():
    assert set(NOT_PROGRAMME) <= set(REGISTERED)
    assert set(REGISTERED) >= DISTRICT_PAGES
    assert len(REGISTERED) >= 40


@pytest.mark.parametrize("role", ["superuser", "bureau", "trustee", "district", "auditor", "norole"])
def test_every_changelist_for_every_role(client, users, role):
    client.force_login(users[role])
    got = {}
    for key in REGISTERED:
        app_label, model_name = key.split(".")
        got[key] = client.get(reverse(f"admin:{app_label}_{model_name}_changelist")).status_code
    assert got == {key: expected(role, key) for key in REGISTERED}
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200


@pytest.mark.parametrize(
    ("role", "status"), [("bureau", 200), ("trustee", 200), ("auditor", 403), ("district", 403), ("norole", 403)]
)
def test_only_bureau_and_trustee_add_an_injection(client, users, role, status):
    client.force_login(users[role])
    assert client.get(reverse("admin:pool_injection_add")).status_code == status


def test_district_officer_sees_only_its_district(client, users):
    client.force_login(users["district"])
    mine = Enterprise.objects.filter(district_id="150203")
    other = Enterprise.objects.exclude(district_id="150203").first()
    assert mine.exists() and other is not None
    page = client.get(reverse("admin:parties_enterprise_changelist"))
    assert page.status_code == 200
    assert page.context["cl"].result_count == mine.count()
    assert other.name not in page.content.decode()
    # another district's enterprise and loan are not found for it (redirect to the index, "does not exist")
    assert client.get(reverse("admin:parties_enterprise_change", args=[other.pk])).status_code == 302
    other_loan = Loan.objects.exclude(district_id="150203").first()
    assert client.get(reverse("admin:lending_loan_change", args=[other_loan.pk])).status_code == 302
    own = mine.first()
    assert client.get(reverse("admin:parties_enterprise_change", args=[own.pk])).status_code == 200
    loans = client.get(reverse("admin:lending_loan_changelist"))
    assert loans.context["cl"].result_count == Loan.objects.filter(district_id="150203").count()


def test_district_officer_dashboard_shows_only_its_district(client, users):
    client.force_login(users["district"])
    data = client.get(reverse("admin:index")).context["d"]
    assert [row["code"] for row in data["districts"]] == ["150203"]
    assert data["position"] == {} and data["banks"] == []
    total = sum(row["count"] for row in data["buckets"])
    assert total == Loan.objects.filter(district_id="150203", status="active").count()


def _over_trigger_bank() -> Bank:
    return next(b for b in Bank.objects.order_by("code") if b.outstanding_principal > 10 * deposit_balance(b))


def test_topup_approval_actions_by_role(client, users):
    """Art. 16: the bureau approves, the trustee executes; the auditor runs nothing."""
    url = reverse("admin:pool_deposittopup_changelist")
    actions = {}
    for role in ("bureau", "trustee", "auditor"):
        client.force_login(users[role])
        actions[role] = set(client.get(url).context["cl"].model_admin.get_actions(client.get(url).wsgi_request))
    assert {"approve_selected", "execute_selected"} <= actions["bureau"]
    assert "execute_selected" in actions["trustee"] and "approve_selected" not in actions["trustee"]
    assert actions["auditor"] == set()


def test_requester_cannot_approve_its_own_topup_a_second_bureau_user_can(client, users):
    bank = _over_trigger_bank()
    client.force_login(users["bureau"])
    added = client.post(
        reverse("admin:pool_deposittopup_add"),
        {"bank": bank.pk, "requested_amount": "500000.00", "reason": "测试"},
    )
    assert added.status_code == 302
    topup = DepositTopUp.objects.get(bank=bank, status=TopUpStatus.REQUESTED)
    assert topup.requested_by == users["bureau"]
    changelist = reverse("admin:pool_deposittopup_changelist")
    form = {"action": "approve_selected", "_selected_action": [topup.pk], "on_date": "", "amount": ""}
    client.post(changelist, form)
    topup.refresh_from_db()
    assert topup.status == TopUpStatus.REQUESTED  # approver_is_requester
    client.force_login(get_user_model().objects.get(username="bureau2"))
    client.post(changelist, form)
    topup.refresh_from_db()
    assert topup.status == TopUpStatus.APPROVED
    assert topup.approved_amount == Decimal("500000.00")
    assert topup.approved_by.username == "bureau2"
