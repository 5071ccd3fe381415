"""What every matching service shares: the modes and states, ``MatchingError`` (its message
is meant for the person who tried), telling both people of a pairing, and the signals sent
once a change commits."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.urls import reverse

from core.errors import ServiceError
from core.notifications import notification_emails_queue, notifications_send_bulk
from matching import signals
from matching.models import MatchingCriteria, Pairing
from programs.models import Program

logger = logging.getLogger(__name__)

#: Programs whose HR runs the optimiser.
RUN_MODES = (Program.MatchingMode.ADMIN, Program.MatchingMode.HYBRID)
#: Programs whose mentees pick a mentor themselves, and when.
SELF_SELECT_MODES = (Program.MatchingMode.SELF_SELECT, Program.MatchingMode.HYBRID)
SELF_SELECT_STATUSES = (Program.Status.MATCHING, Program.Status.RUNNING)
#: A queued or running run older than this belongs to a worker that died: it no longer blocks a new run.
STALE_RUN = timedelta(minutes=15)
CRITERIA_FIELDS = [
    f.name for f in MatchingCriteria._meta.get_fields() if f.concrete and f.name not in ("id", "program", "updated_at")
]


class MatchingError(ServiceError):
    """A matching action the rules don't allow. The message is shown to the user."""


def _pairing_signal_on_commit(signal, pairing: Pairing) -> None:
    """Tell the apps above (pair health) that a pairing started or finished, once it commits."""
    pairing_id, program_id = pairing.pk, pairing.program_id
    transaction.on_commit(lambda: signal.send_robust(sender=Pairing, pairing_id=pairing_id, program_id=program_id))


def _program_pairings_signal_on_commit(program: Program) -> None:
    program_id = program.pk
    transaction.on_commit(lambda: signals.program_pairings_changed.send_robust(sender=Program, program_id=program_id))


def _my_match_url() -> str:
    return reverse("matching:my_match")


def _pairings_notify_both(pairings: list[Pairing], *, kind: str, title, body) -> None:
    """Tell both people of each pairing (those with an account), once each per event: the
    bulk path the sweeps use (a few queries per thousand notifications, one email task per
    200, after commit), for one pairing as for a whole published run.

    ``title`` and ``body`` are called with (recipient's enrollment, partner's enrollment)."""
    url = _my_match_url()
    prefix = kind.replace("_", "-")
    items = (
        {
            "recipient_id": me.person.user_id,
            "kind": kind,
            "title": title(me, partner),
            "body": body(me, partner),
            "url": url,
            "key": f"{prefix}:{pairing.pk}:{me.person.user_id}",
        }
        for pairing in pairings
        for me, partner in ((pairing.mentor, pairing.mentee), (pairing.mentee, pairing.mentor))
        if me.person.user_id is not None
    )
    notification_emails_queue(notifications_send_bulk(items))


def _pairing_notify_both(pairing: Pairing, *, kind: str, title, body) -> None:
    _pairings_notify_both([pairing], kind=kind, title=title, body=body)
