"""The beat schedule of the idempotency purge: every day at 01:00 Asia/Shanghai, between the close of business
(00:30) and the export purge (01:30), ``idempotency_keys_purge`` deletes the keys older than 90 days (API.md).
Only this task is created or updated; the reverse removes only this task.
"""

from django.db import migrations

from riskfund.schedules import schedule_add, schedule_remove

TASK_NAME = "riskfund purge old idempotency keys"
TASK = "riskfund.api.tasks.idempotency_keys_purge"


def create_schedule(apps, schema_editor):
    schedule_add(
        apps,
        name=TASK_NAME,
        task=TASK,
        at=(1, 0),
        description="每日01:00（北京时间）删除90天前的幂等键",
    )


def remove_schedule(apps, schema_editor):
    schedule_remove(apps, name=TASK_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
