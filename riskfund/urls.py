from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/2fa/", include("riskfund.security.urls")),  # before the admin's catch-all
    path("admin/", admin.site.urls),
    # the bank edge (banks/urls.py) first: the staff API ends with its catch-all 404 for every other /api/v1/ path
    path("api/v1/", include("banks.urls")),
    path("api/v1/", include("riskfund.api.urls")),
    path("public/", include("riskfund.disclosure.urls")),
]
