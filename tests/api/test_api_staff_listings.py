"""The dishonest-list decisions through the staff API (API.md ``dishonest-listings``; SPEC §10, art. 36).

The world (tests/api/staff_world.py, ``compensate``): BOB's first 6,000,000 loan is compensated on 2026-04-10, which
proposes to list its enterprise; until the bureau decides, the firm is ``enterprise_under_review``."""

from datetime import date

import pytest

from riskfund.claims.models import Compensation
from riskfund.parties.models import DishonestListing
from tests.api.apihelpers import assert_problem, post


@pytest.fixture
def bureau(make_staff):
    return make_staff("bureau", username="bureau-a")


def _application(client, uscc: str):
    return post(client, "/api/v1/applications/", {"enterprise": uscc, "amount": "100000", "term_months": 12})


def test_art36_list_the_pending_proposal_then_decide_list(compensated_world, bureau, make_staff):
    compensation = Compensation.objects.get()
    enterprise = compensation.loan.enterprise
    listing = DishonestListing.objects.get()

    page = bureau.get("/api/v1/dishonest-listings/").json()
    assert page["count"] == 1
    assert page["results"][0] == {
        "id": str(listing.pk),
        "enterprise": enterprise.uscc,
        "enterprise_name": enterprise.name,
        "compensation": str(compensation.pk),
        "status": "pending",
        "proposed_on": "2026-04-10",
        "decided_by": None,
        "decided_on": None,
        "reason": "",
        "lifted_on": None,
    }
    auditor = make_staff("auditor")
    assert auditor.get("/api/v1/dishonest-listings/?status=pending").json()["count"] == 1
    assert auditor.get("/api/v1/dishonest-listings/?status=listed").json()["count"] == 0
    assert_problem(auditor.get("/api/v1/dishonest-listings/?status=maybe"), 400, "validation_error")

    # pending: no new application for the firm (SPEC §10)
    assert assert_problem(_application(bureau, enterprise.uscc), 422, "enterprise_under_review")["clause"] == "art. 36"

    url = f"/api/v1/dishonest-listings/{listing.pk}/decide/"
    assert_problem(post(bureau, url, {"decision": "list"}), 400, "validation_error")  # the reason is required
    assert_problem(post(bureau, url, {"decision": "list", "reason": "   "}), 400, "validation_error")
    assert_problem(post(bureau, url, {"decision": "ban", "reason": "x"}), 400, "validation_error")
    decided = post(bureau, url, {"decision": "list", "reason": "转移资产、逃避债务"})
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert (body["status"], body["decided_by"], body["reason"]) == ("listed", "bureau-a", "转移资产、逃避债务")
    assert date.fromisoformat(body["decided_on"]) >= date(2026, 4, 10)

    assert_problem(_application(bureau, enterprise.uscc), 422, "enterprise_dishonest")
    again = post(bureau, url, {"decision": "dismiss", "reason": "再议"})
    assert assert_problem(again, 422, "listing_not_pending")["clause"] == "art. 36"
    assert bureau.get("/api/v1/dishonest-listings/?status=listed").json()["count"] == 1


def test_art36_dismiss_makes_the_firm_eligible_again(compensated_world, bureau):
    listing = DishonestListing.objects.get()
    decided = post(
        bureau,
        f"/api/v1/dishonest-listings/{listing.pk}/decide/",
        {"decision": "dismiss", "reason": "经营困难，无恶意"},
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "dismissed"
    created = _application(bureau, listing.enterprise.uscc)
    assert created.status_code == 201, created.content


def test_art36_an_unknown_listing_is_404(compensated_world, bureau):
    url = "/api/v1/dishonest-listings/00000000-0000-4000-8000-00000000dead/decide/"
    assert_problem(post(bureau, url, {"decision": "list", "reason": "x"}), 404, "not_found")
