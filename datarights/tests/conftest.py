"""A person with something in every app: the subject of the download and erasure tests."""

from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from core.models import Notification
from goals.models import GoalComment
from goals.tests.factories import GoalFactory, MilestoneFactory
from matching.models import MentorshipRequest, Pairing
from people.models import Person, SelfIdentification, User
from people.tests.factories import PersonFactory, UserFactory
from programs.models import ProgramQuestion, Role
from programs.tests.factories import EnrollmentFactory, ProgramQuestionFactory
from sessions.models import ActionItem, MentoringSession, PrivateNote, Resource
from surveys import tallies
from surveys.models import SurveyAnswer, SurveyQuestion
from surveys.tests.factories import RunningProgramFactory, SurveyFactory, SurveyResponseFactory, open_round

NAME = "Zelda Quirinus"
EMAIL = "zelda.quirinus@example.com"
OTHER_EMAIL = "zq.private@example.org"
TEXT_ANSWER = "Zelda's own words about the program"


@dataclass
class World:
    user: User
    person: Person
    partner: User
    pairing: Pairing
    program: object
    survey: object


def member(email, first, last, **person_fields):
    user = UserFactory(email=email, first_name=first, last_name=last)
    PersonFactory(email=email, first_name=first, last_name=last, user=user, **person_fields)
    return user


@pytest.fixture
def world(db):
    user = member(EMAIL, "Zelda", "Quirinus")
    person = user.person
    EmailAddress.objects.get_or_create(user=user, email=EMAIL, defaults={"primary": True, "verified": True})
    EmailAddress.objects.create(user=user, email=OTHER_EMAIL, primary=False, verified=True)
    SelfIdentification.objects.create(person=person, gender="woman", ethnicity="In my words")
    partner = member("pat.partner@example.com", "Pat", "Partner")
    program = RunningProgramFactory(name="Leaders 2026")
    question = ProgramQuestionFactory(program=program, audience=Role.MENTEE, kind=ProgramQuestion.Kind.TEXT)
    mine = EnrollmentFactory(
        program=program,
        person=person,
        role=Role.MENTEE,
        goals_text="Become a lead",
        answers={str(question.pk): "My private hopes"},
    )
    theirs = EnrollmentFactory(program=program, person=partner.person, role=Role.MENTOR)
    pairing = Pairing.objects.create(
        program=program, mentor=theirs, mentee=mine, status=Pairing.Status.ACTIVE, started_at=timezone.now()
    )
    session = MentoringSession.objects.create(
        pairing=pairing,
        status=MentoringSession.Status.HELD,
        starts_at=timezone.now() - timezone.timedelta(days=2),
        shared_notes="Zelda's shared note about the stretch project",
        agenda="Zelda's agenda",
        logged_by=user,
        scheduled_by=user,
    )
    PrivateNote.objects.create(session=session, author=user, body="Zelda's private thought")
    PrivateNote.objects.create(session=session, author=partner, body="Pat's private thought")
    ActionItem.objects.create(
        session=session,
        pairing=pairing,
        title="Zelda drafts the plan",
        owner=person,
        due_date=timezone.localdate(),
        created_by=user,
    )
    Resource.objects.create(pairing=pairing, title="A book", note="Zelda recommends it", recommended_by=user)
    goal = GoalFactory(enrollment=mine, title="Zelda's goal", description="Why it matters to Zelda", created_by=user)
    MilestoneFactory(goal=goal, title="Zelda's milestone")
    GoalComment.objects.create(goal=goal, author=user, body="Zelda's comment")
    GoalComment.objects.create(goal=goal, author=partner, body="Pat's comment to Zelda Quirinus")
    MentorshipRequest.objects.create(
        program=program,
        mentee=mine,
        mentor=theirs,
        message="Zelda asks for help",
        status=MentorshipRequest.Status.ACCEPTED,
        expires_at=timezone.now(),
    )
    Notification.objects.create(recipient=user, kind="pairing_proposed", title="For Zelda", idempotency_key="z1")
    Notification.objects.create(
        recipient=partner,
        kind="pairing_proposed",
        title=f"You were matched with {NAME}",
        body=f"Write to {EMAIL}",
        idempotency_key="p1",
    )
    # An attributed survey the two of them answered (a score and a comment each).
    survey = SurveyFactory(program=program, title="Check-in")
    rating = survey.questions.create(kind=SurveyQuestion.Kind.RATING, text="How useful?", order=1)
    comment = survey.questions.create(kind=SurveyQuestion.Kind.TEXT, text="Anything else?", order=2)
    instance, _ = open_round(survey, [mine, theirs])
    for enrollment, number, text in ((mine, 5, TEXT_ANSWER), (theirs, 3, "Pat's words")):
        response = SurveyResponseFactory(instance=instance, enrollment=enrollment, answers={rating: number})
        SurveyAnswer.objects.create(response=response, question=comment, text=text)
    tallies.survey_tallies_rebuild(survey=survey)
    return World(user=user, person=person, partner=partner, pairing=pairing, program=program, survey=survey)
