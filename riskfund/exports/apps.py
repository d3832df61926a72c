from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "riskfund.exports"
    label = "exports"
    verbose_name = _("报表导出")

    def ready(self) -> None:
        # each app registers its own exports in its ready(); this one has the ledger journal. The tasks module is
        # imported here so that services can queue a task by its name (services never import tasks)
        from . import journal, tasks  # noqa: F401
