"""Every URL of the app with real and junk values, for the "no 500 on any input" tests.

``build_world()`` seeds the demo company (``seed_demo``) and adds what it lacks: a program
in every status, a self-select program with a pending request, import jobs, a calendar
feed, and an account that acted on all of it and was then deleted (its history stays
with no actor). ``route_kwargs()`` names a real object for every argument of every URL
pattern, chosen so each role's pages go deep: the demo mentor's and mentee's own pairing,
sessions, goals and invitations; programs HR and the owner can open.
"""

import html.parser
import io
import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote, urlencode, urljoin, urlsplit

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from core.notifications import notification_send
from datarights import services as datarights_services
from goals.models import Goal, GoalEvent
from matching.models import MatchProposal, MatchRun, MentorshipRequest, Pairing, PairOverride
from people import importing as people_importing
from people.models import Person, User
from people.tests.factories import IMPORT_HEADER, UserFactory, import_csv, import_row
from programs.models import Enrollment, GoalTemplate, Program, ProgramQuestion, Role, TrainingModule
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from sessions import services as session_services
from sessions.models import ActionItem, MentoringSession, Resource
from surveys.models import Survey, SurveyInvitation

# "superuser": IT's account from `createsuperuser` (an HR admin too), with no directory entry.
ROLES = ("anonymous", "hr_admin", "owner", "mentor", "mentee", "employee", "superuser")

# Path values a user could type or a client could forge. Each is tried in every argument.
JUNK_PATH_VALUES = (
    "-1",
    "99999999999999999999",  # beyond a 64-bit integer
    "abc",
    "é✓😀",
    "\x00",
    "a\r\nb",
    "x" * 5000,
)
# Query and form values, tried on every parameter any page reads and every form field.
JUNK_QUERY_VALUES = ("-1", "99999999999999999999", "abc", "é✓😀", "\x00", "a\r\nb", "x" * 5000, "")
KNOWN_QUERY_PARAMETERS = (
    # the app's filters, searches, sorts and pagination
    "page",
    "q",
    "search",
    "status",
    "role",
    "department",
    "location",
    "sort",
    "months",
    "program",
    "quiet",
    "next",
    # the Django admin's changelist
    "o",
    "p",
    "e",
    "_changelist_filters",
    "_to_field",
    "_popup",
)
# Posted to every URL besides the fields of the forms its pages show.
GENERIC_POST_FIELDS = (
    "action",
    "done",
    "direction",
    "decision",
    "status",
    "to_status",
    "role",
    "people",
    "enrollments",
    "emails",
    "return_query",
    "next",
    "back",
    "body",
    "title",
    "reason",
    "target_date",
    "progress",
    "file",
)


@dataclass
class World:
    users: dict[str, User | None]
    kwargs: dict[str, dict | list[dict]] = field(default_factory=dict)


def _program(status, owner, slug, **kwargs) -> Program:
    program = ProgramFactory(name=f"Walk {status.label}", slug=slug, status=status, **kwargs)
    program.owners.add(owner)
    return program


