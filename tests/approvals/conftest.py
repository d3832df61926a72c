"""Fixtures for the maker-checker tests: the 2021 policy, funders, an enterprise on the dishonest list, an
injection, and staff users of each role."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from riskfund.lending.services import enterprise_create, enterprise_list_dishonest
from riskfund.parties.models import Funder
from riskfund.policy.seed import seed_industry_standards
from riskfund.policy.uscc import uscc_check_char
from riskfund.pool.seed import seed_pool
from riskfund.pool.services import injection_post


def make_uscc(serial: int, area: str = "150202") -> str:
    first17 = f"91{area}{serial:09d}"
    return first17 + uscc_check_char(first17)


@pytest.fixture
def staff(db):
    """Two bureau users (ann, bob), a trustee (tom), an auditor (amy), a district officer (dan)."""
    User = get_user_model()
    roles = {"ann": "bureau", "bob": "bureau", "tom": "trustee", "amy": "auditor", "dan": "district"}
    users = {}
    for name, role in roles.items():
        user = User.objects.create_user(username=name, password=None, is_staff=True)
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        users[name] = user
    return users


@pytest.fixture
def world(policy_2021, staff):
    seed_pool()
    seed_industry_standards()
    enterprise = enterprise_create(
        uscc=make_uscc(1),
        name="包头失信测试企业有限公司",
        district_code="150202",
        industry="industry",
        employees=50,
        revenue=Decimal("10000000"),
        total_assets=Decimal("8000000"),
        established_on=date(2015, 6, 1),
    )
    enterprise_list_dishonest(enterprise=enterprise, on=date(2025, 3, 10), reason="代偿后未还款")
    enterprise.refresh_from_db()
    injection = injection_post(
        funder=Funder.objects.get(code="150202"), paid_on=date(2025, 1, 6), amount=Decimal("8000000.00")
    )
    return {"enterprise": enterprise, "injection": injection, **staff}
