"""Pages for mentoring: "My pairings", a pairing's page, scheduling and logging sessions,
notes, action items, resources, calendar files and feeds, and HR's oversight page.

Every object is looked up through the user's own pairings: another pairing's session,
action item or resource is a 404. HR admins are no exception; they have the oversight page,
which shows counts and dates, never notes.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from core.errors import form_add_service_errors
from core.submissions import submit_once
from matching.models import Pairing
from sessions import calendar, selectors, services
from sessions.forms import (
    ActionItemForm,
    ActionItemFormSet,
    PrivateNoteForm,
    ResourceForm,
    SessionCancelForm,
    SessionLogForm,
    SessionNotesForm,
    SessionScheduleForm,
)
from sessions.models import MentoringSession

T = "mentoring_sessions/"
Status = MentoringSession.Status


def _pairing(request, pk):
    return get_object_or_404(selectors.pairings_for_user(user=request.user), pk=pk)


def _session(request, pk):
    return get_object_or_404(selectors.sessions_for_user(user=request.user), pk=pk)


def _viewer_zone() -> str:
    # The middleware activated the viewer's zone (from the directory) for this request.
    return timezone.get_current_timezone_name()


def _back(request, default: str):
    """Back to the page the form was on (a path on this site), else to ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path: anything else ("abc", another host) is not where the form came from,
    # and redirect() would try to reverse it as a view name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return redirect(default)


def _pairing_url(pairing, anchor=""):
    return services.pairing_url(pairing, anchor)


def _refuse_unless_workable(request, pairing):
    """None if the pairing still takes sessions; else a redirect to its page with a message."""
    if pairing.status in Pairing.WORKABLE_STATUSES:
        return None
    messages.error(request, f"This pairing is {pairing.get_status_display().lower()}: nothing more can be added.")
    return redirect(_pairing_url(pairing))


def _context(pairing, user, **extra) -> dict:
    role = services.pairing_role_of(pairing=pairing, user=user)
    other = pairing.mentee.person if role == "mentor" else pairing.mentor.person
    return {
        "pairing": pairing,
        "viewer_role": role,
        "other_person": other,
        "viewer_zone": _viewer_zone(),
        "today": timezone.localdate(),
        **extra,
    }


# --- My pairings and a pairing's page ----------------------------------------------------


@require_GET
def pairing_list(request):
    context = {
        "pairings": selectors.pairing_list_for_user(user=request.user),
        "goal_enrollments": selectors.goal_enrollments_for_user(user=request.user),
        "viewer_zone": _viewer_zone(),
    }
    return render(request, T + "pairing_list.html", context)


@require_GET
def pairing_detail(request, pk):
    pairing = _pairing(request, pk)
    page = selectors.pairing_page(pairing=pairing, user=request.user, page_number=request.GET.get("page"))
    return render(request, T + "pairing_detail.html", _context(pairing, request.user, page=page))


# --- Scheduling --------------------------------------------------------------------------


