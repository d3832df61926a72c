"""The beat schedule of the export purge: every day at 01:30 Asia/Shanghai, after the close of business (00:30),
``export_jobs_purge_expired`` deletes the export jobs whose ``expires_at`` has passed, with their files (issue 7:
files expire). Only this task is created or updated; the reverse removes only this task.
"""

from django.db import migrations
from django.utils import timezone

TASK_NAME = "riskfund purge expired exports"
TASK = "riskfund.exports.tasks.export_jobs_purge_expired"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="1",
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
            "description": "每日01:30（北京时间）删除已过期的导出文件及任务",
        },
    )
    # tell a running DatabaseScheduler that the schedule changed
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
