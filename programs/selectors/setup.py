"""Reads for program setup pages: the program lists, the setup counts, what HR should do next,
the owner candidates."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from people.models import User
from programs.models import Enrollment, Program
from programs.selectors.enrollment import EnrollmentCounts, programs_with_enrollment_counts

# The enrollment pages' participant list, where HR approves applications.
PARTICIPANTS_URL_NAME = "programs:participant_list"


def programs_for_hr_list(*, status: str = "") -> QuerySet[Program]:
    queryset = Program.objects.all()
    if status:
        queryset = queryset.filter(status=status)
    return programs_with_enrollment_counts(queryset=queryset).order_by("-start_date", "name")


def programs_owned_by(*, user) -> QuerySet[Program]:
    return programs_with_enrollment_counts(queryset=Program.objects.owned_by(user)).order_by("-start_date", "name")


def _url_if_exists(name: str, **kwargs) -> str:
    # Pages other parts of the app provide (e.g. the participants list) are linked once they exist.
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def program_participants_url(*, program: Program) -> str:
    return _url_if_exists(PARTICIPANTS_URL_NAME, slug=program.slug)


@dataclass
class NextStep:
    text: str
    done: bool = False
    url: str = ""
    optional: bool = False
    testid: str = ""


def program_setup_counts(*, program: Program) -> dict[str, int]:
    return {
        "questions": program.questions.count(),
        "modules": program.training_modules.count(),
        "goal_templates": program.goal_templates.count(),
        "owners": program.owners.count(),
    }


def program_next_steps(*, program: Program, counts: EnrollmentCounts, setup: dict[str, int]) -> list[NextStep]:
    """What HR should do next with ``program``, computed from its state, its enrollment
    counts and its ``program_setup_counts``."""
    slug = {"slug": program.slug}
    edit_url = reverse("programs:program_edit", kwargs=slug)
    status_url = reverse("programs:program_status", kwargs=slug)
    Status = Program.Status
    steps: list[NextStep] = []
    approved_mentors, approved_mentees = counts.approved_mentors, counts.approved_mentees
    waiting = counts.with_status(Enrollment.Status.APPLIED)

    if program.status in (Status.DRAFT, Status.ENROLLING):
        steps += [
            NextStep(
                "Add charters for mentors and mentees",
                done=bool(program.mentor_expectations.strip() and program.mentee_expectations.strip()),
                url=edit_url,
                testid="step-charters",
            ),
            NextStep("Choose who may enrol", done=bool(program.allowed_roles), url=edit_url, testid="step-roles"),
            NextStep(
                "Add program owners", done=bool(setup["owners"]), url=edit_url, optional=True, testid="step-owners"
            ),
            NextStep(
                "Add enrollment questions",
                done=bool(setup["questions"]),
                url=reverse("programs:program_question_list", kwargs=slug),
                optional=True,
                testid="step-questions",
            ),
            NextStep(
                "Add training modules",
                done=bool(setup["modules"]),
                url=reverse("programs:training_module_list", kwargs=slug),
                optional=True,
                testid="step-training",
            ),
            NextStep(
                "Add goal templates",
                done=bool(setup["goal_templates"]),
                url=reverse("programs:goal_template_list", kwargs=slug),
                optional=True,
                testid="step-goal-templates",
            ),
        ]
    if program.status == Status.DRAFT:
        steps.append(NextStep("Open enrollment", url=status_url, testid="step-open-enrollment"))
    if waiting:
        steps.append(
            NextStep(
                f"{waiting} application{'s' if waiting != 1 else ''} wait{'' if waiting != 1 else 's'} for approval",
                url=program_participants_url(program=program),
                testid="step-approve",
            )
        )
    if program.status == Status.ENROLLING:
        steps.append(
            NextStep(
                f"Approve mentors and mentees ({approved_mentors} mentors, {approved_mentees} mentees so far)",
                done=bool(approved_mentors and approved_mentees),
                testid="step-approved",
            )
        )
        steps.append(NextStep("Start matching", url=status_url, testid="step-start-matching"))
    if program.status == Status.MATCHING:
        steps.append(
            NextStep(
                "Match mentees with mentors",
                url=reverse("matching:program", kwargs=slug),
                testid="step-match",
            )
        )
        steps.append(NextStep("Start the program", url=status_url, testid="step-start-program"))
    if program.status == Status.RUNNING:
        steps.append(NextStep("Follow training completion", url=reverse("programs:training_completion", kwargs=slug)))
        steps.append(
            NextStep(
                f"Close the program after it ends on {program.end_date:%d %b %Y}", url=status_url, testid="step-close"
            )
        )
    if program.status == Status.CLOSED:
        steps.append(
            NextStep(
                "Clone the program for the next cohort",
                url=reverse("programs:program_clone", kwargs=slug),
                testid="step-clone",
            )
        )
    return steps


def owner_candidates() -> QuerySet[User]:
    """Everyone who can sign in, with their directory entry for a helpful label."""
    return (
        User.objects.filter(is_active=True)
        .select_related("person", "person__department")
        .order_by("first_name", "last_name", "email")
    )
