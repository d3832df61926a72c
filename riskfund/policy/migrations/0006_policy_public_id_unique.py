import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("policy", "0005_policy_public_id")]

    operations = [
        migrations.AlterField(
            model_name="policyversion",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="编号"),
        ),
    ]