def build_world() -> World:
    call_command("seed_demo", stdout=io.StringIO())
    hr = User.objects.get(email="hr@demo.example")
    owner = User.objects.get(email="owner@demo.example")
    mentor = User.objects.get(email="mentor@demo.example")
    mentee = User.objects.get(email="mentee@demo.example")
    employee_person = Person.objects.filter(user=None, enrollments=None).order_by("pk").first()
    employee = UserFactory(email=employee_person.email, first_name="Plain", last_name="Employee")
    employee_person.user = employee
    employee_person.save(update_fields=["user"])
    other_hr_person = Person.objects.filter(user=None, enrollments=None).order_by("pk")[1]
    other_hr_person.user = UserFactory(email=other_hr_person.email, is_hr_admin=True)
    other_hr_person.save(update_fields=["user"])
    # `createsuperuser` makes a staff HR admin who is not in the directory.
    root = User.objects.create_superuser(email="root@walk.example", password="walk-pass-123")

    running = Program.objects.get(slug="engineering-leadership-circle")
    pairing = Pairing.objects.get(program=running, mentor__person__user=mentor, mentee__person__user=mentee)
    mentee_enrollment = pairing.mentee
    for status in (Program.Status.DRAFT, Program.Status.MATCHING, Program.Status.CLOSED):
        _program(status, owner, f"walk-{status}")
    self_select = _program(
        Program.Status.RUNNING,
        owner,
        "walk-self-select",
        matching_mode=Program.MatchingMode.SELF_SELECT,
        open_signup=True,
        start_date=timezone.localdate() - timedelta(days=10),
        end_date=timezone.localdate() + timedelta(days=170),
    )
    ss_mentee = EnrollmentFactory(program=self_select, person=mentee.person, role=Role.MENTEE)
    ss_mentor = EnrollmentFactory(program=self_select, person=mentor.person, role=Role.MENTOR, mentor_capacity=2)
    request = MentorshipRequest.objects.create(
        program=self_select,
        mentee=ss_mentee,
        mentor=ss_mentor,
        message="Could you help me?",
        expires_at=timezone.now() + timedelta(days=7),
    )

    # Someone who acted on everything, then left: their account is deleted, the history stays.
    leaver = UserFactory(email="leaver@walk.example", first_name="Lee", last_name="Leaver", is_hr_admin=True)
    goal = Goal.objects.filter(enrollment=mentee_enrollment).order_by("pk").first()
    GoalEvent.objects.create(goal=goal, actor=leaver, kind=GoalEvent.Kind.EDITED, to_value="title")
    sessions = MentoringSession.objects.filter(pairing=pairing)
    held = sessions.filter(status=MentoringSession.Status.HELD).order_by("-starts_at").first()
    MentoringSession.objects.filter(pk=held.pk).update(logged_by=leaver)
    cancelled = MentoringSession.objects.create(
        pairing=pairing,
        starts_at=timezone.now() + timedelta(days=3),
        status=MentoringSession.Status.CANCELLED,
        cancelled_by=leaver,
        cancelled_at=timezone.now(),
        scheduled_by=leaver,
    )
    scheduled = MentoringSession.objects.create(
        pairing=pairing, starts_at=timezone.now() + timedelta(days=5), scheduled_by=mentor, agenda="Plan"
    )
    Enrollment.objects.filter(pk=mentee_enrollment.pk).update(decided_by=leaver, decided_at=timezone.now())
    MatchRun.objects.filter(program=running).update(started_by=leaver)
    ready_job = people_importing.people_import_job_create(
        text=import_csv(import_row("new.hire@walk.example")), file_name="export.csv", user=leaver
    )
    invalid_job = people_importing.people_import_job_create(
        text=IMPORT_HEADER + "\nnot-an-email,,,,,,,,,,\n", file_name="bad.csv", user=hr
    )
    for job in (ready_job, invalid_job):  # their previews, as the worker checks them
        people_importing.people_import_job_preview(job_id=job.pk)
    waiting_job = people_importing.people_import_job_create(  # one still waiting for its check
        text=import_csv(import_row("waiting@walk.example")), file_name="waiting.csv", user=hr
    )
    leaver.delete()

    feed_token = session_services.calendar_feed_regenerate(user=mentor)
    export, _ = datarights_services.data_export_request(user=mentee)  # built as the worker would
    datarights_services.data_export_build(export_id=export.pk)
    erasable = Person.objects.create(email="erase.me@walk.example", first_name="Erase", last_name="Me")
    for user in (hr, owner, mentor, mentee, employee, root):
        notification_send(
            recipient=user, kind="program_status", title="Walk", key=f"walk-{user.pk}", url="/", email=False
        )

    run = MatchRun.objects.filter(program=running).order_by("-pk").first()
    invitation = SurveyInvitation.objects.filter(enrollment=mentee_enrollment).order_by("-pk").first()
    survey = Survey.objects.filter(program=running).order_by("pk").first()
    question = survey.questions.order_by("pk").first()
    # Goals of other demo mentees: their history has no actor (they have no account).
    other_goals = list(Goal.objects.exclude(enrollment=mentee_enrollment).values_list("pk", flat=True)[:2])
    template = GoalTemplate.objects.filter(program=running).order_by("pk").first()
    module = TrainingModule.objects.filter(program=running).order_by("pk").first()
    kwargs = {
        "notification_open": {"pk": mentee.notifications.first().pk},
        # programs
        "programs:owned_program_detail": {"slug": running.slug},
        "programs:program_detail": [{"slug": p.slug} for p in Program.objects.order_by("pk")],
        "programs:program_question_edit": {
            "slug": running.slug,
            "pk": ProgramQuestion.objects.filter(program=running).first().pk,
        },
        "programs:training_module_edit": {"slug": running.slug, "pk": module.pk},
        "programs:goal_template_edit": {"slug": running.slug, "pk": template.pk},
        "programs:enrollment_join": {"token": self_select.signup_token},
        "programs:enrollment_detail": [{"pk": mentee_enrollment.pk}, {"pk": pairing.mentor_id}],
        "programs:enrollment_training_module": {"pk": mentee_enrollment.pk, "module_pk": module.pk},
        "programs:participant_detail": {"slug": running.slug, "pk": mentee_enrollment.pk},
        "goals:goal_adopt": {"pk": mentee_enrollment.pk, "template_pk": template.pk},
        "goals:goal_detail": [{"pk": goal.pk}, *({"pk": pk} for pk in other_goals)],
        "goals:milestone_toggle": {"pk": goal.pk, "milestone_pk": goal.milestones.first().pk},
        # people
        "people:person_detail": {"pk": mentee.person.pk},
        "people:hr_admin_grant": {"pk": employee.person.pk},
        "people:hr_admin_revoke": {"pk": other_hr_person.pk},
        "people:import_job": [{"pk": ready_job.pk}, {"pk": invalid_job.pk}, {"pk": waiting_job.pk}],
        "people:import_errors_csv": {"pk": invalid_job.pk},
        # data rights: the mentee's own download; someone HR may erase
        "datarights:export_detail": {"pk": export.pk},
        "datarights:export_progress": {"pk": export.pk},
        "datarights:export_download": {"pk": export.pk},
        "datarights:person_erase": [{"pk": erasable.pk}, {"pk": mentee.person.pk}],
        # matching
        "matching:program": [{"slug": running.slug}, {"slug": self_select.slug}, {"slug": "walk-matching"}],
        "matching:override_delete": {"pk": PairOverride.objects.first().pk},
        "matching:run_detail": [{"pk": r.pk} for r in MatchRun.objects.filter(program=running)],
        "matching:proposal_lock": {"pk": MatchProposal.objects.filter(run=run).first().pk},
        "matching:pairing_end": {"pk": pairing.pk},
        "matching:pairing_confirm": {"pk": Pairing.objects.filter(status=Pairing.Status.PROPOSED).first().pk},
        "matching:request_create": {"enrollment_pk": ss_mentee.pk, "mentor_pk": ss_mentor.pk},
        "matching:request_accept": {"pk": request.pk},
        # mentoring sessions
        "mentoring_sessions:pairing_detail": {"pk": pairing.pk},
        "mentoring_sessions:session_detail": [{"pk": scheduled.pk}, {"pk": cancelled.pk}, {"pk": held.pk}],
        "mentoring_sessions:session_notes_edit": {"pk": held.pk},
        "mentoring_sessions:action_item_toggle": {"pk": ActionItem.objects.filter(pairing=pairing).first().pk},
        "mentoring_sessions:resource_toggle": {"pk": Resource.objects.filter(pairing=pairing).first().pk},
        "mentoring_sessions:calendar_feed": {"token": feed_token},
        # surveys
        "surveys:invitation_answer": {"pk": invitation.pk},
        "surveys:survey_list": {"slug": running.slug},
        "surveys:survey_use_template": {"slug": running.slug, "template_pk": Survey.objects.templates().first().pk},
        "surveys:survey_detail": {"pk": survey.pk},
        "surveys:question_edit": {"pk": survey.pk, "question_pk": question.pk},
        # dashboards
        "evaluation:program": [{"slug": running.slug}, {"slug": "walk-closed"}],
        "evaluation:pairing_nudge": {"slug": running.slug, "pk": pairing.pk},
        "evaluation:program_export": {"slug": running.slug, "table": "at-risk"},
        # allauth: keys that look right but are not valid
        "account_confirm_email": {"key": "MQ:1abcde:not-a-real-key"},
        "account_reset_password_from_key": {"uidb36": "1", "key": "set-password"},
        # allauth.mfa: a security key that is nobody's
        "mfa_remove_webauthn": {"pk": 1234567},
        "mfa_edit_webauthn": {"pk": 1234567},
    }
    users = {
        "anonymous": None,
        "hr_admin": hr,
        "owner": owner,
        "mentor": mentor,
        "mentee": mentee,
        "employee": employee,
        "superuser": root,
    }
    return World(users=users, kwargs=kwargs)


