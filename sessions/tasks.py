"""Celery tasks for mentoring sessions. Thin: they take ids (or nothing) and call a service."""

import logging

from celery import shared_task

from sessions import reminders

logger = logging.getLogger(__name__)


@shared_task
def session_reminders_send():
    return reminders.session_reminders_send()


@shared_task
def inactivity_nudges_send():
    return reminders.inactivity_nudges_send()


@shared_task
def action_item_overdue_reminders_send():
    return reminders.action_item_overdue_reminders_send()
