"""The daily run reads art. 40 and art. 31 strictly (SPEC §2, §9, §12).

Art. 40: the 2021 version's last day is 2026-04-29. 2026-04-29 − 2026-01-29 = 2 (Jan) + 28 + 31 + 29 = 90 days,
so the run of 2026-01-29 flags ``policy_expiring`` and the run of 2026-01-28 (91 days) does not; the banks with
an active agreement (BOB; BOC's ended 2025-02-03) get ``policy.expiring`` once, however many runs flag it; an
approved successor ends the warning. The day after the last day the run still flags it (days_left −1), and
the day's snapshot names no version.

Art. 31 "到期60日前": a reminder is due from maturity − 60 days and before maturity; a loan whose maturity has
come by the first run that could remind it gets none (it is due or overdue, not about to be).
"""

from datetime import date

import pytest
from cob_world import build_world
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from riskfund.cob.models import CobFlag, DailyLoanStatus, FlagKind, PoolSnapshot
from riskfund.cob.services import cob_run
from riskfund.outbox.models import OutboxEvent
from riskfund.policy.services import policy_version_approve, policy_version_renew


def _flags() -> list[tuple]:
    return list(
        CobFlag.objects.filter(kind=FlagKind.POLICY_EXPIRING)
        .order_by("business_date")
        .values_list("business_date", "subject", "due_on", "detail")
    )


@pytest.fixture
def world(policy_2021):
    return build_world()


def test_art_40_the_run_flags_policy_expiring_at_90_days_not_91_and_tells_the_banks_once(world):
    cob_run(business_date=date(2026, 1, 28))
    assert _flags() == []
    assert not OutboxEvent.objects.filter(type="policy.expiring").exists()

    cob_run(business_date=date(2026, 1, 29))
    cob_run(business_date=date(2026, 1, 30))
    detail = {"policy_version": "2021", "effective_to": "2026-04-29"}
    assert _flags() == [
        (date(2026, 1, 29), "2021", date(2026, 4, 29), {**detail, "days_left": 90}),
        (date(2026, 1, 30), "2021", date(2026, 4, 29), {**detail, "days_left": 89}),
    ]
    [event] = OutboxEvent.objects.filter(type="policy.expiring")
    assert event.bank == world.bank
    assert event.data == {**detail, "days_left": 90, "business_date": "2026-01-29"}

    # the day after the last day: still flagged until a successor is approved; the snapshot names no version
    cob_run(business_date=date(2026, 4, 30))
    assert _flags()[-1] == (date(2026, 4, 30), "2021", date(2026, 4, 29), {**detail, "days_left": -1})
    assert PoolSnapshot.objects.get(business_date=date(2026, 4, 30)).policy_version == ""
    assert PoolSnapshot.objects.get(business_date=date(2026, 1, 29)).policy_version == "2021"
    assert OutboxEvent.objects.filter(type="policy.expiring").count() == 1


def test_art_40_an_approved_successor_ends_the_flag(world):
    cob_run(business_date=date(2026, 1, 29))
    bureau = []
    for name in ("bureau-1", "bureau-2"):
        user = get_user_model().objects.create_user(name)
        user.groups.add(Group.objects.get(name="bureau"))
        bureau.append(user)
    renewal = policy_version_renew(
        user=bureau[0], based_on="2021", code="2026", effective_from=date(2026, 4, 30), effective_to=date(2031, 4, 29)
    )
    cob_run(business_date=date(2026, 1, 30))  # proposed, not approved: still flagged
    policy_version_approve(version=renewal, user=bureau[1])
    cob_run(business_date=date(2026, 1, 31))
    assert [flag[0] for flag in _flags()] == [date(2026, 1, 29), date(2026, 1, 30)]
    assert OutboxEvent.objects.filter(type="policy.expiring").count() == 1


def test_art_31_no_maturity_reminder_on_or_after_maturity(world):
    """Loan M matures 2025-07-02 (60 days before: 2025-05-03); the first run is on its maturity date → no reminder.
    Loan N matures 2025-07-03: the same run is the day before its maturity → reminded."""
    matured = world.lend("300000", disbursed_on=date(2025, 1, 2), maturity_on=date(2025, 7, 2))
    due_tomorrow = world.lend("300000", disbursed_on=date(2025, 1, 3), maturity_on=date(2025, 7, 3))
    cob_run(business_date=date(2025, 7, 2))
    cob_run(business_date=date(2025, 7, 10))
    assert DailyLoanStatus.objects.get(loan=matured).maturity_reminded_on is None
    assert DailyLoanStatus.objects.get(loan=due_tomorrow).maturity_reminded_on == date(2025, 7, 2)
    reminded = [e.data["loan"] for e in OutboxEvent.objects.filter(type="loan.maturity_reminder")]
    assert reminded == [str(due_tomorrow.pk)]
