from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


def _install_triggers(sender, using="default", **kwargs) -> None:
    from .triggers import audit_install

    audit_install(using)


def _suspend_triggers(sender, using="default", **kwargs) -> None:
    from .triggers import audit_suspend_sqlite

    audit_suspend_sqlite(using)


class AuditConfig(AppConfig):
    name = "riskfund.audit"
    label = "audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        from .db import connect_signals

        connect_signals()
        # SQLite: no audit trigger while migrations rebuild tables; after every migrate (and Django's test flush):
        # create or refresh the triggers of every audited table
        pre_migrate.connect(_suspend_triggers, sender=self, dispatch_uid="riskfund_audit_suspend")
        post_migrate.connect(_install_triggers, sender=self, dispatch_uid="riskfund_audit_triggers")
