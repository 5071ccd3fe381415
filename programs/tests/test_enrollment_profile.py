"""The participant's enrollment profile: filling it in, bad input, editing, withdrawing."""

import pytest
from django.urls import reverse

from people.tests.factories import SkillFactory
from programs.models import Enrollment, EnrollmentSkill, Program, ProgramQuestion, Role
from programs.tests.factories import EnrollmentFactory, ProgramFactory, ProgramQuestionFactory, profile_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    program = ProgramFactory(
        name="Leadership Circle",
        status=Program.Status.ENROLLING,
        objectives=["leadership", "career"],
        mentee_expectations="Come prepared to every session.",
        mentor_expectations="Meet your mentee every two weeks.",
    )
    ProgramQuestionFactory(program=program, audience=Role.MENTEE, text="What would make this a success?")
    ProgramQuestionFactory(
        program=program,
        audience=Role.MENTEE,
        text="Preferred mentor background?",
        kind=ProgramQuestion.Kind.SINGLE,
        choices=["Engineering", "Product", "Sales"],
    )
    ProgramQuestionFactory(
        program=program,
        audience=Role.MENTEE,
        text="Topics?",
        kind=ProgramQuestion.Kind.MULTIPLE,
        choices=["Hiring", "Strategy", "Feedback"],
        required=False,
    )
    ProgramQuestionFactory(
        program=program, audience=Role.MENTEE, text="How confident are you?", kind=ProgramQuestion.Kind.SCALE
    )
    ProgramQuestionFactory(program=program, audience=Role.MENTOR, text="Why do you want to mentor?")
    return program


