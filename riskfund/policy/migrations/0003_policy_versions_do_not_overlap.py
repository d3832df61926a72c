"""PostgreSQL refuses overlapping policy versions itself (SPEC §2 "they never overlap"), so two proposals
committed at once cannot both pass the Python check. SQLite serialises writers (IMMEDIATE transactions), so the
service's check is enough there."""

from django.db import migrations

CREATE = """
ALTER TABLE policy_policyversion ADD CONSTRAINT policy_versions_do_not_overlap
EXCLUDE USING gist (daterange(effective_from, effective_to, '[]') WITH &&)
"""
DROP = "ALTER TABLE policy_policyversion DROP CONSTRAINT IF EXISTS policy_versions_do_not_overlap"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("policy", "0002_reference_data")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
