"""Idempotency-Key on every POST (API.md Conventions): required, replayed, refused when reused, scoped per
client; answers of 5xx, 401, 403, 409 and 429 are not kept."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from riskfund.api.idempotency import idempotency_purge, request_fingerprint
from riskfund.api.models import IdempotencyRecord
from riskfund.api.parsers import DecimalJSONParser
from riskfund.api.tasks import idempotency_keys_purge
from riskfund.celery import app
from riskfund.cob.models import Step
from riskfund.ledger.models import Transaction
from tests.api import testapp_views
from tests.api.apihelpers import assert_problem, post

PURGE_TASK = "riskfund.api.tasks.idempotency_keys_purge"

pytestmark = pytest.mark.urls("tests.api.testapp_urls")


@pytest.fixture
def bureau(make_staff, accounts):
    return make_staff("bureau")


def test_missing_key_is_400_and_writes_nothing(bureau):
    assert_problem(post(bureau, "/t/probe/", {"amount": "10"}, key=None), 400, "idempotency_key_required")
    assert Transaction.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "tab\there"])
def test_malformed_key_is_400(bureau, key):
    assert_problem(post(bureau, "/t/probe/", {"amount": "10"}, key=key), 400, "idempotency_key_required")


def test_key_of_255_printable_characters_is_accepted(bureau):
    assert post(bureau, "/t/probe/", {"amount": "10"}, key="~ !" * 85).status_code == 201


def test_authentication_is_checked_before_the_key(db, accounts):
    assert_problem(post(APIClient(), "/t/probe/", {"amount": "10"}, key=None), 401, "not_authenticated")


def test_permission_is_checked_before_the_key(make_staff, accounts):
    assert_problem(post(make_staff("auditor"), "/t/probe/", {"amount": "10"}, key=None), 403, "permission_denied")


def test_key_is_checked_before_the_body(bureau):
    response = bureau.post("/t/probe/", '{"amount": ', content_type="application/json")
    assert_problem(response, 400, "idempotency_key_required")


def test_replay_returns_the_stored_answer_and_writes_nothing(bureau):
    first = post(bureau, "/t/probe/", {"amount": "10.5"}, key="k1")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    again = post(bureau, "/t/probe/", {"amount": "10.5"}, key="k1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert Transaction.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert (record.state, record.status_code, record.client) == ("done", 201, f"user:{bureau.user.pk}")


def test_fingerprint_ignores_key_order_and_whitespace(bureau):
    first = bureau.post("/t/probe/", '{"amount":"7","on":"2025-01-02"}', content_type="application/json", **_k("k"))
    again = bureau.post(
        "/t/probe/", '{ "on" : "2025-01-02",\n "amount": "7" }', content_type="application/json", **_k("k")
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert Transaction.objects.count() == 1


def _k(key):
    return {"HTTP_IDEMPOTENCY_KEY": key}


def test_errors_below_500_are_stored_and_replayed(bureau):
    invalid = post(bureau, "/t/probe/", {"amount": 5}, key="bad")
    assert_problem(invalid, 400, "validation_error")
    replay = post(bureau, "/t/probe/", {"amount": 5}, key="bad")
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.status_code == 400 and replay.content == invalid.content
    assert replay["Content-Type"] == "application/problem+json"

    refused = post(bureau, "/t/probe/", {"amount": "100000.01"}, key="rule")
    assert_problem(refused, 422, "pool_suspended")
    replay = post(bureau, "/t/probe/", {"amount": "100000.01"}, key="rule")
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (422, "true")
    assert Transaction.objects.count() == 0  # the service's posting was rolled back both times


def test_same_key_with_another_body_or_path_is_422(bureau):
    assert post(bureau, "/t/probe/", {"amount": "10"}, key="k").status_code == 201
    assert_problem(post(bureau, "/t/probe/", {"amount": "11"}, key="k"), 422, "idempotency_key_reused")
    assert_problem(post(bureau, "/t/fail/", {"amount": "10"}, key="k"), 422, "idempotency_key_reused")
    assert_problem(post(bureau, "/t/probe/?x=1", {"amount": "10"}, key="k"), 422, "idempotency_key_reused")
    assert Transaction.objects.count() == 1


def test_keys_are_scoped_per_client(make_staff, accounts):
    a, b = make_staff("bureau"), make_staff("bureau")
    first = post(a, "/t/probe/", {"amount": "10"}, key="shared")
    second = post(b, "/t/probe/", {"amount": "10"}, key="shared")
    assert (first.status_code, second.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in second
    assert first.json()["id"] != second.json()["id"]
    assert Transaction.objects.count() == 2
    assert_problem(post(b, "/t/probe/", {"amount": "99"}, key="shared"), 422, "idempotency_key_reused")


@pytest.mark.parametrize(
    ("fail", "status", "code"),
    [("503", 503, "server_error"), ("403", 403, "permission_denied"), ("401", 401, "not_authenticated")],
)
def test_answers_not_kept_roll_back_and_free_the_key(bureau, fail, status, code):
    assert_problem(post(bureau, "/t/fail/", {"fail": fail}, key="k"), status, code)
    assert IdempotencyRecord.objects.count() == 0
    assert Transaction.objects.count() == 0
    again = post(bureau, "/t/fail/", {"fail": fail}, key="k")
    assert again.status_code == status and "Idempotent-Replayed" not in again


def test_returned_500_is_rolled_back_and_not_kept(bureau):
    assert post(bureau, "/t/fail/", {"fail": "return500"}, key="k").status_code == 500
    assert IdempotencyRecord.objects.count() == 0
    assert Transaction.objects.count() == 0


def test_crash_is_rolled_back_and_not_kept(make_staff, accounts):
    client = make_staff("bureau")
    client.raise_request_exception = False
    assert post(client, "/t/fail/", {"fail": "crash"}, key="k").status_code == 500
    assert IdempotencyRecord.objects.count() == 0
    assert Transaction.objects.count() == 0


def test_duplicate_while_running_is_409_and_other_body_is_422(bureau):
    response = post(bureau, "/t/nested/", {"depth": 0}, key="nest")
    assert response.status_code == 201
    same, other = testapp_views.NestedView.inner_answers
    assert_problem(same, 409, "idempotency_in_progress")
    assert_problem(other, 422, "idempotency_key_reused")
    assert IdempotencyRecord.objects.get().state == "done"  # the 409 did not disturb the running request


def _fingerprint(path, body):
    django_request = APIRequestFactory().post(path, body, format="json")
    return request_fingerprint(Request(django_request, parsers=[DecimalJSONParser()]))


def test_a_fresh_in_progress_claim_is_409(bureau):
    fp = _fingerprint("/t/probe/", {"amount": "10"})
    client = f"user:{bureau.user.pk}"
    IdempotencyRecord.objects.create(client=client, key="k", fingerprint=fp, method="POST", path="/t/probe/")
    assert_problem(post(bureau, "/t/probe/", {"amount": "10"}, key="k"), 409, "idempotency_in_progress")
    assert Transaction.objects.count() == 0


def test_an_abandoned_claim_is_taken_over(bureau):
    fp = _fingerprint("/t/probe/", {"amount": "10"})
    long_ago = timezone.now() - timedelta(minutes=30)
    IdempotencyRecord.objects.create(
        client=f"user:{bureau.user.pk}", key="k", fingerprint=fp, method="POST", path="/t/probe/", started_at=long_ago
    )
    assert post(bureau, "/t/probe/", {"amount": "10"}, key="k").status_code == 201
    assert IdempotencyRecord.objects.get().state == "done"
    assert Transaction.objects.count() == 1


def test_multipart_fingerprint_covers_fields_and_file_contents(bureau):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(content: bytes, as_of="2025-03-31"):
        file = SimpleUploadedFile("recon.xlsx", content)
        return bureau.post("/t/upload/", {"file": file, "as_of": as_of}, format="multipart", **_k("up"))

    first = upload(b"one")
    assert first.status_code == 202
    replay = upload(b"one")
    assert replay["Idempotent-Replayed"] == "true" and replay.json() == first.json()
    assert_problem(upload(b"two"), 422, "idempotency_key_reused")
    assert_problem(upload(b"one", as_of="2025-04-30"), 422, "idempotency_key_reused")


def test_purge_keeps_at_least_ninety_days(db):
    now = timezone.now()
    for key, age in (("old", 91), ("young", 89)):
        IdempotencyRecord.objects.create(
            client="user:1", key=key, fingerprint="f", method="POST", path="/", created_at=now - timedelta(days=age)
        )
    assert idempotency_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["young"]
    with pytest.raises(ValueError):
        idempotency_purge(older_than_days=30)


def test_the_api_schedules_its_own_purge_daily_at_01_00_shanghai(db):
    """The API purges its keys itself (riskfund/api/tasks.py); the daily close of business has no such step."""
    task = PeriodicTask.objects.select_related("crontab").get(name="riskfund purge old idempotency keys")
    assert (task.task, task.enabled, task.one_off, task.interval) == (PURGE_TASK, True, False, None)
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week, str(crontab.timezone)) == (
        "0",
        "1",
        "*",
        "Asia/Shanghai",
    )
    assert PURGE_TASK in app.tasks
    old = IdempotencyRecord.objects.create(
        client="user:1", key="old", fingerprint="f", method="POST", path="/", created_at=timezone.now()
    )
    IdempotencyRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=91))
    assert idempotency_keys_purge() == 1
    assert "purge_idempotency" not in Step.values
