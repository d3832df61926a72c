from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "riskfund.exports"
    label = "exports"
    verbose_name = _("报表导出")

    def ready(self) -> None:
        from riskfund.dashboard import bureau_report  # noqa: F401  (registers the bureau_monthly export)

        from . import journal  # noqa: F401  (registers the ledger_journal export)
