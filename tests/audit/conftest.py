import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group


@pytest.fixture
def people(db):
    """Staff users of each role (unusable passwords: the tests log in with ``force_login`` or a knox token)."""
    User = get_user_model()
    found = {}
    for name, role in {"ann": "bureau", "tom": "trustee", "amy": "auditor", "dan": "district"}.items():
        user = User.objects.create_user(username=name, password=None, is_staff=True)
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        found[name] = user
    return found
