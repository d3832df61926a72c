"""The annual bank performance report (art. 19): loans, amounts, firms served, compensation rate, recoveries and
notice timeliness per bank and year, checked against hand-computed figures; its admin page (bureau, auditor) and
its Excel export.

The portfolio (all through the services, dates passed in):

=====  ====  ==========  =============  ============  ================================================
loan   bank  enterprise  principal      disbursed     what happens
=====  ====  ==========  =============  ============  ================================================
L1     BOB   E1            500,000.00   2024-03-01    notified on time
L2     BOB   E1            300,000.00   2024-04-01    notified late (registered 2024-04-15)
L3     BOB   E2            200,000.00   2024-03-01    compensated 2024-09-28 (notice on time);
                                                      recovered 2024-11-15 gross 50,000 − 2,000 costs,
                                                      and 2025-03-10 gross 10,000
L4     ICBC  E3          1,000,000.00   2024-05-06    compensated 2024-12-05, notice late (2025-01-10)
L5     ICBC  E1            400,000.00   2024-06-03    notified on time
L6     ICBC  E4            600,000.00   2025-02-03    notified on time
=====  ====  ==========  =============  ============  ================================================

2024 — BOB: 3 loans, 1,000,000.00, 2 firms; 1 compensation of 200,000.00 → rate 0.200000; 1 recovery, net
48,000.00; disbursement notices 2 of 3 on time (0.666667), compensation notices 1 of 1 (1.000000), together 3 of
4 (0.750000). ICBC: 2 loans, 1,400,000.00, 2 firms; 1,000,000.00 compensated → 1,000,000 ÷ 1,400,000 =
0.714285714… → 0.714286; no recovery; notices 2 of 2 (1.000000), 0 of 1 (0.000000), together 2 of 3 (0.666667).
Total: 5 loans, 2,400,000.00, 3 firms (E1 borrowed from both banks and counts once); 1,200,000.00 compensated →
0.500000; net recovered 48,000.00; notices 4 of 5 (0.800000), 1 of 2 (0.500000), together 5 of 7 = 0.714285714…
→ 0.714286.
2025 — BOB: no loan (rate and disbursement timeliness "—"), 1 recovery net 10,000.00; ICBC: 1 loan 600,000.00.
"""

from datetime import date
from decimal import Decimal
from io import BytesIO

import factories
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook
from pipeline_support import collected

from riskfund.claims.services import compensation_claim, recovery_post
from riskfund.dashboard.reports import EXPORT_KIND, bank_performance, clean_params, rate, report_sheets, report_years
from riskfund.errors import RuleViolation
from riskfund.exports.models import ExportJob
from riskfund.exports.services import export_job_start

D = Decimal


def _enterprise(serial: int):
    return factories.small_enterprise(uscc=factories.make_uscc(serial), name=f"包头考核测试企业{serial}有限公司")


def _lend(contract, bank, guarantor, enterprise, principal, disbursed, maturity, *, registered_on):
    recommended = date(disbursed.year, disbursed.month, 1) if disbursed.day > 1 else disbursed
    return factories.recommended_loan(
        enterprise=enterprise,
        bank=bank,
        guarantor=guarantor,
        principal=principal,
        recommended_on=recommended,
        contract_no=contract,
        disbursed_on=disbursed,
        maturity_on=maturity,
        today=registered_on,
    )


@pytest.fixture
def portfolio(policy_2021):
    factories.seed_reference()
    factories.fund_pool({"region": "6000000", "city": "6000000", "150202": "8000000"}, on=date(2024, 1, 2))
    bjdb = factories.guarantor()
    bob = factories.signed_bank(code="BOB", name="包商考核测试银行", guarantor=bjdb, signed_on=date(2024, 1, 3)).bank
    icbc = factories.signed_bank(code="ICBC", name="工商考核测试银行", guarantor=bjdb, signed_on=date(2024, 1, 3)).bank
    e1, e2, e3, e4 = (_enterprise(n) for n in (1, 2, 3, 4))
    _lend("L1", bob, bjdb, e1, "500000.00", date(2024, 3, 1), date(2025, 2, 28), registered_on=date(2024, 3, 1))
    _lend("L2", bob, bjdb, e1, "300000.00", date(2024, 4, 1), date(2025, 3, 31), registered_on=date(2024, 4, 15))
    l3 = _lend("L3", bob, bjdb, e2, "200000.00", date(2024, 3, 1), date(2024, 9, 2), registered_on=date(2024, 3, 1))
    l4 = _lend("L4", icbc, bjdb, e3, "1000000.00", date(2024, 5, 6), date(2024, 11, 6), registered_on=date(2024, 5, 6))
    _lend("L5", icbc, bjdb, e1, "400000.00", date(2024, 6, 3), date(2025, 6, 3), registered_on=date(2024, 6, 3))
    _lend("L6", icbc, bjdb, e4, "600000.00", date(2025, 2, 3), date(2026, 2, 3), registered_on=date(2025, 2, 3))
    compensation_claim(loan=collected(l3, date(2024, 9, 28)), deducted_on=date(2024, 9, 28), today=date(2024, 9, 28))
    compensation_claim(loan=collected(l4, date(2024, 12, 5)), deducted_on=date(2024, 12, 5), today=date(2025, 1, 10))
    recovery_post(
        loan=l3,
        recovered_on=date(2024, 11, 15),
        gross=D("50000.00"),
        costs={"litigation": D("2000.00")},
        today=date(2024, 11, 15),
    )
    recovery_post(loan=l3, recovered_on=date(2025, 3, 10), gross=D("10000.00"), today=date(2025, 3, 10))
    return {"bob": bob, "icbc": icbc}


