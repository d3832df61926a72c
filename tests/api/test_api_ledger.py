"""GET /api/v1/ledger/transactions/: who may read it, what it shows, filters, and cursors that never shift."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from riskfund.ledger.services import transaction_post, transaction_reverse
from tests.api.apihelpers import assert_problem

URL = "/api/v1/ledger/transactions/"


def _inject(amount: str, on: date, funder: str = "city", reference: str = ""):
    return transaction_post(
        kind="injection",
        business_date=on,
        debits=[("pool:special", Decimal(amount))],
        credits=[(f"funder:{funder}", Decimal(amount))],
        description=f"{funder} injection",
        reference=reference,
    )


@pytest.mark.parametrize(
    ("roles", "superuser", "status"),
    [
        (("bureau",), False, 200),
        (("trustee",), False, 200),
        (("auditor",), False, 200),
        ((), True, 200),
        (("district",), False, 403),
        ((), False, 403),
    ],
)
def test_role_matrix(make_staff, roles, superuser, status):
    response = make_staff(*roles, superuser=superuser).get(URL)
    assert response.status_code == status
    if status == 403:
        assert_problem(response, 403, "permission_denied")


def test_anonymous_is_401(db):
    assert_problem(APIClient().get(URL), 401, "not_authenticated")


def test_transactions_with_their_entries(make_staff, accounts):
    original = _inject("1000000", date(2025, 3, 1), reference="INJ-1")
    reversal = transaction_reverse(original=original, business_date=date(2025, 3, 2), reason="typo")
    body = make_staff("auditor").get(URL).json()
    assert set(body) == {"next", "previous", "results"}
    first, second = body["results"]
    assert first == {
        "id": str(original.pk),
        "kind": "injection",
        "business_date": "2025-03-01",
        "posted_at": first["posted_at"],
        "description": "city injection",
        "reference": "INJ-1",
        "reverses": None,
        "entries": [
            {"account": "pool:special", "side": "debit", "amount": "1000000.00"},
            {"account": "funder:city", "side": "credit", "amount": "1000000.00"},
        ],
    }
    assert second["reverses"] == str(original.pk) and second["id"] == str(reversal.pk)
    assert second["entries"][0] == {"account": "funder:city", "side": "debit", "amount": "1000000.00"}


def test_filters_by_account_and_business_date(make_staff, accounts):
    a = _inject("1", date(2025, 1, 10), "city")
    b = _inject("2", date(2025, 2, 10), "region")
    c = _inject("3", date(2025, 3, 10), "city")
    client = make_staff("trustee")

    def ids(query):
        response = client.get(URL + query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("?account=funder:city") == [str(a.pk), str(c.pk)]
    assert ids("?account=pool:special") == [str(a.pk), str(b.pk), str(c.pk)]
    assert ids("?date_from=2025-02-01") == [str(b.pk), str(c.pk)]
    assert ids("?date_to=2025-02-10") == [str(a.pk), str(b.pk)]
    assert ids("?account=funder:city&date_from=2025-02-01&date_to=2025-03-10") == [str(c.pk)]
    assert ids("?account=nobody") == []


def test_bad_filters_are_400(make_staff):
    client = make_staff("trustee")
    assert "date_from" in assert_problem(client.get(URL + "?date_from=2025-13-01"), 400, "validation_error")["errors"]
    body = assert_problem(client.get(URL + "?date_from=2025-03-02&date_to=2025-03-01"), 400, "validation_error")
    assert "date_to" in body["errors"]
    assert_problem(client.get(URL + "?cursor=garbage"), 404, "not_found")


def test_cursor_pages_do_not_shift_when_rows_are_posted(make_staff, accounts):
    old = [_inject(str(i), date(2025, 1, i)) for i in range(1, 6)]
    client = make_staff("bureau")
    page = client.get(URL + "?page_size=2").json()
    seen = [row["id"] for row in page["results"]]
    new = [_inject(str(i), date(2024, 12, i)) for i in range(1, 4)]  # earlier business dates, posted later
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert seen == [str(t.pk) for t in old + new]


def test_page_size_is_at_most_500_and_above_is_a_400(make_staff, accounts):
    """API.md: ``?page_size=`` up to 500 — DRF would quietly cap 100000 at 500; the contract refuses it (issue 19
    item 7), as it refuses 0 and a word."""
    for i in range(3):
        _inject("1", date(2025, 1, i + 1))
    client = make_staff("bureau")
    assert len(client.get(URL + "?page_size=500").json()["results"]) == 3
    for bad in ("501", "100000", "0", "ten", "-1"):
        body = assert_problem(client.get(URL + "?page_size=" + bad), 400, "validation_error")
        assert list(body["errors"]) == ["page_size"], bad


def test_query_count_does_not_grow_with_rows(make_staff, accounts, django_assert_max_num_queries):
    for i in range(20):
        _inject("1", date(2025, 1, 1 + i % 28))
    client = make_staff("bureau")
    with django_assert_max_num_queries(6):
        assert len(client.get(URL).json()["results"]) == 20
