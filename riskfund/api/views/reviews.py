"""The bureau's reviews in the pipeline (API.md, Staff endpoints; SPEC §8, §10):

- ``POST /api/v1/recommendations/{id}/guarantor-opinion/`` — the guarantor's due-diligence opinion, reported to
  the bureau and recorded by bureau or trustee staff (art. 26); with the bank's, it gates the loan.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from riskfund.lending.models import DueDiligenceParty, Opinion, Recommendation
from riskfund.lending.services import due_diligence_record

from ..fields import BusinessDateField, TextField
from ..idempotency import IdempotentMixin
from ..roles import BUREAU, TRUSTEE, HasRole
from .common import validated
from .lending import RecommendationIssuedSerializer


class GuarantorOpinionInputSerializer(serializers.Serializer):
    opinion = serializers.ChoiceField(
        choices=Opinion.values, help_text=_("reject closes the recommendation; approve with the bank's makes it usable")
    )
    reported_on = BusinessDateField(help_text=_("date of the guarantor's opinion; not after today"))
    notes = TextField(required=False, allow_blank=True, default="", max_length=5000)

    class Meta:
        ref_name = "GuarantorOpinionInput"


class GuarantorOpinionCreate(IdempotentMixin, APIView):
    """The guarantor's due-diligence opinion (art. 26), recorded by the bureau or the trustee."""

    permission_classes = [HasRole(BUREAU, TRUSTEE)]

    @extend_schema(
        tags=["lending"],
        operation_id="recommendation_guarantor_opinion",
        summary="Record the guarantor's due-diligence opinion",
        description="A recommendation is usable for one loan once the bank and the guarantor both approve; a reject "
        "by either closes it (422 recommendation_not_usable for a closed or used one). reported_on after today → "
        "422 date_in_future.",
        request=GuarantorOpinionInputSerializer,
        responses={200: RecommendationIssuedSerializer},
        examples=[
            OpenApiExample(
                "approve", value={"opinion": "approve", "reported_on": "2025-06-30", "notes": ""}, request_only=True
            )
        ],
    )
    def post(self, request, recommendation_id):
        values = validated(GuarantorOpinionInputSerializer, request)
        recommendation = get_object_or_404(Recommendation, pk=recommendation_id)
        due_diligence_record(
            recommendation=recommendation, party=DueDiligenceParty.GUARANTOR, user=request.user, **values
        )
        recommendation = Recommendation.objects.select_related("application__enterprise", "bank", "guarantor").get(
            pk=recommendation.pk
        )
        return Response(RecommendationIssuedSerializer(recommendation).data)
