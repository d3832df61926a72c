"""The lending app's state lets go of the models that moved to parties (issue 16): its foreign keys now name
``parties.Enterprise`` and the four models leave its state. Nothing changes in the database: the tables were
renamed by 0006 and the parties app took them over in its 0004."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lending", "0006_enterprise_tables_renamed"),
        ("parties", "0004_enterprises_and_dishonest_list"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="application",
                    name="enterprise",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="applications",
                        to="parties.enterprise",
                        verbose_name="企业",
                    ),
                ),
                migrations.AlterField(
                    model_name="loan",
                    name="enterprise",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="loans",
                        to="parties.enterprise",
                        verbose_name="企业",
                    ),
                ),
                migrations.DeleteModel(name="DishonestListing"),
                migrations.DeleteModel(name="DishonestRecord"),
                migrations.DeleteModel(name="SupportExtension"),
                migrations.DeleteModel(name="Enterprise"),
            ],
        ),
    ]
