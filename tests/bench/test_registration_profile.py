"""The registration profile of the benchmark (tools/bench/profile_registration.py): real registrations through the
whole handler, every statement counted once and grouped by verb and table."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from riskfund.lending.models import Loan
from riskfund.parties.models import Bank
from tools.bench.profile_registration import profile_lines, registration_profile

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_profile_counts_every_statement_of_real_registrations():
    call_command("generate_portfolio", "--loans", "60", "--banks", "2", "--bank-shares", "1,1", stdout=StringIO())
    bank = Bank.objects.filter(code__startswith="BENCH").order_by("code").last()
    before = Loan.objects.filter(bank=bank).count()

    profile = registration_profile(bank, date(2026, 4, 20), warmup=1, runs=2)

    assert Loan.objects.filter(bank=bank).count() == before + 3  # every request registered a loan (a 201 each)
    kinds = dict(profile["kinds"])
    assert sum(kinds.values()) == profile["queries"]
    assert kinds["INSERT lending_loan"] == 1
    assert kinds["INSERT lending_scheduleline"] >= 1
    assert profile["wall"] >= profile["sql"] > 0
    lines = profile_lines(profile)
    assert f"waiting on {profile['queries']} SQL statements" in lines[0]
    assert "INSERT lending_loan ×1" in lines[1]
