"""``seed_demo`` builds the demo programs, and running it again changes nothing."""

import pytest
from django.core.management import call_command

from people.models import Person
from programs.models import (
    Enrollment,
    EnrollmentSkill,
    GoalTemplate,
    Program,
    ProgramQuestion,
    Role,
    TrainingCompletion,
    TrainingModule,
)
from programs.services.training import enrollments_annotate_training

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "people": Person.objects.count(),
        "programs": Program.objects.count(),
        "modules": TrainingModule.objects.count(),
        "questions": ProgramQuestion.objects.count(),
        "goal_templates": GoalTemplate.objects.count(),
        "enrollments": sorted(
            Enrollment.objects.values_list("program__slug", "person__email", "role", "status", "availability_hours")
        ),
        "skills": EnrollmentSkill.objects.count(),
        "completions": TrainingCompletion.objects.count(),
    }


def test_seed_demo_builds_programs_and_is_repeatable(capsys):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert "Engineering Leadership Circle (running)" in capsys.readouterr().out

    leadership = Program.objects.get(name="Engineering Leadership Circle")
    women = Program.objects.get(name="Women in Tech Mentoring 2027")
    assert leadership.status == Program.Status.RUNNING and leadership.matching_mode == Program.MatchingMode.ADMIN
    assert leadership.start_date < leadership.end_date
    assert women.status == Program.Status.ENROLLING and women.open_signup
    assert women.matching_mode == Program.MatchingMode.HYBRID and women.start_date > leadership.start_date
    for program in (leadership, women):
        assert [u.email for u in program.owners.all()] == ["owner@demo.example"]
        assert 3 <= program.training_modules.count() <= 5
        assert 3 <= program.questions.count() <= 4
        assert program.questions.filter(audience=Role.MENTEE, maps_to__audience=Role.MENTOR).exists()
        assert 3 <= program.goal_templates.count() <= 4
        assert all(t.suggested_milestones for t in program.goal_templates.all())

    assert len(first["enrollments"]) >= 100
    statuses = {status for _, _, _, status, _ in first["enrollments"]}
    assert {"approved", "applied", "waitlisted", "declined", "invited"} <= statuses
    mine = {(slug, email): (role, status) for slug, email, role, status, _ in first["enrollments"]}
    assert mine[(leadership.slug, "mentor@demo.example")] == ("mentor", "approved")
    assert mine[(leadership.slug, "mentee@demo.example")] == ("mentee", "approved")
    assert mine[(women.slug, "mentee@demo.example")] == ("", "invited")

    # Limits hold, and training is partly done.
    for program in (leadership, women):
        approved_mentees = program.enrollments.filter(role=Role.MENTEE, status="approved").count()
        assert approved_mentees <= program.max_mentees
    progress = {e.training_complete for e in enrollments_annotate_training(queryset=women.enrollments.exclude(role=""))}
    assert progress == {True, False}
    # Answers are keyed by question id and only for the participant's own role.
    sample = leadership.enrollments.filter(role=Role.MENTEE).exclude(answers={}).first()
    audiences = set(
        ProgramQuestion.objects.filter(pk__in=[int(k) for k in sample.answers]).values_list("audience", flat=True)
    )
    assert audiences == {Role.MENTEE}
