"""The per-loan daily status is ``DailyLoanStatus`` (table ``cob_dailyloanstatus``): ``LoanStatus`` was also the
name of the loan's status choices (issue 16). The rows stay; the content type follows the model (Django's own
rename step), its permissions take the new codenames, the constraints and the index the new table's names."""

from django.db import migrations, models

ACTIONS = ("add", "change", "delete", "view")


def _recode(apps, schema_editor, old: str, new: str) -> None:
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type = ContentType.objects.using(db).filter(app_label="cob", model="dailyloanstatus").first()
    if content_type is None:
        return  # a fresh database: the permissions are created after migrate, with the new codenames
    for action in ACTIONS:
        mine = Permission.objects.using(db).filter(content_type=content_type)
        if not mine.filter(codename=f"{action}_{new}").exists():
            mine.filter(codename=f"{action}_{old}").update(codename=f"{action}_{new}")


def to_daily(apps, schema_editor):
    _recode(apps, schema_editor, "loanstatus", "dailyloanstatus")


def to_plain(apps, schema_editor):
    _recode(apps, schema_editor, "dailyloanstatus", "loanstatus")


BUCKETS = ["current", "1-25", "26-60", "61-90", "91+"]


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("cob", "0006_drop_idempotency_purge_step"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RenameModel(old_name="LoanStatus", new_name="DailyLoanStatus"),
        migrations.RunPython(to_daily, to_plain),
        migrations.RemoveConstraint(model_name="dailyloanstatus", name="cob_loanstatus_bucket_valid"),
        migrations.AddConstraint(
            model_name="dailyloanstatus",
            constraint=models.CheckConstraint(
                condition=models.Q(("bucket__in", BUCKETS)), name="cob_dailyloanstatus_bucket_valid"
            ),
        ),
        migrations.RemoveConstraint(model_name="dailyloanstatus", name="cob_loanstatus_eligible_has_since"),
        migrations.AddConstraint(
            model_name="dailyloanstatus",
            constraint=models.CheckConstraint(
                condition=models.Q(("compensation_eligible", False), ("compensation_eligible_since__isnull", False), _connector="OR"),
                name="cob_dailyloanstatus_eligible_has_since",
            ),
        ),
        migrations.RenameIndex(
            model_name="dailyloanstatus", new_name="cob_dailyloanstatus_changed_on", old_name="cob_loanstatus_changed_on"
        ),
    ]
