"""The bureau's admin for people (issue 13), in headless Chromium at 1366×768 and 1920×1080: nothing scrolls sideways
(neither the page nor a box inside it), no UUID is visible, amounts read 1,234,567.89; the status line for an open, a
suspended and a no-policy pool; the district officer's and the auditor's menus; English mode without Chinese labels.
Screenshots go to artifacts/screenshots/."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from conftest import SCREENSHOTS, login, switch_language
from dashboard_world import DEMO_PASSWORDS
from django.utils import timezone

from riskfund.exports.services import export_job_start
from riskfund.lending.models import Loan
from riskfund.money import ceil_fen, money_text
from riskfund.policy.models import PolicyVersion
from riskfund.pool.models import PoolState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
UNGROUPED = re.compile(r"(?<![\d,.])\d{4,}\.\d{2}(?!\d)")  # 151571934.00: an amount without separators
ACCOUNT_WORD = re.compile(r"(?<![:\w])special\b")  # the special account by its code, not "资金池专户"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")

# the page is no wider than the window, and no box that scrolls sideways is wider than itself
OVERFLOW = """() => {
  const page = document.documentElement.scrollWidth - window.innerWidth;
  const boxes = [...document.querySelectorAll('body *')].filter((el) => {
    const x = getComputedStyle(el).overflowX;
    return (x === 'auto' || x === 'scroll') && el.scrollWidth > el.clientWidth + 1 && el.offsetParent !== null;
  }).map((el) => (el.id || el.className || el.tagName).toString().slice(0, 80));
  return {page, boxes};
}"""
# labels, headings, menus and buttons: words of the interface, not data (a changelist's first column is a th too)
LABELS = """() => [...document.querySelectorAll(
  'thead th, label, button, legend, figcaption, dt, .rf-label, #rf-status-line, #nav-sidebar-apps a,'
  + ' #nav-sidebar-apps h2, .rf-list h2, #rf-loan h2, #changelist-filter h3, .rf-links a'
)].filter((el) => el.offsetParent !== null).map((el) => el.innerText.trim()).filter(Boolean)"""

SIZES = [(1366, 768), (1920, 1080)]


def open_pool_today():
    """Today (the machine's date) inside the approved version's validity: new business is open."""
    today = timezone.localdate()
    PolicyVersion.objects.update(effective_from=today - timedelta(days=400), effective_to=today + timedelta(days=365))


def pages(live_server) -> dict[str, str]:
    loan = Loan.objects.filter(compensation__isnull=False).first() or Loan.objects.first()
    return {
        "dashboard": "/admin/",
        "loans": "/admin/lending/loan/",
        "loan": f"/admin/lending/loan/{loan.pk}/change/",
        "ledger": "/admin/ledger/transaction/",
        "accounts": "/admin/ledger/account/",
        "exports": "/admin/exports/exportjob/",
        "export-start": "/admin/exports/exportjob/start/",
    }


def check_page(page, name: str, size: tuple[int, int]) -> None:
    page.wait_for_load_state("load")
    text = page.inner_text("body")
    overflow = page.evaluate(OVERFLOW)
    page.screenshot(path=str(SCREENSHOTS / f"people-{name}-{size[0]}.png"), full_page=True)
    assert overflow["page"] <= 0, (name, size, overflow)
    assert overflow["boxes"] == [], (name, size, overflow)
    assert not UUID.search(text), (name, UUID.search(text).group(0))
    assert not UNGROUPED.search(text), (name, UNGROUPED.search(text).group(0))
    assert not ACCOUNT_WORD.search(text), (name, ACCOUNT_WORD.search(text).group(0))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_pages_fit_the_window_show_no_uuid_and_group_amounts(browser, live_server, demo_portfolio, size):
    open_pool_today()
    export_job_start(kind="bureau_monthly", params={"month": "2025-09"}, owner=_bureau())
    page = login(browser, live_server, "bureau", DEMO_PASSWORDS["bureau"])
    page.set_viewport_size({"width": size[0], "height": size[1]})
    for name, path in pages(live_server).items():
        page.goto(f"{live_server.url}{path}")
        check_page(page, name, size)
    # the dashboard's amounts are grouped and carry 元
    page.goto(f"{live_server.url}/admin/")
    funds = PoolState.objects.get().pool_funds
    assert f"{money_text(funds)} 元" in page.inner_text("#rf-position")


def _bureau():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="bureau")


def test_status_line_open_suspended_and_no_policy(browser, live_server, demo_portfolio):
    page = login(browser, live_server, "bureau", DEMO_PASSWORDS["bureau"])
    page.set_viewport_size({"width": 1366, "height": 768})

    # the demo's version ran to 2026-04-29 at the latest; move it past today to make sure none is in force
    today = timezone.localdate()
    PolicyVersion.objects.update(effective_from=today - timedelta(days=800), effective_to=today - timedelta(days=1))
    page.goto(f"{live_server.url}/admin/")
    assert page.inner_text("#rf-status-line") == "新增业务：暂停（无有效政策版本）"
    assert page.inner_text("#rf-status .rf-badge") == "无有效政策"
    page.screenshot(path=str(SCREENSHOTS / "people-status-no-policy.png"))

    open_pool_today()
    state = PoolState.objects.get()
    page.goto(f"{live_server.url}/admin/")
    assert page.inner_text("#rf-status-line") == "新增业务：正常"
    headroom = (Decimal("0.20") * state.pool_funds - state.net_compensation).quantize(Decimal("0.01"), "ROUND_DOWN")
    assert f"{money_text(headroom)} 元" in page.inner_text("#rf-headroom")
    page.screenshot(path=str(SCREENSHOTS / "people-status-open.png"))

    # N = 25 % of F: suspended; resume = N ÷ 20 % − F, up to the fen, + 0.01 (SPEC §5)
    net = (state.pool_funds / 4).quantize(Decimal("0.01"))
    PoolState.objects.filter(pk=1).update(net_compensation=net, suspended=True)
    resume = ceil_fen(net / Decimal("0.20") - state.pool_funds) + Decimal("0.01")
    page.goto(f"{live_server.url}/admin/")
    assert page.inner_text("#rf-status-line") == "新增业务：暂停（代偿比例已达暂停警戒线）"
    assert page.inner_text("#rf-status .rf-badge") == "暂停新增"
    assert f"{money_text(resume)} 元" in page.inner_text("#rf-resume")
    page.screenshot(path=str(SCREENSHOTS / "people-status-suspended.png"))

    switch_language(page, "en")
    assert page.inner_text("#rf-status-line") == "New business: suspended (compensation ratio at the suspension line)"


def test_district_officer_and_auditor_menus(browser, live_server, demo_portfolio):
    district = login(browser, live_server, "district", DEMO_PASSWORDS["district"])
    menu = district.inner_text("#nav-sidebar-apps")
    assert "助保金贷款" in menu and "企业" in menu
    for hidden in ("资金池", "账务", "系统", "注资", "记账凭证", "用户"):
        assert hidden not in menu, hidden
    district.screenshot(path=str(SCREENSHOTS / "people-menu-district.png"))

    auditor = login(browser, live_server, "auditor", DEMO_PASSWORDS["auditor"])
    menu = auditor.inner_text("#nav-sidebar-apps")
    assert "记账凭证" in menu and "助保金贷款" in menu and "审计日志" in menu
    # 系统 may show the failed logins the auditor reads (django-axes), never accounts, keys, tokens or schedules
    for hidden in ("用户", "接口密钥", "周期性任务", "auth tokens"):
        assert hidden not in menu, hidden
    auditor.screenshot(path=str(SCREENSHOTS / "people-menu-auditor.png"))


def test_english_mode_leaves_no_chinese_label(browser, live_server, demo_portfolio):
    open_pool_today()
    export_job_start(kind="bureau_monthly", params={"month": "2025-09"}, owner=_bureau())
    page = login(browser, live_server, "bureau", DEMO_PASSWORDS["bureau"])
    page.set_viewport_size({"width": 1366, "height": 768})
    switch_language(page, "en")
    for name, path in {**pages(live_server), "bank-report": "/admin/dashboard/bankperformancereport/"}.items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        chinese = [label for label in page.evaluate(LABELS) if CJK.search(label)]
        page.screenshot(path=str(SCREENSHOTS / f"people-en-{name}.png"), full_page=True)
        assert chinese == [], (name, chinese)
