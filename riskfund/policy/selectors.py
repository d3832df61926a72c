"""Reads of policy and reference data: which version governs a date (SPEC §2), the LPR in force (art. 22)."""

from datetime import date, timedelta
from decimal import Decimal

from riskfund.runcache import cached

from .models import LprRate, PolicyVersion


def _approved():
    return PolicyVersion.objects.filter(approved_at__isnull=False)


def policy_in_force(on: date) -> PolicyVersion | None:
    """The approved version whose validity covers ``on``; None when no version is in force (new loans refused).
    Kept for a ``run_cache`` run (an import), which enters no policy version."""
    return cached(
        ("policy_in_force", on), lambda: _approved().filter(effective_from__lte=on, effective_to__gte=on).first()
    )


def policy_for_pool(on: date) -> PolicyVersion:
    """The version for pool-level checks: the one in force on ``on``, else the most recent one before it,
    else the earliest one (SPEC §2: "or the most recent one when none is")."""
    version = policy_in_force(on) or _approved().filter(effective_from__lte=on).order_by("-effective_from").first()
    if version is None:
        version = _approved().order_by("effective_from").first()
    if version is None:
        raise PolicyVersion.DoesNotExist("no approved policy version: run `python manage.py bootstrap`")
    return version


def policy_successor(version: PolicyVersion) -> PolicyVersion | None:
    """The approved version in force the day after ``version`` ends (art. 40: the measures renewed), or None."""
    return policy_in_force(version.effective_to + timedelta(days=1))


def policy_expiring(on: date) -> PolicyVersion | None:
    """Art. 40 (SPEC §2): the latest approved version begun by ``on`` when ``on`` is at most its
    ``expiry_warning_days`` (90) before its end — or after it — and no approved version follows it; else None.
    ``effective_to`` is the last day in force: 90 days before it is flagged, 91 days before is not."""
    latest = _approved().filter(effective_from__lte=on).order_by("-effective_from").first()
    if latest is None or (latest.effective_to - on).days > latest.expiry_warning_days:
        return None
    return latest if policy_successor(latest) is None else None


def lpr_on(d: date) -> Decimal | None:
    """The one-year LPR in percent in force on ``d`` (the latest publication on or before it), None before the
    first one known. Stored next to a loan's rate for reporting (art. 22 (三))."""
    rates = LprRate.objects.filter(effective_on__lte=d).order_by("-effective_on")
    return cached(("lpr_on", d), lambda: rates.values_list("rate_percent", flat=True).first())
