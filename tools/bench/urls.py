"""The project's URLs plus the bench's bare baseline view; selected only by ``tools.bench.settings``."""

from django.urls import path

from riskfund.urls import urlpatterns as project_urlpatterns

from .views import bare_insert

urlpatterns = [path("bench/bare/", bare_insert, name="bench-bare"), *project_urlpatterns]
