"""The test suite's settings (pyproject's ``DJANGO_SETTINGS_MODULE``): the development settings of
riskfund/settings.py, read from the environment as ever (``DATABASE_URL``, ``CELERY_BROKER_URL``), with:

- the fast MD5 password hasher for every test (logging in is not what the suite measures);
- the development tools (``tools.demo``, ``tools.bench``) installed whatever ``DJANGO_DEBUG`` says;
- a SQLite test database with a stable name per checkout, outside the repository: pytest-django adds the xdist
  worker (``_gw0``, ``_gw1``…) so that workers never share a file and ``--reuse-db`` finds it again; on PostgreSQL
  pytest-django names it ``test_<database>[_gwN]`` itself;
- uploaded and exported files under the system's temporary directory, so a run leaves nothing in ``var/``;
- hypothesis's example database in that scratch directory too (``SCRATCH_DIR``, read by tests/conftest.py), so a
  failing example is replayed first by the next run in this checkout.
"""

import hashlib
import tempfile
from pathlib import Path

from riskfund.settings import *  # noqa: F403
from riskfund.settings import BASE_DIR, DATABASES, INSTALLED_APPS

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

INSTALLED_APPS = [*INSTALLED_APPS, *(app for app in ("tools.demo", "tools.bench") if app not in INSTALLED_APPS)]

_CHECKOUT = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:12]
SCRATCH_DIR = Path(tempfile.gettempdir()) / f"riskfund-test-{_CHECKOUT}"
SCRATCH_DIR.mkdir(exist_ok=True)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(SCRATCH_DIR / "test.sqlite3")}
MEDIA_ROOT = SCRATCH_DIR / "media"
