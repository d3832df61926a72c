"""GET /api/v1/funders/{code}/statements/{YYYY-MM}/ and …/{YYYY-MM}.xlsx (API.md): bureau, trustee and auditor see
every funder's statement, a district officer only its own district's (another funder is 404), a bank key is refused;
the JSON carries the worked example's figures as two-place strings and the workbook the same figures."""

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from banks.auth import bank_api_key_issue
from riskfund.exports.download import XLSX_CONTENT_TYPE

URL = "/api/v1/funders/{code}/statements/{month}/"
XLSX = "/api/v1/funders/{code}/statements/{month}.xlsx"


def assert_problem(response, status: int, code: str) -> None:
    assert response.status_code == status, (response.status_code, response.content)
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code


@pytest.mark.parametrize("role", ["bureau", "trustee", "auditor"])
def test_the_bureau_the_trustee_and_the_auditor_read_any_funders_statement(september, make_staff, role):
    client = make_staff(role)
    for code in ("region", "city", "150202", "150203"):
        assert client.get(URL.format(code=code, month="2024-09")).status_code == 200


def test_the_json_statement_carries_the_worked_example_as_strings(september, make_staff):
    body = make_staff("bureau").get(URL.format(code="150202", month="2024-09")).json()
    assert body["funder"] == {"code": "150202", "name": "东河区", "tier": "district"}
    assert (body["month"], body["period_start"], body["period_end"]) == ("2024-09", "2024-09-01", "2024-09-30")
    assert (body["opening_paid_in"], body["closing_paid_in"]) == ("8000000.00", "8096000.00")
    assert (body["injections"], body["replenishments"], body["paid_in_other"]) == ("50000.00", "96000.00", "-50000.00")
    assert (body["opening_loss"], body["compensation_total"], body["recovery_total"], body["closing_loss"]) == (
        "96000.00",
        "160000.01",
        "16000.00",
        "240000.01",
    )
    assert (body["closing_position"], body["replenishment_due"]) == ("7855999.99", "144000.01")
    [share] = body["compensations"]
    assert share["contract_no"] == september.compensated_in_september.contract_no
    assert (share["bank"], share["business_date"], share["amount"]) == ("BOB", "2024-09-28", "160000.01")
    district = body["district"]
    assert (district["active_loans"], district["outstanding_principal"]) == (2, "2300000.00")
    assert district["overdue"]["26-60"] == {"count": 1, "amount": "300000.00"}
    assert (district["scale_cap"], district["cap_used"], district["cap_left"]) == (
        "202400000.00",
        "0.0114",
        "200100000.00",
    )
    region = make_staff("bureau").get(URL.format(code="region", month="2024-09")).json()
    assert region["district"] is None and region["closing_loss"] == "276000.00"


def test_a_district_officer_sees_only_its_own_districts_statement(september, make_staff):
    officer = make_staff("district", district="150202")
    assert officer.get(URL.format(code="150202", month="2024-09")).status_code == 200
    assert officer.get(XLSX.format(code="150202", month="2024-09")).status_code == 200
    for code in ("150203", "region", "city", "nosuch"):
        assert_problem(officer.get(URL.format(code=code, month="2024-09")), 404, "not_found")
        assert_problem(officer.get(XLSX.format(code=code, month="2024-09")), 404, "not_found")
    nowhere = make_staff("district")  # no district on its profile: none
    assert_problem(nowhere.get(URL.format(code="150202", month="2024-09")), 404, "not_found")


def test_banks_and_strangers_are_refused(september):
    _, key = bank_api_key_issue(bank=september.world.bank)
    bank = APIClient()
    bank.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert_problem(bank.get(URL.format(code="region", month="2024-09")), 403, "permission_denied")
    assert APIClient().get(URL.format(code="region", month="2024-09")).status_code == 401


@pytest.mark.parametrize("month", ["2024-13", "2024-9", "abcd-ef", "0999-01"])
def test_a_malformed_month_is_400(september, make_staff, month):
    client = make_staff("bureau")
    assert_problem(client.get(URL.format(code="region", month=month)), 400, "validation_error")
    assert_problem(client.get(XLSX.format(code="region", month=month)), 400, "validation_error")


def test_an_unknown_funder_or_a_month_not_begun_is_404(september, make_staff):
    client = make_staff("bureau")
    assert_problem(client.get(URL.format(code="region", month="2999-01")), 404, "not_found")
    assert_problem(client.get(URL.format(code="150299", month="2024-09")), 404, "not_found")


def test_the_workbook_has_the_same_figures_and_prints_the_funder_and_month(september, make_staff):
    response = make_staff("trustee").get(XLSX.format(code="150202", month="2024-09"), HTTP_ACCEPT=XLSX_CONTENT_TYPE)
    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["概要", "实缴变动", "代偿分担", "追偿返还"]
    summary = {row[0]: row[1] for row in book["概要"].iter_rows(min_row=2, values_only=True) if row[0]}
    for label, amount in (
        ("期初实缴（含补充资金）", "8000000.00"),
        ("期末实缴（含补充资金）", "8096000.00"),
        ("本月代偿分担", "160000.01"),
        ("本月追偿返还", "16000.00"),
        ("期末承担代偿净额", "240000.01"),
        ("应补充资金（第十三条、第三十八条）", "144000.01"),
        ("月末在贷余额", "2300000.00"),
    ):
        assert Decimal(repr(summary[label])).quantize(Decimal("0.01")) == Decimal(amount), label
    assert {"经办人（签字）", "复核人（签字）", "盖章"} <= set(summary)
    assert book["概要"].oddHeader.center.text == "东河区（150202）  2024-09（2024-09-01 至 2024-09-30）"
    shares = list(book["代偿分担"].iter_rows(min_row=2, values_only=True))
    assert shares[0][1] == september.compensated_in_september.contract_no and shares[-1][0] == "合计"
    movements = list(book["实缴变动"].iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in movements[:-1]] == ["补充资金", "注资", "注资冲正"]
