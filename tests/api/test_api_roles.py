"""Roles are Django groups; a superuser has them all; idempotency keys are scoped per client."""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.exceptions import NotAuthenticated

from riskfund.api.roles import ALL_ROLES, HasRole, client_scope, user_roles


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user(username="u", password="p")


def test_roles_come_from_groups(user):
    user.groups.add(Group.objects.get_or_create(name="trustee")[0], Group.objects.create(name="not-a-role"))
    assert user_roles(user) == {"trustee"}


def test_superuser_has_every_role_and_inactive_none(user):
    user.is_superuser = True
    assert user_roles(user) == set(ALL_ROLES)
    other = get_user_model().objects.create_user(username="v", password="p", is_superuser=True, is_active=False)
    assert user_roles(other) == set()
    assert user_roles(None) == set()


def test_has_role_permission(user):
    user.groups.add(Group.objects.get_or_create(name="auditor")[0])
    request = SimpleNamespace(user=user)
    assert HasRole("auditor", "bureau")().has_permission(request, None)
    assert not HasRole("bureau")().has_permission(request, None)
    assert not HasRole("bureau")().has_permission(SimpleNamespace(user=None), None)
    with pytest.raises(ValueError):
        HasRole("treasurer")


def test_client_scope_for_staff_and_banks(user):
    assert client_scope(SimpleNamespace(user=user, auth=None)) == f"user:{user.pk}"
    bank = SimpleNamespace(pk=7)
    assert client_scope(SimpleNamespace(user=None, auth=None, bank=bank)) == "bank:7"
    assert client_scope(SimpleNamespace(user=None, auth=SimpleNamespace(bank_id=9))) == "bank:9"
    with pytest.raises(NotAuthenticated):
        client_scope(SimpleNamespace(user=None, auth=None))
