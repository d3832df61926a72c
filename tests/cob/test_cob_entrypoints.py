"""How the daily job is started: Celery beat at 00:30 Asia/Shanghai, the Celery task, ``run_cob`` (default:
yesterday in Asia/Shanghai, SPEC §12), and the admin pages."""

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from riskfund.cob.models import BucketChange, CobFlag, CobRun, DailyLoanStatus, PoolSnapshot
from riskfund.cob.services import default_business_date
from riskfund.cob.tasks import run_cob_task
from riskfund.errors import RuleViolation

TASK = "riskfund.cob.tasks.run_cob_task"


def _freeze(monkeypatch, instant: datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: instant)


@pytest.mark.django_db
def test_beat_runs_the_task_at_0030_shanghai():
    task = PeriodicTask.objects.select_related("crontab").get(name="riskfund daily close of business")
    assert task.task == TASK
    assert task.enabled and not task.one_off
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week, crontab.day_of_month, crontab.month_of_year) == (
        "30",
        "0",
        "*",
        "*",
        "*",
    )
    assert str(crontab.timezone) == "Asia/Shanghai"
    # the schedule itself: after a run at 00:30 on 08-06 in Shanghai (16:30 UTC on 08-05) the next is 00:30 on
    # 08-07 in Shanghai, 16:30 UTC on 08-06 — not 00:30 UTC
    schedule = crontab.schedule
    assert schedule.tz.key == "Asia/Shanghai"
    last_run = datetime(2025, 8, 5, 16, 30, tzinfo=UTC).astimezone(schedule.tz)
    start, delta, _now = schedule.remaining_delta(last_run)
    assert (start + delta).astimezone(UTC) == datetime(2025, 8, 6, 16, 30, tzinfo=UTC)


def test_the_task_is_registered_under_its_beat_name():
    from riskfund.celery import app

    app.loader.import_default_modules()
    assert app.tasks[TASK].name == run_cob_task.name == TASK


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (datetime(2025, 8, 5, 16, 30, tzinfo=UTC), date(2025, 8, 5)),  # 00:30 on 08-06 in Shanghai
        (datetime(2025, 8, 5, 15, 59, tzinfo=UTC), date(2025, 8, 4)),  # 23:59 on 08-05 in Shanghai
    ],
)
def test_default_business_date_is_yesterday_in_shanghai(monkeypatch, instant, expected):
    assert default_business_date(instant) == expected
    _freeze(monkeypatch, instant)
    assert default_business_date() == expected


def test_run_cob_with_a_date(portfolio):
    out = StringIO()
    call_command("run_cob", "--date", "2025-08-05", stdout=out)
    assert "COB 2025-08-05 done" in out.getvalue()
    assert "loan_status: 5" in out.getvalue()
    assert CobRun.objects.get().business_date == date(2025, 8, 5)


def test_run_cob_defaults_to_yesterday(portfolio, monkeypatch):
    _freeze(monkeypatch, datetime(2025, 8, 5, 16, 30, tzinfo=UTC))
    call_command("run_cob", stdout=StringIO())
    assert CobRun.objects.get().business_date == date(2025, 8, 5)


def test_run_cob_refuses_a_bad_or_backward_date(portfolio):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_cob", "--date", "05/08/2025", stdout=StringIO())
    call_command("run_cob", "--date", "2025-08-05", stdout=StringIO())
    with pytest.raises(CommandError, match="cob_date_before_last_run"):
        call_command("run_cob", "--date", "2025-08-01", stdout=StringIO())


def test_the_task_runs_a_date_and_defaults_to_yesterday(portfolio, monkeypatch):
    result = run_cob_task.apply(kwargs={"business_date": "2025-08-04"}).get()
    assert result["business_date"] == "2025-08-04" and result["status"] == "done"
    _freeze(monkeypatch, datetime(2025, 8, 5, 16, 30, tzinfo=UTC))
    assert run_cob_task.apply().get()["business_date"] == "2025-08-05"
    again = run_cob_task.apply().get()
    assert again == run_cob_task.apply().get()
    assert CobRun.objects.count() == 2


def test_the_task_refuses_a_future_date(policy_2021):
    with pytest.raises(RuleViolation):
        run_cob_task.apply(kwargs={"business_date": "2999-01-01"}).get()


def test_admin_pages(portfolio, admin_client):
    call_command("run_cob", "--date", "2025-08-05", stdout=StringIO())
    run = CobRun.objects.get()
    for model in [CobRun, DailyLoanStatus, BucketChange, CobFlag, PoolSnapshot]:
        url = reverse(f"admin:cob_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url
    page = admin_client.get(reverse("admin:cob_cobrun_change", args=[run.pk]))
    assert page.status_code == 200
    assert "逾期天数与逾期分组" in page.content.decode()
    response = admin_client.post(
        reverse("admin:cob_cobrun_changelist"),
        {"action": "run_for_date", "index": 0, "_selected_action": [run.pk], "business_date": "2025-08-06"},
        follow=True,
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["2025-08-06: 已完成"]
    assert CobRun.objects.filter(business_date=date(2025, 8, 6), status="done").exists()


def test_an_auditor_reads_the_runs_but_cannot_start_one(portfolio, client):
    from django.contrib.auth.models import Group, User

    call_command("run_cob", "--date", "2025-08-05", stdout=StringIO())
    auditor = User.objects.create_user(username="auditor1", password="x-unused-password", is_staff=True)
    auditor.groups.add(Group.objects.get_or_create(name="auditor")[0])
    client.force_login(auditor)
    page = client.get(reverse("admin:cob_cobrun_changelist"))
    assert page.status_code == 200
    assert page.context["action_form"] is None
    assert client.get(reverse("admin:cob_poolsnapshot_changelist")).status_code == 200
