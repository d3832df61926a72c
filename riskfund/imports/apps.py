from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "riskfund.imports"
    label = "imports"
    verbose_name = _("台账导入")

    def ready(self) -> None:
        from . import export  # noqa: F401  (registers the book_export export)
