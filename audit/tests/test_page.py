"""HR's audit log page and its CSV export: who may open them, filters, paging, queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record
from programs.tests.factories import EnrollmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action
PAGE = reverse("audit:event_list")
CSV = reverse("audit:event_list_csv")


def csv_text(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def events(n, *, actor=None, action=Action.PROGRAM_CHANGED, program=None, when=None):
    made = [record(action=action, actor=actor, program=program, details={"fields": ["name"]}) for _ in range(n)]
    if when is not None:
        AuditEvent.objects.filter(pk__in=[e.pk for e in made]).update(created_at=when)
    return made


# --- Who may open it ----------------------------------------------------------------------


@pytest.mark.parametrize("url", [PAGE, CSV])
def test_owners_and_participants_are_refused(client, owner, alice, url):
    program = ProgramFactory()
    program.owners.add(owner)
    EnrollmentFactory(program=program, person=alice.person)
    events(1, actor=owner, program=program)
    for user in (owner, alice):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page


def test_hr_sees_the_log_and_a_link_in_the_navigation(hr_client, hr_admin, client, alice):
    events(1, actor=hr_admin)
    response = hr_client.get(PAGE)
    assert response.status_code == 200
    assert b'data-testid="nav-audit-log"' in response.content
    assert b"Program settings changed" in response.content
    client.force_login(alice)
    assert b'data-testid="nav-audit-log"' not in client.get(reverse("home")).content


# --- Filters ------------------------------------------------------------------------------


def test_filters_by_who_what_program_and_dates(hr_client, hr_admin, alice):
    circle, other = ProgramFactory(name="Circle"), ProgramFactory(name="Other")
    events(2, actor=alice, program=circle)
    events(3, actor=hr_admin, program=other, action=Action.PROGRAM_STATUS_CHANGED)
    events(4, actor=hr_admin, when=timezone.now() - datetime.timedelta(days=10))

    def shown(**query):
        return len(hr_client.get(PAGE, query).context["page"].object_list)

    assert shown() == 9
    assert shown(who="ALICE@example") == 2
    assert shown(who="Adams") == 2
    assert shown(action=Action.PROGRAM_STATUS_CHANGED) == 3
    assert shown(program=circle.pk) == 2
    today = timezone.localdate()
    assert shown(date_from=today.isoformat()) == 5
    assert shown(date_to=(today - datetime.timedelta(days=1)).isoformat()) == 4
    assert shown(date_from=(today - datetime.timedelta(days=10)).isoformat(), date_to=today.isoformat()) == 9


@pytest.mark.parametrize(
    "query",
    [{"date_from": "2026-13-45"}, {"date_to": "yesterday"}, {"action": "nope"}, {"program": "abc"}, {"page": "x"}],
)
def test_bad_filter_input_is_a_form_error_not_a_500(hr_client, hr_admin, query):
    events(1, actor=hr_admin)
    response = hr_client.get(PAGE, query)
    assert response.status_code == 200
    if "page" not in query:
        assert response.context["form"].errors
        assert b'data-testid="filter-error"' in response.content
    assert hr_client.get(CSV, query).status_code == (200 if "page" in query else 400)


def test_the_program_filter_offers_each_program_once_by_its_latest_name(hr_client, hr_admin):
    from audit.selectors import audit_program_choices

    program = ProgramFactory(name="Old name")
    events(3, actor=hr_admin, program=program)
    program.name = "New name"
    events(1, actor=hr_admin, program=program)
    events(2, actor=hr_admin, program=ProgramFactory(name="Another"))
    assert [label for _, label in audit_program_choices()] == ["Another", "New name"]


def test_dates_in_the_wrong_order_are_a_form_error(hr_client):
    response = hr_client.get(PAGE, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert "date_to" in response.context["form"].errors


# --- Paging and queries -------------------------------------------------------------------


def test_fifty_a_page(hr_client, hr_admin):
    events(51, actor=hr_admin)
    first = hr_client.get(PAGE)
    assert len(first.context["page"].object_list) == 50
    second = hr_client.get(PAGE, {"page": 2})
    assert len(second.context["page"].object_list) == 1


def test_the_page_runs_as_many_queries_for_5_events_as_for_50(hr_client, hr_admin, count_queries):
    program = ProgramFactory()
    events(5, actor=hr_admin, program=program)
    few = count_queries(hr_client, PAGE)
    events(45, actor=hr_admin, program=ProgramFactory())
    assert count_queries(hr_client, PAGE) == few


# --- The export ---------------------------------------------------------------------------


def test_the_export_follows_the_filters_and_is_itself_recorded(hr_client, hr_admin, alice):
    program = ProgramFactory(name="Circle")
    events(2, actor=alice, program=program)
    events(1, actor=hr_admin)
    response = hr_client.get(CSV, {"who": "alice"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    lines = csv_text(response).splitlines()
    assert lines[0].startswith("when (UTC),who,action")
    assert len(lines) == 3
    assert all("Alice Adams <alice@example.com>" in line and "Circle" in line for line in lines[1:])
    download = AuditEvent.objects.get(action=Action.EXPORT_DOWNLOADED)
    assert download.actor == hr_admin
    assert download.details["file"].startswith("audit-log-")
