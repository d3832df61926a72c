"""The dishonest-list decisions (API.md, Staff endpoints; SPEC §10, art. 36 "恶意逃避债务"):

- ``GET /api/v1/dishonest-listings/`` — listing proposals and decisions, filter ``status`` (bureau, auditor);
- ``POST /api/v1/dishonest-listings/{id}/decide/`` — ``list`` or ``dismiss`` with a reason (bureau).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, mixins, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from riskfund.lending.services import listing_decide
from riskfund.parties.models import DishonestListing, ListingDecision, ListingStatus

from ..fields import BusinessDateField, NamedChoiceField, TextField
from ..idempotency import IdempotentMixin
from ..permissions import Can
from ..serializers import InputSerializer
from .common import validated


class DishonestListingSerializer(serializers.ModelSerializer):
    enterprise = TextField(source="enterprise.uscc", help_text=_("the firm's USCC"))
    enterprise_name = TextField(source="enterprise.name")
    compensation = serializers.UUIDField(source="compensation_id", allow_null=True)
    status = NamedChoiceField(choices=ListingStatus.values, enum_name="DishonestListingStatusEnum")
    proposed_on = BusinessDateField(help_text=_("the compensation's deduction date"))
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    decided_on = BusinessDateField(allow_null=True)
    lifted_on = BusinessDateField(allow_null=True)

    class Meta:
        model = DishonestListing
        ref_name = "DishonestListing"
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "compensation",
            "status",
            "proposed_on",
            "decided_by",
            "decided_on",
            "reason",
            "lifted_on",
        ]
        read_only_fields = fields


class DishonestListingFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ListingStatus.values, required=False)


class ListingDecideInputSerializer(InputSerializer):
    decision = serializers.ChoiceField(
        choices=ListingDecision.values, help_text=_("list: malicious evasion found; dismiss: eligible again")
    )
    reason = TextField(max_length=500, help_text=_("required"))

    class Meta:
        ref_name = "DishonestListingDecideInput"


class DishonestListingList(mixins.ListModelMixin, generics.GenericAPIView):
    """Listing proposals made by compensations and the bureau's decisions on them (art. 36)."""

    permission_classes = [Can("view_dishonest_listings")]
    serializer_class = DishonestListingSerializer

    def get_queryset(self):
        filters = DishonestListingFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        listings = DishonestListing.objects.select_related("enterprise", "decided_by").order_by(
            "-proposed_on", "-created_at"
        )
        if "status" in filters.validated_data:
            listings = listings.filter(status=filters.validated_data["status"])
        return listings

    @extend_schema(
        tags=["lending"],
        operation_id="dishonest_listings_list",
        summary="Dishonest-list proposals and decisions",
        parameters=[DishonestListingFilterSerializer],
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class DishonestListingDecide(IdempotentMixin, APIView):
    """The bureau decides a pending proposal (art. 36): list or dismiss, with a reason."""

    permission_classes = [Can("decide_dishonest_listing")]

    @extend_schema(
        tags=["lending"],
        operation_id="dishonest_listing_decide",
        summary="Decide a dishonest-list proposal",
        description="list puts the firm on the dishonest list (enterprise_dishonest from then on); dismiss makes it "
        "eligible again. A blank reason → 400; a proposal already decided → 422 listing_not_pending.",
        request=ListingDecideInputSerializer,
        responses={200: DishonestListingSerializer},
        examples=[
            OpenApiExample("list", value={"decision": "list", "reason": "转移资产、逃避债务"}, request_only=True)
        ],
    )
    def post(self, request, listing_id):
        values = validated(ListingDecideInputSerializer, request)
        listing = get_object_or_404(DishonestListing, pk=listing_id)
        listing = listing_decide(listing=listing, user=request.user, **values)
        listing = DishonestListing.objects.select_related("enterprise", "decided_by").get(pk=listing.pk)
        return Response(DishonestListingSerializer(listing).data)
