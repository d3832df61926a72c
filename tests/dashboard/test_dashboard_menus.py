"""The admin on django-unfold (issue 13): every model admin on unfold's base, the sidebar by role, "view site" back
to the dashboard, amounts grouped by three in Chinese as in English."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import formats, translation
from unfold.admin import ModelAdmin as UnfoldModelAdmin
from unfold.admin import StackedInline, TabularInline

from riskfund.dashboard.navigation import sidebar


def test_every_registered_model_admin_and_inline_is_unfolds():
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, UnfoldModelAdmin), model
        for inline in model_admin.inlines:
            assert issubclass(inline, TabularInline | StackedInline), (model, inline)


def test_amounts_are_grouped_by_three_in_both_languages():
    from decimal import Decimal

    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert formats.number_format(Decimal("151571934.00"), 2, use_l10n=True) == "151,571,934.00"


def _titles(user) -> dict[str, list[str]]:
    request = type("Request", (), {"user": user, "path": "/admin/", "GET": {}})()
    with translation.override("zh-hans"):
        return {str(g["title"]): [str(i["title"]) for i in g["items"]] for g in sidebar(request) if g["items"]}


@pytest.mark.django_db
def test_sidebar_by_role(demo):
    User = get_user_model()
    bureau = _titles(User.objects.get(username="bureau"))
    groups = list(bureau)
    assert groups[0] == "概览" and groups[-1] == "系统"
    assert "助保金贷款" in bureau["贷款业务"] and "记账凭证" in bureau["账务"]
    assert {"用户", "组", "周期性任务"} <= set(bureau["系统"])  # plumbing is folded away at the bottom

    district = _titles(User.objects.get(username="district"))
    assert set(district) == {"概览", "贷款业务", "日常工作"}
    assert set(district["贷款业务"]) == {"助保金贷款", "企业", "贷款申请", "推荐表", "贷后事项"}

    auditor = _titles(User.objects.get(username="auditor"))
    assert "账务" in auditor
    assert not {"用户", "组", "周期性任务", "工作人员档案"} & set(auditor.get("系统", []))
    assert not any("接口密钥" in items for items in auditor.values())


@pytest.mark.django_db
def test_view_site_leads_to_the_dashboard(client, demo):
    client.force_login(get_user_model().objects.get(username="bureau"))
    page = client.get(reverse("admin:lending_loan_changelist"))
    assert page.context["site_url"] == reverse("admin:index")
