import datetime

import factory

from people.tests.factories import PersonFactory
from programs.models import Enrollment, GoalTemplate, Program, ProgramQuestion, Role, TrainingModule


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


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    program = factory.SubFactory(ProgramFactory)
    person = factory.SubFactory(PersonFactory)
    role = Role.MENTEE
    status = Enrollment.Status.APPROVED


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


class GoalTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoalTemplate

    program = factory.SubFactory(ProgramFactory)
    title = "Lead a project end to end"
    suggested_milestones = ["Pick a project", "Write the plan", "Deliver"]
