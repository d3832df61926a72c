"""The admin registers endpoints and changes secrets through the services, showing each secret once."""

import re

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from banks.models import WebhookDelivery, WebhookEndpoint
from banks.webhooks import endpoint_secret, webhook_endpoint_register
from riskfund.outbox.models import EventState, EventType, OutboxEvent


def _secrets_shown(response) -> list[str]:
    return [
        m for msg in get_messages(response.wsgi_request) for m in re.findall(r"<code>([0-9a-f]{64})</code>", str(msg))
    ]


def test_adding_an_endpoint_registers_it_and_shows_its_secret_once(admin_client, make_bank):
    bank = make_bank("BOC")
    response = admin_client.post(
        reverse("admin:banks_webhookendpoint_add"), {"bank": str(bank.pk), "url": "https://hooks.boc.example.cn/rf"}
    )
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.bank, endpoint.url, endpoint.active) == (bank, "https://hooks.boc.example.cn/rf", True)
    assert _secrets_shown(response) == [endpoint_secret(endpoint)]


def test_adding_a_private_address_is_refused_with_a_field_error(admin_client, make_bank):
    bank = make_bank("BOC")
    response = admin_client.post(
        reverse("admin:banks_webhookendpoint_add"), {"bank": str(bank.pk), "url": "https://192.168.1.1/hook"}
    )
    assert response.status_code == 200
    assert "url" in response.context["adminform"].form.errors
    assert not WebhookEndpoint.objects.exists()


def test_rotate_action_shows_the_new_secret_and_keeps_the_old_one_signing(admin_client, make_bank):
    endpoint, old = webhook_endpoint_register(bank=make_bank("BOC"), url="https://hooks.boc.example.cn/rf")
    response = admin_client.post(
        reverse("admin:banks_webhookendpoint_changelist"),
        {"action": "rotate_secret", "_selected_action": [str(endpoint.pk)]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.secret_generation == 2
    assert endpoint.previous_generation_valid_until is not None
    assert _secrets_shown(response) == [endpoint_secret(endpoint)] != [old]


def test_event_page_lists_each_delivery_attempt(admin_client, make_bank):
    bank = make_bank("BOC")
    endpoint, _ = webhook_endpoint_register(bank=bank, url="https://hooks.boc.example.cn/rf")
    event = OutboxEvent.objects.create(
        bank=bank, type=EventType.POOL_SUSPENDED, data={}, state=EventState.DELIVERED, delivered_at=timezone.now()
    )
    for attempt, status in ((1, 500), (2, 200)):
        WebhookDelivery.objects.create(
            event=event,
            endpoint=endpoint,
            attempt=attempt,
            started_at=event.created,
            status_code=status,
            success=status == 200,
        )
    response = admin_client.get(reverse("admin:outbox_outboxevent_change", args=[event.pk]))
    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0]
    assert [form.original.attempt for form in inline] == [1, 2]
    assert admin_client.get(reverse("admin:banks_webhookdelivery_changelist")).status_code == 200
