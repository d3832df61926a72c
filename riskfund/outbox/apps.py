from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "riskfund.outbox"
    label = "outbox"
    verbose_name = _("事件通知")
