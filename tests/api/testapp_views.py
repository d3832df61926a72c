"""Test-only views that exercise the API plumbing (wired by tests.api.testapp_urls)."""

import threading
from datetime import date
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from riskfund.api.fields import BusinessDateField, MoneyField, RatioField
from riskfund.api.idempotency import IdempotentMixin
from riskfund.api.roles import BUREAU, HasRole
from riskfund.dates import not_in_future
from riskfund.errors import RuleViolation
from riskfund.ledger.services import transaction_post

# The concurrency test sets these: the first request to reach the held view signals ``entered`` and
# waits for ``release`` while it holds its idempotency record.
HOLD: dict[str, threading.Event | None] = {"entered": None, "release": None}
_hold_lock = threading.Lock()


def probe_post(*, amount: Decimal, on: date | None, user) -> dict:
    """A stand-in service: posts one ledger transaction, then refuses amounts above 100000 (rolled back)."""
    txn = transaction_post(
        kind="probe",
        business_date=on or date(2025, 1, 1),
        debits=[("pool:special", amount)],
        credits=[("funder:city", amount)],
        user=user,
    )
    if amount > Decimal("100000"):
        raise RuleViolation("pool_suspended", "art. 37", gettext("Business rule violated"))
    return {"id": str(txn.pk) if txn else None}


class ProbeSerializer(serializers.Serializer):
    amount = MoneyField()
    adjustment = MoneyField(signed=True, required=False)
    ratio = RatioField(required=False)
    on = BusinessDateField(required=False)


class ProbeOutSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True)
    amount = MoneyField()
    adjustment = MoneyField(signed=True, required=False)
    ratio = RatioField(required=False)


class ProbeView(IdempotentMixin, APIView):
    permission_classes = [HasRole(BUREAU)]

    def post(self, request):
        data = ProbeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values.get("on"):
            not_in_future(values["on"], field="on")
        result = probe_post(amount=values["amount"], on=values.get("on"), user=request.user)
        return Response(ProbeOutSerializer({**values, **result}).data, status=201)


class RuleView(APIView):
    permission_classes = []

    def get(self, request):
        status = int(request.query_params.get("status", "422"))
        raise RuleViolation("pool_suspended", "art. 37", gettext("Business rule violated"), status=status)


class MissingView(APIView):
    permission_classes = []

    def get(self, request):
        raise Http404("no such thing")


class Unavailable(exceptions.APIException):
    status_code = 503
    default_detail = "try again later"


class FailView(IdempotentMixin, APIView):
    """Writes one ledger posting, then fails the way the body asks."""

    permission_classes = [HasRole(BUREAU)]

    def post(self, request):
        transaction_post(
            kind="probe",
            business_date=date(2025, 1, 1),
            debits=[("pool:special", Decimal("1.00"))],
            credits=[("funder:city", Decimal("1.00"))],
        )
        how = request.data.get("fail")
        if how == "503":
            raise Unavailable()
        if how == "crash":
            raise RuntimeError("boom")
        if how == "403":
            raise exceptions.PermissionDenied()
        if how == "401":
            raise exceptions.AuthenticationFailed()
        if how == "return500":
            return Response({"detail": "broken"}, status=500)
        return Response({"ok": True}, status=201)


class HeldView(IdempotentMixin, APIView):
    permission_classes = [HasRole(BUREAU)]

    def post(self, request):
        entered, release = HOLD["entered"], HOLD["release"]
        if entered is not None and release is not None:
            with _hold_lock:
                first = not entered.is_set()
                entered.set()
            if first:
                release.wait(timeout=20)
        txn = transaction_post(
            kind="held",
            business_date=date(2025, 1, 1),
            debits=[("pool:special", Decimal("5.00"))],
            credits=[("funder:city", Decimal("5.00"))],
        )
        return Response({"id": str(txn.pk)}, status=201)


class NestedView(IdempotentMixin, APIView):
    """Calls itself again with the same key while its first request is still running."""

    permission_classes = [HasRole(BUREAU)]
    inner_answers: list = []

    def post(self, request):
        if request.data.get("depth", 0) == 0:
            from rest_framework.test import APIClient

            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=request.headers["Authorization"])
            key = request.headers["Idempotency-Key"]
            same = client.post(request.path, {"depth": 0}, format="json", HTTP_IDEMPOTENCY_KEY=key)
            other = client.post(request.path, {"depth": 1}, format="json", HTTP_IDEMPOTENCY_KEY=key)
            NestedView.inner_answers[:] = [same, other]
        return Response({"depth": request.data.get("depth", 0)}, status=201)


class UploadView(IdempotentMixin, APIView):
    permission_classes = [HasRole(BUREAU)]
    parser_classes = [MultiPartParser]

    def post(self, request):
        upload = request.FILES["file"]
        return Response({"name": upload.name, "size": upload.size, "as_of": request.data.get("as_of")}, status=202)
