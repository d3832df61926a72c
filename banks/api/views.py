"""The bank endpoints of API.md: the edge a partner bank touches with its ``Api-Key``.

Every view lets in bank keys only (``IsBank``: staff token → 403, no credentials → 401), is throttled per bank,
and scopes every object to ``request.bank``: another bank's recommendation or loan is 404, never 403. Each
operation validates its input with a serializer, calls ONE riskfund service and serializes the result.

Order of answers on a POST: 401/403 → 429 → ``idempotency_key_required`` → 404 for an object in the path →
400 ``validation_error`` → 404 for an object named in the body (the loan's ``recommendation``) → the service's
``RuleViolation`` (422, SPEC §8's order for loan registration). A malformed value the service itself finds
(``InputError``) is answered as 400 with its field messages.
"""

from contextlib import contextmanager

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from riskfund.api.idempotency import IdempotentMixin
from riskfund.api.pagination import MAX_PAGE_SIZE, PageNumberPagination
from riskfund.api.schema import problem_answer
from riskfund.claims.services import compensation_claim, recovery_post
from riskfund.lending.models import Loan, Recommendation
from riskfund.lending.selectors import loan_detail, loan_list, recommendation_list
from riskfund.lending.services import due_diligence_record, loan_event_record, loan_register, repayment_post
from riskfund.lending.validation import InputError
from riskfund.pool.selectors import deposit_position
from riskfund.pool.services import topup_request

from ..auth import BANK_AUTHENTICATION, BankRateThrottle, IsBank
from ..models import WebhookEndpoint
from ..webhooks import webhook_endpoint_register
from . import examples
from .schema import BankAutoSchema
from .serializers.claims import (
    BankCompensationInputSerializer,
    BankCompensationSerializer,
    BankRecoveryInputSerializer,
    BankRecoverySerializer,
)
from .serializers.deposit import BankDepositSerializer, BankTopUpInputSerializer, BankTopUpSerializer
from .serializers.loans import (
    BankDueDiligenceInputSerializer,
    BankLoanFilterSerializer,
    BankLoanRegisterSerializer,
    BankLoanSerializer,
    BankLoanSummarySerializer,
    BankRecommendationSerializer,
)
from .serializers.repayments import BankLoanEventSerializer, BankRepaymentInputSerializer, BankRepaymentResultSerializer
from .serializers.webhooks import BankWebhookCreatedSerializer, BankWebhookInputSerializer, BankWebhookSerializer

LOAN_PATH = "loan_id"


@contextmanager
def service_input_errors():
    """A service's ``InputError`` (malformed input it found itself) as DRF's 400 with field messages."""
    try:
        yield
    except InputError as exc:
        raise serializers.ValidationError(exc.errors) from exc


def validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def own_loan(request, loan_id) -> Loan:
    """The bank's loan, else 404 (another bank's loan is unknown here)."""
    loans = Loan.objects.select_related("enterprise", "guarantor", "policy_version", "recommendation")
    return get_object_or_404(loans, pk=loan_id, bank=request.bank)


def loan_body(loan: Loan) -> dict:
    return BankLoanSerializer(loan_detail(loan, timezone.localdate())).data


class BankView(APIView):
    """Base of every bank endpoint: bank keys only, per-bank throttle, Api-Key in the schema."""

    authentication_classes = BANK_AUTHENTICATION
    permission_classes = [IsBank]
    throttle_classes = [BankRateThrottle]
    throttle_scope = "bank"  # documents the 429 answer; the counting is BankRateThrottle's
    schema = BankAutoSchema()


class BankListView(BankView, generics.ListAPIView):
    pagination_class = PageNumberPagination


# --- recommendations ----------------------------------------------------------------------------------------