@pytest.fixture
def invitation(program, alice):
    return EnrollmentFactory(program=program, person=alice.person, role="", status=Enrollment.Status.INVITED)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_mentee_profile_is_saved_in_full(alice_client, program, invitation):
    questions = {q.text: q for q in program.questions.all()}
    data = profile_data(program, Role.MENTEE, skill="Public speaking", skill_level_0="2")
    data.update(skill_1="Negotiation", skill_level_1="1", ws_feedback="1", ws_focus="5")
    SkillFactory(name="Negotiation")
    response = alice_client.post(reverse("programs:enrollment_profile", args=[invitation.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse(
        "programs:enrollment_detail", args=[invitation.pk]
    )

    enrollment = Enrollment.objects.get(pk=invitation.pk)
    assert enrollment.status == Enrollment.Status.APPLIED and enrollment.role == Role.MENTEE
    assert enrollment.charter_agreed_at is not None and enrollment.applied_at is not None
    assert enrollment.meeting_format == "video" and enrollment.availability_hours == 4
    assert enrollment.objectives == ["leadership"]
    assert enrollment.working_style["feedback"] == 1 and enrollment.working_style["focus"] == 5
    assert len(enrollment.working_style) == 5
    assert enrollment.mentor_capacity is None
    skills = {(s.skill.name, s.direction, s.level) for s in enrollment.skills.select_related("skill")}
    assert skills == {("Public speaking", "wants", 2), ("Negotiation", "wants", 1)}
    assert enrollment.answers == {
        str(questions["What would make this a success?"].pk): "An answer",
        str(questions["Preferred mentor background?"].pk): "Engineering",
        str(questions["Topics?"].pk): ["Hiring", "Strategy"],
        str(questions["How confident are you?"].pk): 4,
    }
    page = alice_client.get(reverse("programs:enrollment_detail", args=[invitation.pk])).content.decode()
    assert "Thanks! Your application to Leadership Circle is in" in page
    assert "Public speaking · 2/5" in page


def test_mentor_profile_records_skills_they_have_and_capacity(alice_client, program, invitation):
    data = profile_data(program, Role.MENTOR, skill="System design", skill_level_0="5", mentor_capacity="3")
    alice_client.post(reverse("programs:enrollment_profile", args=[invitation.pk]), data)
    enrollment = Enrollment.objects.get(pk=invitation.pk)
    assert enrollment.role == Role.MENTOR and enrollment.mentor_capacity == 3
    assert enrollment.skills.get().direction == EnrollmentSkill.Direction.HAS
    mentor_question = program.questions.get(audience=Role.MENTOR)
    assert enrollment.answers == {str(mentor_question.pk): "An answer"}


def test_profile_form_shows_the_charter_for_the_role(alice_client, program, invitation):
    page = alice_client.get(
        reverse("programs:enrollment_profile", args=[invitation.pk]), {"role": "mentor"}
    ).content.decode()
    assert "Meet your mentee every two weeks." in page and "Come prepared" not in page
    assert 'data-testid="charter"' in page


def choice_question(program, text="Preferred mentor background?"):
    return program.questions.get(text=text)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda p: {"skill_0": "Underwater basket weaving"}, "isn't in the company skill list"),
        (lambda p: {"skill_0": ""}, "Add at least one skill."),
        (lambda p: {f"q_{choice_question(p, 'What would make this a success?').pk}": ""}, "This field is required."),
        (lambda p: {f"q_{choice_question(p).pk}": "Astronaut"}, "Select a valid choice."),
        (lambda p: {f"q_{choice_question(p, 'Topics?').pk}": ["Hiring", "Juggling"]}, "Select a valid choice."),
        (lambda p: {f"q_{choice_question(p, 'How confident are you?').pk}": "9"}, "Select a valid choice."),
        (lambda p: {"charter_agreed": None}, "You need to agree to the charter to take part."),
        (lambda p: {"availability_hours": "0"}, "Give at least 1 hour per month."),
        (lambda p: {"availability_hours": "lots"}, "Enter a whole number."),
        (lambda p: {"objectives": ["onboarding"]}, "Select a valid choice."),
        (lambda p: {"ws_structure": "7"}, "Select a valid choice."),
        (lambda p: {"skill_level_0": "6"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_saved(alice_client, program, invitation, change, error):
    response = alice_client.post(
        reverse("programs:enrollment_profile", args=[invitation.pk]),
        profile_data(program, Role.MENTEE, **change(program)),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in page
    assert error.replace("'", "&#x27;") in page
    enrollment = Enrollment.objects.get(pk=invitation.pk)
    assert enrollment.status == Enrollment.Status.INVITED and enrollment.role == ""
    assert not enrollment.skills.exists()


def test_the_same_skill_twice_is_an_error(alice_client, program, invitation):
    data = profile_data(program, Role.MENTEE, skill="Writing", skill_1="writing")
    page = alice_client.post(reverse("programs:enrollment_profile", args=[invitation.pk]), data).content.decode()
    assert "You already listed Writing." in page
    assert not EnrollmentSkill.objects.exists()


def test_role_the_program_does_not_allow_is_an_error(alice_client, program, invitation):
    Program.objects.filter(pk=program.pk).update(allow_mentors=False)
    response = alice_client.post(
        reverse("programs:enrollment_profile", args=[invitation.pk]), profile_data(program, Role.MENTOR)
    )
    assert "Leadership Circle doesn&#x27;t take mentors" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Enrollment.Status.INVITED and invitation.role == ""


def test_editing_while_enrolling_keeps_the_status(alice_client, program, alice):
    enrollment = EnrollmentFactory(program=program, person=alice.person, status=Enrollment.Status.APPROVED)
    page = alice_client.get(reverse("programs:enrollment_profile", args=[enrollment.pk])).content.decode()
    assert "Save profile" in page
    alice_client.post(
        reverse("programs:enrollment_profile", args=[enrollment.pk]),
        profile_data(program, Role.MENTEE, availability_hours="8"),
    )
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPROVED and enrollment.availability_hours == 8


def test_approved_participant_cannot_switch_role(alice_client, program, alice):
    enrollment = EnrollmentFactory(program=program, person=alice.person, status=Enrollment.Status.APPROVED)
    alice_client.post(reverse("programs:enrollment_profile", args=[enrollment.pk]), profile_data(program, Role.MENTOR))
    enrollment.refresh_from_db()
    assert enrollment.role == Role.MENTEE


def test_editing_form_is_prefilled(alice_client, program, invitation):
    alice_client.post(
        reverse("programs:enrollment_profile", args=[invitation.pk]),
        profile_data(program, Role.MENTEE, goals_text="Lead a team of five."),
    )
    page = alice_client.get(reverse("programs:enrollment_profile", args=[invitation.pk])).content.decode()
    assert "Lead a team of five." in page
    assert 'value="Public speaking"' in page


@pytest.mark.parametrize("status", [Program.Status.MATCHING, Program.Status.RUNNING])
def test_profile_is_read_only_once_matching_starts(alice_client, program, alice, status):
    enrollment = EnrollmentFactory(
        program=program, person=alice.person, status=Enrollment.Status.APPROVED, goals_text="Original"
    )
    Program.objects.filter(pk=program.pk).update(status=status)
    page = alice_client.get(reverse("programs:enrollment_profile", args=[enrollment.pk])).content.decode()
    assert 'data-testid="profile-locked"' in page
    assert "Matching has started, so your profile can no longer be changed." in page
    response = alice_client.post(
        reverse("programs:enrollment_profile", args=[enrollment.pk]),
        profile_data(program, Role.MENTEE, goals_text="Changed"),
    )
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.goals_text == "Original"
    assert (
        'data-testid="profile-read-only"'
        in alice_client.get(reverse("programs:enrollment_detail", args=[enrollment.pk])).content.decode()
    )


def test_invitation_to_a_program_past_enrollment_cannot_be_accepted(alice_client, program, invitation):
    Program.objects.filter(pk=program.pk).update(status=Program.Status.MATCHING)
    response = alice_client.post(
        reverse("programs:enrollment_profile", args=[invitation.pk]), profile_data(program, Role.MENTEE)
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Enrollment.Status.INVITED


def test_declined_application_cannot_be_edited(alice_client, program, alice):
    enrollment = EnrollmentFactory(program=program, person=alice.person, status=Enrollment.Status.DECLINED)
    response = alice_client.post(
        reverse("programs:enrollment_profile", args=[enrollment.pk]),
        profile_data(program, Role.MENTEE, goals_text="Again"),
    )
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.goals_text == ""


def test_participant_can_withdraw(alice_client, program, alice):
    enrollment = EnrollmentFactory(program=program, person=alice.person, status=Enrollment.Status.APPROVED)
    response = alice_client.post(reverse("programs:enrollment_withdraw", args=[enrollment.pk]), follow=True)
    assert "You have withdrawn from Leadership Circle." in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN
    response = alice_client.post(reverse("programs:enrollment_withdraw", args=[enrollment.pk]), follow=True)
    assert "You are no longer in this program." in response.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "programs:enrollment_detail",
        "programs:enrollment_profile",
        "programs:enrollment_withdraw",
        "programs:enrollment_training",
    ],
)
@pytest.mark.parametrize("viewer", ["bob", "hr_admin"])
def test_another_persons_enrollment_is_404(client, program, alice, name, viewer, request):
    enrollment = EnrollmentFactory(program=program, person=alice.person, status=Enrollment.Status.APPLIED)
    client.force_login(request.getfixturevalue(viewer))
    method = client.post if name.endswith("withdraw") else client.get
    assert method(reverse(name, args=[enrollment.pk])).status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPLIED


def test_posting_someone_elses_enrollment_changes_nothing(client, program, alice, bob):
    enrollment = EnrollmentFactory(program=program, person=alice.person, role="", status=Enrollment.Status.INVITED)
    client.force_login(bob)
    assert (
        client.post(
            reverse("programs:enrollment_profile", args=[enrollment.pk]), profile_data(program, Role.MENTEE)
        ).status_code
        == 404
    )
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.INVITED
