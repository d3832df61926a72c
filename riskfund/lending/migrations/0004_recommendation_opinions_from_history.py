"""Art. 26 as SPEC §8 now reads it: both the bank's and the guarantor's opinions gate a recommendation.

Each recommendation that is not yet used gets ``bank_opinion`` / ``guarantor_opinion`` from its latest recorded
opinion of each party, and its status from both: approved only when both approve, rejected when either rejected,
else issued (waiting for the missing opinion — the bureau or the trustee records the guarantor's). Used
recommendations keep their status (their loan is registered) and get the opinions for the record.
"""

from django.db import migrations


def opinions_from_history(apps, schema_editor):
    Recommendation = apps.get_model("lending", "Recommendation")
    DueDiligence = apps.get_model("lending", "DueDiligence")
    latest = {}
    for row in DueDiligence.objects.order_by("reported_on", "created_at").values_list(
        "recommendation_id", "party", "opinion"
    ):
        latest[(row[0], row[1])] = row[2]
    for recommendation in Recommendation.objects.all().iterator():
        bank = latest.get((recommendation.pk, "bank"), "")
        guarantor = latest.get((recommendation.pk, "guarantor"), "")
        status = recommendation.status
        if status != "used":
            if "reject" in (bank, guarantor):
                status = "rejected"
            elif (bank, guarantor) == ("approve", "approve"):
                status = "approved"
            else:
                status = "issued"
        Recommendation.objects.filter(pk=recommendation.pk).update(
            bank_opinion=bank, guarantor_opinion=guarantor, status=status
        )


class Migration(migrations.Migration):
    dependencies = [("lending", "0003_guarantor_opinion_dishonest_listing")]

    operations = [migrations.RunPython(opinions_from_history, migrations.RunPython.noop)]
