"""``/public/`` (included by riskfund/urls.py): the public disclosure page and its JSON twin."""

from django.urls import path

from . import views

app_name = "disclosure"

urlpatterns = [
    path("", views.public_page, name="public"),
    path("summary.json", views.public_summary_json, name="public-summary"),
]
