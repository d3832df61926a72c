from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "riskfund.dashboard"
    label = "dashboard"
    verbose_name = _("Monitoring dashboard")

    def ready(self) -> None:
        # django.contrib.admin comes first in INSTALLED_APPS, so its autodiscovery has imported every
        # admin module by now: the role checks cover every registered model admin (riskfund/dashboard/roles.py).
        from django.contrib import admin

        from . import (
            bureau_report,  # noqa: F401  (registers the bureau_monthly export)
            reports,  # noqa: F401  (registers the bank_performance_annual export, art. 19)
            unfold_speed,
        )
        from .roles import install_role_admins

        admin.site.site_header = _("SME loan-guarantee pool administration")
        admin.site.site_title = _("SME loan-guarantee pool administration")
        admin.site.index_title = _("Dashboard")
        install_role_admins(admin.site)
        unfold_speed.install(admin.site)
