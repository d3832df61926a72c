"""Bank API keys (API.md Authentication, banks/auth.py): only a hash is stored, looked up by prefix; expired,
revoked, unknown, tampered and malformed keys are 401; last use is recorded at most once a minute; the
management command and the admin issue keys shown once; requests are throttled per bank."""

import hashlib
import io
import re
from datetime import datetime, time, timedelta

import pytest
from bank_world import assert_problem, bank_client, post, today
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from banks.auth import KEY_RE, BankRateThrottle, bank_api_key_issue, bank_api_key_revoke
from banks.models import BankApiKey
from riskfund.api.models import IdempotencyRecord

PING = "/api/v1/recommendations/"


def test_only_the_hash_is_stored_and_the_prefix_finds_the_row(world):
    row, key = bank_api_key_issue(bank=world.bank_a, name="reporting")
    match = KEY_RE.match(key)
    assert match, key
    prefix, secret = match.groups()
    assert row.prefix == prefix
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()

    # nowhere in the table: neither the key nor its secret part
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {BankApiKey._meta.db_table}")
        dump = repr(cursor.fetchall())
    assert secret not in dump and key not in dump
    assert prefix in dump

    assert bank_client(key).get(PING).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Api-Key rf_00000000_" + "0" * 64,  # well-formed, unknown prefix
        "Api-Key not-a-key",
        "Api-Key",
        "Api-Key a b",
        "Api-Key rf_\xe9\xe9_x",  # not ASCII (a WSGI header is latin-1)
    ],
)
def test_unknown_and_malformed_keys_are_401(world, header):
    client = bank_client(None)
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(PING)
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"]


def test_a_tampered_secret_with_a_known_prefix_is_401(world):
    tampered = world.key_a[:-1] + ("0" if world.key_a[-1] != "0" else "1")
    assert_problem(bank_client(tampered).get(PING), 401, "not_authenticated")
    assert bank_client(world.key_a).get(PING).status_code == 200


def test_expired_and_revoked_keys_are_401(world):
    now = timezone.now()
    _, expired = bank_api_key_issue(bank=world.bank_a, expires_at=now - timedelta(seconds=1))
    _, later = bank_api_key_issue(bank=world.bank_a, expires_at=now + timedelta(days=1))
    revoked_row, revoked = bank_api_key_issue(bank=world.bank_a)

    assert bank_client(revoked).get(PING).status_code == 200
    bank_api_key_revoke(api_key=revoked_row)
    first_revocation = revoked_row.revoked_at
    bank_api_key_revoke(api_key=revoked_row)  # a second revocation keeps the first time
    assert revoked_row.revoked_at == first_revocation

    response = bank_client(expired).get(PING)
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"]
    assert_problem(bank_client(revoked).get(PING), 401, "not_authenticated")
    assert bank_client(later).get(PING).status_code == 200
    # a revoked key cannot write either, whatever the body
    assert_problem(post(bank_client(revoked), "/api/v1/loans/", {}), 401, "not_authenticated")


def test_last_use_is_recorded_at_most_once_a_minute(world):
    row, key = bank_api_key_issue(bank=world.bank_a)
    assert row.last_used_at is None
    bank_client(key).get(PING)
    row.refresh_from_db()
    first = row.last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=30)

    bank_client(key).get(PING)  # within the minute: no write
    row.refresh_from_db()
    assert row.last_used_at == first

    stale = timezone.now() - timedelta(minutes=5)
    BankApiKey.objects.filter(pk=row.pk).update(last_used_at=stale)
    bank_client(key).get(PING)
    row.refresh_from_db()
    assert row.last_used_at > stale + timedelta(minutes=4)


def test_the_bank_key_is_the_idempotency_client(world):
    recommendation = world.recommendation()
    post(
        world.a,
        f"/api/v1/recommendations/{recommendation.pk}/due-diligence/",
        {"opinion": "reject", "reported_on": today().isoformat()},
        key="same-key",
    )
    post(world.b, "/api/v1/deposit/topup-requests/", {"amount": "1"}, key="same-key")  # another client: no clash
    clients = set(IdempotencyRecord.objects.filter(key="same-key").values_list("client", flat=True))
    assert clients == {f"bank:{world.bank_a.pk}", f"bank:{world.bank_b.pk}"}


