"""Backfill ``PoolState.last_closed_business_date`` from the runs already done (SPEC §12).

From now on a run sets it when it is done; a database that had runs before this field existed gets the latest
done business date here, so events posted from now on are flagged backdated at once. Records posted earlier keep
``backdated`` = false. The reverse does nothing (the field itself is removed by the pool migration's reverse).
"""

from django.db import migrations
from django.db.models import Max


def backfill(apps, schema_editor):
    CobRun = apps.get_model("cob", "CobRun")
    PoolState = apps.get_model("pool", "PoolState")
    last = CobRun.objects.filter(status="done").aggregate(last=Max("business_date"))["last"]
    if last is not None:
        PoolState.objects.get_or_create(pk=1)
        PoolState.objects.filter(pk=1).update(last_closed_business_date=last)


class Migration(migrations.Migration):
    dependencies = [
        ("cob", "0002_beat_schedule"),
        ("pool", "0002_backdated"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
