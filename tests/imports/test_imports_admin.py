"""The admin's import (issue 17): upload → validation → preview (F, N, B, capacity, outstanding, per district) →
confirm, for the bureau; a district officer's book refused row by row, listed in the page; the auditor reads."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from imports_world import enterprise, small_book, xlsx

from riskfund.imports.models import ImportRun
from riskfund.lending.models import Loan
from riskfund.parties.models import StaffProfile
from riskfund.pool.models import PoolState

LIST = "/admin/imports/importrun/"


def login(client, role: str, district: str | None = None):
    user = get_user_model().objects.create_user(username=f"{role}-{district or 'all'}", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    if district:
        StaffProfile.objects.create(user=user, district_id=district)
    client.force_login(user)
    return user


def test_bureau_uploads_previews_and_confirms(world, client, django_capture_on_commit_callbacks):
    login(client, "bureau")
    assert client.get(LIST).status_code == 200
    page = client.get(f"{LIST}upload/")
    assert page.status_code == 200 and "下载导入模板" in page.content.decode()
    assert client.get(f"{LIST}template/")["Content-Type"].startswith("application/vnd.openxmlformats")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{LIST}upload/", {"file": SimpleUploadedFile("台账.xlsx", xlsx(small_book()))})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"{run.pk}/change/")
    page = client.get(response["Location"]).content.decode()
    assert "校验通过，待确认" in page and "确认写入" in page
    assert "20,001,234.56" in page and "707,999.99" in page and "192,932,345.70" in page  # F, N, capacity after
    assert "东河区" in page and "283,199.99" in page  # the district whose figures move
    assert not Loan.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"_confirm": "1"})
    run.refresh_from_db()
    assert run.status == ImportRun.Status.COMMITTED and Loan.objects.count() == 3
    assert str(PoolState.objects.get(pk=1).pool_balance) == run.preview["after"]["pool_balance"] == "19293234.57"
    assert "已写入" in client.get(response["Location"]).content.decode()


def test_a_district_officers_rows_outside_its_district_are_listed_and_nothing_is_written(
    world, client, django_capture_on_commit_callbacks
):
    login(client, "district", "150203")
    book = {"enterprise": [enterprise(1, "150203"), enterprise(2, "150202")], "loan": small_book()["loan"][:1]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{LIST}upload/", {"file": SimpleUploadedFile("本区.xlsx", xlsx(book))})
    page = client.get(response["Location"]).content.decode()
    assert "有错误" in page and "确认写入" not in page
    assert page.count("无权导入此行") == 2 and "不属于本地区" in page
    assert "下载标注错误的副本" in page
    run = ImportRun.objects.get()
    assert client.get(f"{LIST}{run.pk}/file/errors/").status_code == 200
    assert run.scope_district == "150203" and not Loan.objects.exists()


def test_the_auditor_reads_runs_but_may_not_upload(world, client, django_capture_on_commit_callbacks):
    login(client, "bureau")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{LIST}upload/", {"file": SimpleUploadedFile("b.xlsx", xlsx(small_book()))})
    client.logout()
    login(client, "auditor")
    assert client.get(response["Location"]).status_code == 200
    assert client.get(f"{LIST}upload/").status_code == 403
    assert "确认写入" not in client.get(response["Location"]).content.decode()
