"""One run per business date (SPEC §12): a done date changes nothing when run again, a run that died is resumed
and ends as an uninterrupted run would, every step is idempotent, dates run forward."""

from datetime import date

import pytest
from cob_world import dump
from django.db import connection, transaction

from riskfund.cob import steps
from riskfund.cob.models import CobRun, CobStep, DailyLoanStatus, RunStatus, Step
from riskfund.cob.services import cob_run
from riskfund.errors import RuleViolation
from riskfund.lending.selectors import overdue_days

HISTORY = [date(2025, 7, 5), date(2025, 7, 6), date(2025, 8, 4)]
D = date(2025, 8, 5)


class Killed(Exception):
    """Stands for a worker killed in the middle of a run."""


def _kill(*args, **kwargs):
    raise Killed


def test_the_same_date_twice_changes_nothing(portfolio):
    for d in HISTORY:
        cob_run(business_date=d)
    first = cob_run(business_date=D)
    assert first.status == RunStatus.DONE
    assert list(first.steps.order_by("done_at", "id").values_list("name", flat=True)) == Step.values
    before = dump()
    finished_at = first.finished_at
    again = cob_run(business_date=D)
    assert again.pk == first.pk
    assert again.finished_at == finished_at
    assert again.attempts == 1
    assert dump() == before


def test_every_step_is_idempotent_for_its_date(portfolio):
    """Doing each step a second time for the same date writes nothing new (upserts with a change test, inserts
    that ignore existing rows, events only for the rows a statement flips)."""
    for d in HISTORY:
        cob_run(business_date=d)
    cob_run(business_date=D)
    before = dump()
    for name in Step.values:
        rows = getattr(steps, f"step_{name}")(D)
        if name in {"loan_status", "compensation_eligibility", "maturity_reminders", "threshold"}:
            assert rows == 0, name
    assert dump() == before


@pytest.mark.parametrize("killed_at", ["maturity_reminders", "topup_late", "snapshot"])
def test_a_run_killed_between_steps_resumes_to_the_uninterrupted_result(portfolio, monkeypatch, killed_at):
    for d in HISTORY:
        cob_run(business_date=d)
    # the uninterrupted run, on the same data, rolled back afterwards
    with transaction.atomic():
        cob_run(business_date=D)
        expected = dump()
        transaction.set_rollback(True)
    assert not CobRun.objects.filter(business_date=D).exists()

    monkeypatch.setattr(steps, f"step_{killed_at}", _kill)
    with pytest.raises(Killed):
        cob_run(business_date=D)
    run = CobRun.objects.get(business_date=D)
    assert run.status == RunStatus.RUNNING
    done = list(run.steps.order_by("done_at", "id").values_list("name", flat=True))
    assert done == Step.values[: Step.values.index(killed_at)]
    monkeypatch.undo()

    resumed = cob_run(business_date=D)
    assert resumed.pk == run.pk
    assert resumed.status == RunStatus.DONE
    assert resumed.attempts == 2
    assert dump() == expected


def test_a_step_killed_midway_leaves_none_of_its_effect(portfolio, monkeypatch):
    """The loan-status upsert ran, then the worker died before the bucket history: both roll back together."""
    for d in HISTORY:
        cob_run(business_date=d)
    with transaction.atomic():
        cob_run(business_date=D)
        expected = dump()
        transaction.set_rollback(True)

    before = dump()
    monkeypatch.setattr(steps, "record_bucket_changes", _kill)
    with pytest.raises(Killed):
        cob_run(business_date=D)
    assert not CobStep.objects.filter(run__business_date=D).exists()
    after = dump()
    assert after["loan_status"] == before["loan_status"]
    assert after["bucket_changes"] == before["bucket_changes"]
    monkeypatch.undo()
    cob_run(business_date=D)
    assert dump() == expected


def test_a_later_date_first_finishes_a_run_that_died(portfolio, monkeypatch):
    monkeypatch.setattr(steps, "step_snapshot", _kill)
    with pytest.raises(Killed):
        cob_run(business_date=date(2025, 8, 4))
    monkeypatch.undo()
    cob_run(business_date=D)
    assert list(CobRun.objects.order_by("business_date").values_list("business_date", "status")) == [
        (date(2025, 8, 4), "done"),
        (D, "done"),
    ]


def test_dates_run_forward_and_never_in_the_future(portfolio):
    cob_run(business_date=D)
    with pytest.raises(RuleViolation) as refused:
        cob_run(business_date=date(2025, 8, 1))
    assert refused.value.code == "cob_date_before_last_run"
    with pytest.raises(RuleViolation) as future:
        cob_run(business_date=date(2025, 8, 7), today=date(2025, 8, 6))
    assert future.value.code == "date_in_future"
    assert cob_run(business_date=date(2025, 8, 6), today=date(2025, 8, 6)).status == RunStatus.DONE


@pytest.mark.django_db(transaction=True)
def test_committed_steps_survive_a_killed_run_and_the_resume_completes(policy_2021, monkeypatch):
    """With real commits (no test transaction around the run): the steps before the kill are committed, the
    resumed run skips them and the loans end with the lending app's overdue days."""
    from cob_world import build_portfolio

    world = build_portfolio()
    monkeypatch.setattr(steps, "step_threshold", _kill)
    with pytest.raises(Killed):
        cob_run(business_date=D)
    assert not connection.in_atomic_block
    run = CobRun.objects.get(business_date=D)
    committed = dict(run.steps.values_list("name", "rows"))
    assert list(committed) == Step.values[: Step.values.index("threshold")]
    monkeypatch.undo()
    cob_run(business_date=D)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert {k: v for k, v in run.steps.values_list("name", "rows") if k in committed} == committed
    for loan in world.loans.values():
        if loan.closed_on is None or loan.closed_on > D:
            assert DailyLoanStatus.objects.get(loan=loan).overdue_days == overdue_days(loan, D)
