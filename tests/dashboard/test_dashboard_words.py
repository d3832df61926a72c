"""The dashboard answers in words first (issue 13): the status line, the headroom to the suspension line (art. 37) or
the resume figure (SPEC §5, art. 38), and lists whose counts are the counts of the changelists they link to."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from riskfund.dashboard.worklists import NO_POLICY, OPEN, SUSPENDED, business_status, headroom
from riskfund.money import money_text, percent_text
from riskfund.policy.models import PolicyVersion

T = Decimal("0.20")


def test_headroom_art37_is_threshold_times_pool_funds_less_net_compensation():
    # 20 % × 10,000,000.00 = 2,000,000.00; 2,000,000.00 − 1,234,567.89 = 765,432.11
    assert headroom(Decimal("10000000.00"), Decimal("1234567.89"), T) == Decimal("765432.11")
    # 20 % × 10,000,000.03 = 2,000,000.006: the line is reached below the next fen, so 765,432.11 (down)
    assert headroom(Decimal("10000000.03"), Decimal("1234567.89"), T) == Decimal("765432.11")
    # 20 % × 10,000,000.05 = 2,000,000.01 → 765,432.12
    assert headroom(Decimal("10000000.05"), Decimal("1234567.89"), T) == Decimal("765432.12")


def test_headroom_art37_is_zero_at_or_beyond_the_line():
    assert headroom(Decimal("10000000.00"), Decimal("2000000.00"), T) == Decimal("0.00")
    assert headroom(Decimal("10000000.00"), Decimal("2500000.00"), T) == Decimal("0.00")


def test_money_and_ratio_for_people():
    assert money_text(Decimal("151571934")) == "151,571,934.00"
    assert money_text("4173900.00") == "4,173,900.00"
    assert money_text(Decimal("-1234.5")) == "-1,234.50"
    assert percent_text(Decimal("0.049489")) == "4.95 %"
    assert percent_text(Decimal("0.2")) == "20.00 %"


def _position(*, funds: str, net: str, suspended: bool, resume: str = "0.00") -> dict:
    return {
        "pool_funds": Decimal(funds),
        "net_compensation": Decimal(net),
        "suspension_threshold": T,
        "suspended": suspended,
        "resume_replenishment": Decimal(resume),
    }


@pytest.mark.django_db
def test_status_line_art37_open_suspended_and_no_policy(demo):
    version = PolicyVersion.objects.get()  # the seed version: 2021-04-30 … 2026-04-29
    in_force = date(2025, 10, 1)
    opened = business_status(_position(funds="10000000.00", net="1234567.89", suspended=False), in_force)
    assert (opened["state"], opened["line"], opened["badge"]) == (OPEN, "新增业务：正常", "正常")
    assert opened["headroom"] == Decimal("765432.11")
    assert opened["policy_expires_on"] == version.effective_to == date(2026, 4, 29)
    assert opened["policy_days_left"] == 210  # 2025-10-01 → 2026-04-29

    # N = 2,100,000.00 ≥ 20 % × 10,000,000.00: resume = 2,100,000.00 ÷ 0.2 − 10,000,000.00 + 0.01 = 500,000.01
    suspended = business_status(
        _position(funds="10000000.00", net="2100000.00", suspended=True, resume="500000.01"), in_force
    )
    assert (suspended["state"], suspended["line"]) == (SUSPENDED, "新增业务：暂停（代偿比例已达暂停警戒线）")
    assert suspended["resume"] == Decimal("500000.01") and suspended["badge"] == "暂停新增"

    # SPEC §4: no version in force comes first, even when the pool is also suspended
    lapsed = business_status(_position(funds="10000000.00", net="2100000.00", suspended=True), date(2026, 5, 1))
    assert (lapsed["state"], lapsed["line"], lapsed["badge"]) == (
        NO_POLICY,
        "新增业务：暂停（无有效政策版本）",
        "无有效政策",
    )
    assert lapsed["policy_expires_on"] is None


@pytest.mark.django_db
def test_status_line_reads_english_in_english_mode(demo):
    from django.utils import translation

    with translation.override("en"):
        line = business_status(_position(funds="1.00", net="0.00", suspended=False), date(2025, 10, 1))["line"]
        lapsed = business_status(_position(funds="1.00", net="0.00", suspended=False), date(2026, 5, 1))["line"]
    assert line == "New business: open"
    assert lapsed == "New business: suspended (no policy version in force)"


@pytest.mark.django_db
def test_every_dashboard_list_count_is_its_changelist_count(client, demo):
    client.force_login(get_user_model().objects.get(username="bureau"))
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    links = re.findall(r'<a href="([^"]+)" class="rf-all" data-count="(\d+)"', html)
    assert len(links) >= 5  # payables, top-ups, maturities, late loans, late compensations (+ listings)
    for href, count in links:
        listed = client.get(href.replace("&amp;", "&"))
        assert listed.status_code == 200, href
        assert listed.context["cl"].result_count == int(count), href
    d = page.context["d"]
    assert d["status"]["line"] in html
    assert money_text(d["payables"]["amount"]) in html
