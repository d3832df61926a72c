"""The stop-line forecast (API.md ``GET /api/v1/outlook/``; art. 13, 20, 37, 38): all staff, a district officer
with its own district's funder row only.

The forecast of the scenario (``base`` unless ``?scenario=<name>``) for the latest closed business date; when none
is stored yet it is computed during the request and stored with its inputs (``riskfund.outlook.services``).
Amounts are decimal strings with two places, ratios and probabilities with six.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from riskfund.outlook.models import BASE
from riskfund.outlook.selectors import forecast_view
from riskfund.outlook.services import forecast_for

from ..fields import BusinessDateField, MoneyField, NamedChoiceField, RatioField, TextField
from ..roles import IsStaff
from ..schema import problem_answer
from ..scope import visible_district


class OutlookQuerySerializer(serializers.Serializer):
    scenario = serializers.SlugField(
        required=False, max_length=40, default=BASE, help_text=_("a scenario's name (default: base)")
    )


class RatioBandsSerializer(serializers.Serializer):
    p5 = RatioField()
    p50 = RatioField()
    p95 = RatioField()

    class Meta:
        ref_name = "OutlookRatioBands"


class MoneyBandsSerializer(serializers.Serializer):
    p5 = MoneyField()
    p50 = MoneyField()
    p95 = MoneyField()

    class Meta:
        ref_name = "OutlookMoneyBands"


class OutlookMonthSerializer(serializers.Serializer):
    month = serializers.IntegerField(min_value=1, help_text=_("months after as_of (1 … 12)"))
    date = BusinessDateField(help_text=_("the month's end: as_of plus this many months"))
    pool_funds = MoneyField(help_text=_("F: today's funds plus the injections committed by then"))
    ratio = RatioBandsSerializer(help_text=_("N ÷ F over the simulated paths"))
    net_compensation = MoneyBandsSerializer(help_text=_("N over the simulated paths"))
    capacity_left = MoneyBandsSerializer(help_text=_("leverage × (F − N) − outstanding, never below 0 (art. 9)"))
    outstanding_p50 = MoneyField(help_text=_("median outstanding principal (no new lending assumed)"))
    crossed_probability = RatioField(help_text=_("share of paths with N ≥ threshold × F by this month (art. 37)"))

    class Meta:
        ref_name = "OutlookMonth"


class OutlookFunderSerializer(serializers.Serializer):
    code = TextField()
    name = TextField()
    tier = NamedChoiceField(choices=["region", "city", "district"], enum_name="OutlookFunderTierEnum")
    loss = MoneyField(help_text=_("its loss balance on as_of"))
    expected_loss = MoneyField(help_text=_("mean pool-share loss it takes on in the 12 months, net of recoveries"))
    loss_share = RatioField(help_text=_("its part of all funders' expected loss (art. 20: 30:30:40)"))
    replenishment_due_p50 = MoneyField(help_text=_("replenishment due at the horizon, median (art. 13, 38)"))
    replenishment_due_p95 = MoneyField(help_text=_("replenishment due at the horizon, 95th percentile"))

    class Meta:
        ref_name = "OutlookFunder"


class OutlookSerializer(serializers.Serializer):
    as_of = BusinessDateField(help_text=_("the latest closed business date the forecast starts from"))
    scenario = TextField()
    scenario_title = TextField()
    paths = serializers.IntegerField()
    seed = serializers.IntegerField()
    horizon = serializers.IntegerField(help_text=_("months projected"))
    threshold = RatioField(help_text=_("the suspension threshold (art. 37)"))
    computed_at = serializers.DateTimeField()
    months = OutlookMonthSerializer(many=True)
    crossing_month_p50 = serializers.IntegerField(
        allow_null=True, help_text=_("median month of first crossing (0: already over the line); null beyond 12")
    )
    funders = OutlookFunderSerializer(many=True)

    class Meta:
        ref_name = "Outlook"


EXAMPLE_MONTH = {
    "month": 1,
    "date": "2027-01-31",
    "pool_funds": "150000000.00",
    "ratio": {"p5": "0.053967", "p50": "0.065034", "p95": "0.081185"},
    "net_compensation": {"p5": "8095050.00", "p50": "9755100.00", "p95": "12177750.00"},
    "capacity_left": {"p5": "1230000000.00", "p50": "1252619816.90", "p95": "1270000000.00"},
    "outstanding_p50": "164118750.00",
    "crossed_probability": "0.000000",
}
EXAMPLE = {
    "as_of": "2026-12-31",
    "scenario": "base",
    "scenario_title": "基准情景",
    "paths": 1000,
    "seed": 20210430,
    "horizon": 12,
    "threshold": "0.200000",
    "computed_at": "2027-01-01T00:31:12+08:00",
    "months": [EXAMPLE_MONTH],
    "crossing_month_p50": None,
    "funders": [
        {
            "code": "150203",
            "name": "昆都仑区",
            "tier": "district",
            "loss": "699830.00",
            "expected_loss": "785408.46",
            "loss_share": "0.090279",
            "replenishment_due_p50": "1437533.45",
            "replenishment_due_p95": "2299247.59",
        }
    ],
}


class OutlookView(APIView):
    """When will N/F reach the suspension line, and who will have to pay (art. 13, 20, 37, 38)."""

    permission_classes = [IsStaff]

    @extend_schema(
        tags=["outlook"],
        operation_id="outlook_retrieve",
        summary="Stop-line forecast",
        parameters=[OutlookQuerySerializer],
        responses={
            200: OutlookSerializer,
            404: problem_answer("no scenario of that name, or no business date closed yet"),
        },
        examples=[OpenApiExample("base scenario (one month shown)", value=EXAMPLE, response_only=True)],
    )
    def get(self, request):
        query = OutlookQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        forecast = forecast_for(scenario_name=query.validated_data["scenario"])
        return Response(OutlookSerializer(forecast_view(forecast, visible_district(request.user))).data)
