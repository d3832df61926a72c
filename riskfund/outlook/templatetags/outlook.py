"""``{% outlook_card %}``: the stop-line forecast card with its fan chart, a self-contained include for the
dashboard (the template links its own stylesheet and script; Chart.js must be on the page, as on the dashboard).

The card shows the latest stored forecast of the base scenario; it never computes one (that is the daily run's
task, or the bureau's "run now"). A district officer sees the pool-wide line and its own district's row."""

from django import template

from riskfund.access import is_district_only, user_district_code
from riskfund.outlook.display import forecast_panel
from riskfund.outlook.models import BASE, Scenario
from riskfund.outlook.selectors import latest_forecast

register = template.Library()


@register.inclusion_tag("outlook/card.html", takes_context=True)
def outlook_card(context) -> dict:
    request = context["request"]
    user = request.user
    district = (user_district_code(user) or "") if is_district_only(user) else None
    scenario = Scenario.objects.filter(name=BASE).first()
    forecast = latest_forecast(scenario) if scenario is not None else None
    return {
        "request": request,
        "scenario": scenario,
        "district_view": district is not None,
        "card": forecast_panel(forecast, district) if forecast is not None else None,
    }
