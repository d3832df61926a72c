"""The deposit endpoints (art. 16, SPEC §7) and the webhook registration of a bank (API.md "Webhooks to banks")."""

from bank_world import assert_problem, post

from banks.models import WebhookEndpoint
from banks.webhooks import endpoint_secret
from riskfund.pool.models import DepositTopUp


def test_a_bank_over_ten_times_its_deposit_requests_the_suggested_top_up(world):
    bank = world.a
    assert_problem(post(bank, "/api/v1/deposit/topup-requests/", {"amount": "1000"}), 422, "topup_not_needed")

    world.loan("6000000")
    world.loan("6000000")  # outstanding 12,000,000 > 10 × 1,000,000
    deposit = bank.get("/api/v1/deposit/").json()
    assert (deposit["balance"], deposit["outstanding_principal"]) == ("1000000.00", "12000000.00")
    assert deposit["topup_suggested"] == "200000.00"  # ceil(12,000,000 ÷ 10 − 1,000,000)
    assert deposit["movements"]["count"] == 1

    requested = post(bank, "/api/v1/deposit/topup-requests/", {"amount": "200000", "reason": "超过10倍"})
    assert requested.status_code == 201, requested.content
    topup = requested.json()
    assert (topup["amount"], topup["reason"], topup["status"]) == ("200000.00", "超过10倍", "requested")
    row = DepositTopUp.objects.get(pk=topup["id"])
    assert row.bank == world.bank_a and row.requested_by_bank and row.requested_by is None

    assert_problem(post(bank, "/api/v1/deposit/topup-requests/", {"amount": "1"}), 422, "topup_already_pending")
    problem = assert_problem(post(bank, "/api/v1/deposit/topup-requests/", {"amount": "0"}), 400, "validation_error")
    assert "amount" in problem["errors"]
    # bank B's deposit is its own
    other = world.b.get("/api/v1/deposit/").json()
    assert (other["outstanding_principal"], other["topup_suggested"]) == ("0.00", "0.00")


def test_deposit_movements_are_paged(world):
    page = world.a.get("/api/v1/deposit/?page_size=1").json()["movements"]
    assert page["count"] == 1 and len(page["results"]) == 1 and page["next"] is None
    assert page["results"][0]["change"] == "1000000.00"


def test_a_bank_registers_its_webhook_and_sees_the_secret_once(world):
    created = post(world.a, "/api/v1/webhooks/", {"url": "https://core.bob.example.cn/riskfund"})
    assert created.status_code == 201, created.content
    body = created.json()
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert endpoint.bank == world.bank_a and endpoint.active
    assert body["secret"] == endpoint_secret(endpoint)

    listed = world.a.get("/api/v1/webhooks/").json()
    assert [e["id"] for e in listed["results"]] == [body["id"]]
    assert "secret" not in listed["results"][0]
    assert world.b.get("/api/v1/webhooks/").json()["count"] == 0

    # a new registration replaces the active endpoint
    again = post(world.a, "/api/v1/webhooks/", {"url": "https://core2.bob.example.cn/riskfund"})
    assert again.status_code == 201
    assert [e["active"] for e in world.a.get("/api/v1/webhooks/").json()["results"]] == [True, False]

    for url in ("http://core.bob.example.cn/hook", "https://10.0.0.8/hook", "https://169.254.169.254/latest"):
        assert_problem(post(world.a, "/api/v1/webhooks/", {"url": url}), 422, "webhook_url_not_allowed")
