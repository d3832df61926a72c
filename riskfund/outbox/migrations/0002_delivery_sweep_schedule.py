"""Beat schedule for the webhook sweep: every minute, deliver the outbox events that are due (API.md:
delivered at least once, with retries and backoff). Only this task is created; the reverse removes it."""

from django.db import migrations

from riskfund.schedules import schedule_add, schedule_remove

TASK_NAME = "riskfund webhook delivery sweep"
TASK = "banks.tasks.deliver_due_webhooks"


def create_schedule(apps, schema_editor):
    schedule_add(
        apps,
        name=TASK_NAME,
        task=TASK,
        every_minutes=1,
        description="每分钟投递到期的银行通知事件（含失败重试）",
    )


def remove_schedule(apps, schema_editor):
    schedule_remove(apps, name=TASK_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
