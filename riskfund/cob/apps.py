from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CobConfig(AppConfig):
    name = "riskfund.cob"
    label = "cob"
    verbose_name = _("日终批处理")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the SQLite version check)
