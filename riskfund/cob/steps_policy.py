"""The daily run's policy step (SPEC §2, §12; art. 40): a version near its end with no approved successor.

From ``expiry_warning_days`` (2021: 90) before a version's last day, and after it while none follows, each run
flags ``policy_expiring``; the banks with an active agreement hear of it once per version (``policy.expiring``).
"""

from datetime import date

from riskfund.outbox.models import EventType, OutboxEvent
from riskfund.outbox.services import outbox_emit_to_active_banks
from riskfund.policy.selectors import policy_expiring

from .models import CobFlag, FlagKind


def step_policy_expiring(d: date) -> int:
    """Flag the version returned by ``policy_expiring(d)``; emit ``policy.expiring`` the first time it is flagged."""
    version = policy_expiring(d)
    if version is None:
        return 0
    days_left = (version.effective_to - d).days
    detail = {"policy_version": version.code, "effective_to": version.effective_to.isoformat(), "days_left": days_left}
    CobFlag.objects.bulk_create(
        [
            CobFlag(
                business_date=d,
                kind=FlagKind.POLICY_EXPIRING,
                subject=version.code,
                subject_name=version.title[:200],
                due_on=version.effective_to,
                detail=detail,
            )
        ],
        ignore_conflicts=True,
    )
    told = OutboxEvent.objects.filter(type=EventType.POLICY_EXPIRING, data__policy_version=version.code).exists()
    if not told:
        outbox_emit_to_active_banks(type=EventType.POLICY_EXPIRING, data={**detail, "business_date": d.isoformat()})
    return 1
