"""URLconf for tests of the API plumbing: the real /api/v1/ plus test-only views under /t/."""

from django.urls import include, path

from tests.api import testapp_views as views

urlpatterns = [
    path("t/probe/", views.ProbeView.as_view()),
    path("t/rule/", views.RuleView.as_view()),
    path("t/missing/", views.MissingView.as_view()),
    path("t/fail/", views.FailView.as_view()),
    path("t/held/", views.HeldView.as_view()),
    path("t/nested/", views.NestedView.as_view()),
    path("t/upload/", views.UploadView.as_view()),
    path("api/v1/", include("riskfund.api.urls")),
]
