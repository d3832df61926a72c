"""The four role groups and their permissions (SPEC §1, riskfund/access.py); kept current after every migrate
(``PartiesConfig.ready``) and by ``manage.py bootstrap``."""

from django.db import migrations


def role_groups(apps, schema_editor):
    from riskfund.access import sync_role_groups

    sync_role_groups(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("parties", "0002_role_capabilities"),
    ]

    operations = [migrations.RunPython(role_groups, migrations.RunPython.noop)]
