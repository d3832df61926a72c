"""``python manage.py create_staff USERNAME --role ROLE [--district CODE]`` (API.md Operations, SPEC §1)."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from riskfund.access import user_roles, visible_district
from riskfund.pool.seed import seed_pool

LOGIN = RequestFactory().post("/admin/login/")  # axes counts logins per request: authenticate as the login does


def _create(*args: str) -> str:
    out = StringIO()
    call_command("create_staff", *args, stdout=out)
    return out.getvalue()


def test_create_staff_makes_a_staff_user_with_its_roles_and_district(db, monkeypatch):
    seed_pool()
    monkeypatch.setenv("RISKFUND_STAFF_PASSWORD", "s3cret-horse")
    assert "district, district 150203" in _create("li", "--role", "district", "--district", "150203")
    user = get_user_model().objects.get(username="li")
    assert user.is_staff and not user.is_superuser
    assert user_roles(user) == {"district"}
    assert visible_district(user) == "150203"
    assert authenticate(LOGIN, username="li", password="s3cret-horse") == user
    assert user.has_perm("lending.view_loan") and not user.has_perm("ledger.view_transaction")


def test_create_staff_again_sets_exactly_the_roles_given_and_keeps_other_groups(db, monkeypatch):
    monkeypatch.setenv("RISKFUND_STAFF_PASSWORD", "first")
    _create("wang", "--role", "bureau", "--role", "auditor")
    user = get_user_model().objects.get(username="wang")
    user.groups.add(Group.objects.create(name="newsletter"))
    monkeypatch.delenv("RISKFUND_STAFF_PASSWORD")
    _create("wang", "--role", "trustee")  # an existing user keeps its password: no prompt
    user = get_user_model().objects.get(username="wang")
    assert set(user.groups.values_list("name", flat=True)) == {"trustee", "newsletter"}
    assert authenticate(LOGIN, username="wang", password="first") == user
    assert get_user_model().objects.filter(username="wang").count() == 1


@pytest.mark.parametrize(
    "args",
    [["x", "--role", "district", "--district", "999999"], ["x", "--role", "district", "--district", "city"]],
)
def test_create_staff_refuses_an_unknown_district(db, monkeypatch, args):
    seed_pool()
    monkeypatch.setenv("RISKFUND_STAFF_PASSWORD", "pw")
    with pytest.raises(CommandError, match="division code"):
        _create(*args)
    assert not get_user_model().objects.filter(username="x").exists()


def test_create_staff_refuses_an_unknown_role(db):
    with pytest.raises(CommandError):
        _create("x", "--role", "admin")
