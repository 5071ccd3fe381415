"""Self-select: suggestions with exposure limits, requests, answers and expiry."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from core.models import Notification
from matching import selectors, services
from matching.models import MatchingCriteria, MentorshipRequest, Pairing
from matching.services import MatchingError
from matching.tasks import mentorship_requests_expire
from matching.tests.factories import MentorshipRequestFactory, PairingFactory, matching_program, mentee, mentor
from people.tests.factories import PersonFactory, SkillFactory
from programs.models import EnrollmentSkill, Program
from programs.tests.factories import TrainingModuleFactory

pytestmark = pytest.mark.django_db


def self_select_program(**kwargs):
    kwargs.setdefault("matching_mode", Program.MatchingMode.SELF_SELECT)
    return matching_program(**kwargs)


def test_suggestions_are_ranked_best_first_with_an_explanation():
    program = self_select_program()
    MatchingCriteria.objects.create(program=program, suggestions_shown=2)
    python = SkillFactory(name="Python")
    learner = mentee(program)
    EnrollmentSkill.objects.create(enrollment=learner, skill=python, direction="wants", level=1)
    strong, medium, weak = (mentor(program, person_seniority=6) for _ in range(3))
    for guide, level in ((strong, 5), (medium, 3), (weak, 1)):
        EnrollmentSkill.objects.create(enrollment=guide, skill=python, direction="has", level=level)

    suggestions = selectors.mentor_suggestions(enrollment=learner)

    assert suggestions.blocker == ""
    assert [s.mentor for s in suggestions.items] == [strong, medium]
    for item in suggestions.items:
        assert sum(item.explanation.values()) == pytest.approx(item.score, abs=1e-9)


def test_a_mentor_with_enough_pending_requests_is_not_suggested_to_more_mentees():
    program = self_select_program()
    MatchingCriteria.objects.create(program=program, exposure_multiple=2)
    popular = mentor(program, capacity=1, person_seniority=6)
    MentorshipRequestFactory.create_batch(2, program=program, mentor=popular)
    learner = mentee(program)
    assert popular not in [s.mentor for s in selectors.mentor_suggestions(enrollment=learner).items]

    MentorshipRequest.objects.filter(mentor=popular).update(status=MentorshipRequest.Status.WITHDRAWN)
    MentorshipRequestFactory(program=program, mentor=popular)
    assert popular in [s.mentor for s in selectors.mentor_suggestions(enrollment=learner).items]


@pytest.mark.parametrize(
    ("mode", "status", "blocker"),
    [
        (Program.MatchingMode.ADMIN, Program.Status.MATCHING, "HR matches"),
        (Program.MatchingMode.HYBRID, Program.Status.ENROLLING, "once matching opens"),
    ],
)
def test_no_suggestions_outside_self_select_matching(mode, status, blocker):
    program = matching_program(matching_mode=mode, status=status)
    mentor(program, person_seniority=6)
    suggestions = selectors.mentor_suggestions(enrollment=mentee(program))
    assert blocker in suggestions.blocker
    assert suggestions.items == []


def test_untrained_or_already_matched_mentees_get_no_suggestions():
    program = self_select_program()
    mentor(program, person_seniority=6)
    matched = mentee(program)
    PairingFactory(program=program, mentee=matched, status=Pairing.Status.ACTIVE)
    assert "already have a match" in selectors.mentor_suggestions(enrollment=matched).blocker
    TrainingModuleFactory(program=program, required=True)
    assert "training" in selectors.mentor_suggestions(enrollment=mentee(program)).blocker


def test_a_request_is_sent_once_and_the_mentor_is_told():
    program = self_select_program(status=Program.Status.RUNNING)
    guide = mentor(program, person_seniority=6)
    learner = mentee(program)
    user = learner.person.user

    request = services.mentorship_request_create(mentee=learner, mentor_id=guide.pk, message=" Hi! ", user=user)

    assert request.status == MentorshipRequest.Status.PENDING
    assert request.message == "Hi!"
    assert request.score is not None and request.explanation
    assert (request.expires_at - timezone.now()).days in (6, 7)
    notice = Notification.objects.get(kind="mentorship_request")
    assert notice.recipient == guide.person.user
    with pytest.raises(MatchingError, match="waiting for an answer"):
        services.mentorship_request_create(mentee=learner, mentor_id=guide.pk, message="again", user=user)
    assert MentorshipRequest.objects.count() == 1


def test_a_request_to_someone_not_suggested_is_refused(alice):
    program = self_select_program()
    boss = PersonFactory(seniority=9)
    learner = mentee(program, person=PersonFactory(manager=boss))
    boss_mentor = mentor(program, person=boss)
    mentor(program, person_seniority=6)  # someone the mentee may ask
    other_program_mentor = mentor(self_select_program())
    user = learner.person.user
    for mentor_id in (boss_mentor.pk, other_program_mentor.pk, 10**9):
        with pytest.raises(MatchingError, match="no longer available"):
            services.mentorship_request_create(mentee=learner, mentor_id=mentor_id, message="Hi", user=user)
    with pytest.raises(MatchingError, match="isn't yours"):
        services.mentorship_request_create(mentee=learner, mentor_id=boss_mentor.pk, message="Hi", user=alice)
    assert not MentorshipRequest.objects.exists()


def test_accepting_creates_an_accepted_self_select_pairing_active_if_running():
    program = self_select_program(status=Program.Status.RUNNING)
    request = MentorshipRequestFactory(program=program, mentor=mentor(program, capacity=2), score=71.5)

    pairing = services.mentorship_request_accept(request=request, user=request.mentor.person.user)

    assert pairing.source == Pairing.Source.SELF_SELECT
    assert pairing.status == Pairing.Status.ACTIVE
    assert pairing.score == 71.5
    assert pairing.mentor_confirmed_at and pairing.mentee_confirmed_at
    request.refresh_from_db()
    assert request.status == MentorshipRequest.Status.ACCEPTED
    assert Notification.objects.get(kind="mentorship_request_accepted").recipient == request.mentee.person.user


def test_only_the_mentor_answers_and_an_answered_request_stays_answered(alice):
    request = MentorshipRequestFactory(program=self_select_program())
    with pytest.raises(MatchingError, match="addressed to you"):
        services.mentorship_request_accept(request=request, user=alice)
    with pytest.raises(MatchingError, match="addressed to you"):
        services.mentorship_request_decline(request=request, user=alice)
    services.mentorship_request_decline(request=request, user=request.mentor.person.user, reason="No time.")
    request.refresh_from_db()
    assert (request.status, request.decline_reason) == (MentorshipRequest.Status.DECLINED, "No time.")
    assert Notification.objects.get(kind="mentorship_request_declined").recipient == request.mentee.person.user
    with pytest.raises(MatchingError, match="no longer waiting"):
        services.mentorship_request_accept(request=request, user=request.mentor.person.user)
    # The mentor who declined is not suggested to this mentee again.
    suggested = selectors.mentor_suggestions(enrollment=request.mentee).items
    assert request.mentor not in [s.mentor for s in suggested]


def test_the_mentee_can_withdraw_a_pending_request(alice):
    request = MentorshipRequestFactory(program=self_select_program())
    with pytest.raises(MatchingError):
        services.mentorship_request_withdraw(request=request, user=alice)
    services.mentorship_request_withdraw(request=request, user=request.mentee.person.user)
    request.refresh_from_db()
    assert request.status == MentorshipRequest.Status.WITHDRAWN


def test_an_expired_request_cannot_be_accepted():
    request = MentorshipRequestFactory(
        program=self_select_program(), expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(MatchingError, match="no longer waiting"):
        services.mentorship_request_accept(request=request, user=request.mentor.person.user)


def test_the_expiry_job_tells_each_mentee_once_even_when_run_twice():
    program = self_select_program()
    late = MentorshipRequestFactory(program=program, expires_at=timezone.now() - datetime.timedelta(hours=1))
    fresh = MentorshipRequestFactory(program=program)

    assert mentorship_requests_expire() == 1
    assert mentorship_requests_expire() == 0
    assert services.mentorship_requests_expire(now=timezone.now()) == 0

    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.status == MentorshipRequest.Status.EXPIRED
    assert fresh.status == MentorshipRequest.Status.PENDING
    notices = Notification.objects.filter(kind="mentorship_request_expired")
    assert [n.recipient for n in notices] == [late.mentee.person.user]


def test_the_expiry_job_runs_every_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["expire-mentorship-requests"]
    assert entry["task"] == "matching.tasks.mentorship_requests_expire"
    assert entry["schedule"].minute == {20}
    assert len(entry["schedule"].hour) == 24
