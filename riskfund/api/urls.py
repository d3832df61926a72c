"""URLs of /api/v1/ (included by riskfund/urls.py, after the bank edge's banks/urls.py). Keep the catch-all 404
last: it answers every /api/v1/ path that neither knows."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from .auth import LoginView, LogoutView, MeView
from .views import (
    claims,
    cob,
    deposits,
    funder_statements,
    imports,
    lending,
    listings,
    outlook,
    parties,
    policy,
    pool,
    reviews,
)
from .views.fallback import NotFoundView
from .views.ledger import LedgerTransactionList

app_name = "api"

urlpatterns = [
    path("auth/token/", LoginView.as_view(), name="auth-token"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("me/", MeView.as_view(), name="me"),
    path("ledger/transactions/", LedgerTransactionList.as_view(), name="ledger-transactions"),
    # staff endpoints (API.md): pool and funders
    path("pool/", pool.PoolPositionView.as_view(), name="pool"),
    path("pool/interest/", pool.InterestCreate.as_view(), name="pool-interest"),
    path("funders/", pool.FunderList.as_view(), name="funders"),
    path("funders/<str:code>/injections/", pool.FunderInjectionCreate.as_view(), name="funder-injections"),
    path(
        "funders/<str:code>/statements/<str:month>.xlsx",
        funder_statements.FunderStatementDownload.as_view(),
        name="funder-statement-xlsx",
    ),
    path(
        "funders/<str:code>/statements/<str:month>/",
        funder_statements.FunderStatementView.as_view(),
        name="funder-statement",
    ),
    # policy versions (art. 40 renewal, maker-checker)
    path("policy-versions/", policy.PolicyVersionListCreate.as_view(), name="policy-versions"),
    path(
        "policy-versions/<uuid:version_id>/approve/",
        policy.PolicyVersionApprove.as_view(),
        name="policy-version-approve",
    ),
    # parties: banks, guarantors, agreements, top-ups
    path("banks/", parties.BankListCreate.as_view(), name="banks"),
    path("banks/<str:code>/agreements/", parties.BankAgreementListCreate.as_view(), name="bank-agreements"),
    path(
        "banks/<str:code>/agreements/<uuid:agreement_id>/end/",
        parties.BankAgreementEnd.as_view(),
        name="bank-agreement-end",
    ),
    path("guarantors/", parties.GuarantorListCreate.as_view(), name="guarantors"),
    path("topups/", parties.TopUpListCreate.as_view(), name="topups"),
    path("topups/<uuid:topup_id>/approve/", parties.TopUpApprove.as_view(), name="topup-approve"),
    path("topups/<uuid:topup_id>/execute/", parties.TopUpExecute.as_view(), name="topup-execute"),
    path(
        "banks/<str:code>/deposit-adjustments/",
        deposits.DepositAdjustmentCreate.as_view(),
        name="bank-deposit-adjustments",
    ),
    path(
        "deposit-adjustments/<uuid:adjustment_id>/approve/",
        deposits.DepositAdjustmentApprove.as_view(),
        name="deposit-adjustment-approve",
    ),
    path(
        "deposit-adjustments/<uuid:adjustment_id>/execute/",
        deposits.DepositAdjustmentExecute.as_view(),
        name="deposit-adjustment-execute",
    ),
    # lending, staff side
    path("enterprises/", lending.EnterpriseListCreate.as_view(), name="enterprises"),
    path(
        "enterprises/<str:uscc>/extension/",
        lending.EnterpriseExtensionCreate.as_view(),
        name="enterprise-extension",
    ),
    path("applications/", lending.ApplicationListCreate.as_view(), name="applications"),
    path(
        "applications/<uuid:application_id>/recommend/",
        lending.ApplicationRecommend.as_view(),
        name="application-recommend",
    ),
    path(
        "recommendations/<uuid:recommendation_id>/guarantor-opinion/",
        reviews.GuarantorOpinionCreate.as_view(),
        name="recommendation-guarantor-opinion",
    ),
    path("dishonest-listings/", listings.DishonestListingList.as_view(), name="dishonest-listings"),
    path(
        "dishonest-listings/<uuid:listing_id>/decide/",
        listings.DishonestListingDecide.as_view(),
        name="dishonest-listing-decide",
    ),
    # claims and the daily job
    path("payables/", claims.PayableList.as_view(), name="payables"),
    path("payables/<uuid:payable_id>/settle/", claims.PayableSettle.as_view(), name="payable-settle"),
    path("cob/", cob.CobRunListCreate.as_view(), name="cob"),
    # importing a book (issue 17)
    path("imports/template.xlsx", imports.ImportTemplate.as_view(), name="import-template"),
    path("imports/", imports.ImportCreate.as_view(), name="imports"),
    path("imports/<uuid:run_id>/", imports.ImportDetail.as_view(), name="import-detail"),
    path("imports/<uuid:run_id>/errors.xlsx", imports.ImportErrors.as_view(), name="import-errors"),
    path("imports/<uuid:run_id>/commit/", imports.ImportCommit.as_view(), name="import-commit"),
    path("outlook/", outlook.OutlookView.as_view(), name="outlook"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # the split view serves Swagger UI's start-up script as a file (?script), not inline: CSP script-src 'self'
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api:schema", template_name="riskfund_api/redoc.html"),
        name="redoc",
    ),
    re_path(r"^.*$", NotFoundView.as_view(), name="not-found"),
]
