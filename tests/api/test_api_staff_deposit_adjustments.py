"""The bureau's deposit adjustment through the staff API (API.md ``deposit-adjustments``; SPEC §7, art. 16).

The world (tests/api/staff_world.py): BOB's deposit 1,000,000, special account 3,000,000, BOB's outstanding
12,000,000 → the cover its deposit must keep is 1,200,000.00 (÷ 10)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from riskfund.ledger.selectors import account_balance
from riskfund.outbox.models import OutboxEvent
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


def _propose(client, direction: str, amount: str, reason: str = "适时调整"):
    body = {"direction": direction, "amount": amount, "reason": reason}
    return post(client, "/api/v1/banks/BOB/deposit-adjustments/", body)


def test_art16_propose_approve_execute_an_increase_then_a_decrease_to_the_cover(
    lending_world, bureau_a, bureau_b, trustee
):
    today = timezone.localdate()
    assert_problem(_propose(bureau_a, "decrease", "0.01"), 422, "deposit_below_cover")  # 1,000,000 < 1,200,000
    assert_problem(_propose(bureau_a, "increase", "500000", reason=""), 400, "validation_error")
    assert_problem(_propose(bureau_a, "up", "500000"), 400, "validation_error")
    assert_problem(_propose(trustee, "increase", "1"), 403, "permission_denied")

    proposed = _propose(bureau_a, "increase", "500000", reason="业务量增长")
    assert proposed.status_code == 201, proposed.content
    body = proposed.json()
    assert (body["bank"], body["direction"], body["amount"], body["status"], body["proposed_by"]) == (
        "BOB",
        "increase",
        "500000.00",
        "proposed",
        "bureau-a",
    )
    url = f"/api/v1/deposit-adjustments/{body['id']}"
    assert_problem(post(bureau_a, f"{url}/approve/", {}), 422, "approver_is_maker")
    assert_problem(post(trustee, f"{url}/execute/", {"executed_on": today.isoformat()}), 422, "adjustment_not_approved")
    assert_problem(post(bureau_b, f"{url}/approve/", {"amount": "1"}), 400, "validation_error")  # the body is {}

    approved = post(bureau_b, f"{url}/approve/", {})
    assert approved.status_code == 200, approved.content
    assert (approved.json()["status"], approved.json()["approved_by"]) == ("approved", "bureau-b")
    assert approved.json()["due_on"] == (today + timedelta(days=30)).isoformat()
    assert OutboxEvent.objects.filter(type="deposit.adjustment_approved", bank=lending_world.bank).count() == 1

    tomorrow = (today + timedelta(days=1)).isoformat()
    assert_problem(post(trustee, f"{url}/execute/", {"executed_on": tomorrow}), 422, "date_in_future")
    executed = post(trustee, f"{url}/execute/", {"executed_on": today.isoformat()})
    assert executed.status_code == 200, executed.content
    assert (executed.json()["status"], executed.json()["executed_late"]) == ("executed", False)
    assert (account_balance("deposit:BOB"), account_balance("pool:special")) == (1500000, 2500000)

    # 1,500,000 − 300,000.01 = 1,199,999.99 < 1,200,000.00
    refused = assert_problem(_propose(bureau_a, "decrease", "300000.01"), 422, "deposit_below_cover")
    assert refused["clause"] == "art. 16"
    decrease = _propose(bureau_a, "decrease", "300000").json()
    url = f"/api/v1/deposit-adjustments/{decrease['id']}"
    assert post(bureau_b, f"{url}/approve/", {}).status_code == 200
    assert post(trustee, f"{url}/execute/", {"executed_on": today.isoformat()}).status_code == 200
    assert (account_balance("deposit:BOB"), account_balance("pool:special")) == (1200000, 2800000)


def test_art16_unknown_bank_or_adjustment_is_404(lending_world, bureau_a, trustee):
    body = {"direction": "increase", "amount": "1", "reason": "x"}
    assert_problem(post(bureau_a, "/api/v1/banks/NOPE/deposit-adjustments/", body), 404, "not_found")
    unknown = "/api/v1/deposit-adjustments/00000000-0000-4000-8000-00000000dead"
    assert_problem(post(bureau_a, f"{unknown}/approve/", {}), 404, "not_found")
    assert_problem(post(trustee, f"{unknown}/execute/", {"executed_on": "2026-01-05"}), 404, "not_found")
