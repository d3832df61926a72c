"""Art. 36 as SPEC §10 now reads it: a compensation proposes a listing, a bureau user decides it.

Before, a compensation put the firm on the dishonest list at once. So that nothing silently changes status, every
compensation that has no listing decision yet gets one that records what happened: ``listed`` on its deduction date
with the reason "listed before review was required" — or ``lifted`` (with the date of the firm's latest lifting)
when the firm has since been taken off the list.
"""

from django.db import migrations

REASON = "listed before review was required"


def listings_from_compensations(apps, schema_editor):
    Compensation = apps.get_model("claims", "Compensation")
    DishonestListing = apps.get_model("lending", "DishonestListing")
    DishonestRecord = apps.get_model("lending", "DishonestRecord")
    for compensation in Compensation.objects.filter(listing__isnull=True).select_related("loan__enterprise"):
        enterprise = compensation.loan.enterprise
        lifted = None
        if not enterprise.dishonest:
            last_lift = (
                DishonestRecord.objects.filter(enterprise=enterprise, action="lifted").order_by("-on").first()
            )
            lifted = last_lift.on if last_lift is not None else compensation.deducted_on
        DishonestListing.objects.create(
            enterprise=enterprise,
            compensation=compensation,
            status="listed" if lifted is None else "lifted",
            proposed_on=compensation.deducted_on,
            decided_on=compensation.deducted_on,
            reason=REASON,
            lifted_on=lifted,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0002_backdated"),
        ("lending", "0004_recommendation_opinions_from_history"),
    ]

    operations = [migrations.RunPython(listings_from_compensations, migrations.RunPython.noop)]
