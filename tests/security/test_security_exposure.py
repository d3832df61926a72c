"""The "also" items of the outside attack (issue 12): what a client is told beyond its own business.

- ``GET /api/v1/banks/`` gave a district officer every bank's total outstanding across all districts; a district
  officer sees its own district only (SPEC §1, API.md Authentication), so each bank's figures are its district's.
- A bank endpoint answered 401 with ``WWW-Authenticate: Token`` (the staff scheme); it challenges with ``Api-Key``.
"""

import pytest
from rest_framework.test import APIClient

from tests.api.staff_world import district_officer

DONGHE, KUNDULUN = "150202", "150203"


def figures(client) -> list[tuple[str, str, int]]:
    response = client.get("/api/v1/banks/")
    assert response.status_code == 200, response.content
    return [(b["code"], b["outstanding_principal"], b["active_loans"]) for b in response.json()["results"]]


@pytest.fixture
def lent(world):
    """东河区 enterprises borrow 1,000,000 and 400,000 from BOB and 700,000 from BOC (all active)."""
    world.loan("1000000")
    world.loan("400000")
    world.loan("700000", bank=world.bank_b)
    return world


def test_a_district_officer_reads_each_banks_outstanding_of_its_own_district(lent, make_staff):
    assert figures(district_officer(make_staff, DONGHE)) == [("BOB", "1400000.00", 2), ("BOC", "700000.00", 1)]


def test_a_district_officer_of_another_district_sees_none_of_those_loans(lent, make_staff):
    """昆都仑区 has no loan: 0.00 at both banks, not the city-wide 1,400,000 and 700,000."""
    assert figures(district_officer(make_staff, KUNDULUN)) == [("BOB", "0.00", 0), ("BOC", "0.00", 0)]


def test_the_bureau_reads_every_banks_total(lent, make_staff):
    assert figures(make_staff("bureau")) == [("BOB", "1400000.00", 2), ("BOC", "700000.00", 1)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/recommendations/",
        "/api/v1/loans/?contract_no=X",
        "/api/v1/deposit/",
        "/api/v1/webhooks/",
        "/api/v1/statements/2025-01.xlsx",
    ],
)
def test_a_bank_endpoint_challenges_with_api_key(path):
    response = APIClient().get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Api-Key realm="api"'


@pytest.mark.django_db
def test_a_staff_endpoint_still_challenges_with_token():
    response = APIClient().get("/api/v1/funders/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_staff_token_on_a_bank_endpoint_is_still_a_403(world, make_staff):
    assert make_staff("bureau").get("/api/v1/recommendations/").status_code == 403
