"""The loan list and page, and the ledger browser, for people (issue 13): overdue days and bucket from the latest
close of business for active loans only, the quick filters, the loan page's sections; accounts, transactions with
their entries, filters by account and date, a posting record linking to its transaction."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from riskfund.cob.models import DailyLoanStatus
from riskfund.ledger.models import Account, Transaction
from riskfund.lending.models import Loan, LoanStatus
from riskfund.money import money_text
from riskfund.pool.models import Injection

LOANS = reverse("admin:lending_loan_changelist")
TRANSACTIONS = reverse("admin:ledger_transaction_changelist")


@pytest.fixture
def bureau(client, demo):
    client.force_login(get_user_model().objects.get(username="bureau"))
    return client


def _rows(client, query: str = ""):
    page = client.get(f"{LOANS}?{query}")
    assert page.status_code == 200, query
    cl = page.context["cl"]
    return cl.result_count, list(cl.queryset)


def test_closed_loans_show_no_overdue_days_and_active_ones_show_the_daily_status(bureau):
    count, rows = _rows(bureau, "")
    assert count == Loan.objects.count() > 0
    for loan in rows:
        daily = DailyLoanStatus.objects.filter(loan=loan).first()
        if loan.status == LoanStatus.ACTIVE:
            assert loan._overdue_days == (daily.overdue_days if daily else 0)
        else:
            assert loan._overdue_days is None and loan._bucket is None  # a stale daily row is not a status


def test_quick_filters_overdue_claimable_and_maturing(bureau):
    active = DailyLoanStatus.objects.filter(loan__status=LoanStatus.ACTIVE)
    count, rows = _rows(bureau, "quick=overdue")
    assert count == active.filter(overdue_days__gt=0).count()
    assert all(loan._overdue_days > 0 for loan in rows)

    count, rows = _rows(bureau, "quick=claimable")
    assert count == active.filter(compensation_eligible=True).count()
    assert all(loan._overdue_days > 25 for loan in rows)  # art. 32: more than 25 days (the demo's policy)

    today = timezone.localdate()
    count, rows = _rows(bureau, "quick=maturing")
    assert (
        count
        == Loan.objects.filter(
            status=LoanStatus.ACTIVE, maturity_on__gte=today, maturity_on__lte=today + timedelta(days=60)
        ).count()
    )


def test_bucket_filter_counts_active_loans_of_the_bucket(bureau):
    total = 0
    for bucket in ("current", "1-25", "26-60", "61-90", "91+"):
        count, _ = _rows(bureau, f"bucket={bucket}")
        assert count == DailyLoanStatus.objects.filter(loan__status=LoanStatus.ACTIVE, bucket=bucket).count()
        total += count
    assert total == DailyLoanStatus.objects.filter(loan__status=LoanStatus.ACTIVE).count()


def test_loan_list_shows_grouped_amounts_and_no_uuid(bureau):
    html = bureau.get(LOANS).content.decode()
    loan = Loan.objects.order_by("-outstanding_principal").first()
    assert money_text(loan.outstanding_principal) in html
    assert str(loan.pk) not in html.replace(f"/{loan.pk}/", "")  # only inside its link


def test_loan_page_is_a_summary_with_schedule_repayments_events_and_splits(bureau):
    loan = Loan.objects.filter(compensation__isnull=False).first() or Loan.objects.first()
    page = bureau.get(reverse("admin:lending_loan_change", args=[loan.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for section in ("rf-loan-facts", "rf-loan-schedule", "rf-loan-repayments", "rf-loan-events", "rf-loan-counter"):
        assert f'id="{section}"' in html
    assert money_text(loan.principal) in html
    if hasattr(loan, "compensation"):
        c = loan.compensation
        for amount in (c.share_pool, c.share_bank, c.share_guarantor, c.split_region, c.split_city, c.split_district):
            assert money_text(amount) in html


def test_ledger_browser_filters_by_account_and_date(bureau):
    special = Account.objects.get(code="pool:special")
    page = bureau.get(f"{TRANSACTIONS}?entries__account__id__exact={special.pk}")
    assert page.status_code == 200
    assert page.context["cl"].result_count == Transaction.objects.filter(entries__account=special).distinct().count()
    first = Transaction.objects.order_by("business_date").first().business_date
    page = bureau.get(f"{TRANSACTIONS}?business_date_from={first}&business_date_to={first}")
    assert page.context["cl"].result_count == Transaction.objects.filter(business_date=first).count()
    accounts = bureau.get(reverse("admin:ledger_account_changelist")).content.decode()
    assert money_text(special.balance) in accounts and special.name in accounts


def test_transaction_page_lists_its_entries_and_a_posting_record_links_to_it(bureau):
    injection = Injection.objects.exclude(transaction=None).first()
    url = reverse("admin:ledger_transaction_change", args=[injection.transaction_id])
    assert url in bureau.get(reverse("admin:pool_injection_change", args=[injection.pk])).content.decode()
    html = bureau.get(url).content.decode()
    assert money_text(injection.amount) in html
    shown = re.sub(r'<input type="hidden"[^>]*>', "", html).replace(f"/{injection.transaction_id}/", "")
    assert str(injection.transaction_id) not in shown  # only in links and the inline's hidden key


@pytest.mark.parametrize(("role", "status"), [("auditor", 200), ("trustee", 200), ("district", 403)])
def test_ledger_browser_is_for_trustee_bureau_and_auditor(client, demo, role, status):
    client.force_login(get_user_model().objects.get(username=role))
    assert client.get(TRANSACTIONS).status_code == status
    assert client.get(reverse("admin:ledger_account_changelist")).status_code == status
