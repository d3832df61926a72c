"""Export jobs: a workbook built in Celery, kept for download until it expires.

An ``ExportJob`` belongs to a staff user or to a bank (its id as a string), never both. Its ``kind`` names
an entry of ``riskfund.exports.registry``; ``params`` are that kind's cleaned parameters (JSON). The file
lives under ``MEDIA_ROOT/exports/<job id>/`` and is served only through an authenticated view (the admin's
download link, or the bank API), never as a public media URL. ``export_jobs_purge_expired`` deletes the
files and rows whose ``expires_at`` has passed.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def export_upload_to(job: "ExportJob", filename: str) -> str:
    return f"exports/{job.pk}/{filename}"


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(_("编号"), primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("报表类型"), max_length=60, db_index=True)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起用户"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    owner_bank = models.CharField(_("所属银行"), max_length=64, blank=True, db_index=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    rows_total = models.PositiveIntegerField(_("总行数"), null=True, blank=True)
    file = models.FileField(_("文件"), upload_to=export_upload_to, max_length=255, blank=True)
    filename = models.CharField(_("下载文件名"), max_length=200, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), db_index=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="exports_job_progress_le_100"),
            models.CheckConstraint(
                condition=(Q(owner_user__isnull=False) & Q(owner_bank=""))
                | (Q(owner_user__isnull=True) & ~Q(owner_bank="")),
                name="exports_job_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M} {self.get_status_display()}"

    @property
    def owner(self) -> str:
        return self.owner_bank or str(self.owner_user)

    def is_downloadable(self, now: datetime) -> bool:
        return self.status == self.Status.DONE and bool(self.file) and now < self.expires_at
