"""Survey pages: the participant's answer form, HR's builder, and results for HR and program owners.

Every object is looked up through a queryset scoped to the viewer, so another
person's invitation, or a program the viewer doesn't own, is a 404.
"""

import copy

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from audit import services as audit
from audit.models import AuditEvent
from core.errors import form_add_service_errors
from core.exports import csv_response
from core.permissions import can, hr_admin_required
from core.rules import is_hr_admin
from core.submissions import submit_once
from people import privacy
from programs.models import Program
from programs.permissions import program_or_404
from surveys import selectors, services
from surveys.forms import SurveyAnswerForm, SurveyForm, SurveyQuestionForm
from surveys.models import Survey, SurveyInvitation

TEMPLATES = "surveys/"


# --- Participants -----------------------------------------------------------------------


def invitation_list(request):
    return render(request, TEMPLATES + "invitation_list.html", selectors.survey_invitations_for(user=request.user))


def _edit_cookie(invitation: SurveyInvitation) -> str:
    return f"survey_key_{invitation.pk}"


@submit_once
def invitation_answer(request, pk):
    """Answer (or change the answers to) one of your own survey invitations."""
    invitation = get_object_or_404(
        SurveyInvitation.objects.for_user(request.user).select_related(
            "instance__survey__program", "enrollment__person__department"
        ),
        pk=pk,
    )
    instance, survey = invitation.instance, invitation.instance.survey
    edit_key = request.COOKIES.get(_edit_cookie(invitation), "")
    own = selectors.survey_own_answers(invitation=invitation, edit_key=edit_key)
    context = {
        "invitation": invitation,
        "instance": instance,
        "survey": survey,
        "response": own,
        "min_group": privacy.min_group(),
    }

    if not instance.is_open_at(timezone.now()):
        if request.method == "POST":
            messages.error(request, services.survey_closed_message(instance))
        context["answers"] = selectors.survey_response_lines(survey=survey, answers=own)
        return render(request, TEMPLATES + "answer_closed.html", context)
    released = (
        survey.anonymous
        and own is not None
        and selectors.survey_answers_released(invitation=invitation, edit_key=edit_key)
    )
    if survey.anonymous and invitation.answered and (own is None or released):
        if request.method == "POST":
            messages.error(request, "You have already answered this anonymous survey.")
        context["answers"] = selectors.survey_response_lines(survey=survey, answers=own)
        context["released"] = released
        return render(request, TEMPLATES + "answer_locked.html", context)

    questions = list(survey.questions.all())
    form = SurveyAnswerForm(
        request.POST if request.method == "POST" else None,
        questions=questions,
        initial=selectors.survey_response_initial(answers=own),
    )
    if request.method == "POST" and form.is_valid():
        try:
            new_key = services.survey_response_submit(invitation=invitation, answers=form.answers(), edit_key=edit_key)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            closes = f"{timezone.localtime(instance.closes_at):%d %b %Y, %H:%M}"
            where = " from this browser" if survey.anonymous else ""
            messages.success(request, f"Thank you! You can change your answers{where} until {closes}.")
            result = redirect("surveys:invitation_list")
            if new_key:
                result.set_cookie(
                    _edit_cookie(invitation),
                    new_key,
                    max_age=max(int((instance.closes_at - timezone.now()).total_seconds()), 0),
                    path=reverse("surveys:invitation_answer", args=[invitation.pk]),
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
            return result
    context["form"] = form
    return render(request, TEMPLATES + "answer.html", context)


# --- HR and program owners: programs and their surveys ----------------------------------


def program_list(request):
    programs = selectors.survey_programs_for(user=request.user)
    if not is_hr_admin(request.user) and not programs:
        raise PermissionDenied("Only HR admins and program owners can open this page.")
    return render(request, TEMPLATES + "program_list.html", {"programs": programs})


def survey_list(request, slug):
    program = get_object_or_404(Program.objects.owned_by(request.user), slug=slug)
    can_manage = can(request.user, "programs.manage_program", program)
    context = {
        "program": program,
        "can_manage": can_manage,
        "surveys": selectors.surveys_for_program(program=program),
        "library": selectors.survey_templates() if can_manage else [],
        "can_build": can_manage and program.status != Program.Status.CLOSED,
    }
    return render(request, TEMPLATES + "survey_list.html", context)


def _hr_survey(pk) -> Survey:
    return get_object_or_404(Survey.objects.in_programs().select_related("program"), pk=pk)


@hr_admin_required
def survey_create(request, slug):
    program = program_or_404(request, slug, "programs.manage_program")
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(program=program, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"“{survey.title}” was created as a draft. Add its questions.")
            return redirect("surveys:survey_detail", pk=survey.pk)
    return render(request, TEMPLATES + "survey_form.html", {"program": program, "form": form})


@hr_admin_required
@require_POST
def survey_use_template(request, slug, template_pk):
    program = program_or_404(request, slug, "programs.manage_program")
    template = get_object_or_404(Survey.objects.templates(), pk=template_pk)
    try:
        survey = services.survey_copy(source=template, program=program, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("surveys:survey_list", slug=program.slug)
    messages.success(request, f"“{survey.title}” was added as a draft. Check its questions and schedule, then send it.")
    return redirect("surveys:survey_detail", pk=survey.pk)


@hr_admin_required
def survey_detail(request, pk):
    survey = _hr_survey(pk)
    context = {
        "survey": survey,
        "program": survey.program,
        "questions": list(survey.questions.all()),
        "locked": services.survey_has_answers(survey=survey),
        "rounds": selectors.survey_rounds(survey=survey),
        "anonymity_warning": selectors.survey_anonymity_warning(survey=survey),
    }
    return render(request, TEMPLATES + "survey_detail.html", context)


@hr_admin_required
def survey_edit(request, pk):
    survey = _hr_survey(pk)
    # The form edits a copy, so a refused change never shows up as the page's title.
    form = SurveyForm(request.POST or None, instance=copy.copy(survey))
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update(survey=survey, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Survey settings saved.")
            return redirect("surveys:survey_detail", pk=survey.pk)
    context = {"program": survey.program, "survey": survey, "form": form}
    return render(request, TEMPLATES + "survey_form.html", context)


@hr_admin_required
@require_POST
def survey_copy(request, pk):
    survey = _hr_survey(pk)
    try:
        clone = services.survey_copy(source=survey, program=survey.program, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("surveys:survey_detail", pk=survey.pk)
    messages.success(request, f"“{clone.title}” was created as a draft.")
    return redirect("surveys:survey_detail", pk=clone.pk)


@hr_admin_required
@require_POST
def survey_status(request, pk):
    survey = _hr_survey(pk)
    action = request.POST.get("action", "")
    try:
        if action == "activate":
            services.survey_activate(survey=survey, user=request.user)
            messages.success(request, f"“{survey.title}” is being sent: rounds open as scheduled.")
        elif action == "pause":
            services.survey_pause(survey=survey, user=request.user)
            messages.success(request, f"“{survey.title}” is paused. Open rounds stay open until they close.")
        else:
            messages.error(request, "Choose to send or pause the survey.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("surveys:survey_detail", pk=survey.pk)


@hr_admin_required
@require_POST
def survey_send_now(request, pk):
    survey = _hr_survey(pk)
    try:
        instance = services.survey_send_now(survey=survey, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"A round is open until {timezone.localtime(instance.closes_at):%d %b %Y}; invitations are on their way.",
        )
    return redirect("surveys:survey_detail", pk=survey.pk)


@hr_admin_required
def survey_delete(request, pk):
    survey = _hr_survey(pk)
    if request.method == "POST":
        try:
            services.survey_delete(survey=survey, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("surveys:survey_detail", pk=survey.pk)
        messages.success(request, f"Survey “{survey.title}” was deleted.")
        return redirect("surveys:survey_list", slug=survey.program.slug)
    context = {"program": survey.program, "survey": survey, "object": survey, "kind": "survey"}
    return render(request, TEMPLATES + "confirm_delete.html", context)


@hr_admin_required
def survey_preview(request, pk):
    survey = _hr_survey(pk)
    form = SurveyAnswerForm(questions=list(survey.questions.all()))
    return render(
        request, TEMPLATES + "survey_preview.html", {"survey": survey, "program": survey.program, "form": form}
    )


# --- Questions --------------------------------------------------------------------------


def _question_page(request, *, survey, form, save, question=None):
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Question saved.")
            return redirect("surveys:survey_detail", pk=survey.pk)
    context = {"survey": survey, "program": survey.program, "form": form, "question": question}
    return render(request, TEMPLATES + "question_form.html", context)


@hr_admin_required
def question_create(request, pk):
    survey = _hr_survey(pk)
    if services.survey_has_answers(survey=survey):
        messages.error(request, services.LOCKED_AFTER_ANSWERS)
        return redirect("surveys:survey_detail", pk=survey.pk)
    form = SurveyQuestionForm(request.POST or None, initial={"kind": "rating", "required": True})
    return _question_page(
        request,
        survey=survey,
        form=form,
        save=lambda data: services.survey_question_create(survey=survey, user=request.user, **data),
    )


@hr_admin_required
def question_edit(request, pk, question_pk):
    survey = _hr_survey(pk)
    question = get_object_or_404(survey.questions, pk=question_pk)
    locked = services.survey_has_answers(survey=survey)
    form = SurveyQuestionForm(request.POST or None, instance=copy.copy(question), locked=locked)
    return _question_page(
        request,
        survey=survey,
        form=form,
        question=question,
        save=lambda data: services.survey_question_update(question=question, user=request.user, **data),
    )


@hr_admin_required
def question_delete(request, pk, question_pk):
    survey = _hr_survey(pk)
    question = get_object_or_404(survey.questions, pk=question_pk)
    if request.method == "POST":
        try:
            services.survey_question_delete(question=question, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Question deleted.")
        return redirect("surveys:survey_detail", pk=survey.pk)
    context = {"program": survey.program, "survey": survey, "object": question, "kind": "question"}
    return render(request, TEMPLATES + "confirm_delete.html", context)


@hr_admin_required
@require_POST
def question_move(request, pk, question_pk):
    survey = _hr_survey(pk)
    question = get_object_or_404(survey.questions, pk=question_pk)
    try:
        services.survey_question_move(question=question, direction=request.POST.get("direction", ""), user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("surveys:survey_detail", pk=survey.pk)


# --- Results ----------------------------------------------------------------------------


def _results_survey(request, pk) -> Survey:
    return get_object_or_404(Survey.objects.results_visible_to(request.user).select_related("program"), pk=pk)


def survey_results(request, pk):
    survey = _results_survey(request, pk)
    results = selectors.survey_results(survey=survey)
    context = {
        "survey": survey,
        "program": survey.program,
        "results": results,
        "chart_data": selectors.survey_chart_data(results=results),
    }
    return render(request, TEMPLATES + "survey_results.html", context)


def survey_results_csv(request, pk):
    survey = _results_survey(request, pk)
    if survey.anonymous and not selectors.survey_anonymous_results_shown(survey=survey):
        messages.error(
            request,
            f"The export of an anonymous survey is available once {privacy.min_group()} people's answers "
            "have joined the results.",
        )
        return redirect("surveys:survey_results", pk=survey.pk)
    header, rows = selectors.survey_results_csv(survey=survey)
    filename = f"{slugify(survey.program.name)}-{slugify(survey.title)}-{timezone.localdate():%Y-%m-%d}.csv"
    audit.record(
        action=AuditEvent.Action.EXPORT_DOWNLOADED,
        actor=request.user,
        target=survey,
        program=survey.program,
        details={"file": filename[:120]},
    )
    return csv_response(filename, header, rows)
