"""``{% riskfund_dashboard %}``: the dashboard block of the admin index (templates/admin/index.html)."""

from django import template

from riskfund.dashboard.selectors import dashboard

register = template.Library()


@register.inclusion_tag("dashboard/dashboard.html", takes_context=True)
def riskfund_dashboard(context) -> dict:
    request = context["request"]
    return {"request": request, "d": dashboard(request.user)}
