"""The audit trail in the admin (审计日志): read-only, filterable by data type, object, operation, user and time.

Who sees it: the bureau and the auditor (a superuser has every role). Nobody adds, edits or deletes a row here.
Filter one object's history with ``?model=parties.enterprise&object_id=<pk as stored>`` (the object column links
there).
"""

from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from riskfund.access import AUDITOR, BUREAU, user_roles
from riskfund.money import money_text

from .models import AuditEvent, Operation
from .triggers import audited_models

READERS = frozenset({BUREAU, AUDITOR})


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def model_title(label: str) -> str:
    model = _model(label)
    return f"{model._meta.verbose_name}（{label}）" if model is not None else label


def _field(label: str, column: str):
    model = _model(label)
    if model is None:
        return None
    return next((field for field in model._meta.local_concrete_fields if field.column == column), None)


def column_title(label: str, column: str) -> str:
    field = _field(label, column)
    return f"{field.verbose_name}（{column}）" if field is not None else column


def column_value(label: str, column: str, value) -> str:
    """A stored value as people read it (issue 13): a choice by its label, a reference by the record it names (never
    its UUID), money grouped, a flag as 是/否; a column the model no longer has, as stored."""
    if value is None:
        return "—"
    field = _field(label, column)
    if isinstance(field, models.BooleanField) or isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if field is None:
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):  # a one-to-one too
        return _record_name(field.related_model, value)
    if isinstance(field, models.DecimalField) and field.decimal_places == 2:
        try:
            return money_text(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    return str(value)


def _record_name(model, value) -> str:
    try:
        record = model._default_manager.filter(pk=model._meta.pk.to_python(value)).first()
    except (ValidationError, ValueError, TypeError):
        record = None
    return str(record) if record is not None else str(_("（已删除的记录）"))


def stored_object_id(obj) -> str:
    """The primary key as the triggers store it (UUIDs: 32 hex digits on SQLite, dashed on PostgreSQL)."""
    value = obj._meta.pk.get_db_prep_value(obj.pk, connection)
    return str(value)


class ModelFilter(admin.SimpleListFilter):
    title = _("数据类型")
    parameter_name = "model"

    def lookups(self, request, model_admin):
        return [(m._meta.label_lower, model_title(m._meta.label_lower)) for m in audited_models()]

    def queryset(self, request, queryset):
        return queryset.filter(model=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ModelAdmin):
    list_display = ["occurred_at", "model_display", "object_link", "operation", "who", "source", "changed_columns"]
    list_filter = ["operation", ModelFilter, ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["=object_id", "actor", "source"]
    date_hierarchy = "occurred_at"
    list_select_related = ["user"]
    list_per_page = 50
    show_full_result_count = False
    fields = ["occurred_at", "model_display", "object_link", "operation", "who", "source", "change_table"]
    readonly_fields = fields

    # --- read-only, for the bureau and the auditor ---------------------------------------------------------------

    def _reader(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and user_roles(user) & READERS)

    def has_module_permission(self, request):
        return self._reader(request)

    def has_view_permission(self, request, obj=None):
        return self._reader(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # --- columns ---------------------------------------------------------------------------------------------------

    @admin.display(description=_("数据类型"), ordering="model")
    def model_display(self, obj: AuditEvent) -> str:
        return model_title(obj.model)

    @admin.display(description=_("对象"), ordering="object_id")
    def object_link(self, obj: AuditEvent):
        history = (
            reverse("admin:audit_auditevent_changelist")
            + "?"
            + urlencode({"model": obj.model, "object_id": obj.object_id})
        )
        # the stored id (a UUID for most records) is not for people: the links name what they open (issue 13)
        links = [format_html('<a href="{}">{}</a>', history, _("此对象的全部记录"))]
        model = _model(obj.model)
        if model is not None and obj.operation != Operation.DELETE:
            try:
                pk = model._meta.pk.to_python(obj.object_id)
                url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])
            except (NoReverseMatch, ValueError, TypeError):
                url = None
            if url:
                links.append(format_html('<a href="{}">{}</a>', url, _("打开")))
        return format_html_join(" ", "{}", ((link,) for link in links))

    @admin.display(description=_("操作人"), ordering="actor")
    def who(self, obj: AuditEvent) -> str:
        if obj.user_id is not None:
            return obj.actor or f"#{obj.user_id}"
        return obj.actor or str(_("（无用户：系统或后台任务）"))

    @admin.display(description=_("变更字段"))
    def changed_columns(self, obj: AuditEvent) -> str:
        if obj.operation != Operation.UPDATE:
            return "—"
        return "、".join(column for column, _old, _new in obj.changes())

    @admin.display(description=_("变更内容"))
    def change_table(self, obj: AuditEvent):
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            (
                (column_title(obj.model, c), column_value(obj.model, c, old), column_value(obj.model, c, new))
                for c, old, new in obj.changes()
            ),
        )
        return format_html(
            '<table class="rf-audit-changes"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            _("字段"),
            _("修改前"),
            _("修改后"),
            rows,
        )
