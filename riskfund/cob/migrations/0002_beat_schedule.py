"""The beat schedule of the daily close of business: 00:30 Asia/Shanghai every day (SPEC §12).

The crontab carries its own time zone (``CrontabSchedule.timezone``), so the run starts at 00:30 in Baotou
whatever the worker's or the server's zone. Only this task is created or updated; other schedules are never
touched, and the reverse removes only this task.
"""

from django.db import migrations
from django.utils import timezone

TASK_NAME = "riskfund daily close of business"
TASK = "riskfund.cob.tasks.run_cob_task"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="0",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": TASK,
            "crontab": crontab,
            "interval": None,
            "solar": None,
            "clocked": None,
            "args": "[]",
            "kwargs": "{}",
            "enabled": True,
            "one_off": False,
            "description": "日终批处理：每日00:30（北京时间）处理前一业务日（SPEC §12）",
        },
    )
    # tell a running DatabaseScheduler that the schedule changed
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cob", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
