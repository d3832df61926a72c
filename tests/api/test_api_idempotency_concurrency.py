"""Concurrent duplicates of one idempotent POST, from real threads on PostgreSQL: exactly one write; the
others get 409 idempotency_in_progress while it runs, or the replay after it finished."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from knox.models import AuthToken
from rest_framework.test import APIClient

from riskfund.api.models import IdempotencyRecord
from riskfund.ledger.models import Side, Transaction
from riskfund.ledger.services import account_open
from tests.api import testapp_views

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.api.testapp_urls"),
]


@pytest.fixture
def token():
    account_open(code="pool:special", name="", normal_side=Side.DEBIT)
    account_open(code="funder:city", name="", normal_side=Side.CREDIT)
    user = get_user_model().objects.create_user(username="bureau-1", password="x")
    user.groups.add(Group.objects.get_or_create(name="bureau")[0])
    return AuthToken.objects.create(user=user)[1]


@pytest.fixture
def hold():
    testapp_views.HOLD.update(entered=threading.Event(), release=threading.Event())
    yield testapp_views.HOLD
    testapp_views.HOLD["release"].set()
    testapp_views.HOLD.update(entered=None, release=None)


def _call(token: str, barrier: threading.Barrier | None = None):
    try:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        if barrier is not None:
            barrier.wait(timeout=10)
        response = client.post("/t/held/", {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="same-key")
        return response.status_code, response.json(), response.get("Idempotent-Replayed")
    finally:
        connection.close()


def test_duplicates_while_the_first_is_held_get_409(token, hold):
    with ThreadPoolExecutor(max_workers=5) as pool:
        first = pool.submit(_call, token)
        assert hold["entered"].wait(timeout=10), "the first request never reached the view"
        others = [pool.submit(_call, token) for _ in range(4)]
        other_answers = [f.result(timeout=30) for f in others]  # they finish while the first is still held
        hold["release"].set()
        status, body, replayed = first.result(timeout=30)
    assert (status, replayed) == (201, None)
    assert [(s, b["code"]) for s, b, _ in other_answers] == [(409, "idempotency_in_progress")] * 4
    assert Transaction.objects.count() == 1
    late = _call(token)
    assert late == (201, body, "true")
    assert Transaction.objects.count() == 1
    assert IdempotencyRecord.objects.get().state == "done"


def test_simultaneous_duplicates_write_once(token):
    barrier = threading.Barrier(5)
    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(lambda _: _call(token, barrier), range(5)))
    created = [a for a in answers if a[0] == 201 and a[2] is None]
    assert len(created) == 1
    for answer in answers:
        status, body, replayed = answer
        if answer is created[0]:
            continue
        assert (status, body.get("code"), replayed) == (409, "idempotency_in_progress", None) or (
            status,
            body,
            replayed,
        ) == (201, created[0][1], "true")
    assert Transaction.objects.count() == 1
