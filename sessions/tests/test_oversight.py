"""HR admins and program owners see counts and dates, never note text (nor in the admin)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from matching.tests.factories import PairingFactory
from people.tests.factories import MemberFactory
from programs.tests.factories import ProgramFactory
from sessions import reminders
from sessions.tests.factories import MENTEE_PRIVATE, MENTOR_PRIVATE, SHARED_NOTE, ActionItemFactory, SessionFactory

pytestmark = pytest.mark.django_db

SECRETS = (SHARED_NOTE, MENTOR_PRIVATE, MENTEE_PRIVATE, "Overdue thing", "Open thing", "Career plan", "Book 0")


def test_hr_sees_counts_and_dates_but_no_text(populate, hr_client, pairing):
    goal = populate(pairing, 2)
    goal.status = "achieved"
    goal.save()
    response = hr_client.get("/mentoring/hr/")
    assert response.status_code == 200
    html = response.content.decode()
    for secret in SECRETS + (goal.title,):
        assert secret not in html
    (row,) = response.context["page"].object_list
    assert row.sessions_held == 2
    assert row.open_action_items == 4 and row.overdue_action_items == 2
    assert row.last_session_at.date() == (timezone.now() - timedelta(days=7)).date()
    assert row.next_session_at is not None
    assert (row.goals_achieved, row.goals_total) == (1, 1)
    summary = response.context["summary"]
    assert (summary["active"], summary["held_last_30_days"], summary["items_overdue"]) == (1, 2, 2)
    assert "Milo Mentee" in html and "Mira Mentor" in html


def test_program_owner_sees_only_their_programs(client, owner, program, pairing):
    program.owners.add(owner)
    other = ProgramFactory(running=True, name="Sales Buddies", slug="sales-buddies")
    PairingFactory(
        active=True,
        program=other,
        mentor__person=MemberFactory(email="s1@example.com", first_name="Sally").person,
        mentee__person=MemberFactory(email="s2@example.com", first_name="Sid").person,
    )
    client.force_login(owner)
    response = client.get("/mentoring/hr/")
    assert [p.program for p in response.context["page"]] == [program]
    assert client.get("/mentoring/hr/?program=sales-buddies").status_code == 404
    assert client.get("/mentoring/hr/?program=leadership-circle").status_code == 200


def test_hr_filters_by_program_and_by_quiet_pairs(hr_client, program, pairing):
    other = ProgramFactory(running=True, name="Sales Buddies", slug="sales-buddies")
    PairingFactory(
        active=True,
        program=other,
        mentor__person=MemberFactory(email="s1@example.com").person,
        mentee__person=MemberFactory(email="s2@example.com").person,
    )
    assert len(hr_client.get("/mentoring/hr/").context["page"].object_list) == 2
    assert len(hr_client.get("/mentoring/hr/?program=sales-buddies").context["page"].object_list) == 1
    assert hr_client.get("/mentoring/hr/?program=nope").status_code == 404
    # The pairing started 30 days ago with no session: nudged twice, it is a quiet pair.
    reminders.inactivity_nudges_send()
    quiet = hr_client.get("/mentoring/hr/?quiet=1").context["page"].object_list
    assert {p.program.slug for p in quiet} == {"leadership-circle", "sales-buddies"}
    SessionFactory(pairing=pairing, days=-1, held=True)
    quiet = hr_client.get("/mentoring/hr/?quiet=1").context["page"].object_list
    assert [p.program.slug for p in quiet] == ["sales-buddies"]


def test_a_participant_cannot_open_the_hr_page(client, mentor, pairing):
    client.force_login(mentor)
    assert client.get("/mentoring/hr/").status_code == 403


def test_bad_page_numbers_do_not_break_the_hr_page(hr_client, pairing):
    for page in ("abc", "-1", "999"):
        assert hr_client.get(f"/mentoring/hr/?page={page}").status_code == 200


def test_hr_page_query_count_does_not_grow(populate, count_queries, hr_client, program, pairing):
    populate(pairing, 1)
    few = count_queries(hr_client, "/mentoring/hr/")
    populate(pairing, 10)
    for i in range(5):
        populate(
            PairingFactory(
                active=True,
                program=program,
                mentor__person=MemberFactory(email=f"a{i}@example.com").person,
                mentee__person=MemberFactory(email=f"b{i}@x.com").person,
            ),
            3,
        )
    assert count_queries(hr_client, "/mentoring/hr/") == few


def test_admin_shows_no_note_text_and_no_private_notes(populate, client, pairing, django_user_model):
    populate(pairing, 1)
    superuser = MemberFactory(email="root@example.com", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    session = pairing.sessions.filter(status="held").first()
    html = ""
    for url in (
        "/admin/",
        "/admin/mentoring_sessions/",
        "/admin/mentoring_sessions/mentoringsession/",
        f"/admin/mentoring_sessions/mentoringsession/{session.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html += response.content.decode()
    for secret in SECRETS:
        assert secret not in html
    assert "privatenote" not in html.lower()
    assert client.get("/admin/mentoring_sessions/privatenote/").status_code == 404


def test_summary_of_all_programs_adds_up_each_programs_totals(client, hr_client, owner, program, pairing):
    """The cards count what happened in the last 30 days (sessions held, their hours, action
    items done) and what is open or planned. HR's "All programs" reads them without the
    program filter: the same figures as adding up each program's; an owner's cover only
    their programs."""

    other = ProgramFactory(running=True, name="Sales Buddies", slug="sales-buddies")
    other_pairing = PairingFactory(
        active=True,
        program=other,
        mentor__person=MemberFactory(email="s1@example.com", first_name="Sally").person,
        mentee__person=MemberFactory(email="s2@example.com", first_name="Sid").person,
    )
    now = timezone.now()
    for pair, held, planned in ((pairing, 4, 1), (other_pairing, 2, 2)):
        for i in range(held):  # 10, 20, 40, 80 days ago: the first two in the window
            session = SessionFactory(pairing=pair, days=-10 * 2**i, held=True, duration_minutes=90)
            ActionItemFactory(session=session, due_in_days=-1 if i == 0 else 5)
            ActionItemFactory(session=session, title="Done lately", done_at=now - timedelta(days=5 + 20 * i))
        for i in range(planned):
            SessionFactory(pairing=pair, days=i + 1)
    SessionFactory(pairing=other_pairing, days=-3, cancelled=True)
    keys = ("held_last_30_days", "hours_last_30_days", "upcoming", "items_open", "items_overdue")
    keys += ("items_done_last_30_days",)

    def totals(browser, query=""):
        summary = browser.get(f"/mentoring/hr/{query}").context["summary"]
        return tuple(summary[key] for key in keys)

    mine, theirs = totals(hr_client, "?program=leadership-circle"), totals(hr_client, "?program=sales-buddies")
    assert mine == (2, 3.0, 1, 4, 1, 2)
    assert theirs == (2, 3.0, 2, 2, 1, 2)
    assert totals(hr_client) == tuple(a + b for a, b in zip(mine, theirs, strict=True))
    program.owners.add(owner)
    client.force_login(owner)
    assert totals(client) == mine
    html = client.get("/mentoring/hr/").content.decode()
    assert "sessions held in the last 30 days" in html and "2 done in the last 30 days" in html


def test_the_table_pages_through_pairings_by_program_then_mentee(hr_client, program, pairing, monkeypatch):
    """Each page's pairings are found sorted first, then read with their counts: the order
    and the counts are those of one query over them all."""
    from sessions import selectors

    monkeypatch.setattr(selectors, "OVERSIGHT_PER_PAGE", 2)
    other = ProgramFactory(running=True, name="Alpha Circle", slug="alpha-circle")
    for i, last in enumerate(("Zeta", "Adams", "Moss")):
        pair = PairingFactory(
            active=True,
            program=program,
            mentor__person=MemberFactory(email=f"m{i}@example.com").person,
            mentee__person=MemberFactory(email=f"e{i}@x.com", first_name="E", last_name=last).person,
        )
        SessionFactory(pairing=pair, days=-2, held=True)
    PairingFactory(
        active=True,
        program=other,
        mentor__person=MemberFactory(email="am@example.com").person,
        mentee__person=MemberFactory(email="ae@x.com", first_name="A", last_name="Young").person,
    )
    rows = []
    for number in (1, 2, 3):
        page = hr_client.get(f"/mentoring/hr/?page={number}").context["page"]
        assert page.paginator.count == 5 and len(page.object_list) == (2 if number < 3 else 1)
        rows += [(p.program.name, p.mentee.person.last_name, p.sessions_held) for p in page.object_list]
    assert rows == [
        ("Alpha Circle", "Young", 0),
        ("Leadership Circle", "Adams", 1),
        ("Leadership Circle", "Mentee", 0),
        ("Leadership Circle", "Moss", 1),
        ("Leadership Circle", "Zeta", 1),
    ]