class BankRecommendationList(BankListView):
    serializer_class = BankRecommendationSerializer

    def get_queryset(self):
        return recommendation_list(bank=self.request.bank)

    @extend_schema(
        tags=["bank: recommendations"],
        operation_id="bank_recommendations_list",
        summary="Recommendations issued to this bank (art. 25)",
        examples=[examples.RECOMMENDATION_PAGE],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class BankDueDiligence(IdempotentMixin, BankView):
    @extend_schema(
        tags=["bank: recommendations"],
        operation_id="bank_recommendations_due_diligence",
        summary="Report this bank's due-diligence opinion (art. 26)",
        description=(
            "Both opinions gate the loan (SPEC §8): the recommendation is usable for one loan once this bank AND the "
            "guarantor (recorded by the bureau or the trustee) approve; a reject by either closes it. A later opinion "
            "replaces this bank's earlier one while the recommendation is open; a closed or used recommendation → "
            "422 recommendation_not_usable. reported_on after today → 422 date_in_future."
        ),
        request=BankDueDiligenceInputSerializer,
        responses={200: BankRecommendationSerializer},
        examples=[examples.DUE_DILIGENCE_REQUEST, examples.RECOMMENDATION_APPROVED],
    )
    def post(self, request, recommendation_id):
        recommendation = get_object_or_404(recommendation_list(bank=request.bank), pk=recommendation_id)
        data = validated(BankDueDiligenceInputSerializer, request)
        with service_input_errors():
            due_diligence_record(recommendation=recommendation, party="bank", **data)
        recommendation = recommendation_list(bank=request.bank).get(pk=recommendation.pk)
        return Response(BankRecommendationSerializer(recommendation).data)


# --- loans --------------------------------------------------------------------------------------------------


class BankLoanList(IdempotentMixin, BankListView):
    serializer_class = BankLoanSummarySerializer

    def get_queryset(self):
        filters = BankLoanFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return loan_list(bank=self.request.bank, on=timezone.localdate(), **filters.validated_data).select_related(
            "recommendation"
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    @extend_schema(
        tags=["bank: loans"],
        operation_id="bank_loans_list",
        summary="This bank's loans",
        parameters=[BankLoanFilterSerializer],
        examples=[examples.LOAN_PAGE],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["bank: loans"],
        operation_id="bank_loans_register",
        summary="Register a disbursed loan (art. 27)",
        description=(
            "Every origination check of SPEC §8 runs in one transaction; the first failure in this order is "
            "answered: 400 validation_error → 404 unknown recommendation (also another bank's) → 422 "
            "date_in_future → agreement_not_active, recommendation_not_usable, amount_exceeds_recommendation, "
            "duplicate_contract_no, fees_not_allowed, term_too_long, counter_guarantee_required → "
            "enterprise_not_eligible, enterprise_dishonest, enterprise_under_review "
            "→ no_policy_in_force, pool_suspended, pool_capacity_exceeded, district_scale_exceeded, "
            "enterprise_limit_exceeded, continuous_support_exceeded. A report later than the 3rd working day after "
            "disbursed_on is accepted with notified_late = true."
        ),
        request=BankLoanRegisterSerializer,
        responses={201: BankLoanSerializer, 404: problem_answer("unknown recommendation (also another bank's)")},
        examples=[examples.LOAN_REGISTER_BULLET, examples.LOAN_REGISTER_INSTALMENTS, examples.LOAN_REGISTERED],
    )
    def post(self, request):
        data = dict(validated(BankLoanRegisterSerializer, request))
        # unknown or another bank's → None: the service answers 404 after its own shape checks (SPEC §8 order)
        recommendation = Recommendation.objects.filter(pk=data.pop("recommendation"), bank=request.bank).first()
        answer = {}

        def build_answer(loan: Loan) -> None:  # before the pool-wide lock, in the registration's transaction
            answer.update(loan_body(own_loan(request, loan.pk)))

        with service_input_errors():
            loan = loan_register(
                bank=request.bank, recommendation=recommendation, before_pool_lock=build_answer, **data
            )
        answer["backdated"] = loan.backdated  # the one field a close of business may flip under the pool lock
        location = reverse("banks:bank-loan-detail", kwargs={LOAN_PATH: loan.pk})
        return Response(answer, status=status.HTTP_201_CREATED, headers={"Location": location})


class BankLoanDetail(BankView):
    @extend_schema(
        tags=["bank: loans"],
        operation_id="bank_loans_retrieve",
        summary="One loan with its schedule, repayments, events and overdue days today",
        responses={200: BankLoanSerializer},
        examples=[examples.LOAN_REGISTERED],
    )
    def get(self, request, loan_id):
        return Response(loan_body(own_loan(request, loan_id)))


class BankRepaymentCreate(IdempotentMixin, BankView):
    @extend_schema(
        tags=["bank: loans"],
        operation_id="bank_loans_repayments_create",
        summary="Report a repayment (art. 22)",
        description=(
            "The principal is applied to unpaid instalments in due-date order. 422: date_in_future, "
            "date_before_disbursement, loan_compensated, repayment_exceeds_outstanding."
        ),
        request=BankRepaymentInputSerializer,
        responses={201: BankRepaymentResultSerializer},
        examples=[examples.REPAYMENT_REQUEST, examples.REPAYMENT_RESULT],
    )
    def post(self, request, loan_id):
        loan = own_loan(request, loan_id)
        data = validated(BankRepaymentInputSerializer, request)
        with service_input_errors():
            repayment = repayment_post(loan=loan, **data)
        repayment.loan.refresh_from_db()
        return Response(BankRepaymentResultSerializer(repayment).data, status=status.HTTP_201_CREATED)


class BankLoanEventCreate(IdempotentMixin, BankView):
    @extend_schema(
        tags=["bank: loans"],
        operation_id="bank_loans_events_create",
        summary="Report a post-loan event (art. 29–31, 33, 35)",
        request=BankLoanEventSerializer,
        responses={201: BankLoanEventSerializer},
        examples=[examples.EVENT_REQUEST],
    )
    def post(self, request, loan_id):
        loan = own_loan(request, loan_id)
        data = validated(BankLoanEventSerializer, request)
        with service_input_errors():
            event = loan_event_record(loan=loan, **data)
        return Response(BankLoanEventSerializer(event).data, status=status.HTTP_201_CREATED)


class BankCompensationCreate(IdempotentMixin, BankView):
    @extend_schema(
        tags=["bank: claims"],
        operation_id="bank_loans_compensation_create",
        summary="Claim compensation of a defaulted loan (代偿, art. 32)",
        description=(
            "Allowed from the 26th overdue day on deducted_on. Loss = all outstanding principal, shared 40:20:40 "
            "(pool, bank, guarantor), the pool's share 30:30:40 (region, city, district). 422: date_in_future, "
            "loan_compensated, compensation_not_due, repayment_after_deduction."
        ),
        request=BankCompensationInputSerializer,
        responses={201: BankCompensationSerializer},
        examples=[examples.COMPENSATION_REQUEST, examples.COMPENSATION_RESULT],
    )
    def post(self, request, loan_id):
        loan = own_loan(request, loan_id)
        data = validated(BankCompensationInputSerializer, request)
        with service_input_errors():
            compensation = compensation_claim(loan=loan, **data)
        return Response(BankCompensationSerializer(compensation).data, status=status.HTTP_201_CREATED)


class BankRecoveryCreate(IdempotentMixin, BankView):
    @extend_schema(
        tags=["bank: claims"],
        operation_id="bank_loans_recoveries_create",
        summary="Report money recovered on a compensated loan (追偿, art. 33, 34)",
        description=(
            "net = gross − costs; shares are allocated cumulatively (SPEC §11). 422: date_in_future, "
            "loan_not_compensated, costs_exceed_recovery, recovery_exceeds_loss."
        ),
        request=BankRecoveryInputSerializer,
        responses={201: BankRecoverySerializer},
        examples=[examples.RECOVERY_REQUEST, examples.RECOVERY_RESULT],
    )
    def post(self, request, loan_id):
        loan = own_loan(request, loan_id)
        serializer = BankRecoveryInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_input_errors():
            recovery = recovery_post(
                loan=loan, recovered_on=data["recovered_on"], gross=data["gross"], costs=serializer.costs_by_kind()
            )
        return Response(BankRecoverySerializer(recovery).data, status=status.HTTP_201_CREATED)


# --- deposit ------------------------------------------------------------------------------------------------


class BankDepositDetail(BankView):
    @extend_schema(
        tags=["bank: deposit"],
        operation_id="bank_deposit_retrieve",
        summary="This bank's risk-compensation deposit (art. 16) and its movements",
        parameters=[
            OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="page of the movements"),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                description="movements per page (up to 500; more → 400)",
            ),
        ],
        responses={200: BankDepositSerializer, 404: problem_answer("no such page of movements")},
        examples=[examples.DEPOSIT],
    )
    def get(self, request):
        position = deposit_position(request.bank)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(position["movements"], request, view=self)
        movements = {
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": page,
        }
        return Response(BankDepositSerializer({**position, "movements": movements}).data)


