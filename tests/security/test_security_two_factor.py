"""Two-factor admin login of the bureau and the trustee (issue 12, "Beyond the findings"; 等保 2.0).

``RISKFUND_REQUIRE_2FA`` is on by default when ``DJANGO_DEBUG=0`` and off in development and the tests; these tests
turn it on. The codes are computed at a fixed instant (the device's clock is patched), so no test depends on the time
of day.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.security.conftest import PRODUCTION_ENV

INSTANT = 1_767_225_600  # 2026-01-01 00:00:00 UTC
PASSWORD = "correct horse battery"


@pytest.fixture
def two_factor_on(settings):
    settings.RISKFUND_REQUIRE_2FA = True


@pytest.fixture
def device_clock():
    """The TOTP device reads this instant as the time; ``code(device, steps)`` gives the code ``steps`` later."""
    clock = mock.Mock()
    clock.time.return_value = INSTANT
    with mock.patch("django_otp.plugins.otp_totp.models.time", clock):
        yield clock


def code(device: TOTPDevice, steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = INSTANT + steps * device.step
    return f"{totp.token():06d}"


def staff(username: str, *roles: str, superuser: bool = False):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=True, is_superuser=superuser
    )
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def logged_in(user) -> Client:
    """A browser that has typed the user's password on the admin login page."""
    client = Client()
    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize(
    ("env", "required"),
    [
        ({}, False),
        (PRODUCTION_ENV, True),
        ({"RISKFUND_REQUIRE_2FA": "1"}, True),
        ({**PRODUCTION_ENV, "RISKFUND_REQUIRE_2FA": "0"}, False),
    ],
)
def test_two_factor_is_on_in_production_and_off_in_development_by_default(read_settings, env, required):
    assert read_settings(**env)["RISKFUND_REQUIRE_2FA"] is required


@pytest.mark.django_db
def test_a_bureau_password_alone_opens_no_admin_page(two_factor_on):
    client = logged_in(staff("chief", "bureau"))
    for path in ["/admin/", "/admin/lending/loan/", "/admin/axes/accessattempt/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/admin/2fa/?next={path}"


@pytest.mark.django_db
def test_the_enrolment_page_is_chinese_with_a_qr_code_and_the_key(two_factor_on):
    client = logged_in(staff("chief", "bureau"))
    page = client.get("/admin/2fa/?next=/admin/").content.decode()
    device = TOTPDevice.objects.get(user__username="chief", confirmed=False)
    assert "启用两步验证" in page and "扫描下面的二维码" in page and '<div class="rf-qr"><svg' in page
    key = page.split('class="rf-key">')[1].split("<")[0]
    assert len(key.replace(" ", "")) == 32  # 20 random bytes in base32
    assert "otpauth://totp/" in device.config_url and "issuer=" in device.config_url


@pytest.mark.django_db
def test_the_enrolment_page_reads_in_english(two_factor_on):
    client = logged_in(staff("chief", "bureau"))
    page = client.get("/admin/2fa/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Set up two-factor login" in page and "authenticator app" in page


@pytest.mark.django_db
def test_enrolment_with_the_apps_code_opens_the_admin(two_factor_on, device_clock, policy_2021):
    client = logged_in(staff("chief", "bureau"))
    client.get("/admin/2fa/")
    device = TOTPDevice.objects.get(user__username="chief")
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    refused = client.post("/admin/2fa/", {"token": wrong, "next": "/admin/"})
    assert "验证码不正确或已过期" in refused.content.decode()
    # django-otp refuses any code for a second after a wrong one: that second has passed
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=2))
    answer = client.post("/admin/2fa/", {"token": code(device), "next": "/admin/"})
    assert (answer.status_code, answer["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


@pytest.mark.django_db
def test_an_enrolled_user_types_the_code_at_each_login_and_sees_no_key(two_factor_on, device_clock):
    chief = staff("chief", "bureau")
    device = TOTPDevice.objects.create(user=chief, name="authenticator", confirmed=True)
    client = logged_in(chief)
    page = client.get("/admin/2fa/?next=/admin/lending/loan/").content.decode()
    assert "输入本系统当前显示的 6 位动态验证码" in page and "rf-qr" not in page and "rf-key" not in page
    answer = client.post("/admin/2fa/", {"token": code(device), "next": "/admin/lending/loan/"})
    assert answer["Location"] == "/admin/lending/loan/"
    assert client.get("/admin/lending/loan/").status_code == 200


@pytest.mark.django_db
def test_a_code_is_good_once(two_factor_on, device_clock):
    chief = staff("chief", "bureau")
    device = TOTPDevice.objects.create(user=chief, name="authenticator", confirmed=True)
    first = logged_in(chief)
    assert first.post("/admin/2fa/", {"token": code(device)}).status_code == 302
    second = logged_in(chief)
    assert second.post("/admin/2fa/", {"token": code(device)}).status_code == 200  # the same code again: refused
    assert second.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_the_next_address_stays_on_this_site(two_factor_on, device_clock):
    chief = staff("chief", "bureau")
    device = TOTPDevice.objects.create(user=chief, name="authenticator", confirmed=True)
    answer = logged_in(chief).post("/admin/2fa/", {"token": code(device), "next": "https://evil.example/"})
    assert answer["Location"] == "/admin/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("roles", "superuser", "asked"),
    [
        (("bureau",), False, True),
        (("trustee",), False, True),
        ((), True, True),
        (("auditor",), False, False),
        (("district",), False, False),
    ],
)
def test_the_bureau_the_trustee_and_superusers_need_the_code(two_factor_on, policy_2021, roles, superuser, asked):
    client = logged_in(staff("someone", *roles, superuser=superuser))
    assert client.get("/admin/").status_code == (302 if asked else 200)


@pytest.mark.django_db
def test_with_two_factor_off_the_password_opens_the_admin(settings, policy_2021):
    settings.RISKFUND_REQUIRE_2FA = False
    assert logged_in(staff("chief", "bureau")).get("/admin/").status_code == 200


@pytest.mark.django_db
def test_the_login_logout_and_language_stay_open(two_factor_on):
    client = logged_in(staff("chief", "bureau"))
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/admin/2fa/"}).status_code == 302
    assert client.post("/admin/logout/").status_code == 200
    assert client.get("/admin/login/").status_code == 200
