"""The import section of ``make bench`` (issue 17): ``bench_import`` in a subprocess, on a database of its own
(``<bench database>_imports``), so the big portfolio of the other sections is left as it is."""

import json
import os
import subprocess
import sys

from django.conf import settings


def measure_imports(log, *, loans: int) -> dict:
    db = settings.DATABASES["default"]
    auth = f"{db['USER']}{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}@" if db.get("USER") else ""
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    env = {**os.environ, "DATABASE_URL": f"postgres://{auth}{host}/{db['NAME']}_imports"}
    log(f"bench_import --loans {loans} on {db['NAME']}_imports")
    done = subprocess.run(  # noqa: S603 — our own manage.py with fixed arguments
        [sys.executable, "manage.py", "bench_import", "--loans", str(loans)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    log(f"import: {result}")
    return result
