"""Deposit top-ups (art. 16), payables (SPEC §4) and the daily job (SPEC §12) through the staff API, with figures.

The world (tests/api/staff_world.py): 东河区 paid in 4,000,000; BOB's deposit 1,000,000 leaves 3,000,000 in the
special account; BOB lends 2 × 6,000,000, so its outstanding 12,000,000 exceeds 10 × its deposit.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from riskfund.cob.models import CobRun, RunStatus
from riskfund.ledger.models import Transaction
from riskfund.ledger.selectors import account_balance
from tests.api.apihelpers import assert_problem, post


@pytest.fixture
def bureau_a(make_staff):
    return make_staff("bureau", username="bureau-a")


@pytest.fixture
def bureau_b(make_staff):
    return make_staff("bureau", username="bureau-b")


@pytest.fixture
def trustee(make_staff):
    return make_staff("trustee")


def test_topup_requested_by_staff_is_approved_by_another_bureau_user_and_executed(
    lending_world, bureau_a, bureau_b, trustee
):
    requested = post(bureau_a, "/api/v1/topups/", {"bank": "BOB", "amount": "200000", "reason": "12,000,000 在贷"})
    assert requested.status_code == 201, requested.content
    topup = requested.json()
    assert (topup["bank"], topup["requested_amount"], topup["status"]) == ("BOB", "200000.00", "requested")
    assert topup["requested_by_bank"] is False and topup["approved_amount"] is None

    url = f"/api/v1/topups/{topup['id']}"
    assert_problem(post(bureau_a, f"{url}/approve/", {"amount": "200000"}), 422, "approver_is_requester")
    assert_problem(post(trustee, f"{url}/execute/", {"executed_on": "2026-05-01"}), 422, "topup_not_approved")

    approved = post(bureau_b, f"{url}/approve/", {"amount": "150000.5"})
    assert approved.status_code == 200, approved.content
    today = timezone.localdate()
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_amount"] == "150000.50"
    assert approved.json()["approved_on"] == today.isoformat()
    assert approved.json()["due_on"] == (today + timedelta(days=30)).isoformat()

    special_before = account_balance("pool:special")
    executed = post(trustee, f"{url}/execute/", {"executed_on": today.isoformat()})
    assert executed.status_code == 200, executed.content
    assert executed.json()["status"] == "executed" and executed.json()["executed_late"] is False
    assert account_balance("deposit:BOB") == 1000000 + 150000.5
    assert special_before - account_balance("pool:special") == 150000.5
    assert executed.json()["transaction"] == str(Transaction.objects.get(kind="deposit_topup").pk)
    assert trustee.get("/api/v1/pool/").json()["pool_balance"] == "4000000.00"  # money moved inside the pool

    listed = trustee.get("/api/v1/topups/?status=executed").json()
    assert [row["id"] for row in listed["results"]] == [topup["id"]]
    assert trustee.get("/api/v1/topups/?status=requested").json()["count"] == 0
    assert_problem(trustee.get("/api/v1/topups/?status=lost"), 400, "validation_error")


def test_topup_not_needed_when_outstanding_is_within_ten_times_the_deposit(policy_2021, make_staff):
    from factories import seed_reference

    from riskfund.parties.services import bank_create

    seed_reference()
    bank_create(code="BOB", name="包商测试银行")
    response = post(make_staff("bureau"), "/api/v1/topups/", {"bank": "BOB", "amount": "1000"})
    assert_problem(response, 422, "topup_not_needed")


def test_payable_is_settled_from_the_special_account(compensated_world, trustee, make_staff):
    # compensation on 2026-04-10: loss 6,000,000 → pool share 2,400,000; deposit covered 1,000,000
    payables = trustee.get("/api/v1/payables/?settled=false").json()
    assert payables["count"] == 1
    payable = payables["results"][0]
    assert (payable["bank"], payable["amount"], payable["due_since"]) == ("BOB", "1400000.00", "2026-04-10")
    assert payable["loan"] == str(compensated_world.loans[0].pk) and payable["settled_on"] is None
    position = trustee.get("/api/v1/pool/").json()
    assert position["net_compensation"] == "2400000.00"
    assert position["pool_balance"] == "1600000.00"  # 3,000,000 special + 0 deposit − 1,400,000 payable

    settled = post(trustee, f"/api/v1/payables/{payable['id']}/settle/", {"settled_on": "2026-05-06"})
    assert settled.status_code == 200, settled.content
    assert settled.json()["settled_on"] == "2026-05-06" and settled.json()["transaction"]
    assert account_balance("pool:special") == 1600000
    assert account_balance("payable:BOB") == 0
    assert trustee.get("/api/v1/pool/").json()["pool_balance"] == "1600000.00"  # B unchanged: a debt paid
    assert trustee.get("/api/v1/payables/?settled=true").json()["count"] == 1
    assert trustee.get("/api/v1/payables/?settled=false").json()["count"] == 0
    again = post(trustee, f"/api/v1/payables/{payable['id']}/settle/", {"settled_on": "2026-05-07"})
    assert_problem(again, 422, "payable_settled")
    assert make_staff("auditor").get("/api/v1/payables/").json()["count"] == 1


def test_cob_is_queued_and_runs_when_the_request_commits(lending_world, trustee, django_capture_on_commit_callbacks):
    day = timezone.localdate() - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(trustee, "/api/v1/cob/", {"business_date": day.isoformat()})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["business_date"] == day.isoformat() and body["status"] == "queued" and body["task_id"]
    assert callbacks[0].keywords == {"kwargs": {"business_date": day.isoformat()}, "task_id": body["task_id"]}
    run = CobRun.objects.get(business_date=day)
    assert run.status == RunStatus.DONE
    runs = trustee.get("/api/v1/cob/").json()["results"]
    assert [(r["business_date"], r["status"]) for r in runs] == [(day.isoformat(), "done")]

    earlier = post(trustee, "/api/v1/cob/", {"business_date": (day - timedelta(days=1)).isoformat()})
    assert_problem(earlier, 422, "cob_date_before_last_run")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert_problem(post(trustee, "/api/v1/cob/", {"business_date": tomorrow}), 422, "date_in_future")


def test_cob_again_for_a_closed_date_is_accepted_and_changes_nothing(
    lending_world, make_staff, django_capture_on_commit_callbacks
):
    bureau = make_staff("bureau")
    day = date(2026, 5, 1)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert post(bureau, "/api/v1/cob/", {"business_date": day.isoformat()}).status_code == 202
    run = CobRun.objects.get(business_date=day)
    assert (run.status, run.attempts) == (RunStatus.DONE, 1)
