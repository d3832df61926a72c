"""URLs of the bank endpoints under /api/v1/ (API.md "Bank endpoints"), included through banks/urls.py. Names live in
the ``banks`` namespace with a ``bank-`` prefix."""

from django.urls import path

from . import views

urlpatterns = [
    path("recommendations/", views.BankRecommendationList.as_view(), name="bank-recommendation-list"),
    path(
        "recommendations/<uuid:recommendation_id>/due-diligence/",
        views.BankDueDiligence.as_view(),
        name="bank-recommendation-due-diligence",
    ),
    path("loans/", views.BankLoanList.as_view(), name="bank-loan-list"),
    path("loans/<uuid:loan_id>/", views.BankLoanDetail.as_view(), name="bank-loan-detail"),
    path("loans/<uuid:loan_id>/repayments/", views.BankRepaymentCreate.as_view(), name="bank-loan-repayments"),
    path("loans/<uuid:loan_id>/events/", views.BankLoanEventCreate.as_view(), name="bank-loan-events"),
    path("loans/<uuid:loan_id>/compensation/", views.BankCompensationCreate.as_view(), name="bank-loan-compensation"),
    path("loans/<uuid:loan_id>/recoveries/", views.BankRecoveryCreate.as_view(), name="bank-loan-recoveries"),
    path("deposit/", views.BankDepositDetail.as_view(), name="bank-deposit"),
    path("deposit/topup-requests/", views.BankTopUpCreate.as_view(), name="bank-deposit-topup-requests"),
    path("webhooks/", views.BankWebhookList.as_view(), name="bank-webhooks"),
]
