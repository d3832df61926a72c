"""The lending admin (Chinese, read-only): lists and detail pages render, with the loan's inlines."""

from datetime import date
from decimal import Decimal

from django.urls import reverse
from lending_world import TODAY

from riskfund.lending.services import enterprise_list_dishonest, loan_event_record, repayment_post


def test_admin_pages_render_read_only_with_the_loan_timeline(world, admin_client):
    enterprise = world.enterprise()
    loan = world.lend(enterprise, "1000000", counter_guarantees=[{"kind": "movable", "description": "设备抵押"}])
    repayment_post(
        loan=loan, paid_on=date(2025, 5, 1), principal=Decimal("100000"), interest=Decimal("2875"), today=TODAY
    )
    loan_event_record(loan=loan, kind="risk_warning", occurred_on=date(2025, 6, 1), notes="订单下滑", today=TODAY)
    enterprise_list_dishonest(enterprise=enterprise, on=date(2025, 7, 1), reason="测试", cause="other")
    for model in (
        "parties_enterprise",
        "lending_application",
        "lending_recommendation",
        "lending_loan",
        "lending_loanevent",
    ):
        response = admin_client.get(reverse(f"admin:{model}_changelist"))
        assert response.status_code == 200, model
    page = admin_client.get(reverse("admin:lending_loan_change", args=[loan.pk])).content.decode()
    assert "订单下滑" in page and "设备抵押" in page and "贷后事项时间线" in page
    assert 'name="principal"' not in page  # money fields are not editable
    page = admin_client.get(reverse("admin:parties_enterprise_change", args=[enterprise.pk])).content.decode()
    assert "失信名单记录" in page
    add = admin_client.get(reverse("admin:lending_loan_add"))
    assert add.status_code == 403
