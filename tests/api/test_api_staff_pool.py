"""The pool through the API (SPEC §4–§7): injections, the position, funders, agreements and interest, with the
figures worked by hand; an injection replayed with the same key posts once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from factories import DONGHE, KUNDULUN

from riskfund.cob.services import cob_run
from riskfund.ledger.models import Transaction
from riskfund.ledger.selectors import account_balance
from riskfund.pool.models import Injection
from tests.api.apihelpers import assert_problem, new_key, post
from tests.api.staff_world import district_officer

D = Decimal

INJECTIONS = [  # 24,200,000 in all
    ("region", "6000000"),
    ("city", "6000000"),
    (DONGHE, "8000000"),
    (KUNDULUN, "4200000"),
]


@pytest.fixture
def trustee(make_staff, seeded):
    return make_staff("trustee")


@pytest.fixture
def bureau(make_staff, seeded):
    return make_staff("bureau")


def inject_all(trustee):
    for code, amount in INJECTIONS:
        body = {"paid_on": "2025-03-01", "amount": amount, "kind": "injection", "reference": f"BJ-{code}"}
        response = post(trustee, f"/api/v1/funders/{code}/injections/", body)
        assert response.status_code == 201, response.content


def test_injections_of_24_2_million_give_a_capacity_of_242_million(trustee):
    response = post(
        trustee,
        "/api/v1/funders/region/injections/",
        {"paid_on": "2025-03-01", "amount": "6000000", "kind": "injection", "reference": "BJ-region"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "funder": "region",
        "kind": "injection",
        "paid_on": "2025-03-01",
        "amount": "6000000.00",
        "reference": "BJ-region",
        "transaction": str(Injection.objects.get(pk=body["id"]).transaction_id),
        "backdated": False,
    }
    for code, amount in INJECTIONS[1:]:
        assert post(trustee, f"/api/v1/funders/{code}/injections/", {"paid_on": "2025-03-01", "amount": amount})
    position = trustee.get("/api/v1/pool/").json()
    in_force = timezone.localdate() <= date(2026, 4, 29)
    assert position == {
        "pool_funds": "24200000.00",
        "net_compensation": "0.00",
        "compensation_ratio": "0.000000",
        "suspension_threshold": "0.200000",
        "suspended": False,
        "pool_balance": "24200000.00",
        "credit_capacity": "242000000.00",
        "outstanding_principal": "0.00",
        "available_capacity": "242000000.00",
        # SPEC §4: the version in force today — the 2021 one through 2026-04-29, none after (art. 40)
        "policy_version": "2021" if in_force else None,
        "policy_expires_on": "2026-04-29" if in_force else None,
        "new_business_open": in_force,
        "new_business_closed_reason": None if in_force else "no_policy_in_force",
        "as_of": timezone.localdate().isoformat(),
        "resume_replenishment": "0.00",
    }
    assert account_balance("pool:special") == D("24200000")


def test_funders_show_paid_in_cap_and_replenishment_due(trustee):
    inject_all(trustee)
    body = trustee.get("/api/v1/funders/").json()
    assert body["count"] == 12  # region, city, ten districts
    rows = {row["code"]: row for row in body["results"]}
    assert [row["code"] for row in body["results"]][:2] == ["region", "city"]
    assert rows["region"] == {
        "code": "region",
        "name": "自治区",
        "tier": "region",
        "paid_in": "6000000.00",
        "loss": "0.00",
        "commitment": None,
        "scale_cap": None,
        "outstanding_principal": "0.00",
        "replenishment_due": "0.00",
    }
    # art. 13: cap = 25 × paid-in; SPEC §6: due = max(0, L − R, M − (P − L)) with M = 8,000,000
    assert rows[DONGHE]["scale_cap"] == "200000000.00"
    assert rows[DONGHE]["replenishment_due"] == "0.00"
    assert rows[KUNDULUN]["paid_in"] == "4200000.00"
    assert rows[KUNDULUN]["scale_cap"] == "105000000.00"
    assert rows[KUNDULUN]["replenishment_due"] == "3800000.00"  # 8,000,000 − 4,200,000
    assert rows["150204"]["replenishment_due"] == "8000000.00"


def test_a_district_officer_sees_its_own_district_only(trustee, make_staff):
    inject_all(trustee)
    body = district_officer(make_staff, KUNDULUN).get("/api/v1/funders/").json()
    assert [row["code"] for row in body["results"]] == [KUNDULUN]
    assert body["results"][0]["paid_in"] == "4200000.00"
    nowhere = make_staff("district")  # no district on its profile: sees none
    assert nowhere.get("/api/v1/funders/").json()["count"] == 0


def test_agreement_places_the_deposit_and_leaves_the_pool_balance_unchanged(trustee, bureau):
    inject_all(trustee)
    assert post(bureau, "/api/v1/banks/", {"code": "BOB", "name": "包商银行"}).status_code == 201
    assert post(bureau, "/api/v1/guarantors/", {"code": "BJDB", "name": "百佳担保"}).status_code == 201
    response = post(bureau, "/api/v1/banks/BOB/agreements/", {"guarantor": "BJDB", "signed_on": "2025-03-02"})
    assert response.status_code == 201, response.content
    agreement = response.json()
    assert agreement["bank"] == "BOB" and agreement["guarantor"] == "BJDB" and agreement["status"] == "active"
    assert agreement["deposit_balance"] == "1000000.00" and agreement["ends_on"] is None
    position = bureau.get("/api/v1/pool/").json()
    assert position["pool_balance"] == "24200000.00"  # B = special + deposits − payables
    assert position["credit_capacity"] == "242000000.00"
    assert account_balance("pool:special") == D("23200000")
    assert account_balance("deposit:BOB") == D("1000000")
    banks = bureau.get("/api/v1/banks/").json()["results"]
    assert [(b["code"], b["deposit_balance"]) for b in banks] == [("BOB", "1000000.00")]
    assert bureau.get("/api/v1/banks/BOB/agreements/").json()["results"][0]["id"] == agreement["id"]

    ended = post(bureau, f"/api/v1/banks/BOB/agreements/{agreement['id']}/end/", {"ended_on": "2025-06-30"})
    assert ended.status_code == 200, ended.content
    assert ended.json()["status"] == "ending" and ended.json()["ended_on"] == "2025-06-30"
    assert ended.json()["return_due_on"] is not None  # no active loan: due 10 working days on (art. 18)
    again = post(bureau, f"/api/v1/banks/BOB/agreements/{agreement['id']}/end/", {"ended_on": "2025-06-30"})
    assert_problem(again, 422, "agreement_not_active")


def test_interest_rolls_into_the_pool(trustee, bureau):
    inject_all(trustee)
    post(bureau, "/api/v1/banks/", {"code": "BOB", "name": "包商银行"})
    post(bureau, "/api/v1/guarantors/", {"code": "BJDB", "name": "百佳担保"})
    post(bureau, "/api/v1/banks/BOB/agreements/", {"guarantor": "BJDB", "signed_on": "2025-03-02"})

    special = post(
        trustee, "/api/v1/pool/interest/", {"credited_on": "2025-06-21", "amount": "12345.67", "account": "special"}
    )
    assert special.status_code == 201, special.content
    assert special.json()["amount"] == "12345.67" and special.json()["account"] == "special"
    deposit = post(trustee, "/api/v1/pool/interest/", {"credited_on": "2025-06-21", "amount": "100", "account": "BOB"})
    assert deposit.status_code == 201
    position = trustee.get("/api/v1/pool/").json()
    assert position["pool_funds"] == "24212445.67"  # 24,200,000 + 12,345.67 + 100
    assert position["pool_balance"] == "24212445.67"
    assert position["credit_capacity"] == "242124456.70"
    assert account_balance("deposit:BOB") == D("1000100.00")
    assert account_balance("pool:special") == D("23212345.67")


def test_a_replayed_injection_answers_the_same_and_posts_once(trustee):
    key = new_key()
    body = {"paid_on": "2025-03-01", "amount": "8000000", "reference": "BJ-1"}
    first = post(trustee, f"/api/v1/funders/{DONGHE}/injections/", body, key=key)
    before = Transaction.objects.count()
    second = post(trustee, f"/api/v1/funders/{DONGHE}/injections/", body, key=key)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Transaction.objects.count() == before
    assert Injection.objects.count() == 1
    assert trustee.get("/api/v1/pool/").json()["pool_funds"] == "8000000.00"
    other = post(trustee, f"/api/v1/funders/{DONGHE}/injections/", {**body, "amount": "1"}, key=key)
    assert_problem(other, 422, "idempotency_key_reused")


def test_a_replenishment_is_recorded_as_such(trustee):
    response = post(
        trustee,
        f"/api/v1/funders/{DONGHE}/injections/",
        {"paid_on": "2025-03-01", "amount": "1000", "kind": "replenishment"},
    )
    assert response.status_code == 201 and response.json()["kind"] == "replenishment"
    assert Injection.objects.get().kind == "replenishment"


def test_an_injection_dated_today_is_accepted_and_tomorrow_refused(trustee):
    today = timezone.localdate()
    url = f"/api/v1/funders/{DONGHE}/injections/"
    assert post(trustee, url, {"paid_on": today.isoformat(), "amount": "1"}).status_code == 201
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert_problem(post(trustee, url, {"paid_on": tomorrow, "amount": "1"}), 422, "date_in_future")


def test_an_injection_dated_at_or_before_the_last_closed_business_date_is_flagged_backdated(trustee):
    """SPEC §12: accepted, and the answer says so (the next run counts it: tests/cob/test_cob_backdated.py)."""
    cob_run(business_date=date(2025, 3, 1))
    url = f"/api/v1/funders/{DONGHE}/injections/"
    flags = []
    for paid_on in ("2025-03-01", "2025-03-02"):
        response = post(trustee, url, {"paid_on": paid_on, "amount": "1000000"})
        assert response.status_code == 201, response.content
        flags.append(response.json()["backdated"])
    assert flags == [True, False]
    assert list(Injection.objects.order_by("paid_on").values_list("backdated", flat=True)) == [True, False]