class BankTopUpCreate(IdempotentMixin, BankView):
    @extend_schema(
        tags=["bank: deposit"],
        operation_id="bank_deposit_topup_requests_create",
        summary="Request a deposit top-up (art. 16)",
        description=(
            "Allowed when this bank's outstanding principal exceeds 10 × its deposit; the bureau approves an amount "
            "and the trustee executes it. 422: topup_not_needed, topup_already_pending."
        ),
        request=BankTopUpInputSerializer,
        responses={201: BankTopUpSerializer},
        examples=[examples.TOPUP_REQUEST, examples.TOPUP_RESULT],
    )
    def post(self, request):
        data = validated(BankTopUpInputSerializer, request)
        topup = topup_request(bank=request.bank, amount=data["amount"], reason=data["reason"], by_bank=True)
        return Response(BankTopUpSerializer(topup).data, status=status.HTTP_201_CREATED)


# --- webhooks -----------------------------------------------------------------------------------------------


class BankWebhookList(IdempotentMixin, BankListView):
    serializer_class = BankWebhookSerializer
    idempotency_withheld = ("secret",)  # shown in this answer only; a replay has it null (API.md, Webhooks)

    def get_queryset(self):
        return WebhookEndpoint.objects.filter(bank=self.request.bank).order_by("-created")

    @extend_schema(tags=["bank: webhooks"], operation_id="bank_webhooks_list", summary="This bank's webhook endpoints")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["bank: webhooks"],
        operation_id="bank_webhooks_register",
        summary="Register the webhook URL (replaces the active one); the signing secret is shown once",
        description=(
            "HTTPS only (plain http to loopback only in development and test settings); private and link-local "
            "addresses → 422 webhook_url_not_allowed."
        ),
        request=BankWebhookInputSerializer,
        responses={201: OpenApiResponse(BankWebhookCreatedSerializer)},
        examples=[examples.WEBHOOK_REQUEST],
    )
    def post(self, request):
        data = validated(BankWebhookInputSerializer, request)
        endpoint, secret = webhook_endpoint_register(bank=request.bank, url=data["url"])
        body = {**BankWebhookSerializer(endpoint).data, "secret": secret, "secret_withheld": False}
        return Response(body, status=status.HTTP_201_CREATED)
