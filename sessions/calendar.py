"""iCalendar (.ics) files: one session's invitation, and a person's subscription feed.

A session keeps one UID for its whole life; its SEQUENCE grows with every reschedule and
the cancellation, so Outlook, Google Calendar and Apple Calendar update (or remove) the
event they already have instead of adding another.
"""

from datetime import timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vDuration, vText

from sessions.models import MentoringSession, SessionFormat
from sessions.services import pairing_url

PRODID = "-//Mentoring platform//Mentoring sessions//EN"


def _uid(session: MentoringSession) -> str:
    host = urlparse(settings.SITE_URL).hostname or "mentoring.local"
    return f"{session.ical_uid}@{host}"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _address(person, *, role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(person.full_name)
    if role:
        address.params["role"] = vText(role)
    return address


def session_event(session: MentoringSession, *, summary: str, with_attendees: bool) -> Event:
    pairing = session.pairing
    cancelled = session.status == MentoringSession.Status.CANCELLED
    event = Event()
    event.add("uid", _uid(session))
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("last-modified", session.updated_at)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", summary)
    link = _absolute(pairing_url(pairing, f"session-{session.pk}"))
    lines = []
    if session.agenda:
        lines += ["Agenda:", session.agenda, ""]
    if session.format == SessionFormat.VIDEO and session.video_url:
        lines.append(f"Join the call: {session.video_url}")
    lines.append(f"Pairing page: {link}")
    event.add("description", "\n".join(lines))
    if session.where:
        event.add("location", session.where)
    event.add("url", link)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    if with_attendees:
        organizer = session.scheduled_by
        organizer_person = pairing.mentor.person
        if organizer is not None and pairing.mentee.person.user_id == organizer.pk:
            organizer_person = pairing.mentee.person
        event.add("organizer", _address(organizer_person))
        for person in (pairing.mentor.person, pairing.mentee.person):
            event.add("attendee", _address(person, role="REQ-PARTICIPANT"))
    return event


def _calendar(method: str, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        # Ask subscribing apps to refresh hourly (Google decides for itself).
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(timedelta(hours=1)))
    return calendar


def session_invitation_method(session: MentoringSession) -> str:
    return "CANCEL" if session.status == MentoringSession.Status.CANCELLED else "REQUEST"


def session_invitation_ics(session: MentoringSession) -> bytes:
    """The invitation to add to one's calendar (METHOD:CANCEL once it is cancelled)."""
    pairing = session.pairing
    calendar = _calendar(session_invitation_method(session))
    summary = f"Mentoring: {pairing.mentor.person.full_name} / {pairing.mentee.person.full_name}"
    calendar.add_component(session_event(session, summary=summary, with_attendees=True))
    return calendar.to_ical()


def calendar_feed_ics(sessions, *, user) -> bytes:
    """A person's feed: their sessions in every pairing, cancelled ones marked so."""
    calendar = _calendar("PUBLISH", name="Mentoring sessions")
    for session in sessions:
        pairing = session.pairing
        other = pairing.mentee.person if pairing.mentor.person.user_id == user.pk else pairing.mentor.person
        calendar.add_component(
            session_event(session, summary=f"Mentoring with {other.full_name}", with_attendees=False)
        )
    return calendar.to_ical()
