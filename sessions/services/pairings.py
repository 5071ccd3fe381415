"""Who is who in a pairing, and telling the other person of it."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.notifications import notification_send
from people.models import Person

# --- Who is who in a pairing -------------------------------------------------------------


def pairing_role_of(*, pairing, user) -> str:
    """``"mentor"`` or ``"mentee"``; anyone else is refused (views 404 them before this)."""
    if user.is_authenticated:
        if pairing.mentor.person.user_id == user.pk:
            return "mentor"
        if pairing.mentee.person.user_id == user.pk:
            return "mentee"
    raise PermissionDenied("Only the mentor and the mentee of this pairing can do this.")


def pairing_other_person(*, pairing, user) -> Person:
    return pairing.mentee.person if pairing_role_of(pairing=pairing, user=user) == "mentor" else pairing.mentor.person


def pairing_url(pairing, anchor: str = "") -> str:
    url = reverse("mentoring_sessions:pairing_detail", args=[pairing.pk])
    return f"{url}#{anchor}" if anchor else url


def _notify_other(*, pairing, user, kind: str, key: str, title, body: str = "", anchor: str = ""):
    """Tell the other person of the pairing; ``title`` gets their time zone name."""
    other = pairing_other_person(pairing=pairing, user=user)
    if other.user_id is None:
        return None
    return notification_send(
        recipient=other.user,
        kind=kind,
        key=f"{key}:{other.user_id}",
        title=title(other.time_zone),
        body=body,
        url=pairing_url(pairing, anchor),
    )


def _actor_name(user) -> str:
    person = getattr(user, "person", None)
    return person.full_name if person else (user.get_full_name() or user.email)