# --- The URL patterns --------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "goals:goal_detail"
    pattern: URLPattern
    arguments: tuple[str, ...]

    @property
    def model_admin(self):
        return getattr(self.pattern.callback, "model_admin", None)

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")


def all_routes() -> list[Route]:
    """Every named URL pattern reachable from the root URLconf."""

    def walk(resolver, namespaces, outer=()):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                # An include's own arguments (allauth.mfa's "keys/<int:pk>/") belong to every route in it.
                inner = outer + tuple(entry.pattern.regex.groupindex)
                yield from walk(entry, namespaces + ([entry.namespace] if entry.namespace else []), inner)
            elif entry.name:
                arguments = outer + tuple(entry.pattern.regex.groupindex)
                yield Route(":".join([*namespaces, entry.name]), entry, arguments)

    return list(walk(get_resolver(), []))


# URL names sharing another's arguments (same kind of object).
SAME_ARGUMENTS = {
    "programs:": {
        "program_edit": "program_detail",
        "program_status": "program_detail",
        "program_clone": "program_detail",
        "program_question_list": "program_detail",
        "program_question_create": "program_detail",
        "program_question_delete": "program_question_edit",
        "program_question_move": "program_question_edit",
        "training_module_list": "program_detail",
        "training_module_create": "program_detail",
        "training_completion": "program_detail",
        "training_module_delete": "training_module_edit",
        "training_module_move": "training_module_edit",
        "goal_template_list": "program_detail",
        "goal_template_create": "program_detail",
        "goal_template_delete": "goal_template_edit",
        "goal_template_move": "goal_template_edit",
        "enrollment_profile": "enrollment_detail",
        "enrollment_withdraw": "enrollment_detail",
        "enrollment_training": "enrollment_detail",
        "enrollment_training_module_complete": "enrollment_training_module",
        "participant_list": "program_detail",
        "participant_invite": "program_detail",
        "participant_decide": "program_detail",
        "participant_promote": "program_detail",
        "participant_decide_one": "participant_detail",
    },
    "goals:": {
        "goal_list": "programs:enrollment_detail",  # a name with a namespace: another app's
        "goal_create": "programs:enrollment_detail",
        "goal_edit": "goal_detail",
        "goal_progress": "goal_detail",
        "milestone_create": "goal_detail",
        "goal_comment_create": "goal_detail",
    },
    "people:": {
        "import_run": "import_job",
        "import_check": "import_job",
        "import_discard": "import_job",
        "import_progress": "import_job",
    },
    "matching:": {
        "run_start": "program",
        "override_create": "program",
        "pairing_list": "program",
        "run_progress": "run_detail",
        "run_publish": "run_detail",
        "proposal_exclude": "proposal_lock",
        "proposal_detail": "proposal_lock",
        "participant_search": "program",
        "pairing_complete": "pairing_end",
        "pairing_decline": "pairing_confirm",
        "request_withdraw": "request_accept",
        "request_decline": "request_accept",
    },
    "mentoring_sessions:": {
        "session_schedule": "pairing_detail",
        "session_log": "pairing_detail",
        "resource_create": "pairing_detail",
        "session_reschedule": "session_detail",
        "session_cancel": "session_detail",
        "session_mark_held": "session_detail",
        "session_private_note": "session_notes_edit",
        "session_action_item_add": "session_notes_edit",
        "session_invitation": "session_detail",
    },
    "surveys:": {
        "survey_create": "survey_list",
        "survey_edit": "survey_detail",
        "survey_copy": "survey_detail",
        "survey_status": "survey_detail",
        "survey_send_now": "survey_detail",
        "survey_delete": "survey_detail",
        "survey_preview": "survey_detail",
        "question_create": "survey_detail",
        "question_delete": "question_edit",
        "question_move": "question_edit",
        "survey_results": "survey_detail",
        "survey_results_csv": "survey_detail",
    },
    "evaluation:": {
        "program_recompute": "program",
        "health": "program",
        "outcomes": "program",
        "diversity": "program",
    },
}


