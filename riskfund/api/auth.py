"""Staff authentication (API.md, Authentication): knox tokens, stored hashed, 10-hour TTL (REST_KNOX).

``POST /api/v1/auth/token/`` with ``{"username", "password"}`` → 200 ``{"token", "expiry"}``; bad
credentials → 400 ``validation_error``; more than the "login" throttle rate from one address → 429.
Then ``Authorization: Token <token>``; an expired or unknown token → 401 ``not_authenticated``.
"""

from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import status
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from .idempotency import IdempotentMixin
from .roles import STAFF_SCHEME, user_roles
from .serializers import LoginSerializer, MeSerializer, NoBodySerializer, ProblemSerializer, TokenSerializer


class StaffLogin(AllowAny):
    """Anyone may try to log in, with no credentials (no security scheme); a bank has its key instead, so the
    login is no operation of the bank document (banks/api/schema.py)."""

    security_schemes = frozenset()


class HoldsStaffToken(BasePermission):
    """A request authenticated with a staff token (knox): the only thing a logout can revoke; a bank key → 403."""

    security_schemes = frozenset({STAFF_SCHEME})

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, AuthToken)


class LoginView(APIView):
    authentication_classes = []
    permission_classes = [StaffLogin]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        tags=["auth"],
        operation_id="auth_token_create",
        summary="Log in (staff): exchange username and password for a token",
        request=LoginSerializer,
        responses={200: TokenSerializer, 400: ProblemSerializer},
        auth=[],
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        instance, token = AuthToken.objects.create(user=user)
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response(TokenSerializer({"token": token, "expiry": instance.expiry}).data)


class LogoutView(IdempotentMixin, APIView):
    permission_classes = [IsAuthenticated, HoldsStaffToken]

    @extend_schema(
        tags=["auth"], summary="Log out: revoke the token of this request", request=None, responses={204: None}
    )
    def post(self, request):
        NoBodySerializer(data=request.data).is_valid(raise_exception=True)
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["auth"],
        summary="Who am I: the staff member behind the token and its roles",
        responses={200: OpenApiResponse(MeSerializer)},
    )
    def get(self, request):
        user = request.user
        me = {
            "username": user.get_username(),
            "name": user.get_full_name(),
            "roles": sorted(user_roles(user)),
            "is_superuser": user.is_superuser,
        }
        return Response(MeSerializer(me).data)