def _figures(row) -> tuple:
    return (
        row.loans,
        row.disbursed,
        row.firms,
        row.compensations,
        row.compensated,
        row.compensation_rate,
        row.recoveries,
        row.recovered_gross,
        row.recovered_net,
        row.disbursement_timeliness,
        row.compensation_timeliness,
        row.notice_timeliness,
    )


def test_2024_per_bank_and_total_match_the_hand_computed_figures(portfolio):
    report = bank_performance(2024)
    rows = {row.code: row for row in report.banks}
    assert list(rows) == ["BOB", "ICBC"]
    assert _figures(rows["BOB"]) == (
        3, D("1000000.00"), 2, 1, D("200000.00"), D("0.200000"), 1, D("50000.00"), D("48000.00"),
        D("0.666667"), D("1.000000"), D("0.750000"),
    )  # fmt: skip
    assert _figures(rows["ICBC"]) == (
        2, D("1400000.00"), 2, 1, D("1000000.00"), D("0.714286"), 0, D("0.00"), D("0.00"),
        D("1.000000"), D("0.000000"), D("0.666667"),
    )  # fmt: skip
    assert _figures(report.total) == (
        5, D("2400000.00"), 3, 2, D("1200000.00"), D("0.500000"), 1, D("50000.00"), D("48000.00"),
        D("0.800000"), D("0.500000"), D("0.714286"),
    )  # fmt: skip
    assert str(rows["ICBC"].compensation_rate) == "0.714286"  # exactly 6 places


def test_2025_counts_only_that_years_events_and_shows_no_rate_without_loans(portfolio):
    report = bank_performance(2025)
    rows = {row.code: row for row in report.banks}
    assert _figures(rows["BOB"]) == (
        0, D("0"), 0, 0, D("0"), None, 1, D("10000.00"), D("10000.00"), None, None, None,
    )  # fmt: skip
    assert _figures(rows["ICBC"]) == (
        1, D("600000.00"), 1, 0, D("0"), D("0.000000"), 0, D("0"), D("0"), D("1.000000"), None, D("1.000000"),
    )  # fmt: skip
    assert report_years(today=date(2026, 1, 5)) == [2026, 2025, 2024]


def test_rate_and_year_checks():
    assert rate(2, 3) == D("0.666667")
    assert rate(1, 0) is None
    for bad in ({"year": 1999}, {"year": "20x5"}, {"year": True}, {"year": 2024, "bank": "BOB"}):
        with pytest.raises(RuleViolation) as exc:
            clean_params(bad)
        assert exc.value.code == "validation_error"
    assert clean_params({"year": "2024"}) == {"year": 2024}


def test_the_excel_export_carries_the_same_figures(portfolio, tmp_path):
    from riskfund.exports.xlsx import write_workbook

    target = tmp_path / "report.xlsx"
    write_workbook(report_sheets(2024), str(target))
    book = load_workbook(target, read_only=True)
    assert book.sheetnames == ["概要", "各合作银行"]
    rows = list(book["各合作银行"].iter_rows(values_only=True))
    header, bob, icbc, total = rows
    assert header[:4] == ("银行代码", "合作银行", "放款笔数", "放款金额（元）")
    column = {name: i for i, name in enumerate(header)}
    assert (bob[column["放款笔数"]], bob[column["放款金额（元）"]], bob[column["服务企业数"]]) == (3, 1000000, 2)
    assert icbc[column["代偿率"]] == pytest.approx(0.714286, abs=1e-12)  # openpyxl reads the cell as a number
    assert (total[1], total[column["服务企业数"]], total[column["追偿净额（元）"]]) == ("合计", 3, 48000)


@pytest.fixture
def staff(db):
    User = get_user_model()
    users = {}
    for name in ("bureau", "auditor", "trustee", "district"):
        user = User.objects.create_user(username=f"{name}-user", password=None, is_staff=True)
        user.groups.add(Group.objects.get_or_create(name=name)[0])
        users[name] = user
    return users


@pytest.mark.parametrize(("role", "status"), [("bureau", 200), ("auditor", 200), ("trustee", 403), ("district", 403)])
def test_the_report_page_is_for_the_bureau_and_the_auditor(client, portfolio, staff, role, status):
    client.force_login(staff[role])
    response = client.get(reverse("admin:dashboard_bankperformancereport_changelist"), {"year": "2024"})
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        # for people: the ratio 0.714286 as a percentage, the amount grouped (issue 13)
        assert "包商考核测试银行" in page and "71.43 %" in page and "2,400,000.00" in page
        assert '<option value="2025"' in page


def test_the_export_button_starts_an_export_job_of_the_year(
    client, portfolio, staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff["auditor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:dashboard_bankperformancereport_changelist"), {"year": "2024"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.kind, job.params, job.owner_user) == (EXPORT_KIND, {"year": 2024}, staff["auditor"])
    assert job.status == ExportJob.Status.DONE, job.error  # the task runs in-process after the commit
    assert job.filename == "合作银行年度业务开展情况-2024.xlsx"
    book = load_workbook(BytesIO(job.file.read()), read_only=True)
    assert len(list(book["各合作银行"].iter_rows(values_only=True))) == 4  # header, BOB, ICBC, 合计


def test_a_job_for_a_bad_year_is_refused(staff):
    with pytest.raises(RuleViolation):
        export_job_start(kind=EXPORT_KIND, params={"year": 1899}, owner=staff["bureau"])