@submit_once
def session_schedule(request, pk):
    pairing = _pairing(request, pk)
    if refused := _refuse_unless_workable(request, pairing):
        return refused
    form = SessionScheduleForm(request.POST or None, time_zone=_viewer_zone())
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_schedule(pairing=pairing, user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form_add_service_errors(form, exc, {"starts_at": "start_time", "duration_minutes": "end_time"})
        else:
            messages.success(request, "Session scheduled. We let the other person know.")
            return redirect(_pairing_url(pairing, f"session-{session.pk}"))
    context = _context(pairing, request.user, form=form, heading="Schedule a session")
    return render(request, T + "session_schedule_form.html", context)


def session_reschedule(request, pk):
    session = _session(request, pk)
    pairing = session.pairing
    if refused := _refuse_unless_workable(request, pairing):
        return refused
    if session.status != Status.SCHEDULED:
        messages.error(request, "Only a planned session can be rescheduled.")
        return redirect(_pairing_url(pairing, f"session-{session.pk}"))
    zone = _viewer_zone()
    form = SessionScheduleForm(
        request.POST or None, time_zone=zone, initial=SessionScheduleForm.initial_for(session, zone)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_reschedule(session=session, user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form_add_service_errors(form, exc, {"starts_at": "start_time", "duration_minutes": "end_time"})
        else:
            messages.success(request, "Session moved. We let the other person know.")
            return redirect(_pairing_url(pairing, f"session-{session.pk}"))
    context = _context(pairing, request.user, form=form, session=session, heading="Reschedule the session")
    return render(request, T + "session_schedule_form.html", context)


def session_cancel(request, pk):
    session = _session(request, pk)
    pairing = session.pairing
    if session.status != Status.SCHEDULED:
        messages.error(request, "Only a planned session can be cancelled.")
        return redirect(_pairing_url(pairing))
    form = SessionCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(session=session, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Session cancelled. We let the other person know.")
            return redirect(_pairing_url(pairing))
    return render(request, T + "session_cancel.html", _context(pairing, request.user, form=form, session=session))


@require_GET
def session_invitation(request, pk):
    """The session as an .ics invitation (a cancellation once it is cancelled)."""
    session = _session(request, pk)
    response = HttpResponse(
        calendar.session_invitation_ics(session),
        content_type=f"text/calendar; charset=utf-8; method={calendar.session_invitation_method(session)}",
    )
    response["Content-Disposition"] = f'attachment; filename="mentoring-session-{session.pk}.ics"'
    return response


# --- Logging a held session --------------------------------------------------------------


def _log_forms(request, pairing, *, initial=None):
    sees_goals = selectors.viewer_sees_goals(pairing=pairing, user=request.user)
    data = request.POST if request.method == "POST" else None
    initial = initial or {"date": timezone.localdate()}
    form = SessionLogForm(data, pairing=pairing, include_goals=sees_goals, time_zone=_viewer_zone(), initial=initial)
    formset = ActionItemFormSet(data, pairing=pairing)
    return form, formset


@submit_once
def session_log(request, pk):
    """Log a session that was held but never scheduled here."""
    pairing = _pairing(request, pk)
    if refused := _refuse_unless_workable(request, pairing):
        return refused
    form, formset = _log_forms(request, pairing)
    # "&", not "and": both are validated, so every error shows at once.
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        try:
            session = services.session_log(
                pairing=pairing,
                user=request.user,
                format=form.cleaned_data["format"],
                action_items=formset.items(),
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc, {"starts_at": "start_time"})
        else:
            messages.success(request, "Session logged.")
            return redirect(_pairing_url(pairing, f"session-{session.pk}"))
    context = _context(pairing, request.user, form=form, formset=formset, heading="Log a session")
    return render(request, T + "session_log_form.html", context)


@submit_once
def session_mark_held(request, pk):
    """Log a planned session as held, with its notes and action items."""
    session = _session(request, pk)
    pairing = session.pairing
    if refused := _refuse_unless_workable(request, pairing):
        return refused
    if session.status != Status.SCHEDULED:
        messages.error(request, "This session was already logged or cancelled.")
        return redirect(_pairing_url(pairing, f"session-{session.pk}"))
    form, formset = _log_forms(request, pairing, initial=SessionLogForm.initial_for(session, _viewer_zone()))
    form.fields.pop("format", None)
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        try:
            services.session_mark_held(
                session=session, user=request.user, action_items=formset.items(), **form.service_kwargs()
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc, {"starts_at": "start_time"})
        else:
            messages.success(request, "Session logged as held.")
            return redirect(_pairing_url(pairing, f"session-{session.pk}"))
    context = _context(
        pairing, request.user, form=form, formset=formset, session=session, heading="Log this session as held"
    )
    return render(request, T + "session_log_form.html", context)


def _render_session_detail(request, session, *, note_form=None, item_form=None, status=200):
    session = selectors.session_page(session=session, user=request.user)
    pairing = session.pairing
    my_note = session.my_private_notes[0] if session.my_private_notes else None
    workable = pairing.status in Pairing.WORKABLE_STATUSES
    context = _context(
        pairing,
        request.user,
        session=session,
        my_note=my_note,
        sees_goals=selectors.viewer_sees_goals(pairing=pairing, user=request.user),
        note_form=note_form or PrivateNoteForm(initial={"body": my_note.body if my_note else ""}),
        item_form=item_form
        or (ActionItemForm(pairing=pairing) if workable and session.status == Status.HELD else None),
        is_workable=workable,
    )
    return render(request, T + "session_detail.html", context, status=status)


@require_GET
def session_detail(request, pk):
    return _render_session_detail(request, _session(request, pk))


@require_POST
def session_private_note(request, pk):
    session = _session(request, pk)
    form = PrivateNoteForm(request.POST)
    if not form.is_valid():
        return _render_session_detail(request, session, note_form=form)
    note = services.private_note_save(session=session, user=request.user, body=form.cleaned_data["body"])
    messages.success(request, "Private note saved." if note else "Private note deleted.")
    return redirect("mentoring_sessions:session_detail", pk=session.pk)


def session_notes_edit(request, pk):
    session = _session(request, pk)
    pairing = session.pairing
    if session.status != Status.HELD:
        messages.error(request, "Only a held session has notes.")
        return redirect(_pairing_url(pairing, f"session-{session.pk}"))
    sees_goals = selectors.viewer_sees_goals(pairing=pairing, user=request.user)
    initial = {
        "topics": session.topics,
        "topics_other": session.topics_other,
        "shared_notes": session.shared_notes,
        "goals": list(session.goals_discussed.values_list("pk", flat=True)) if sees_goals else [],
    }
    form = SessionNotesForm(request.POST or None, pairing=pairing, include_goals=sees_goals, initial=initial)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if not sees_goals:
            # Whoever can't see the goals keeps the links as they are.
            kwargs["goals"] = list(session.goals_discussed.all())
        try:
            services.session_notes_update(session=session, user=request.user, **kwargs)
        except ValidationError as exc:
            form_add_service_errors(form, exc, {})
        else:
            messages.success(request, "Notes saved.")
            return redirect("mentoring_sessions:session_detail", pk=session.pk)
    return render(request, T + "session_notes_form.html", _context(pairing, request.user, form=form, session=session))


# --- Action items ------------------------------------------------------------------------


@require_POST
@submit_once
def session_action_item_add(request, pk):
    session = _session(request, pk)
    pairing = session.pairing
    form = ActionItemForm(request.POST, pairing=pairing)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.action_item_add(
                session=session,
                user=request.user,
                title=data["title"],
                owner=data["owner_person"],
                due_date=data["due_date"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc, {})
        else:
            messages.success(request, "Action item added.")
            return redirect("mentoring_sessions:session_detail", pk=session.pk)
    return _render_session_detail(request, session, item_form=form)


@require_POST
def action_item_toggle(request, pk):
    item = get_object_or_404(selectors.action_items_for_user(user=request.user), pk=pk)
    done = request.POST.get("done") == "1"
    services.action_item_set_done(item=item, user=request.user, done=done)
    return _back(request, _pairing_url(item.pairing, "action-items"))


# --- Resources ---------------------------------------------------------------------------


@submit_once
def resource_create(request, pk):
    pairing = _pairing(request, pk)
    if services.pairing_role_of(pairing=pairing, user=request.user) != "mentor":
        raise PermissionDenied("Only the mentor recommends resources.")
    if refused := _refuse_unless_workable(request, pairing):
        return refused
    form = ResourceForm(request.POST or None, pairing=pairing)
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_recommend(pairing=pairing, user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form_add_service_errors(form, exc, {})
        else:
            messages.success(request, "Resource recommended. We let your mentee know.")
            return redirect(_pairing_url(pairing, "resources"))
    return render(request, T + "resource_form.html", _context(pairing, request.user, form=form))


@require_POST
def resource_toggle(request, pk):
    resource = get_object_or_404(selectors.resources_for_user(user=request.user), pk=pk)
    services.resource_set_done(resource=resource, user=request.user, done=request.POST.get("done") == "1")
    return _back(request, _pairing_url(resource.pairing, "resources"))


# --- Calendar feed -----------------------------------------------------------------------

FEED_URL_SESSION_KEY = "mentoring_calendar_feed_url"


def calendar_settings(request):
    """The personal feed address: shown once when made; regenerate or revoke it here."""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "regenerate":
            token = services.calendar_feed_regenerate(user=request.user)
            request.session[FEED_URL_SESSION_KEY] = request.build_absolute_uri(
                reverse("mentoring_sessions:calendar_feed", args=[token])
            )
            messages.success(request, "Your new calendar address is ready. Any earlier address no longer works.")
        elif action == "revoke":
            if services.calendar_feed_revoke(user=request.user):
                messages.success(request, "Calendar address revoked: calendars subscribed to it stop updating.")
        else:
            messages.error(request, "Unknown action.")
        return redirect("mentoring_sessions:calendar_settings")
    context = {
        "feed": selectors.calendar_feed_for_user(user=request.user),
        "feed_url": request.session.pop(FEED_URL_SESSION_KEY, None),
        "feed_history_days": selectors.FEED_HISTORY.days,
    }
    return render(request, T + "calendar_settings.html", context)


@login_not_required
@require_GET
def calendar_feed(request, token):
    """A person's sessions as a calendar to subscribe to. Public by its secret token;
    an unknown or revoked token is a 404."""
    feed = selectors.calendar_feed_by_token(token=token)
    if feed is None:
        raise Http404("No such calendar.")
    services.calendar_feed_mark_used(feed=feed)
    sessions = selectors.sessions_for_feed(user=feed.user)
    response = HttpResponse(
        calendar.calendar_feed_ics(sessions, user=feed.user), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=900"
    response["Content-Disposition"] = 'inline; filename="mentoring.ics"'
    return response


# --- HR and program owners ---------------------------------------------------------------


@require_GET
def oversight(request):
    """Pairings of the programs the user runs (HR: all, owners: theirs), with counts and
    dates only: sessions held, last and next session, open action items, goals achieved."""
    programs = selectors.programs_for_oversight(user=request.user)
    program_choices = list(programs.values_list("slug", "name"))
    if not program_choices and not request.user.is_hr_admin:
        raise PermissionDenied("Only HR admins and program owners can open this page.")
    slug = request.GET.get("program", "")
    if slug:
        programs = programs.filter(slug=slug)
        if not any(choice_slug == slug for choice_slug, _ in program_choices):
            raise Http404("No such program.")
    now = timezone.now()
    quiet_only = request.GET.get("quiet") == "1"
    page = selectors.oversight_page(
        programs=programs, quiet_only=quiet_only, page_number=request.GET.get("page"), now=now
    )
    context = {
        "page": page,
        "summary": selectors.oversight_summary(
            programs=programs, now=now, every_program=request.user.is_hr_admin and not slug
        ),
        "program_choices": program_choices,
        "program_slug": slug,
        "quiet_only": quiet_only,
        "today": timezone.localdate(),
    }
    return render(request, T + "oversight.html", context)
