"""Finding 5 of the outside attack (issue 12): the admin login was not throttled (30 wrong passwords, then the right
one logged in).

django-axes now locks the admin login after 5 failures by user name (from any address) and by client address (for
any user name), for 30 minutes; the API token login locks after 20 (its throttle of 10 a minute per address answers
first). The bureau sees the failed logins in the admin (登录安全) and lifts a lock with 解除锁定.
"""

import json

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from tests.api.apihelpers import assert_problem

LOGIN = "/admin/login/?next=/admin/"
ATTEMPTS = "/admin/axes/accessattempt/"
PASSWORD = "correct horse battery"


def staff_user(username: str, *roles: str):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, is_staff=True)
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def admin_login(client, username: str, password: str, address: str = "203.0.113.7", **extra):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address, **extra
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def lock_the_chief() -> None:
    """Five wrong passwords for bureau-chief from one address: the fifth locks the user name and the address."""
    for n in range(1, 6):
        admin_login(Client(), "bureau-chief", f"wrong-{n}")


@pytest.fixture
def chief(db):
    return staff_user("bureau-chief", "bureau")


def test_finding5_thirty_wrong_passwords_then_the_right_one_is_refused(chief):
    client = Client()
    statuses = [admin_login(client, "bureau-chief", f"guess-{n}").status_code for n in range(1, 31)]
    assert statuses == [200] * 4 + [429] * 26  # the form again 4 times; the 5th failure locks
    response = admin_login(client, "bureau-chief", PASSWORD)
    assert response.status_code == 429 and not logged_in(client)
    assert "登录失败次数过多" in response.content.decode()


def test_finding5_the_user_is_locked_from_every_address(chief):
    """Five failures from five addresses lock the user name: a sixth address with the right password is refused."""
    for n in range(1, 6):
        admin_login(Client(), "bureau-chief", "wrong", address=f"198.51.100.{n}")
    client = Client()
    assert admin_login(client, "bureau-chief", PASSWORD, address="192.0.2.44").status_code == 429
    assert not logged_in(client)


def test_finding5_an_address_guessing_many_user_names_is_locked(chief):
    """Five user names tried from one address lock the address, even for a real user with the right password."""
    for n in range(1, 6):
        admin_login(Client(), f"nobody-{n}", "wrong")
    client = Client()
    assert admin_login(client, "bureau-chief", PASSWORD).status_code == 429
    assert admin_login(Client(), "bureau-chief", PASSWORD, address="192.0.2.44").status_code == 302


def test_finding5_a_forged_forwarded_for_does_not_change_the_address(chief):
    for n in range(1, 6):
        admin_login(Client(), f"nobody-{n}", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert admin_login(Client(), "bureau-chief", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 429


def test_four_failures_then_the_right_password_logs_in_and_clears_them(chief):
    client = Client()
    for n in range(1, 5):
        admin_login(client, "bureau-chief", f"guess-{n}")
    assert admin_login(client, "bureau-chief", PASSWORD).status_code == 302 and logged_in(client)
    assert not AccessAttempt.objects.exists()  # reset on success
    assert AccessFailureLog.objects.filter(username="bureau-chief").count() == 4  # the log keeps them


def test_the_bureau_sees_the_failed_logins_in_chinese_and_unlocks(chief):
    lock_the_chief()
    deputy = staff_user("bureau-deputy", "bureau")
    bureau = Client()
    bureau.force_login(deputy)
    page = bureau.get(ATTEMPTS).content.decode()
    assert "登录安全" in page and "bureau-chief" in page and "已锁定" in page and "解除锁定" in page
    [attempt] = AccessAttempt.objects.filter(username="bureau-chief")
    response = bureau.post(ATTEMPTS, {"action": "unlock", "_selected_action": [attempt.pk]}, follow=True)
    assert "已解除 1 条登录失败记录的锁定" in response.content.decode()
    client = Client()
    assert admin_login(client, "bureau-chief", PASSWORD).status_code == 302 and logged_in(client)


def test_the_failed_logins_read_in_english(chief):
    admin_login(Client(), "bureau-chief", "wrong")
    bureau = Client()
    bureau.force_login(staff_user("bureau-deputy", "bureau"))
    page = bureau.get(ATTEMPTS, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Login security" in page and "4 attempts left" in page and "Unlock" in page


@pytest.mark.parametrize(("role", "sees", "unlocks"), [("auditor", True, False), ("trustee", False, False)])
def test_only_the_bureau_unlocks_and_the_auditor_reads(chief, role, sees, unlocks):
    lock_the_chief()
    client = Client()
    client.force_login(staff_user(f"{role}-1", role))
    response = client.get(ATTEMPTS)
    assert (response.status_code == 200) is sees
    if sees:
        assert ("解除锁定" in response.content.decode()) is unlocks
        [attempt] = AccessAttempt.objects.all()
        client.post(ATTEMPTS, {"action": "unlock", "_selected_action": [attempt.pk]})
        assert AccessAttempt.objects.count() == 1


def api_login(username: str, password: str, address: str):
    body = json.dumps({"username": username, "password": password})
    return Client().generic("POST", "/api/v1/auth/token/", body, content_type="application/json", REMOTE_ADDR=address)


def test_the_api_login_locks_the_user_after_twenty_failures_from_many_addresses(chief):
    """Twenty addresses, one guess each: no address reaches the throttle, the user name is locked all the same."""
    statuses = [api_login("bureau-chief", "wrong", f"198.51.100.{n}").status_code for n in range(1, 21)]
    assert statuses == [400] * 19 + [429]
    response = api_login("bureau-chief", PASSWORD, "192.0.2.44")
    body = assert_problem(response, 429, "throttled")
    assert "已被锁定" in body["detail"]
