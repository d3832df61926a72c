"""Dependencies point one way (docs/architecture.md): banks → riskfund.api → the domain apps → the ledger, the
policy, money and access. Inside the domain, from the bottom: the core modules (money, dbmoney, dates, errors,
access) → ledger, policy → parties → pool → lending → claims → cob. Checked on the source itself: every module's
imports, read from its syntax tree (a module-level ``import``, one inside a function, a relative ``from . import``),
so a lazy import cannot hide.

Project wiring is exempt: ``riskfund/settings.py`` and ``riskfund/urls.py`` name every app by design.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WIRING = {"riskfund.settings", "riskfund.urls"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, list[str]]]:
    """Each import statement of the file: its line and the absolute module names it may import, most general first
    (``from riskfund import api`` may import ``riskfund`` and ``riskfund.api``); relative imports are resolved
    against the file's package."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, [alias.name]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module
            found.append((node.lineno, [target, *(f"{target}.{alias.name}" for alias in node.names)]))
    return found


def _sources(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _offending(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    """``file:line imports module`` for each import statement that reaches a forbidden package."""
    found = []
    for path in paths:
        if _module_name(path) in WIRING:
            continue
        for line, names in _imports(path):
            hit = next((name for name in names if any(_within(name, prefix) for prefix in forbidden)), None)
            if hit is not None:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {hit}")
    return found


def test_the_walk_sees_absolute_relative_and_lazy_imports(tmp_path, monkeypatch):
    """The checker itself, on a module written for it: it must see all three forms."""
    package = tmp_path / "riskfund" / "pool"
    package.mkdir(parents=True)
    source = package / "probe.py"
    source.write_text(
        "import banks.auth\nfrom ..api import roles\n\ndef later():\n    from riskfund.api.idempotency import purge\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _offending([source], ("riskfund.api", "banks")) == [
        "riskfund/pool/probe.py:1 imports banks.auth",
        "riskfund/pool/probe.py:2 imports riskfund.api",
        "riskfund/pool/probe.py:5 imports riskfund.api.idempotency",
    ]


def test_domain_apps_import_neither_the_api_nor_banks():
    domain = [p for p in _sources("riskfund") if not _within(_module_name(p), "riskfund.api")]
    assert _offending(domain, ("riskfund.api", "banks")) == []


# What parties may import: its own layer and the layers below it (the core modules, the ledger, the policy).
PARTIES_MAY_IMPORT = (
    "riskfund.parties",
    "riskfund.ledger",
    "riskfund.policy",
    "riskfund.access",
    "riskfund.dates",
    "riskfund.dbmoney",
    "riskfund.modelfields",
    "riskfund.errors",
    "riskfund.money",
)


def _outside(paths: list[Path], allowed: tuple[str, ...]) -> list[str]:
    """``file:line imports module`` for each import of a ``riskfund`` module that is not within ``allowed``
    (``from riskfund import dates`` is judged by ``riskfund.dates``)."""
    found = []
    for path in paths:
        for line, names in _imports(path):
            judged = names[1:] if names[0] == "riskfund" else names[:1]
            for name in judged:
                if _within(name, "riskfund") and not any(_within(name, prefix) for prefix in allowed):
                    found.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return found


def test_the_outside_check_judges_the_module_a_from_import_names(tmp_path, monkeypatch):
    package = tmp_path / "riskfund" / "parties"
    package.mkdir(parents=True)
    source = package / "probe.py"
    source.write_text(
        "from riskfund import dates, pool\nfrom riskfund.lending.models import Loan\n\ndef later():\n"
        "    from . import models\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _outside([source], PARTIES_MAY_IMPORT) == [
        "riskfund/parties/probe.py:1 imports riskfund.pool",
        "riskfund/parties/probe.py:2 imports riskfund.lending.models",
    ]


def test_parties_imports_nothing_above_it():
    """parties imports neither pool nor lending nor cob (nor claims, approvals, outbox …). What moves money for a party
    is a pool service (riskfund/pool/agreements.py), and an admin page that shows or does something of a higher app
    is composed in that app (riskfund/pool/bank_admin.py)."""
    assert _outside(_sources("riskfund/parties"), PARTIES_MAY_IMPORT) == []


def test_the_api_does_not_import_banks():
    """banks builds on riskfund.api (its views, idempotency, problems), never the reverse."""
    assert _offending(_sources("riskfund/api"), ("banks",)) == []


def test_no_app_imports_the_dev_tools():
    assert _offending(_sources("riskfund", "banks"), ("tools",)) == []


def test_production_settings_install_no_dev_tools():
    """``DJANGO_DEBUG=0`` (production): neither the demo loader nor the benchmarks are installed apps."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "riskfund.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "architecture-test-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "riskfund.example.org",
    }
    code = "from django.conf import settings; print(','.join(settings.INSTALLED_APPS))"
    done = subprocess.run(  # noqa: S603 — our own interpreter, a fixed command
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )
    apps = done.stdout.strip().split(",")
    assert "riskfund.pool" in apps
    assert [app for app in apps if _within(app, "tools")] == []
