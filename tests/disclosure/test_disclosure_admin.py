"""The funder statements page of the admin: the bureau picks any funder and month, a district officer sees only its
own district, the workbook downloads from the page; nobody writes anything there."""

from django.contrib.auth.models import Group
from django.test import Client

from riskfund.disclosure.admin import previous_month

URL = "/admin/disclosure/funderstatementpage/"


def login(make_staff, *roles, district=None) -> Client:
    api_client = make_staff(*roles, district=district)
    client = Client()
    client.force_login(api_client.user)
    return client


def test_the_bureau_reads_a_districts_statement_with_its_figures(september, make_staff):
    response = login(make_staff, "bureau").get(URL, {"funder": "150202", "month": "2024-09"})
    assert response.status_code == 200
    text = response.content.decode()
    for figure in ("8,096,000.00", "240,000.01", "7,855,999.99", "144,000.01", "160,000.01", "2,300,000.00"):
        assert figure in text, figure
    assert september.compensated_in_september.contract_no in text


def test_a_district_officer_sees_only_its_own_district(september, make_staff):
    officer = login(make_staff, "district", district="150203")
    text = officer.get(URL, {"funder": "150202", "month": "2024-09"}).content.decode()
    assert "昆都仑区（150203）" in text and "东河区（150202）" not in text  # asked for 150202, shown its own


def test_the_workbook_downloads_from_the_page(september, make_staff):
    response = login(make_staff, "auditor").get(URL, {"funder": "region", "month": "2024-09", "format": "xlsx"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


def test_other_users_are_refused(september, make_staff):
    assert login(make_staff).get(URL).status_code == 403
    Group.objects.get_or_create(name="bureau")
    assert Client().get(URL).status_code == 302  # to the login


def test_the_default_month_is_the_last_complete_one():
    from datetime import date

    assert previous_month(date(2025, 1, 15)) == "2024-12" and previous_month(date(2025, 3, 1)) == "2025-02"
