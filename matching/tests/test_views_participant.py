"""Participant pages: My match, Find a mentor, Requests. Only one's own things, and
never anyone's diversity data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import MentorshipRequest, Pairing
from matching.tests.factories import MentorshipRequestFactory, PairingFactory, matching_program, mentee, mentor
from people.tests.factories import PersonFactory, SelfIdentificationFactory
from programs.models import Program

pytestmark = pytest.mark.django_db

SECRET = "Zorblaxian"


def self_select_program(**kwargs):
    kwargs.setdefault("matching_mode", Program.MatchingMode.SELF_SELECT)
    return matching_program(**kwargs)


def _identified(**kwargs):
    person = PersonFactory(**kwargs)
    SelfIdentificationFactory(person=person, ethnicity=SECRET, gender="woman")
    return person


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- My match --------------------------------------------------------------------------


def test_my_match_lists_my_pairings_with_why_and_nothing_private(client):
    program = matching_program()
    pairing = PairingFactory(
        program=program,
        mentor=mentor(program, person=_identified(seniority=7)),
        mentee=mentee(program, person=_identified()),
    )
    PairingFactory(program=program)  # someone else's
    client.force_login(pairing.mentee.person.user)

    content = client.get(reverse("matching:my_match")).content.decode()

    assert content.count('data-testid="my-pairing"') == 1
    assert pairing.mentor.person.full_name in content
    assert 'data-testid="explanation"' in content
    assert 'data-testid="confirm"' in content
    assert SECRET not in content
    assert "Woman" not in content


def test_confirming_and_declining_only_my_own_pairing(client, alice):
    pairing = PairingFactory(program=matching_program())
    client.force_login(alice)
    assert client.post(reverse("matching:pairing_confirm", args=[pairing.pk])).status_code == 404
    assert client.get(reverse("matching:pairing_decline", args=[pairing.pk])).status_code == 404
    assert client.post(reverse("matching:pairing_decline", args=[pairing.pk])).status_code == 404
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.PROPOSED and pairing.mentee_confirmed_at is None

    client.force_login(pairing.mentee.person.user)
    response = client.post(reverse("matching:pairing_confirm", args=[pairing.pk]), follow=True)
    assert "other person confirms" in response.content.decode()
    pairing.refresh_from_db()
    assert pairing.mentee_confirmed_at is not None


def test_declining_with_a_too_long_reason_is_refused_and_an_empty_one_is_fine(client):
    pairing = PairingFactory(program=matching_program())
    client.force_login(pairing.mentor.person.user)
    url = reverse("matching:pairing_decline", args=[pairing.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "x" * 1001})
    assert response.status_code == 200
    assert "at most 1000 characters" in response.content.decode()
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.PROPOSED
    assert client.post(url, {}).status_code == 302
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.DECLINED


def test_my_match_uses_the_same_number_of_queries_at_two_sizes(client):
    person = PersonFactory(seniority=8)
    counts = []
    for size in (1, 4):
        for _ in range(size):
            program = matching_program()
            PairingFactory(program=program, mentor=mentor(program, person=person), status=Pairing.Status.ACTIVE)
        client.force_login(person.user)
        counts.append(_queries(client, reverse("matching:my_match")))
    assert counts[0] == counts[1]


# --- Find a mentor ---------------------------------------------------------------------


def test_a_mentee_sees_suggestions_and_asks_one(client):
    program = self_select_program()
    guide = mentor(program, person=_identified(seniority=6))
    learner = mentee(program)
    client.force_login(learner.person.user)

    page = client.get(reverse("matching:find_mentor")).content.decode()
    assert page.count('data-testid="suggestion"') == 1
    assert SECRET not in page

    url = reverse("matching:request_create", args=[learner.pk, guide.pk])
    form = client.get(url)
    assert form.status_code == 200 and SECRET not in form.content.decode()
    response = client.post(url, {"message": "I'd love to learn how you lead."})
    assert response.status_code == 302
    request = MentorshipRequest.objects.get()
    assert (request.mentee, request.mentor, request.status) == (learner, guide, "pending")
    page = client.get(reverse("matching:find_mentor")).content.decode()
    assert 'data-testid="pending-request"' in page


@pytest.mark.parametrize("message", ["", "    ", "x" * 2001])
def test_a_request_without_a_proper_message_is_refused(client, message):
    program = self_select_program()
    guide = mentor(program, person_seniority=6)
    learner = mentee(program)
    client.force_login(learner.person.user)
    response = client.post(reverse("matching:request_create", args=[learner.pk, guide.pk]), {"message": message})
    assert response.status_code == 200
    assert b"invalid-feedback" in response.content
    assert not MentorshipRequest.objects.exists()


def test_a_request_to_a_mentor_not_suggested_explains_and_saves_nothing(client):
    program = self_select_program()
    boss = PersonFactory(seniority=9)
    learner = mentee(program, person=PersonFactory(manager=boss))
    boss_mentor = mentor(program, person=boss)
    mentor(program, person_seniority=6)
    client.force_login(learner.person.user)
    url = reverse("matching:request_create", args=[learner.pk, boss_mentor.pk])
    assert client.get(url).status_code == 302
    response = client.post(url, {"message": "Hello"})
    assert "no longer available" in response.content.decode()
    assert not MentorshipRequest.objects.exists()


def test_another_persons_enrollment_or_request_is_404(client, alice):
    program = self_select_program()
    guide = mentor(program, person_seniority=6)
    learner = mentee(program)
    request = MentorshipRequestFactory(program=program, mentor=guide)
    client.force_login(alice)
    assert client.get(reverse("matching:request_create", args=[learner.pk, guide.pk])).status_code == 404
    assert client.post(reverse("matching:request_create", args=[learner.pk, guide.pk])).status_code == 404
    assert client.post(reverse("matching:request_withdraw", args=[request.pk])).status_code == 404
    assert client.post(reverse("matching:request_accept", args=[request.pk])).status_code == 404
    assert client.get(reverse("matching:request_decline", args=[request.pk])).status_code == 404
    # The mentee can't answer their own request either.
    client.force_login(request.mentee.person.user)
    assert client.post(reverse("matching:request_accept", args=[request.pk])).status_code == 404
    request.refresh_from_db()
    assert request.status == MentorshipRequest.Status.PENDING


def test_find_a_mentor_explains_when_nothing_applies(client, alice):
    client.force_login(alice)
    assert b'data-testid="empty"' in client.get(reverse("matching:find_mentor")).content


def test_find_a_mentor_uses_the_same_number_of_queries_at_two_sizes(client):
    counts = []
    for size in (2, 10):
        program = self_select_program()
        learner = mentee(program)
        for _ in range(size):
            guide = mentor(program, person_seniority=6)
            MentorshipRequestFactory(program=program, mentor=guide)  # another mentee's pending request
        MentorshipRequestFactory(program=program, mentee=learner, status=MentorshipRequest.Status.DECLINED)
        client.force_login(learner.person.user)
        counts.append(_queries(client, reverse("matching:find_mentor")))
        shown = client.get(reverse("matching:find_mentor")).content.decode().count('data-testid="suggestion"')
        assert shown == min(size, 5)
    assert counts[0] == counts[1]


# --- Requests (mentor) -----------------------------------------------------------------


def test_a_mentor_accepts_a_request(client):
    program = self_select_program()
    request = MentorshipRequestFactory(
        program=program,
        mentor=mentor(program, person=_identified(seniority=6)),
        mentee=mentee(program, person=_identified()),
    )
    MentorshipRequestFactory(program=program)  # to another mentor
    client.force_login(request.mentor.person.user)
    page = client.get(reverse("matching:request_list")).content.decode()
    assert page.count('data-testid="incoming-request"') == 1
    assert SECRET not in page
    response = client.post(reverse("matching:request_accept", args=[request.pk]))
    assert response.status_code == 302
    assert Pairing.objects.get().source == Pairing.Source.SELF_SELECT


def test_a_mentor_declines_with_an_optional_reason_but_not_a_huge_one(client):
    request = MentorshipRequestFactory(program=self_select_program())
    client.force_login(request.mentor.person.user)
    url = reverse("matching:request_decline", args=[request.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "x" * 1001})
    assert response.status_code == 200 and "at most 1000" in response.content.decode()
    request.refresh_from_db()
    assert request.status == MentorshipRequest.Status.PENDING
    assert client.post(url, {"reason": ""}).status_code == 302
    request.refresh_from_db()
    assert request.status == MentorshipRequest.Status.DECLINED


def test_a_full_mentor_is_told_why_accepting_fails(client):
    program = self_select_program()
    guide = mentor(program, capacity=1)
    PairingFactory(program=program, mentor=guide, status=Pairing.Status.ACTIVE)
    request = MentorshipRequestFactory(program=program, mentor=guide)
    client.force_login(guide.person.user)
    response = client.post(reverse("matching:request_accept", args=[request.pk]), follow=True)
    assert "your limit" in response.content.decode()
    assert Pairing.objects.count() == 1


def test_requests_page_uses_the_same_number_of_queries_at_two_sizes(client):
    person = PersonFactory(seniority=8)
    program = self_select_program()
    guide = mentor(program, person=person, capacity=20)
    counts = []
    for size in (1, 8):
        MentorshipRequestFactory.create_batch(size, program=program, mentor=guide)
        client.force_login(person.user)
        counts.append(_queries(client, reverse("matching:request_list")))
    assert counts[0] == counts[1]


def test_navigation_shows_matching_entries_by_role(client, hr_admin):
    program = self_select_program()
    request = MentorshipRequestFactory(program=program)
    client.force_login(request.mentee.person.user)
    page = client.get(reverse("matching:my_match")).content.decode()
    assert 'data-testid="nav-find-mentor"' in page and 'data-testid="nav-requests"' not in page
    client.force_login(request.mentor.person.user)
    page = client.get(reverse("matching:my_match")).content.decode()
    assert 'data-testid="nav-requests"' in page and 'data-testid="nav-find-mentor"' not in page
    client.force_login(hr_admin)
    assert 'data-testid="nav-matching"' in client.get(reverse("matching:index")).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/matching/",
        "/matching/my/",
        "/matching/find/",
        "/matching/requests/",
        "/matching/runs/1/progress/",
        "/matching/programs/x/",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_huge_or_unknown_ids_are_404_not_500(client, alice):
    client.force_login(alice)
    huge = 10**20
    assert client.post(reverse("matching:pairing_confirm", args=[huge])).status_code == 404
    assert client.get(reverse("matching:request_create", args=[huge, huge])).status_code == 404
    assert client.get(reverse("matching:request_decline", args=[huge])).status_code == 404
