"""The bank OpenAPI document at /api/v1/schema/bank/ (banks/api/schema.py), included by banks/urls.py
(the ``banks`` namespace)."""

from django.urls import path

from .schema import BankSchemaView

urlpatterns = [path("schema/bank/", BankSchemaView.as_view(), name="bank-schema")]
