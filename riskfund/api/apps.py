from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "riskfund.api"
    label = "api"
    verbose_name = _("接口")

    def ready(self) -> None:
        from riskfund.cob.housekeeping import register_purge

        from . import schema  # noqa: F401 — registers the drf-spectacular extensions
        from .idempotency import idempotency_purge

        register_purge("idempotency", idempotency_purge)
