"""The daily close of business by hand (API.md ``POST /api/v1/cob/``, SPEC §12): bureau or trustee.

The run itself is the Celery task ``run_cob_task`` (thin, safe to run twice: a done date changes nothing, a run
that died is resumed), queued when the request's transaction commits; the answer is 202 at once. What can be
known before queueing is answered now, by the service's ``cob_check_runnable``: a date after today → 422
``date_in_future``; a date before a date that already has a run → 422 ``cob_date_before_last_run``.
``GET /api/v1/cob/`` lists the runs (bureau, trustee, auditor).
"""

import uuid
from functools import partial

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, mixins, serializers, status
from rest_framework.response import Response

from riskfund.cob.models import CobRun, RunStatus
from riskfund.cob.services import cob_check_runnable
from riskfund.cob.tasks import run_cob_task

from ..fields import BusinessDateField, NamedChoiceField
from ..idempotency import IdempotentMixin
from ..roles import AUDITOR, BUREAU, TRUSTEE, HasRole
from ..serializers import InputSerializer
from .common import MethodPermissionsMixin, validated


class CobInputSerializer(InputSerializer):
    business_date = BusinessDateField(help_text=_("the business day to close; not after today"))

    class Meta:
        ref_name = "CobInput"


class CobQueuedSerializer(serializers.Serializer):
    business_date = BusinessDateField()
    status = NamedChoiceField(
        choices=["queued"], enum_name="CobQueuedStatusEnum", help_text=_("the run is queued; see GET /api/v1/cob/")
    )
    task_id = serializers.UUIDField(help_text=_("the Celery task id"))

    class Meta:
        ref_name = "CobQueued"


class CobRunSerializer(serializers.ModelSerializer):
    business_date = BusinessDateField()
    status = NamedChoiceField(choices=RunStatus.values, enum_name="CobRunStatusEnum")

    class Meta:
        model = CobRun
        ref_name = "CobRun"
        fields = ["business_date", "status", "started_at", "finished_at", "attempts"]
        read_only_fields = fields


class CobRunListCreate(IdempotentMixin, MethodPermissionsMixin, mixins.ListModelMixin, generics.GenericAPIView):
    """Daily close-of-business runs (SPEC §12)."""

    method_permissions = {"GET": [HasRole(BUREAU, TRUSTEE, AUDITOR)], "POST": [HasRole(BUREAU, TRUSTEE)]}
    serializer_class = CobRunSerializer
    queryset = CobRun.objects.order_by("-business_date")

    @extend_schema(tags=["cob"], operation_id="cob_runs_list", summary="Close-of-business runs")
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        tags=["cob"],
        operation_id="cob_run_create",
        summary="Run the daily close of business for a date",
        request=CobInputSerializer,
        responses={202: CobQueuedSerializer},
        examples=[
            OpenApiExample("close a day", value={"business_date": "2025-06-30"}, request_only=True),
            OpenApiExample(
                "queued",
                value={
                    "business_date": "2025-06-30",
                    "status": "queued",
                    "task_id": "7d9c1f0e-2b3a-4c5d-8e9f-0a1b2c3d4e5f",
                },
                response_only=True,
                status_codes=["202"],
            ),
        ],
    )
    def post(self, request, *args, **kwargs):
        business_date = validated(CobInputSerializer, request)["business_date"]
        cob_check_runnable(business_date=business_date)
        task_id = str(uuid.uuid4())
        transaction.on_commit(
            partial(run_cob_task.apply_async, kwargs={"business_date": business_date.isoformat()}, task_id=task_id),
            robust=True,  # a worker-side failure (eager mode) is logged, never turned into this request's 500
        )
        body = {"business_date": business_date, "status": "queued", "task_id": task_id}
        return Response(CobQueuedSerializer(body).data, status=status.HTTP_202_ACCEPTED)
