"""The evaluation app's receivers queue a pair health refresh per change, except while a bulk
load (seed_demo) pauses them because it recomputes every pair itself."""

import pytest

from evaluation import receivers, tasks
from surveys.signals import survey_answered

pytestmark = pytest.mark.django_db


def queued_refreshes(monkeypatch):
    queued = []
    monkeypatch.setattr(receivers, "task_queue_on_commit", lambda task, *args: queued.append((task, args)))
    return queued


def test_an_answer_queues_a_refresh_of_the_persons_pairs(monkeypatch):
    queued = queued_refreshes(monkeypatch)
    survey_answered.send(sender=None, enrollment_id=7)
    assert queued == [(tasks.enrollment_health_refresh, (7,))]


def test_nothing_is_queued_while_paused_and_queueing_resumes_after(monkeypatch):
    queued = queued_refreshes(monkeypatch)
    with receivers.health_refresh_paused():
        survey_answered.send(sender=None, enrollment_id=7)
    assert queued == []
    survey_answered.send(sender=None, enrollment_id=8)
    assert queued == [(tasks.enrollment_health_refresh, (8,))]
