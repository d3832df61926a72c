"""The bank edge's URLs under /api/v1/ (API.md "Bank endpoints"), in the ``banks`` namespace: the bank endpoints
(banks/api/urls.py) and the bank's Excel endpoints (banks/api/statement_urls.py). riskfund/urls.py includes them
before the staff API, whose catch-all 404 comes last; riskfund.api itself knows nothing of banks."""

from django.urls import include, path

app_name = "banks"

urlpatterns = [
    path("", include("banks.api.urls")),
    path("", include("banks.api.statement_urls")),
    path("", include("banks.api.schema_urls")),  # the bank OpenAPI document: /api/v1/schema/bank/
]
