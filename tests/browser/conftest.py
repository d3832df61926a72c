"""Browser tests: Debian's headless Chromium driven by Playwright (``executable_path``; no ``playwright install``).

Skipped with a reason when /usr/bin/chromium or the playwright package is missing. Screenshots go to
``artifacts/screenshots/`` (gitignored; CI keeps them as artifacts)."""

import os
import sys
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dashboard"))


def pytest_collection_modifyitems(config, items):
    reason = None
    if not CHROMIUM.exists():
        reason = "needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium fonts-noto-cjk)"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            reason = "needs the playwright package (requirements-dev.txt)"
    if reason:
        for item in items:
            if item.get_closest_marker("browser"):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls stay synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def demo_portfolio(transactional_db):
    from dashboard_world import build_demo

    return build_demo()


def login(browser, live_server, username: str, password: str):
    """A new page (1400 × 1000, Chinese) logged in to the admin as ``username``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    # generous waits: CI runs these beside other tests on two cores, and a chart may take seconds to appear
    context.set_default_timeout(90_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-form [type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


def switch_language(page, code: str) -> None:
    """Post the language menu's form for ``code`` (unfold keeps it in the user menu) and wait for the reload."""
    with page.expect_navigation():
        page.evaluate(f"document.querySelector('input[name=language][value={code}]').form.submit()")
