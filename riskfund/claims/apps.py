from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "riskfund.claims"
    label = "claims"
    verbose_name = _("代偿与追偿")
