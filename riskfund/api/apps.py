from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "riskfund.api"
    label = "api"
    verbose_name = _("接口")

    def ready(self) -> None:
        # the drf-spectacular extensions, and the daily idempotency purge (beat, migration 0002)
        from . import schema, tasks  # noqa: F401
