"""The beat schedule of the export purge: every day at 01:30 Asia/Shanghai, after the close of business (00:30),
``export_jobs_purge_expired`` deletes the export jobs whose ``expires_at`` has passed, with their files (issue 7:
files expire). Only this task is created or updated; the reverse removes only this task.
"""

from django.db import migrations

from riskfund.schedules import schedule_add, schedule_remove

TASK_NAME = "riskfund purge expired exports"
TASK = "riskfund.exports.tasks.export_jobs_purge_expired"


def create_schedule(apps, schema_editor):
    schedule_add(
        apps,
        name=TASK_NAME,
        task=TASK,
        at=(1, 30),
        description="每日01:30（北京时间）删除已过期的导出文件及任务",
    )


def remove_schedule(apps, schema_editor):
    schedule_remove(apps, name=TASK_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
