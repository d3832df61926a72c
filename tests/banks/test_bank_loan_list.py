"""``GET /api/v1/loans/``: this bank's loans, newest disbursement first, with the filters of API.md and the
overdue days for today; ``GET /api/v1/recommendations/`` lists only this bank's recommendations."""

from bank_world import assert_problem, days_ago


def test_filters_status_overdue_and_disbursement_dates(world):
    recent = world.loan("300000", disbursed_on=days_ago(5))
    older = world.loan("400000", disbursed_on=days_ago(50))
    overdue = world.overdue_loan("500000", overdue=30)  # disbursed 90 days ago
    world.loan("200000", bank=world.bank_b)

    def ids(query: str) -> list[str]:
        response = world.a.get("/api/v1/loans/" + query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("") == [str(recent.pk), str(older.pk), str(overdue.pk)]
    assert ids("?overdue=true") == [str(overdue.pk)]
    assert ids("?overdue=false") == [str(recent.pk), str(older.pk)]
    assert ids(f"?disbursed_after={days_ago(50).isoformat()}") == [str(recent.pk), str(older.pk)]
    assert ids(f"?disbursed_before={days_ago(6).isoformat()}") == [str(older.pk), str(overdue.pk)]
    assert ids("?status=repaid") == []
    assert ids("?page_size=1") == [str(recent.pk)]

    rows = {row["id"]: row for row in world.a.get("/api/v1/loans/").json()["results"]}
    assert rows[str(overdue.pk)]["overdue_days"] == 30
    assert rows[str(recent.pk)]["overdue_days"] == 0
    assert rows[str(older.pk)]["outstanding_principal"] == "400000.00"

    for bad in ("?overdue=maybe", "?status=lost", "?disbursed_after=2025-02-30"):
        problem = assert_problem(world.a.get("/api/v1/loans/" + bad), 400, "validation_error")
        assert set(problem["errors"]) <= {"overdue", "status", "disbursed_after"}


def test_an_unknown_loan_id_is_404(world):
    assert_problem(world.a.get("/api/v1/loans/00000000-0000-0000-0000-000000000000/"), 404, "not_found")
    assert_problem(world.a.get("/api/v1/loans/not-a-uuid/"), 404, "not_found")
