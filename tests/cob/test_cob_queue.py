"""The daily run's tasks have a queue of their own, which a worker started without ``-Q`` consumes too, so that the
chord's ranges and callback are not queued behind the webhook deliveries the run itself queues."""

from riskfund.celery import app


def test_the_cob_tasks_go_to_the_cob_queue_and_deliveries_stay_on_the_default_one():
    route = app.amqp.router.route
    for name in ("run_cob_task", "run_cob_part_task", "finish_cob_task"):
        assert route({}, f"riskfund.cob.tasks.{name}")["queue"].name == "cob"
    assert route({}, "banks.tasks.deliver_webhook")["queue"].name == app.conf.task_default_queue == "celery"
    assert set(app.amqp.queues) == {"celery", "cob"}  # what a worker without -Q consumes
