"""Enterprises, applications and recommendations through the staff API (SPEC §8, art. 4, 5, 23–25), and the
district office's scope: its own district only (SPEC §1)."""

import pytest
from factories import DONGHE, KUNDULUN, make_uscc

from riskfund.lending.models import Application, PipelineEvent
from riskfund.parties.models import DishonestListing, Enterprise, SupportExtension
from tests.api.apihelpers import assert_problem, post
from tests.api.staff_world import district_officer


def enterprise_body(uscc: str, district: str = DONGHE, **figures) -> dict:
    body = {
        "uscc": uscc,
        "name": f"包头企业{uscc[-4:]}有限公司",
        "district": district,
        "industry": "industry",
        "employees": 50,
        "revenue": "10000000",
        "total_assets": "8000000.5",
        "established_on": "2015-06-01",
    }
    body.update(figures)
    return body


@pytest.fixture
def bureau(make_staff, seeded):
    return make_staff("bureau")


def test_enterprise_is_registered_with_its_size_class(bureau):
    uscc = make_uscc(101)
    response = post(bureau, "/api/v1/enterprises/", enterprise_body(uscc))
    assert response.status_code == 201, response.content
    assert response.json() == {
        "id": str(Enterprise.objects.get(uscc=uscc).pk),
        "uscc": uscc,
        "name": f"包头企业{uscc[-4:]}有限公司",
        "district": DONGHE,
        "industry": "industry",
        "employees": 50,
        "revenue": "10000000.00",
        "total_assets": "8000000.50",
        "established_on": "2015-06-01",
        "size_class": "small",
        "dishonest": False,
        "support_extension_until": None,
    }
    micro = post(bureau, "/api/v1/enterprises/", enterprise_body(make_uscc(102), employees=5, revenue="500000"))
    assert micro.json()["size_class"] == "micro"
    # industry: large from 1,000 persons AND revenue 400,000,000 (工信部联企业〔2011〕300号)
    large = post(bureau, "/api/v1/enterprises/", enterprise_body(make_uscc(103), employees=1000, revenue="400000000"))
    assert large.status_code == 201 and large.json()["size_class"] == "large"


def test_bad_uscc_is_400_and_outside_baotou_is_422(bureau):
    wrong_check = make_uscc(104)[:-1] + ("0" if make_uscc(104)[-1] != "0" else "1")
    body = assert_problem(post(bureau, "/api/v1/enterprises/", enterprise_body(wrong_check)), 400, "validation_error")
    assert "uscc" in body["errors"]
    beijing = make_uscc(105, area="110105")
    body = assert_problem(
        post(bureau, "/api/v1/enterprises/", enterprise_body(beijing)), 422, "enterprise_not_eligible"
    )
    assert body["clause"] == "art. 4, 5"
    duplicate = make_uscc(106)
    assert post(bureau, "/api/v1/enterprises/", enterprise_body(duplicate)).status_code == 201
    assert (
        "uscc"
        in assert_problem(post(bureau, "/api/v1/enterprises/", enterprise_body(duplicate)), 400, "validation_error")[
            "errors"
        ]
    )


def test_application_then_recommendation_with_a_form_number(bureau, make_staff):
    from riskfund.parties.services import bank_create, guarantor_create

    bank_create(code="BOB", name="包商测试银行")
    guarantor_create(code="BJDB", name="百佳担保")
    uscc = make_uscc(201)
    post(bureau, "/api/v1/enterprises/", enterprise_body(uscc))
    district = district_officer(make_staff, DONGHE)
    applied = post(
        district,
        "/api/v1/applications/",
        {"enterprise": uscc, "amount": "3000000", "term_months": 12, "purpose": "流动资金"},
    )
    assert applied.status_code == 201, applied.content
    application = applied.json()
    assert application["enterprise"] == uscc and application["district"] == DONGHE
    assert (application["amount"], application["term_months"], application["status"]) == ("3000000.00", 12, "submitted")

    recommended = post(
        bureau,
        f"/api/v1/applications/{application['id']}/recommend/",
        {"bank": "BOB", "guarantor": "BJDB", "amount": "2500000"},
    )
    assert recommended.status_code == 201, recommended.content
    recommendation = recommended.json()
    year = recommendation["issued_on"][:4]
    assert recommendation["form_no"] == f"ZBJ-{year}-000001"
    assert (recommendation["bank"], recommendation["guarantor"], recommendation["amount"]) == (
        "BOB",
        "BJDB",
        "2500000.00",
    )
    assert recommendation["status"] == "issued" and recommendation["enterprise"] == uscc
    assert Application.objects.get(pk=application["id"]).status == "recommended"
    assert PipelineEvent.objects.filter(application_id=application["id"]).count() == 3
    listed = bureau.get("/api/v1/applications/?status=recommended").json()
    assert [row["id"] for row in listed["results"]] == [application["id"]]

    second = post(
        bureau,
        f"/api/v1/applications/{application['id']}/recommend/",
        {"bank": "BOB", "guarantor": "BJDB", "amount": "1"},
    )
    assert "application" in assert_problem(second, 400, "validation_error")["errors"]


