from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/2fa/", include("riskfund.security.urls")),  # before the admin's catch-all
    path("admin/", admin.site.urls),
    path("api/v1/", include("riskfund.api.urls")),
    path("public/", include("riskfund.disclosure.urls")),
]
