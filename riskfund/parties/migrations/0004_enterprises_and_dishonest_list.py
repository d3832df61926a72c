"""Enterprises, their support extensions and the dishonest list move here from lending (issue 16).

The tables were renamed to ``parties_*`` by ``lending.0006``, so this migration only takes the four models into the
parties app's state (their constraint and index names are still the lending ones; 0005 renames them), then moves
what names a model by its app label:

- the content types ``lending.<model>`` become ``parties.<model>``, so the permissions attached to them (the role
  groups', riskfund/access.py), admin log entries and approval requests keep pointing at the same rows;
- the ``subject_key`` of approval requests (``lending.enterprise:<pk>``) becomes ``parties.enterprise:<pk>``.

The audit trail keeps the label an event was recorded under (it is append-only); the triggers are re-installed
with the new label after ``migrate`` (riskfund/audit/triggers.py).
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Value
from django.db.models.functions import Concat, Substr

import riskfund.policy.uscc

MOVED = ("enterprise", "supportextension", "dishonestrecord", "dishonestlisting")


def _relabel(apps, schema_editor, old: str, new: str) -> None:
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)
    ApprovalRequest = apps.get_model("approvals", "ApprovalRequest")
    for model in MOVED:
        prefix = f"{old}.{model}:"
        ApprovalRequest.objects.using(db).filter(subject_key__startswith=prefix).update(
            subject_key=Concat(Value(f"{new}.{model}:"), Substr("subject_key", len(prefix) + 1))
        )


def to_parties(apps, schema_editor):
    _relabel(apps, schema_editor, "lending", "parties")


def to_lending(apps, schema_editor):
    _relabel(apps, schema_editor, "parties", "lending")


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0002_deposit_adjustment"),
        ("claims", "0002_backdated"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("lending", "0006_enterprise_tables_renamed"),
        ("parties", "0003_role_groups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Enterprise",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="编号")),
                        ("uscc", models.CharField(max_length=18, unique=True, validators=[riskfund.policy.uscc.validate_uscc], verbose_name="统一社会信用代码")),
                        ("name", models.CharField(max_length=200, verbose_name="企业名称")),
                        ("industry", models.CharField(max_length=40, verbose_name="行业代码")),
                        ("employees", models.PositiveIntegerField(verbose_name="从业人员（人）")),
                        ("revenue", models.DecimalField(decimal_places=2, max_digits=18, verbose_name="营业收入（元）")),
                        ("total_assets", models.DecimalField(decimal_places=2, max_digits=18, verbose_name="资产总额（元）")),
                        ("established_on", models.DateField(verbose_name="成立日期")),
                        ("size_class", models.CharField(choices=[("micro", "微型"), ("small", "小型"), ("medium", "中型"), ("large", "大型")], max_length=10, verbose_name="企业规模")),
                        ("dishonest", models.BooleanField(default=False, verbose_name="列入失信名单")),
                        ("support_extension_until", models.DateField(blank=True, null=True, verbose_name="延长连续支持至")),
                        ("support_extension_reason", models.CharField(blank=True, max_length=500, verbose_name="延长连续支持理由")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="录入人")),
                        ("district", models.ForeignKey(limit_choices_to={"tier": "district"}, on_delete=django.db.models.deletion.PROTECT, related_name="enterprises", to="parties.funder", verbose_name="注册地区")),
                    ],
                    options={
                        "verbose_name": "企业",
                        "verbose_name_plural": "企业",
                        "ordering": ["name"],
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("size_class__in", ["micro", "small", "medium", "large"])), name="lending_enterprise_size_class"),
                            models.CheckConstraint(condition=models.Q(("revenue__gte", 0), ("total_assets__gte", 0)), name="lending_enterprise_figures"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SupportExtension",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="编号")),
                        ("until", models.DateField(verbose_name="延长至")),
                        ("reason", models.CharField(max_length=500, verbose_name="理由")),
                        ("granted_at", models.DateTimeField(auto_now_add=True, verbose_name="批准时间")),
                        ("enterprise", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="support_extensions", to="parties.enterprise", verbose_name="企业")),
                        ("granted_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="批准人")),
                    ],
                    options={
                        "verbose_name": "连续支持延期",
                        "verbose_name_plural": "连续支持延期",
                        "ordering": ["-granted_at"],
                    },
                ),
                migrations.CreateModel(
                    name="DishonestRecord",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="编号")),
                        ("action", models.CharField(choices=[("listed", "列入"), ("lifted", "移出")], max_length=10, verbose_name="操作")),
                        ("on", models.DateField(verbose_name="日期")),
                        ("cause", models.CharField(blank=True, choices=[("compensation", "代偿（未按期还款）"), ("evasion", "恶意逃避债务"), ("other", "其他")], max_length=20, verbose_name="原因类别")),
                        ("reason", models.CharField(blank=True, max_length=500, verbose_name="说明")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="记录时间")),
                        ("user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="经办人")),
                        ("enterprise", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="dishonest_records", to="parties.enterprise", verbose_name="企业")),
                    ],
                    options={
                        "verbose_name": "失信名单记录",
                        "verbose_name_plural": "失信名单记录",
                        "ordering": ["-on", "-created_at"],
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("action__in", ["listed", "lifted"])), name="lending_dishonest_action"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="DishonestListing",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="编号")),
                        ("status", models.CharField(choices=[("pending", "待认定"), ("listed", "已列入"), ("dismissed", "不予列入"), ("lifted", "已移出")], db_index=True, default="pending", max_length=10, verbose_name="状态")),
                        ("proposed_on", models.DateField(verbose_name="提出日期")),
                        ("decided_on", models.DateField(blank=True, null=True, verbose_name="认定日期")),
                        ("reason", models.CharField(blank=True, max_length=500, verbose_name="认定理由")),
                        ("lifted_on", models.DateField(blank=True, null=True, verbose_name="移出日期")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("compensation", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="listing", to="claims.compensation", verbose_name="代偿")),
                        ("decided_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="认定人")),
                        ("enterprise", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="listings", to="parties.enterprise", verbose_name="企业")),
                    ],
                    options={
                        "verbose_name": "失信名单认定",
                        "verbose_name_plural": "失信名单认定",
                        "ordering": ["-proposed_on", "-created_at"],
                        "indexes": [models.Index(fields=["enterprise", "status"], name="lending_listing_ent_status")],
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("status__in", ["pending", "listed", "dismissed", "lifted"])), name="lending_listing_status"),
                            models.CheckConstraint(condition=models.Q(models.Q(("decided_on__isnull", True), ("status", "pending")), models.Q(models.Q(("status", "pending"), _negated=True), ("decided_on__isnull", False)), _connector="OR"), name="lending_listing_decided_has_date"),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(to_parties, to_lending),
    ]
