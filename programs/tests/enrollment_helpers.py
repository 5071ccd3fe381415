"""Shared helpers for the enrollment and training tests."""

from django.urls import reverse

from people.tests.factories import PersonFactory, SkillFactory, UserFactory
from programs.models import WORKING_STYLE_ITEMS, ProgramQuestion, Role


def person_with_account(email, first_name="Pat", last_name="Doe"):
    """A directory person with a sign-in account."""
    user = UserFactory(email=email, first_name=first_name, last_name=last_name)
    PersonFactory(email=email, first_name=first_name, last_name=last_name, user=user)
    return user


def profile_data(program, role=Role.MENTEE, *, skill="Public speaking", **overrides):
    """A valid enrollment profile POST for ``program`` and ``role``."""
    SkillFactory(name=skill, category="Communication")
    data = {
        "role": role,
        "skill_0": skill,
        "skill_level_0": "2",
        "objectives": [program.objectives[0] if program.objectives else "leadership"],
        "goals_text": "Get better at presenting to executives.",
        "meeting_format": "video",
        "availability_hours": "4",
        "charter_agreed": "on",
    }
    for item in WORKING_STYLE_ITEMS:
        data[f"ws_{item.code}"] = "3"
    if role == Role.MENTOR:
        data["mentor_capacity"] = "2"
    for question in program.questions.filter(audience=role):
        if question.kind == ProgramQuestion.Kind.TEXT:
            data[f"q_{question.pk}"] = "An answer"
        elif question.kind == ProgramQuestion.Kind.SINGLE:
            data[f"q_{question.pk}"] = question.choices[0]
        elif question.kind == ProgramQuestion.Kind.MULTIPLE:
            data[f"q_{question.pk}"] = question.choices[:2]
        else:
            data[f"q_{question.pk}"] = "4"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def profile_url(enrollment):
    return reverse("programs:enrollment_profile", args=[enrollment.pk])


def detail_url(enrollment):
    return reverse("programs:enrollment_detail", args=[enrollment.pk])


def participants_url(program):
    return reverse("programs:participant_list", args=[program.slug])
