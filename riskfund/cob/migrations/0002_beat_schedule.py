"""The beat schedule of the daily close of business: 00:30 Asia/Shanghai every day (SPEC §12).

The crontab carries its own time zone (``CrontabSchedule.timezone``), so the run starts at 00:30 in Baotou
whatever the worker's or the server's zone. Only this task is created or updated; other schedules are never
touched, and the reverse removes only this task.
"""

from django.db import migrations

from riskfund.schedules import schedule_add, schedule_remove

TASK_NAME = "riskfund daily close of business"
TASK = "riskfund.cob.tasks.run_cob_task"


def create_schedule(apps, schema_editor):
    schedule_add(
        apps,
        name=TASK_NAME,
        task=TASK,
        at=(0, 30),
        description="日终批处理：每日00:30（北京时间）处理前一业务日（SPEC §12）",
    )


def remove_schedule(apps, schema_editor):
    schedule_remove(apps, name=TASK_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("cob", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
