"""One beat, always: two beats started at once (a common mistake when scaling out) send
each schedule once. Needs the Redis broker (RedBeat's lock lives there)."""

import json
import threading
import time
import uuid
from datetime import timedelta

import pytest
import redis
from celery.beat import Service
from django.conf import settings

from mentorship.celery import app
from mentorship.tests.services import require_redis_broker


@pytest.fixture
def beat_schedule():
    """A schedule of its own (its own Redis keys and queue), last run two hours ago and due
    every hour: each entry is due now, and then not again while the test runs."""
    require_redis_broker()
    run = uuid.uuid4().hex[:8]
    queue = f"beat-test-{run}"
    schedule = {
        f"beat-test-{name}": {
            "task": f"beat_test.{name}",  # not a registered task: beat sends it, nothing runs it
            "schedule": timedelta(hours=1),
            "options": {"queue": queue},
        }
        for name in ("reminders", "nudges", "snapshots")
    }
    saved = {
        "beat_schedule": app.conf.beat_schedule,
        "redbeat_key_prefix": app.conf.get("redbeat_key_prefix"),
        "task_always_eager": app.conf.task_always_eager,
    }
    app.conf.beat_schedule = schedule
    app.conf.redbeat_key_prefix = f"redbeat-test-{run}:"
    app.conf.task_always_eager = False
    for cached in ("redbeat_conf", "redbeat_redis"):
        app.__dict__.pop(cached, None)
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        if settings.CELERY_BEAT_SCHEDULER == "redbeat.RedBeatScheduler":
            from redbeat.schedulers import RedBeatSchedulerEntry

            for name, entry in schedule.items():
                last_run_at = app.now() - timedelta(hours=2)
                RedBeatSchedulerEntry(name, app=app, last_run_at=last_run_at, **entry).save()
        yield queue, schedule
    finally:
        app.conf.update(saved)
        for cached in ("redbeat_conf", "redbeat_redis"):
            app.__dict__.pop(cached, None)
        for key in client.scan_iter(f"redbeat-test-{run}:*"):
            client.delete(key)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def _sent(client, queue) -> list[str]:
    return [json.loads(message)["headers"]["task"] for message in client.lrange(queue, 0, -1)]


@pytest.mark.services
def test_two_beats_at_once_send_each_schedule_once(beat_schedule):
    broker_url = require_redis_broker()
    assert settings.CELERY_BEAT_SCHEDULER == "redbeat.RedBeatScheduler"
    queue, schedule = beat_schedule
    client = redis.Redis.from_url(broker_url)
    beats = [Service(app=app, max_interval=1, scheduler_cls=settings.CELERY_BEAT_SCHEDULER) for _ in range(2)]
    threads = [threading.Thread(target=beat.start, daemon=True) for beat in beats]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 20
        while len(_sent(client, queue)) < len(schedule) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # both beats have ticked a few times by now (max_interval 1 s)
    finally:
        for beat in beats:
            beat.stop()
        for thread in threads:
            thread.join(10)

    sent = _sent(client, queue)
    assert sorted(sent) == sorted(entry["task"] for entry in schedule.values())
