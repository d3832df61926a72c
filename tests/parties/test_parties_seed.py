"""Seed data and ``python manage.py bootstrap``: the funders of art. 3, 8 and their accounts, idempotent."""

from io import StringIO

from django.contrib.auth.models import Group
from django.core.management import call_command

from riskfund.ledger.models import Account, Side
from riskfund.parties.models import Funder, FunderTier
from riskfund.policy.models import PolicyVersion
from riskfund.pool.models import PoolState
from riskfund.pool.seed import seed_pool


def _counts() -> dict[str, int]:
    return {
        "funders": Funder.objects.count(),
        "accounts": Account.objects.count(),
        "groups": Group.objects.filter(name__in=["bureau", "trustee", "district", "auditor"]).count(),
        "policies": PolicyVersion.objects.count(),
        "pool_state": PoolState.objects.count(),
    }


def test_seed_pool_creates_region_city_and_ten_districts_with_their_accounts_and_the_pool_state(db):
    assert seed_pool() == {"funders": 12, "accounts": 26, "pool_state": 1}
    assert Funder.objects.filter(tier=FunderTier.DISTRICT).count() == 10
    assert Funder.objects.get(code="region").name == "自治区"
    assert Funder.objects.get(code="city").name == "市本级"
    assert Funder.objects.get(code="150223").name == "达尔罕茂明安联合旗"
    assert Funder.objects.get(code="150271").name_en == "Rare Earth High-tech Zone"
    sides = dict(Account.objects.values_list("code", "normal_side"))
    assert sides["funder:150202"] == Side.CREDIT
    assert sides["loss:150202"] == Side.DEBIT
    assert (sides["pool:special"], sides["pool:interest"]) == (Side.DEBIT, Side.CREDIT)
    assert seed_pool() == {"funders": 0, "accounts": 0, "pool_state": 0}


def test_bootstrap_twice_gives_the_same_counts(db):
    first = StringIO()
    call_command("bootstrap", stdout=first)
    counts = _counts()
    assert counts["funders"] == 12 and counts["groups"] == 4 and counts["pool_state"] == 1
    assert counts["policies"] >= 1
    second = StringIO()
    call_command("bootstrap", stdout=second)
    assert _counts() == counts
    assert "funders created: 12" in first.getvalue()
    assert "funders created: 0, accounts opened: 0" in second.getvalue()
    groups_line = [line for line in first.getvalue().splitlines() if line.startswith("role groups")]
    assert groups_line and groups_line[0] in second.getvalue().splitlines()  # the same permissions again
