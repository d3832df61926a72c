"""An opaque id for the API (API.md: object ids are UUIDs): added empty and filled row by row; made unique in
0006 (its own transaction: PostgreSQL alters no table with pending trigger events)."""

import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    PolicyVersion = apps.get_model("policy", "PolicyVersion")
    for version in PolicyVersion.objects.filter(public_id__isnull=True):
        version.public_id = uuid.uuid4()
        version.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [("policy", "0004_counter_guarantee_collection_expiry_warning")]

    operations = [
        migrations.AddField(
            model_name="policyversion",
            name="public_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="编号"),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
    ]