def test_art4_art36_large_reviewed_and_dishonest_enterprises_cannot_apply(compensated_world, make_staff):
    bureau = make_staff("bureau")
    large = make_uscc(301)
    post(bureau, "/api/v1/enterprises/", enterprise_body(large, employees=1000, revenue="400000000"))
    body = {"enterprise": large, "amount": "1000000", "term_months": 12}
    assert_problem(post(bureau, "/api/v1/applications/", body), 422, "enterprise_not_eligible")
    # a compensation proposes a listing (art. 36): under review until the bureau decides, then on the list
    dishonest = compensated_world.loans[0].enterprise.uscc
    body = {"enterprise": dishonest, "amount": "1000000", "term_months": 12}
    assert_problem(post(bureau, "/api/v1/applications/", body), 422, "enterprise_under_review")
    listing = DishonestListing.objects.get(enterprise__uscc=dishonest)
    decided = post(
        bureau, f"/api/v1/dishonest-listings/{listing.pk}/decide/", {"decision": "list", "reason": "恶意逃避债务"}
    )
    assert decided.status_code == 200, decided.content
    assert (
        assert_problem(post(bureau, "/api/v1/applications/", body), 422, "enterprise_dishonest")["clause"] == "art. 36"
    )


def test_extension_is_granted_by_the_bureau(bureau):
    uscc = make_uscc(401)
    post(bureau, "/api/v1/enterprises/", enterprise_body(uscc))
    response = post(
        bureau, f"/api/v1/enterprises/{uscc}/extension/", {"until": "2029-12-31", "reason": "协调办公室同意"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["enterprise"] == uscc and response.json()["until"] == "2029-12-31"
    assert SupportExtension.objects.get().reason == "协调办公室同意"
    assert bureau.get("/api/v1/enterprises/").json()["results"][0]["support_extension_until"] == "2029-12-31"


def test_a_district_office_registers_and_sees_its_own_district_only(bureau, make_staff):
    donghe = district_officer(make_staff, DONGHE)
    mine, theirs = make_uscc(501), make_uscc(502, area=KUNDULUN)
    assert post(donghe, "/api/v1/enterprises/", enterprise_body(mine)).status_code == 201
    refused = post(donghe, "/api/v1/enterprises/", enterprise_body(theirs, district=KUNDULUN))
    assert_problem(refused, 403, "permission_denied")
    assert post(bureau, "/api/v1/enterprises/", enterprise_body(theirs, district=KUNDULUN)).status_code == 201

    assert [row["uscc"] for row in donghe.get("/api/v1/enterprises/").json()["results"]] == [mine]
    assert bureau.get("/api/v1/enterprises/").json()["count"] == 2
    # another district's enterprise is not found (API.md: 404, never 403)
    body = {"enterprise": theirs, "amount": "1000000", "term_months": 12}
    assert_problem(post(donghe, "/api/v1/applications/", body), 404, "not_found")
    assert post(district_officer(make_staff, KUNDULUN), "/api/v1/applications/", body).status_code == 201
    assert donghe.get("/api/v1/applications/").json()["count"] == 0
    assert bureau.get("/api/v1/applications/").json()["count"] == 1
