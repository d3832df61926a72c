"""Beat schedules, written by data migrations: Celery beat runs with django_celery_beat's ``DatabaseScheduler``, so
a periodic task is a ``PeriodicTask`` row, and each app's migration creates its own (the daily close of business,
the webhook sweep, the export purge, the idempotency purge).

``schedule_add`` creates or updates one named task and touches ``PeriodicTasks`` so that a running beat reloads;
it never changes another task, so schedules an operator added are left alone, and ``schedule_remove`` (the
migration's reverse) deletes only the named task. Both take the migration's historical ``apps``: they run inside
migrations, against the models as they were then. A crontab carries its own time zone, so a run at "00:30" is at
00:30 in Baotou whatever the server's zone.
"""

from django.utils import timezone

SHANGHAI = "Asia/Shanghai"


def schedule_add(
    apps, *, name: str, task: str, description: str, at: tuple[int, int] | None = None, every_minutes: int = 0
) -> None:
    """Create or update the periodic task ``name`` running ``task`` daily at ``at`` = (hour, minute) Asia/Shanghai,
    or every ``every_minutes`` minutes."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    if (at is None) == (not every_minutes):
        raise ValueError("a schedule runs either daily at a time or every N minutes")
    crontab = interval = None
    if at is not None:
        hour, minute = at
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=str(minute),
            hour=str(hour),
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=SHANGHAI,
        )
    else:
        interval, _ = IntervalSchedule.objects.get_or_create(every=every_minutes, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=name,
        defaults={
            "task": task,
            "crontab": crontab,
            "interval": interval,
            "solar": None,
            "clocked": None,
            "args": "[]",
            "kwargs": "{}",
            "enabled": True,
            "one_off": False,
            "description": description,
        },
    )
    # tell a running DatabaseScheduler that the schedule changed
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def schedule_remove(apps, *, name: str) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()