def test_issue_bank_key_prints_the_key_alone_on_the_last_line(world):
    out = io.StringIO()
    last_day = today() + timedelta(days=30)
    call_command("issue_bank_key", "BOB", "--expires", last_day.isoformat(), "--name", "core", stdout=out)
    lines = out.getvalue().rstrip("\n").split("\n")
    key = lines[-1]
    assert KEY_RE.match(key), lines
    assert all(key not in line for line in lines[:-1])
    row = BankApiKey.objects.get(prefix=KEY_RE.match(key).group(1))
    assert (row.bank, row.name) == (world.bank_a, "core")
    # works through the last day, stops at the start of the next one (Asia/Shanghai)
    assert row.expires_at == timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min))
    assert bank_client(key).get(PING).status_code == 200


def test_issue_bank_key_refuses_an_unknown_bank_and_a_past_expiry(world):
    with pytest.raises(CommandError, match="no bank"):
        call_command("issue_bank_key", "NOPE", stdout=io.StringIO())
    with pytest.raises(CommandError, match="in the past"):
        call_command("issue_bank_key", "BOB", "--expires", "2020-01-01", stdout=io.StringIO())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("issue_bank_key", "BOB", "--expires", "01/02/2030", stdout=io.StringIO())
    assert BankApiKey.objects.count() == 2  # the world's two keys only


def test_admin_issues_a_key_shown_once_and_revokes_it(world, client):
    admin = get_user_model().objects.create_superuser(username="root", password="pw-for-tests-only", email="r@x.cn")
    client.force_login(admin)
    response = client.post(
        "/admin/banks/bankapikey/add/", {"bank": world.bank_b.pk, "name": "from admin", "expires_at": ""}, follow=True
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    keys = [k for m in shown for k in re.findall(r"rf_[0-9a-f]{8}_[0-9a-f]{64}", m)]
    assert len(keys) == 1
    row = BankApiKey.objects.get(name="from admin")
    assert row.bank == world.bank_b and row.key_hash == hashlib.sha256(keys[0].encode()).hexdigest()
    assert bank_client(keys[0]).get(PING).status_code == 200

    listing = client.get("/admin/banks/bankapikey/")
    assert listing.status_code == 200 and keys[0] not in listing.content.decode()
    client.post("/admin/banks/bankapikey/", {"action": "revoke", "_selected_action": [str(row.pk)]})
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert_problem(bank_client(keys[0]).get(PING), 401, "not_authenticated")


def test_requests_are_throttled_per_bank_across_its_keys(world, monkeypatch):
    monkeypatch.setattr(BankRateThrottle, "THROTTLE_RATES", {"bank": "3/min"})
    _, second_key = bank_api_key_issue(bank=world.bank_a)
    statuses = [bank_client(k).get(PING).status_code for k in (world.key_a, second_key, world.key_a)]
    assert statuses == [200, 200, 200]
    throttled = bank_client(second_key).get(PING)
    assert_problem(throttled, 429, "throttled")
    assert int(throttled["Retry-After"]) > 0
    assert world.b.get(PING).status_code == 200  # another bank has its own bucket
    # the throttle also covers staff endpoints open to banks, and never counts staff
    assert_problem(world.a.get("/api/v1/pool/"), 429, "throttled")
    staff = world.staff()
    assert [staff.get("/api/v1/pool/").status_code for _ in range(5)] == [200] * 5


def test_a_bank_key_reads_the_pool_but_no_staff_only_endpoint(world):
    position = world.a.get("/api/v1/pool/")
    assert position.status_code == 200
    assert position.json()["pool_balance"] == "4000000.00"
    assert_problem(world.a.get("/api/v1/funders/"), 403, "permission_denied")
    assert_problem(world.a.get("/api/v1/ledger/transactions/"), 403, "permission_denied")
    me = world.a.get("/api/v1/me/")  # authenticated, but no staff role
    assert me.status_code == 200
    assert me.json() == {"username": "bank:BOB", "name": "包商测试银行", "roles": [], "is_superuser": False}
