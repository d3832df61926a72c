"""An import run: one uploaded book, validated (a dry run), previewed, then committed or not.

``ImportRun`` keeps the file (under ``MEDIA_ROOT/imports/<id>/``, served only through authenticated views),
who imported it and what they may write (a staff user — a district officer's ``scope_district`` —, a bank by its
id, or the command line), and the result: the problems (each with sheet, row, column, code and a message in
Chinese and English), the rows already in riskfund, the counts per sheet, the pool position before and after,
and the annotated copy of the workbook when there are problems. The status moves::

    queued → validating → valid | invalid → committing → committed (| invalid when the commit found a problem)
    any step → failed (an unexpected error; its message is kept)

A run asked to commit when valid (``commit_requested``: the API's ``commit``, the command's ``--commit``) is
validated and committed in one pass.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def import_upload_to(run: "ImportRun", filename: str) -> str:
    return f"imports/{run.pk}/{filename}"


class ImportRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        VALIDATING = "validating", _("校验中")
        VALID = "valid", _("校验通过，待确认")
        INVALID = "invalid", _("有错误")
        COMMITTING = "committing", _("写入中")
        COMMITTED = "committed", _("已写入")
        FAILED = "failed", _("失败")

    class Source(models.TextChoices):
        ADMIN = "admin", _("管理后台")
        API = "api", _("接口")
        COMMAND = "command", _("命令行")

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入用户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="import_runs",
    )
    owner_bank = models.CharField(_("导入银行"), max_length=64, blank=True, db_index=True)
    scope_district = models.CharField(_("限于地区"), max_length=16, blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    file = models.FileField(_("文件"), upload_to=import_upload_to, max_length=255)
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    business_date = models.DateField(_("导入日期"))
    commit_requested = models.BooleanField(_("校验通过即写入"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    rows_total = models.PositiveIntegerField(_("数据行数"), default=0)
    written = models.JSONField(_("将写入（按表）"), default=dict, blank=True)
    existing = models.JSONField(_("已在风险池（按表）"), default=dict, blank=True)
    existing_rows = models.JSONField(_("已在风险池的行"), default=list, blank=True)
    skipped = models.PositiveIntegerField(_("因关联行有误而跳过"), default=0)
    problems = models.JSONField(_("错误"), default=list, blank=True)
    problem_count = models.PositiveIntegerField(_("错误数"), default=0)
    preview = models.JSONField(_("资金池变化预览"), default=dict, blank=True)
    cob_dates = models.JSONField(_("日终处理日期"), default=list, blank=True)
    annotated = models.FileField(_("标注错误的副本"), upload_to=import_upload_to, max_length=255, blank=True)
    error = models.TextField(_("异常信息"), blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)
    validated_at = models.DateTimeField(_("校验时间"), null=True, blank=True)
    committed_at = models.DateTimeField(_("写入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="imports_run_progress_le_100"),
            models.CheckConstraint(
                condition=~(Q(owner_user__isnull=False) & ~Q(owner_bank="")), name="imports_run_one_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename or self.pk} {self.get_status_display()}"

    @property
    def may_commit(self) -> bool:
        return self.status == self.Status.VALID
