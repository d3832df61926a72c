"""URLs of the bank's Excel endpoints (banks/api/statements.py), included through banks/urls.py, in the ``banks``
namespace."""

from django.urls import path

from . import statements

urlpatterns = [
    path("statements/<str:month>.xlsx", statements.BankStatementDownload.as_view(), name="bank-statement"),
    path(
        "reconciliations/template.xlsx",
        statements.ReconciliationTemplate.as_view(),
        name="bank-reconciliation-template",
    ),
    path("reconciliations/", statements.ReconciliationCreate.as_view(), name="bank-reconciliation-list"),
    path(
        "reconciliations/<uuid:reconciliation_id>/",
        statements.ReconciliationDetail.as_view(),
        name="bank-reconciliation-detail",
    ),
    path(
        "reconciliations/<uuid:reconciliation_id>/report.xlsx",
        statements.ReconciliationReport.as_view(),
        name="bank-reconciliation-report",
    ),
]
