from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BanksConfig(AppConfig):
    name = "banks"
    label = "banks"
    verbose_name = _("合作银行接入")

    def ready(self) -> None:
        # register the bank_statement and bank_reconciliation export kinds in every process (workers too)
        from . import reconciliation, statements  # noqa: F401
