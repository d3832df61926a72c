"""Settings of the gunicorn that ``make bench`` starts: the project's own settings, read from the environment as in
production (the bench runs it with ``DJANGO_DEBUG=0``, a throw-away secret and ``ALLOWED_HOSTS=127.0.0.1``), with
two changes for the load test only:

- ``ROOT_URLCONF`` adds the bare baseline view (``tools.bench.urls``) in front of the project's URLs;
- the per-bank rate limit (600/min in production) is raised so that it does not cut the load test short; the
  throttle itself still runs on every request.

Nothing imports this module; only ``DJANGO_SETTINGS_MODULE=tools.bench.settings`` in the bench's environment.
"""

from riskfund.settings import *  # noqa: F403
from riskfund.settings import REST_FRAMEWORK as _PROJECT_REST_FRAMEWORK

ROOT_URLCONF = "tools.bench.urls"
REST_FRAMEWORK = {
    **_PROJECT_REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {**_PROJECT_REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "bank": "1000000/min"},
}
