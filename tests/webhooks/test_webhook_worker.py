"""A real Celery worker consuming from Redis delivers an event queued after its transaction commits.

Runs only with a broker: ``CELERY_BROKER_URL=redis://127.0.0.1:6379/14 pytest -m worker tests/webhooks``.
The worker runs in a thread of this process (``celery.contrib.testing.worker.start_worker``) with its own
database connection, so the test uses committed rows (``transaction=True``) rather than the test transaction.
"""

import os
import threading

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import transaction

from banks.models import WebhookDelivery
from banks.webhook_signing import endpoint_secret, verify_signature
from banks.webhooks import webhook_endpoint_register
from riskfund.celery import app
from riskfund.outbox.models import EventState, EventType
from riskfund.outbox.services import DELIVER_TASK, outbox_emit

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL"),
        reason="needs a real broker: set CELERY_BROKER_URL=redis://127.0.0.1:6379/14 (CI does)",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_worker_over_redis_delivers_the_event_queued_on_commit(make_bank, receiver, loopback_allowed):
    assert not app.conf.task_always_eager
    bank = make_bank("BOC")
    endpoint, secret = webhook_endpoint_register(bank=bank, url=receiver.url)
    finished = threading.Event()
    ran = []

    def on_postrun(sender=None, args=None, **kwargs):
        if sender is not None and sender.name == DELIVER_TASK:
            ran.append((threading.current_thread().name, args))
            finished.set()

    task_postrun.connect(on_postrun, weak=False)
    try:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(app.conf.task_default_queue)
        with start_worker(app, perform_ping_check=False, shutdown_timeout=30):
            with transaction.atomic():
                event = outbox_emit(bank=bank, type=EventType.POOL_SUSPENDED, data={"ratio": "0.2104"})
            assert finished.wait(timeout=60), "the worker did not run the delivery task"
    finally:
        task_postrun.disconnect(on_postrun)

    assert ran == [(ran[0][0], [str(event.id)])]
    assert ran[0][0] != threading.current_thread().name  # executed by the worker, not in-process eagerly
    event.refresh_from_db()
    assert (event.state, event.attempts) == (EventState.DELIVERED, 1)
    delivery = WebhookDelivery.objects.get(event=event)
    assert (delivery.success, delivery.status_code, delivery.endpoint_id) == (True, 200, endpoint.id)
    request = receiver.requests[0]
    assert secret == endpoint_secret(endpoint)
    assert verify_signature(
        request["headers"]["X-Riskfund-Signature"], request["body"], [secret], now=delivery.started_at
    )
