"""Starting reports from the admin: the bureau, the trustee and the auditor start the bureau's monthly report or a
bank's monthly statement, follow the job in the export job list and download the workbook; district officers and
staff without a role may not."""

import sys
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "claims"))

from claims_world import build_world

from riskfund.api.roles import ALL_ROLES, AUDITOR, BUREAU, DISTRICT, TRUSTEE
from riskfund.exports.admin_start import previous_month
from riskfund.exports.models import ExportJob
from riskfund.parties.models import StaffProfile

D = Decimal
START = "admin:exports_exportjob_start"
CHANGELIST = "admin:exports_exportjob_changelist"
ROLES = {
    "superuser": None,
    "bureau": BUREAU,
    "trustee": TRUSTEE,
    "auditor": AUDITOR,
    "district": DISTRICT,
    "norole": None,
}
MAY_START = {"superuser", "bureau", "trustee", "auditor"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def users(db):
    User = get_user_model()
    for name in ALL_ROLES:
        Group.objects.get_or_create(name=name)
    found = {"superuser": User.objects.create_superuser("root", "root@riskfund.invalid", "x")}
    for name, role in ROLES.items():
        if name == "superuser":
            continue
        user = User.objects.create_user(name, f"{name}@riskfund.invalid", "x", is_staff=True)
        if role:
            user.groups.set([Group.objects.get(name=role)])
        found[name] = user
    return found


@pytest.fixture
def world(policy_2021, users):
    """F = 24,200,000, bank BOB with its 1,000,000 deposit, and one 500,000.05 loan of 2024-03-01 at BOB (东河区);
    the district officer works for 东河区."""
    world = build_world(policy_2021)
    world.lend("500000.05")
    StaffProfile.objects.create(user=users["district"], district_id="150202")
    return world


def workbook(response) -> dict:
    content = b"".join(response.streaming_content)
    book = load_workbook(BytesIO(content))
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in book.worksheets}


def money(value) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal("0.01")) if isinstance(value, float) else Decimal(value)


@pytest.mark.parametrize("role", list(ROLES))
def test_the_start_page_is_for_the_bureau_the_trustee_and_the_auditor(client, world, users, role):
    client.force_login(users[role])
    response = client.get(reverse(START))
    assert response.status_code == (200 if role in MAY_START else 403)
    if role in MAY_START:
        page = response.content.decode()
        assert "市工信局月度报表" in page and "合作银行月度对账单" in page and world.bank.code in page
    changelist = client.get(reverse(CHANGELIST))
    assert changelist.status_code == (200 if role in MAY_START else 403)
    if role in MAY_START:
        assert reverse(START) in changelist.content.decode()  # the list links to the start page


def test_anonymous_users_are_sent_to_the_login(client, world):
    response = client.get(reverse(START))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("role", ["district", "norole"])
def test_a_district_officer_cannot_start_a_report(client, world, users, role):
    client.force_login(users[role])
    response = client.post(reverse(START), {"kind": "bureau_monthly", "month": "2024-03"})
    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_the_trustee_starts_the_bureau_report_and_downloads_it(
    client, world, users, django_capture_on_commit_callbacks
):
    client.force_login(users["trustee"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(START), {"kind": "bureau_monthly", "month": "2024-03"})
        assert ExportJob.objects.get().status == ExportJob.Status.QUEUED  # it runs once the request commits
    assert response.status_code == 302 and response["Location"] == reverse(CHANGELIST)
    job = ExportJob.objects.get()
    assert (job.kind, job.params, job.owner_user, job.owner_bank) == (
        "bureau_monthly",
        {"month": "2024-03"},
        users["trustee"],
        "",
    )
    assert job.status == ExportJob.Status.DONE, job.error
    assert (job.progress, job.filename) == (100, "市工信局月度报表-2024-03.xlsx")

    listing = client.get(reverse(CHANGELIST)).content.decode()
    download = reverse("admin:exports_exportjob_download", args=[job.pk])
    assert download in listing and "已开始生成市工信局月度报表 2024-03" in listing

    response = client.get(download)
    assert response.status_code == 200
    sheets = workbook(response)
    assert list(sheets) == ["资金池月末状况", "出资方", "各地区", "合作银行", "暂停与恢复", "年度银行考核"]
    position = dict(sheets["资金池月末状况"][1:])
    # no close of business: the current figures; F = 24,200,000, one loan of 500,000.05 outstanding
    assert position["口径"].startswith("当前余额")
    assert money(position["资金池资金 F"]) == D("24200000.00")
    assert money(position["在贷余额"]) == D("500000.05")
    assert money(position["可用额度"]) == D("241499999.95")  # 10 × 24,200,000 − 500,000.05
    banks = sheets["合作银行"]
    assert banks[1][0] == "BOB" and money(banks[1][4]) == D("500000.05")

    # the auditor may download it too; a district officer may not
    client.force_login(users["auditor"])
    assert client.get(download).status_code == 200
    client.force_login(users["district"])
    assert client.get(download).status_code == 404


def test_the_bureau_starts_a_banks_statement_which_the_admin_serves(
    client, world, users, django_capture_on_commit_callbacks
):
    client.force_login(users["bureau"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(START), {"kind": "bank_statement", "month": "2024-03", "bank": str(world.bank.pk)}
        )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.kind, job.owner_bank, job.owner_user) == ("bank_statement", str(world.bank.pk), None)
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.filename == f"月度对账单-{world.bank.code}-2024-03.xlsx"  # the bank in the name (issue 13)
    response = client.get(reverse("admin:exports_exportjob_download", args=[job.pk]))
    assert response.status_code == 200
    summary = dict(workbook(response)["概要"][1:])
    assert money(summary["期末贷款余额"]) == D("500000.05")
    assert money(summary["本月放款"]) == D("500000.05")
    assert money(summary["抵押金期末余额"]) == D("1000000.00")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"kind": "bank_statement", "month": "2024-03"}, "生成月度对账单须选择合作银行"),
        ({"kind": "bureau_monthly", "month": "2024/03"}, "请输入月份，格式为 YYYY-MM"),
        ({"kind": "bureau_monthly", "month": "2024-13"}, "不是有效月份"),
        ({"kind": "bureau_monthly", "month": "2999-01"}, "尚未开始"),
        ({"kind": "ledger_journal", "month": "2024-03"}, "ledger_journal"),  # not a choice here
    ],
)
def test_bad_input_is_shown_on_the_form_and_starts_nothing(client, world, users, data, error):
    client.force_login(users["bureau"])
    response = client.post(reverse(START), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ExportJob.objects.exists()


def test_last_month_is_the_month_before_the_given_date():
    assert previous_month(date(2026, 1, 1)) == "2025-12"
    assert previous_month(date(2026, 3, 31)) == "2026-02"
    assert previous_month(date(2026, 12, 31)) == "2026-11"


def test_the_form_suggests_last_month(client, world, users):
    """Last month of the bureau's own date (Asia/Shanghai), the view's clock: the machine's UTC date is a day
    behind from 16:00 UTC, and on the last day of a month that is another month."""
    client.force_login(users["auditor"])
    page = client.get(reverse(START)).content.decode()
    assert f'value="{previous_month(timezone.localdate())}"' in page