def _admin_kwargs(route: Route) -> dict:
    kwargs = {}
    model_admin = route.model_admin
    if "object_id" in route.arguments and model_admin is not None:
        # The newest object: the walk's own small ones (the demo program's delete page
        # would list thousands of related rows).
        obj = model_admin.model._default_manager.order_by("-pk").first()
        kwargs["object_id"] = str(obj.pk) if obj else "1"
    if "id" in route.arguments:  # the user admin's password page
        kwargs["id"] = str(User.objects.order_by("pk").first().pk)
    if "app_label" in route.arguments:
        kwargs["app_label"] = "people"
    if "content_type_id" in route.arguments:
        kwargs["content_type_id"] = ContentType.objects.get_for_model(User).pk
        kwargs["object_id"] = str(User.objects.order_by("pk").first().pk)
    return kwargs


def route_kwargs(route: Route, world: World) -> list[dict]:
    """Real values for the route's arguments (one set or more); empty if the walk has none."""
    if not route.arguments:
        return [{}]
    if route.is_admin:
        found = _admin_kwargs(route)
    else:
        namespace, _, name = route.name.rpartition(":")
        prefix = f"{namespace}:" if namespace else ""
        alias = SAME_ARGUMENTS.get(prefix, {}).get(name)
        found = world.kwargs.get(alias if alias and ":" in alias else prefix + (alias or name))
        if alias and isinstance(found, list):
            found = found[:1]  # the other objects are for the page itself
    sets = found if isinstance(found, list) else [found] if found else []
    return [kwargs for kwargs in sets if set(kwargs) == set(route.arguments)]


