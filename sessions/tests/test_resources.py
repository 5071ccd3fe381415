"""The mentor recommends resources; the mentee marks them done."""

import pytest

from core.models import Notification
from goals.tests.factories import GoalFactory
from matching.tests.factories import PairingFactory
from people.tests.factories import MemberFactory
from sessions.models import Resource

pytestmark = pytest.mark.django_db


def test_mentor_recommends_a_resource_for_a_goal_and_the_mentee_is_told(client, pairing, mentor, mentee):
    goal = GoalFactory(enrollment=pairing.mentee, title="Speak at a conference")
    client.force_login(mentor)
    response = client.post(
        f"/mentoring/pairings/{pairing.pk}/resources/new/",
        {
            "title": "Talk Like TED",
            "kind": "book",
            "url": "https://example.com/ted",
            "goal": goal.pk,
            "note": "Ch. 3 is the one",
        },
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert (resource.goal, resource.kind, resource.recommended_by) == (goal, "book", mentor)
    note = Notification.objects.get(recipient=mentee)
    assert note.title == "Mira Mentor recommended a book: Talk Like TED"
    client.force_login(mentee)
    assert "Talk Like TED" in client.get(f"/mentoring/pairings/{pairing.pk}/").content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "kind": "book"}, "title"),
        ({"title": "X", "kind": "podcast"}, "kind"),
        ({"title": "X", "kind": "book", "url": "javascript:alert(1)"}, "url"),
        ({"title": "X", "kind": "book", "url": "not a url"}, "url"),
        ({"title": "X" * 201, "kind": "book"}, "title"),
        ({"title": "X", "kind": "book", "goal": "foreign"}, "goal"),
    ],
)
def test_bad_resource_input_is_a_form_error(client, program, pairing, mentor, data, field):
    if data.get("goal") == "foreign":
        other = PairingFactory(
            active=True,
            program=program,
            mentor__person=MemberFactory(email="a@example.com").person,
            mentee__person=MemberFactory(email="b@example.com").person,
        )
        data = {**data, "goal": GoalFactory(enrollment=other.mentee).pk}
    client.force_login(mentor)
    response = client.post(f"/mentoring/pairings/{pairing.pk}/resources/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Resource.objects.exists()


def test_only_the_mentor_recommends(client, pairing, mentee):
    client.force_login(mentee)
    assert client.get(f"/mentoring/pairings/{pairing.pk}/resources/new/").status_code == 403
    assert (
        client.post(f"/mentoring/pairings/{pairing.pk}/resources/new/", {"title": "X", "kind": "book"}).status_code
        == 403
    )
    assert not Resource.objects.exists()


def test_the_mentee_marks_done_and_the_mentor_cannot(client, pairing, mentor, mentee):
    resource = Resource.objects.create(pairing=pairing, title="Course", kind="course", recommended_by=mentor)
    client.force_login(mentee)
    assert client.post(f"/mentoring/resources/{resource.pk}/toggle/", {"done": "1"}).status_code == 302
    resource.refresh_from_db()
    assert resource.is_done
    client.force_login(mentor)
    assert client.post(f"/mentoring/resources/{resource.pk}/toggle/", {"done": "0"}).status_code == 403
    resource.refresh_from_db()
    assert resource.is_done


def test_another_pairings_resource_is_a_404(client, hr_browser, pairing, outsider, mentor):
    resource = Resource.objects.create(pairing=pairing, title="Course", kind="course", recommended_by=mentor)
    client.force_login(outsider)
    assert client.post(f"/mentoring/resources/{resource.pk}/toggle/", {"done": "1"}).status_code == 404
    assert hr_browser.post(f"/mentoring/resources/{resource.pk}/toggle/", {"done": "1"}).status_code == 404
    assert client.get(f"/mentoring/pairings/{pairing.pk}/resources/new/").status_code == 404


def test_resource_form_query_count_is_constant(count_queries, client, pairing, mentor):
    client.force_login(mentor)
    url = f"/mentoring/pairings/{pairing.pk}/resources/new/"
    few = count_queries(client, url)
    for i in range(10):
        GoalFactory(enrollment=pairing.mentee, title=f"Goal {i}")
        Resource.objects.create(pairing=pairing, title=f"R{i}", kind="article", recommended_by=mentor)
    assert count_queries(client, url) == few
