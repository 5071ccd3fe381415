import datetime

import factory
from django.utils import timezone

from people.tests.factories import PersonFactory, SkillFactory
from programs.models import (
    WORKING_STYLE_ITEMS,
    Enrollment,
    GoalTemplate,
    Program,
    ProgramQuestion,
    Role,
    TrainingCompletion,
    TrainingModule,
)


def days_ago(days: float) -> datetime.datetime:
    """The moment ``days`` days before now (negative: after)."""
    return timezone.now() - datetime.timedelta(days=days)


def days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    description = "Grow the next generation of leaders."
    objectives = ["leadership"]
    mentor_expectations = "Meet every two weeks."
    mentee_expectations = "Come prepared."
    start_date = datetime.date(2027, 1, 10)
    end_date = datetime.date(2027, 7, 10)
    status = Program.Status.ENROLLING

    class Params:
        # Running since 90 days, for 90 more.
        running = factory.Trait(
            status=Program.Status.RUNNING,
            start_date=factory.LazyFunction(lambda: days_from_today(-90)),
            end_date=factory.LazyFunction(lambda: days_from_today(90)),
            cadence_days=14,
        )


class EnrollmentFactory(factory.django.DjangoModelFactory):
    """One enrollment; a person has one per program, so asking again for the same program and
    person returns the one there is."""

    class Meta:
        model = Enrollment
        django_get_or_create = ("program", "person")

    program = factory.SubFactory(ProgramFactory)
    person = factory.SubFactory(PersonFactory)
    role = Role.MENTEE
    status = Enrollment.Status.APPROVED

    class Params:
        decided_days_ago = 100
        with_account = factory.Trait(person__with_account=True)
        # Approved (``decided_days_ago``) and able to sign in.
        approved = factory.Trait(
            status=Enrollment.Status.APPROVED,
            decided_at=factory.LazyAttribute(lambda o: days_ago(o.decided_days_ago)),
            with_account=True,
        )
        mentor = factory.Trait(role=Role.MENTOR, approved=True)
        mentee = factory.Trait(role=Role.MENTEE, approved=True)
        # A filled-in profile, as the enrollment form leaves it.
        with_profile = factory.Trait(
            objectives=factory.LazyAttribute(lambda o: list(o.program.objectives[:1]) or ["leadership"]),
            goals_text="Get better at presenting to executives.",
            meeting_format="video",
            availability_hours=4,
            working_style=factory.LazyFunction(lambda: {item.code: 3 for item in WORKING_STYLE_ITEMS}),
            charter_agreed_at=factory.LazyFunction(timezone.now),
        )


class ProgramQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramQuestion

    program = factory.SubFactory(ProgramFactory)
    audience = Role.MENTEE
    text = factory.Sequence(lambda n: f"Question {n}?")
    kind = ProgramQuestion.Kind.TEXT


class TrainingModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingModule

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    body = "Read **this** first."
    required = True


class TrainingCompletionFactory(factory.django.DjangoModelFactory):
    """A completed module; ``completed_days_ago`` backdates it."""

    class Meta:
        model = TrainingCompletion
        skip_postgeneration_save = True

    enrollment = factory.SubFactory(EnrollmentFactory)
    module = factory.SubFactory(TrainingModuleFactory, program=factory.SelfAttribute("..enrollment.program"))

    @factory.post_generation
    def completed_days_ago(obj, create, extracted, **kwargs):
        if create and extracted is not None:
            obj.completed_at = days_ago(extracted)
            TrainingCompletion.objects.filter(pk=obj.pk).update(completed_at=obj.completed_at)


class GoalTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoalTemplate

    program = factory.SubFactory(ProgramFactory)
    title = "Lead a project end to end"
    suggested_milestones = ["Pick a project", "Write the plan", "Deliver"]


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
