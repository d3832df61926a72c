from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutlookConfig(AppConfig):
    name = "riskfund.outlook"
    label = "outlook"
    verbose_name = _("停贷预测")

    def ready(self) -> None:
        from . import exports  # noqa: F401  (registers the forecast workbook)
