"""The Celery app. JSON only; time limits and the beat database scheduler come from settings.

Without ``CELERY_BROKER_URL`` tasks run in-process (eager), which is what ``make demo`` uses.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskfund.settings")

app = Celery("riskfund")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
