import factory

from goals.models import Goal, GoalEvent, Milestone
from programs.tests.factories import EnrollmentFactory, days_ago


class GoalFactory(factory.django.DjangoModelFactory):
    """A mentee's goal. ``created_days_ago`` backdates it (last saved then too);
    ``moved_days_ago`` writes the event the goal services write when it moves (to its status
    if achieved, else to its progress) and dates its last save then."""

    class Meta:
        model = Goal
        skip_postgeneration_save = True

    enrollment = factory.SubFactory(EnrollmentFactory, mentee=True)
    title = "Lead a project"
    status = Goal.Status.NOT_STARTED
    progress = 0

    class Params:
        in_progress = factory.Trait(status=Goal.Status.IN_PROGRESS)
        achieved = factory.Trait(status=Goal.Status.ACHIEVED, progress=100)
        dropped = factory.Trait(status=Goal.Status.DROPPED)

    @factory.post_generation
    def created_days_ago(obj, create, extracted, **kwargs):
        if create and extracted is not None:
            # As if last saved when it was created (auto_now would say "now").
            obj.created_at = obj.updated_at = days_ago(extracted)
            Goal.objects.filter(pk=obj.pk).update(created_at=obj.created_at, updated_at=obj.updated_at)

    @factory.post_generation
    def moved_days_ago(obj, create, extracted, **kwargs):
        if create and extracted is not None:
            kind, to_value = (
                (GoalEvent.Kind.STATUS, Goal.Status.ACHIEVED)
                if obj.status == Goal.Status.ACHIEVED
                else (GoalEvent.Kind.PROGRESS, str(obj.progress))
            )
            GoalEvent.objects.create(goal=obj, kind=kind, to_value=to_value, created_at=days_ago(extracted))
            obj.updated_at = days_ago(extracted)
            Goal.objects.filter(pk=obj.pk).update(updated_at=obj.updated_at)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    goal = factory.SubFactory(GoalFactory)
    title = factory.Sequence(lambda n: f"Step {n}")
    order = factory.Sequence(lambda n: n)
