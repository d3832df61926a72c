"""Finding 6 of the outside attack (issue 12): a webhook's signing secret was kept in plain text inside the
idempotency record of the ``POST /api/v1/webhooks/`` answer (90 days). API.md, Webhooks: the secret is shown once, in
the answer that creates or rotates it, and stored nowhere — a replay answers the same status and body with the secret
withheld (``"secret": null``, ``secret_withheld: true``). The database is searched, row by row and session by
session (decoded), for every secret shown after creating one through the API and the admin, rotating and replacing
one."""

import re

import pytest
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse

from banks.models import WebhookEndpoint
from banks.webhooks import endpoint_secret
from tests.api.apihelpers import post

HOOK = "https://hooks.bob.example.cn/riskfund"


def database_text() -> str:
    """Every row of every table as text, and every session's decoded data (a session is stored encoded)."""
    quote = connection.ops.quote_name
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {quote(table)}")  # table names from the introspection
            parts.extend(repr(row) for row in cursor.fetchall())
    parts.extend(repr(session.get_decoded()) for session in Session.objects.all())
    return "\n".join(parts)


def secrets_in_messages(response) -> list[str]:
    return [m for msg in get_messages(response.wsgi_request) for m in re.findall(r"\b[0-9a-f]{64}\b", str(msg))]


def test_finding6_a_replay_withholds_the_secret(world):
    first = post(world.a, "/api/v1/webhooks/", {"url": HOOK}, key="hook-1")
    assert first.status_code == 201, first.content
    shown = first.json()
    assert shown["secret_withheld"] is False
    assert shown["secret"] == endpoint_secret(WebhookEndpoint.objects.get())

    replay = post(world.a, "/api/v1/webhooks/", {"url": HOOK}, key="hook-1")
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (201, "true")
    assert replay.json() == {**shown, "secret": None, "secret_withheld": True}
    assert WebhookEndpoint.objects.count() == 1


def test_finding6_no_secret_is_stored_anywhere_after_creating_rotating_and_replacing(world, admin_client):
    created = post(world.a, "/api/v1/webhooks/", {"url": HOOK}, key="hook-2").json()["secret"]
    post(world.a, "/api/v1/webhooks/", {"url": HOOK}, key="hook-2")  # the replay
    endpoint = WebhookEndpoint.objects.get()
    changelist = reverse("admin:banks_webhookendpoint_changelist")
    rotated = admin_client.post(changelist, {"action": "rotate_secret", "_selected_action": [str(endpoint.pk)]})
    replaced = admin_client.post(changelist, {"action": "replace_secret", "_selected_action": [str(endpoint.pk)]})
    added = admin_client.post(
        reverse("admin:banks_webhookendpoint_add"), {"bank": str(world.bank_b.pk), "url": HOOK.replace("bob", "boc")}
    )
    shown = [created, *secrets_in_messages(rotated), *secrets_in_messages(replaced), *secrets_in_messages(added)]
    assert len(set(shown)) == 4, shown

    haystack = database_text()
    assert Session.objects.exists()  # the admin's session is searched too
    assert [secret for secret in shown if secret in haystack] == []


def endpoints(count: int) -> list[WebhookEndpoint]:
    from banks.webhooks import webhook_endpoint_register
    from riskfund.parties.services import bank_create

    return [
        webhook_endpoint_register(bank=bank_create(code=f"R{n}", name=f"轮换银行{n}"), url=HOOK)[0]
        for n in range(count)
    ]


@pytest.mark.parametrize("action", ["rotate_secret", "replace_secret"])
def test_finding6_twenty_secrets_changed_at_once_stay_out_of_the_session(world, admin_client, action):
    """Messages live in a signed cookie of about 2 KB and overflow into the session table (40 rotated at once put 14
    secrets there): 20, the most one action may change, all fit in the cookie."""
    chosen = endpoints(20)
    response = admin_client.post(
        reverse("admin:banks_webhookendpoint_changelist"),
        {"action": action, "_selected_action": [str(e.pk) for e in chosen]},
    )
    shown = secrets_in_messages(response)
    assert sorted(shown) == sorted(endpoint_secret(WebhookEndpoint.objects.get(pk=e.pk)) for e in chosen)
    haystack = database_text()
    assert [secret for secret in shown if secret in haystack] == []


def test_finding6_more_than_twenty_at_once_are_refused(world, admin_client):
    chosen = endpoints(21)
    response = admin_client.post(
        reverse("admin:banks_webhookendpoint_changelist"),
        {"action": "rotate_secret", "_selected_action": [str(e.pk) for e in chosen]},
    )
    assert secrets_in_messages(response) == []
    assert set(WebhookEndpoint.objects.values_list("secret_generation", flat=True)) == {1}
