"""Reads of the outbox shared by the delivery sweep and the admin."""

import datetime as dt
import uuid

from django.utils import timezone

from .models import EventState, OutboxEvent


def due_event_ids(*, now: dt.datetime | None = None, limit: int = 500) -> list[uuid.UUID]:
    """Pending events whose next attempt is due at ``now``, oldest due first (for the retry sweep)."""
    now = now or timezone.now()
    return list(
        OutboxEvent.objects.filter(state=EventState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
