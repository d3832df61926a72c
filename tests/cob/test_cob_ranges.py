"""The per-loan steps split by loan-id range (riskfund/cob/sql.py ``Part``): a split run writes exactly what a
single-range run writes, row for row, in-process or over Celery (a chord, run eagerly here); a range that died is
redone alone on resume, the ranges already committed are skipped. Runs on SQLite and on PostgreSQL (CI)."""

import itertools
from datetime import date

import pytest
from cob_world import dump
from django.db import transaction

from riskfund.cob import steps
from riskfund.cob.models import CobPart, CobRun, Step
from riskfund.cob.services import LOAN_STEPS, cob_dispatch, cob_run
from riskfund.cob.sql import Part

HISTORY = [date(2025, 7, 5), date(2025, 7, 6), date(2025, 8, 4)]
D = date(2025, 8, 5)


class Killed(Exception):
    """Stands for a worker killed in the middle of a range."""


def _single_range_result(settings) -> dict:
    """Every date run with one range (the whole book per statement), then rolled back."""
    settings.RISKFUND_COB_RANGES = 1
    with transaction.atomic():
        for d in [*HISTORY, D]:
            cob_run(business_date=d)
        expected = dump()
        transaction.set_rollback(True)
    assert not CobRun.objects.exists()
    return expected


def test_the_ranges_cover_the_uuid_space_once_in_order():
    parts = [Part(i, 4) for i in range(4)]
    assert [p.label for p in parts] == ["1/4", "2/4", "3/4", "4/4"]
    assert parts[0].lo is None and parts[-1].hi is None
    assert [str(p.hi) for p in parts[:-1]] == [
        "40000000-0000-0000-0000-000000000000",
        "80000000-0000-0000-0000-000000000000",
        "c0000000-0000-0000-0000-000000000000",
    ]
    assert all(a.hi == b.lo for a, b in itertools.pairwise(parts))
    assert Part().lo is None and Part().hi is None


@pytest.mark.parametrize("ranges", [2, 16])
def test_a_split_run_writes_exactly_what_a_single_range_run_writes(portfolio, settings, ranges):
    expected = _single_range_result(settings)
    settings.RISKFUND_COB_RANGES = ranges
    for d in [*HISTORY, D]:
        cob_run(business_date=d)
    assert dump() == expected
    run = CobRun.objects.get(business_date=D)
    assert CobPart.objects.filter(run=run).count() == ranges * len(LOAN_STEPS)


def test_over_celery_the_chord_writes_exactly_what_the_in_process_run_writes(portfolio, settings):
    expected = _single_range_result(settings)
    settings.RISKFUND_COB_RANGES = 4
    for d in [*HISTORY, D]:
        assert cob_dispatch(business_date=d).status == "done"
    assert dump() == expected


def test_a_range_that_died_is_redone_alone_and_the_run_ends_as_uninterrupted(portfolio, settings, monkeypatch):
    expected = _single_range_result(settings)
    settings.RISKFUND_COB_RANGES = 4
    for d in HISTORY:
        cob_run(business_date=d)
    whole = steps.step_loan_status
    called = []

    def third_range_dies(d, part):
        if part.index == 2:
            raise Killed
        return whole(d, part)

    monkeypatch.setattr(steps, "step_loan_status", third_range_dies)
    with pytest.raises(Killed):
        cob_run(business_date=D)
    run = CobRun.objects.get(business_date=D)
    committed = dict(CobPart.objects.filter(run=run, name=Step.LOAN_STATUS).values_list("part", "done_at"))
    assert sorted(committed) == ["1/4", "2/4"]  # the ranges before the one that died
    assert not run.steps.exists()

    def recording(d, part):
        called.append(part.label)
        return whole(d, part)

    monkeypatch.setattr(steps, "step_loan_status", recording)
    cob_run(business_date=D)
    assert called == ["3/4", "4/4"]  # the committed ranges are skipped
    again = CobPart.objects.filter(run=run, name=Step.LOAN_STATUS, part__in=committed)
    assert dict(again.values_list("part", "done_at")) == committed
    monkeypatch.undo()
    assert dump() == expected
    assert run.steps.get(name=Step.LOAN_STATUS).rows == sum(
        CobPart.objects.filter(run=run, name=Step.LOAN_STATUS).values_list("rows", flat=True)
    )
