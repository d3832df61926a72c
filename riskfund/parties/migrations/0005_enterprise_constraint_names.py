"""The moved tables' constraints and index take the parties app's names (issue 16); the rules are the same."""

from django.db import migrations, models

LISTING_DECIDED = models.Q(
    models.Q(("decided_on__isnull", True), ("status", "pending")),
    models.Q(models.Q(("status", "pending"), _negated=True), ("decided_on__isnull", False)),
    _connector="OR",
)
CHECKS = {
    "enterprise": {
        "enterprise_size_class": models.Q(("size_class__in", ["micro", "small", "medium", "large"])),
        "enterprise_figures": models.Q(("revenue__gte", 0), ("total_assets__gte", 0)),
    },
    "dishonestrecord": {"dishonest_action": models.Q(("action__in", ["listed", "lifted"]))},
    "dishonestlisting": {
        "listing_status": models.Q(("status__in", ["pending", "listed", "dismissed", "lifted"])),
        "listing_decided_has_date": LISTING_DECIDED,
    },
}


def _renamed(model: str, name: str, condition: models.Q) -> list[migrations.operations.base.Operation]:
    return [
        migrations.RemoveConstraint(model_name=model, name=f"lending_{name}"),
        migrations.AddConstraint(
            model_name=model, constraint=models.CheckConstraint(condition=condition, name=f"parties_{name}")
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("lending", "0007_enterprise_models_leave_lending"),
        ("parties", "0004_enterprises_and_dishonest_list"),
    ]

    operations = [
        *(op for model, checks in CHECKS.items() for name, q in checks.items() for op in _renamed(model, name, q)),
        migrations.RenameIndex(
            model_name="dishonestlisting", new_name="parties_listing_ent_status", old_name="lending_listing_ent_status"
        ),
    ]
