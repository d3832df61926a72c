"""The audit trail (审计日志): one row per INSERT, UPDATE or DELETE of a row of an audited table (issue 6).

Rows are written by database triggers (riskfund/audit/triggers.py), never by Python, so every way of changing a
row is recorded: ``save()``, ``queryset.update()``, ``bulk_create()``, ``bulk_update()``, ``delete()`` on a
queryset, raw SQL. ``old`` and ``new`` are the row's columns as JSON before and after (``old`` is null for an
insert, ``new`` for a delete); an UPDATE that changes nothing is not recorded. Secret columns (password hashes,
API key hashes) are shown only as hidden / changed. ``user`` (a user id, kept without a foreign-key constraint so
that the row outlives the user), ``actor`` and ``source`` come from the request or job that made the change
(riskfund/audit/context.py). The table is append-only: PostgreSQL refuses UPDATE and DELETE on it, SQLite refuses
UPDATE (DELETE stays possible there for Django's test flush, as for the ledger).
"""

from decimal import Decimal
from json import JSONDecoder

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExactJSONDecoder(JSONDecoder):
    """JSON numbers with a fraction become ``Decimal``, never ``float`` (SPEC §3)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("parse_float", Decimal)
        super().__init__(*args, **kwargs)


class Operation(models.TextChoices):
    INSERT = "insert", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")


class AuditEvent(models.Model):
    id = models.BigAutoField(_("编号"), primary_key=True)
    occurred_at = models.DateTimeField(_("时间"), db_index=True)
    model = models.CharField(_("数据类型"), max_length=100, help_text=_("app_label.model_name"))
    db_table = models.CharField(_("数据表"), max_length=100)
    object_id = models.CharField(_("对象编号"), max_length=100)
    operation = models.CharField(_("操作"), max_length=6, choices=Operation.choices)
    old = models.JSONField(_("修改前"), null=True, blank=True, decoder=ExactJSONDecoder)
    new = models.JSONField(_("修改后"), null=True, blank=True, decoder=ExactJSONDecoder)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作用户"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor = models.CharField(_("操作方"), max_length=150, blank=True, help_text=_("用户名，或银行接口的 bank:代码"))
    source = models.CharField(_("来源"), max_length=200, blank=True, help_text=_("请求方法与路径，或进程"))

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["model", "object_id"], name="audit_event_object"),
            models.Index(fields=["user", "occurred_at"], name="audit_event_user"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(operation__in=["insert", "update", "delete"]), name="audit_event_operation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.model} {self.object_id} {self.get_operation_display()}"

    def changes(self) -> list[tuple[str, object, object]]:
        """(column, before, after) for every column whose value differs (all columns for an insert or a delete)."""
        old, new = self.old or {}, self.new or {}
        columns = list(new) if self.operation == Operation.INSERT else list(old)
        keep = self.operation != Operation.UPDATE
        return [(c, old.get(c), new.get(c)) for c in columns if keep or old.get(c) != new.get(c)]
