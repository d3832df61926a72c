"""Fixtures for the maker-checker tests: the 2021 policy, funders, an enterprise on the dishonest list, an
injection, and staff users of each role."""

from datetime import date
from decimal import Decimal

import factories
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from riskfund.lending.services import enterprise_list_dishonest
from riskfund.policy.seed import seed_industry_standards
from riskfund.pool.seed import seed_pool


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
    enterprise = factories.small_enterprise(uscc=factories.make_uscc(1), name="包头失信测试企业有限公司")
    enterprise_list_dishonest(enterprise=enterprise, on=date(2025, 3, 10), reason="代偿后未还款")
    enterprise.refresh_from_db()
    injection = factories.inject("150202", Decimal("8000000.00"), on=date(2025, 1, 6))
    return {"enterprise": enterprise, "injection": injection, **staff}
