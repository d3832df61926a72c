"""Stored answers of idempotent POSTs (API.md, Conventions; IETF draft "The Idempotency-Key HTTP Header Field").

One row per (client, key). It is inserted ``in_progress`` in its own committed transaction before the view
runs, so a concurrent duplicate hits the unique constraint; it is marked ``done`` with the final status and
body inside the same database transaction as the business write, so the two commit (or vanish) together.
Rows are kept at least 90 days (``idempotency_purge``).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    client = models.CharField(_("client"), max_length=100, help_text=_('"user:<pk>" or "bank:<pk>"'))
    key = models.CharField(_("idempotency key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=2000)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.IN_PROGRESS)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response_body = models.TextField(_("response body"), blank=True)
    content_type = models.CharField(_("response content type"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="api_idempotency_client_key_unique"),
            models.CheckConstraint(
                condition=models.Q(state="in_progress") | models.Q(status_code__isnull=False),
                name="api_idempotency_done_has_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.key} {self.state}"
