"""URLs of /api/v1/ (included by riskfund/urls.py). Keep the catch-all 404 last."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from .auth import LoginView, LogoutView, MeView
from .views.fallback import NotFoundView
from .views.ledger import LedgerTransactionList

app_name = "api"

urlpatterns = [
    path("auth/token/", LoginView.as_view(), name="auth-token"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("me/", MeView.as_view(), name="me"),
    path("ledger/transactions/", LedgerTransactionList.as_view(), name="ledger-transactions"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api:schema", template_name="riskfund_api/redoc.html"),
        name="redoc",
    ),
    re_path(r"^.*$", NotFoundView.as_view(), name="not-found"),
]
