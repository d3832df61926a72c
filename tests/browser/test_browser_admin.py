"""The bureau's admin in a real headless Chromium (issue 6): the Chinese dashboard with drawn charts, a top-up
approved by a second user, a district officer limited to its district."""

import pytest
from conftest import SCREENSHOTS, login, switch_language
from dashboard_world import DEMO_PASSWORDS

from riskfund.parties.models import Bank, Enterprise
from riskfund.pool.models import DepositTopUp, TopUpStatus
from riskfund.pool.selectors import deposit_balance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRAWN = """() => Object.values(Chart.instances).filter((chart) => {
    const canvas = chart.canvas;
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) return true; }
    return false;
}).length"""


def test_bureau_sees_the_chinese_dashboard_with_drawn_charts(browser, live_server, demo_portfolio):
    page = login(browser, live_server, "bureau", DEMO_PASSWORDS["bureau"])
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 6")
    assert page.inner_text("#site-name") == "助保金贷款资金池管理系统"
    for canvas in ("chart-capacity", "chart-ratio", "chart-balance", "chart-districts", "chart-banks", "chart-buckets"):
        assert page.locator(f"canvas#{canvas}").count() == 1
    assert page.evaluate("Object.keys(Chart.instances).length") == 6
    assert page.evaluate(DRAWN) == 6  # every canvas has painted pixels
    assert "授信额度使用率" in page.inner_text("#rf-dashboard")
    assert "待审批事项" in page.inner_text("#rf-pending")
    page.screenshot(path=str(SCREENSHOTS / "dashboard-zh.png"), full_page=True)

    switch_language(page, "en")
    page.wait_for_function("() => document.querySelector('#site-name').innerText.includes('SME')")
    assert page.inner_text("#site-name") == "SME loan-guarantee pool administration"
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 6")
    assert "Capacity used" in page.inner_text("#rf-dashboard")
    page.screenshot(path=str(SCREENSHOTS / "dashboard-en.png"), full_page=True)


def test_a_second_bureau_user_approves_the_topup_the_first_requested(browser, live_server, demo_portfolio):
    bank = next(b for b in Bank.objects.order_by("code") if b.outstanding_principal > 10 * deposit_balance(b))
    maker = login(browser, live_server, "bureau", DEMO_PASSWORDS["bureau"])
    maker.goto(f"{live_server.url}/admin/pool/deposittopup/add/")
    maker.select_option("#id_bank", str(bank.pk))
    maker.fill("#id_requested_amount", "300000.00")
    maker.fill("#id_reason", "在贷余额超过抵押金10倍")
    maker.click("[name=_save]")
    topup = DepositTopUp.objects.get(bank=bank, status=TopUpStatus.REQUESTED)

    def approve(page):
        page.goto(f"{live_server.url}/admin/pool/deposittopup/?status__exact=requested")
        page.check(f"input[name=_selected_action][value='{topup.pk}']")
        page.select_option("select[name=action]", "approve_selected")
        page.click("button[name=index]")
        page.wait_for_selector("#rf-messages li")
        return page.inner_text("#rf-messages")

    assert "approver_is_requester" in approve(maker).lower()
    topup.refresh_from_db()
    assert topup.status == TopUpStatus.REQUESTED

    checker = login(browser, live_server, "bureau2", DEMO_PASSWORDS["bureau2"])
    assert "已批准" in approve(checker)
    topup.refresh_from_db()
    assert topup.status == TopUpStatus.APPROVED and topup.approved_by.username == "bureau2"
    checker.goto(f"{live_server.url}/admin/pool/deposittopup/")
    checker.screenshot(path=str(SCREENSHOTS / "topup-approved.png"), full_page=True)


def test_district_officer_sees_only_its_district(browser, live_server, demo_portfolio):
    page = login(browser, live_server, "district", DEMO_PASSWORDS["district"])
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 2")
    assert page.locator("canvas#chart-banks").count() == 0  # no bank or pool-wide figures
    assert page.evaluate(DRAWN) == 2
    page.screenshot(path=str(SCREENSHOTS / "district-dashboard.png"), full_page=True)

    page.goto(f"{live_server.url}/admin/parties/enterprise/")
    rows = page.locator("#result_list tbody tr:has(td)")
    mine = Enterprise.objects.filter(district_id="150203")
    assert rows.count() == mine.count() > 0
    assert set(page.locator("#result_list tbody td.field-district").all_inner_texts()) == {"昆都仑区（150203）"}
    other = Enterprise.objects.exclude(district_id="150203").first()
    assert other.name not in page.inner_text("#result_list")
    page.screenshot(path=str(SCREENSHOTS / "district-enterprises.png"), full_page=True)
    page.goto(f"{live_server.url}/admin/pool/injection/")
    assert "403" in page.title() or page.locator("text=403").count() > 0