def route_path(route: Route, kwargs: dict) -> str:
    return reverse(route.name, kwargs=kwargs)


def forged_paths(route: Route, kwargs: dict):
    """The route's path with each argument in turn replaced by each junk value.

    ``reverse()`` refuses values its converters do not match, so the path is built by
    substituting the quoted junk for a unique marker."""
    for argument in route.arguments:
        marker_kwargs = dict(kwargs)
        marker = "1234567890123" if _is_numeric(kwargs[argument]) else "walkmarker"
        marker_kwargs[argument] = marker
        try:
            template = route_path(route, marker_kwargs)
        except Exception:  # noqa: BLE001 - a converter that refuses the marker: keep the real value
            continue
        for junk in JUNK_PATH_VALUES:
            yield argument, junk, template.replace(marker, quote(junk, safe=""), 1)


def _is_numeric(value) -> bool:
    return str(value).isdigit()


def junk_query(index: int) -> str:
    """Every known query parameter, each with a different junk value; ``index`` rotates
    the values so that across roles each parameter meets each value."""
    values = itertools.islice(itertools.cycle(JUNK_QUERY_VALUES), index, index + len(KNOWN_QUERY_PARAMETERS))
    return urlencode(dict(zip(KNOWN_QUERY_PARAMETERS, values, strict=True)))


def junk_post(field_names, index: int) -> dict:
    values = itertools.cycle(JUNK_QUERY_VALUES[index % len(JUNK_QUERY_VALUES) :] + JUNK_QUERY_VALUES)
    return {name: next(values) for name in field_names}


# --- Forms on a page ------------------------------------------------------------------------


class _PostForms(html.parser.HTMLParser):
    """The POST forms of a page: (action, field names)."""

    def __init__(self, page_url):
        super().__init__()
        self.page_url = page_url
        self.forms = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            action = urljoin(self.page_url, attrs.get("action") or self.page_url)
            self._current = (urlsplit(action).path, [])
            self.forms.append(self._current)
        elif tag in ("input", "select", "textarea", "button") and self._current is not None:
            self._current[1].append(attrs.get("name") or "csrfmiddlewaretoken")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def post_forms(page_url: str, content: str) -> list[tuple[str, tuple[str, ...]]]:
    parser = _PostForms(page_url)
    parser.feed(content)
    return [
        (action, tuple(name for name in dict.fromkeys(names) if name != "csrfmiddlewaretoken"))
        for action, names in parser.forms
    ]
