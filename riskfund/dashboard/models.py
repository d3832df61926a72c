"""The dashboard keeps no data of its own. ``BankPerformanceReport`` is a proxy of ``parties.Bank`` that gives the
annual bank performance report (art. 19, riskfund/dashboard/reports.py) its page in the admin."""

from django.utils.translation import gettext_lazy as _

from riskfund.parties.models import Bank


class BankPerformanceReport(Bank):
    class Meta:
        proxy = True
        verbose_name = _("合作银行年度业务开展情况（第十九条）")
        verbose_name_plural = _("合作银行年度业务开展情况（第十九条）")
