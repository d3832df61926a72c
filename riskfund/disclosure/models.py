"""The disclosure app keeps no data of its own. ``FunderStatementPage`` is a proxy of ``parties.Funder`` that gives
the funder statements (riskfund/disclosure/statements.py) their page in the admin."""

from django.utils.translation import gettext_lazy as _

from riskfund.parties.models import Funder


class FunderStatementPage(Funder):
    class Meta:
        proxy = True
        verbose_name = _("出资方月度对账单")
        verbose_name_plural = _("出资方月度对账单")
