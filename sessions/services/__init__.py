"""Writes for mentoring sessions, a module per subject: ``scheduling`` (schedule, reschedule,
cancel), ``held`` (logging a held session with its notes and action items, private notes),
``follow_up`` (action items and resources), ``calendar_feeds`` (personal calendar feeds);
``checks`` holds the rules the forms share, ``pairings`` who is who in a pairing.

``*_check`` functions validate and raise ``ValidationError`` (the forms call them too, so each
rule lives in one place). The other functions change state and refuse what the checks refuse.
They take a pairing or session the view already scoped to the user, and still refuse a user who
is not one of its two people. Callers import this package (``from sessions import services``).
"""

from sessions.services.calendar_feeds import (
    calendar_feed_mark_used,
    calendar_feed_regenerate,
    calendar_feed_revoke,
    calendar_feed_token_hash,
)
from sessions.services.checks import (
    ActionItemInput,
    Status,
    action_item_check,
    pairing_workable_check,
    session_details_check,
    session_place_check,
    session_times_check,
)
from sessions.services.follow_up import action_item_add, action_item_set_done, resource_recommend, resource_set_done
from sessions.services.held import private_note_save, session_log, session_mark_held, session_notes_update
from sessions.services.pairings import pairing_other_person, pairing_role_of, pairing_url
from sessions.services.scheduling import session_cancel, session_reschedule, session_schedule

__all__ = [
    "ActionItemInput",
    "Status",
    "action_item_add",
    "action_item_check",
    "action_item_set_done",
    "calendar_feed_mark_used",
    "calendar_feed_regenerate",
    "calendar_feed_revoke",
    "calendar_feed_token_hash",
    "pairing_other_person",
    "pairing_role_of",
    "pairing_url",
    "pairing_workable_check",
    "private_note_save",
    "resource_recommend",
    "resource_set_done",
    "session_cancel",
    "session_details_check",
    "session_log",
    "session_mark_held",
    "session_notes_update",
    "session_place_check",
    "session_reschedule",
    "session_schedule",
    "session_times_check",
]
