from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_role_groups(sender, apps=None, using="default", **kwargs) -> None:
    """After every migrate (and a test database's flush), each role group carries exactly its permissions,
    including those of models migrated after the data migration that created the groups (riskfund/access.py)."""
    from django.apps import apps as global_apps

    from riskfund.access import sync_role_groups

    sync_role_groups(apps or global_apps, using=using)  # a flush sends no ``apps``: the project's own


class PartiesConfig(AppConfig):
    name = "riskfund.parties"
    label = "parties"
    verbose_name = _("参与方")

    def ready(self) -> None:
        post_migrate.connect(_sync_role_groups, sender=self, dispatch_uid="riskfund.parties.role_groups")
