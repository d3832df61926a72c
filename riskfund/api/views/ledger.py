"""``GET /api/v1/ledger/transactions/``: the balanced ledger transactions with their entries (trustee,
bureau, auditor), filtered by account code and business dates, cursor-paginated so rows never shift."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from riskfund.api.fields import TextField
from riskfund.ledger.models import Entry, Side, Transaction
from riskfund.ledger.selectors import ledger_transaction_list

from ..fields import BusinessDateField, MoneyField
from ..pagination import LedgerCursorPagination
from ..roles import AUDITOR, BUREAU, TRUSTEE, HasRole

SIDE_NAMES = {Side.DEBIT: "debit", Side.CREDIT: "credit"}


class LedgerSideField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=list(SIDE_NAMES.values()), **kwargs)

    def to_representation(self, value):
        return SIDE_NAMES[value]


class LedgerEntrySerializer(serializers.ModelSerializer):
    account = TextField(source="account.code", help_text=_("account code, e.g. pool:special"))
    side = LedgerSideField()
    amount = MoneyField()

    class Meta:
        model = Entry
        fields = ["account", "side", "amount"]
        read_only_fields = fields


class LedgerTransactionSerializer(serializers.ModelSerializer):
    business_date = BusinessDateField()
    reverses = serializers.UUIDField(source="reverses_id", allow_null=True, help_text=_("the transaction reversed"))
    entries = LedgerEntrySerializer(many=True)

    class Meta:
        model = Transaction
        fields = ["id", "kind", "business_date", "posted_at", "description", "reference", "reverses", "entries"]
        read_only_fields = fields


class LedgerTransactionFilterSerializer(serializers.Serializer):
    account = TextField(required=False, max_length=64, help_text=_("only transactions touching it"))
    date_from = BusinessDateField(required=False, help_text=_("business date on or after"))
    date_to = BusinessDateField(required=False, help_text=_("business date on or before"))

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": [_("date_to is before date_from.")]})
        return attrs


class LedgerTransactionList(generics.ListAPIView):
    permission_classes = [HasRole(TRUSTEE, BUREAU, AUDITOR)]
    serializer_class = LedgerTransactionSerializer
    pagination_class = LedgerCursorPagination

    def get_queryset(self):
        filters = LedgerTransactionFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return ledger_transaction_list(**filters.validated_data)

    @extend_schema(tags=["ledger"], parameters=[LedgerTransactionFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
