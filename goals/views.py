"""Goal pages: a mentee's goals, setting one (own or from the program's suggestions), its
milestones, progress, status, comments and history.

Goals are read by the mentee and their current mentor only; anyone else gets a 404
(HR admins included: they see counts on the oversight page).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core.errors import form_add_service_errors
from core.submissions import submit_once
from goals import selectors, services
from goals.forms import GoalAdoptForm, GoalCommentForm, GoalForm, GoalProgressForm, MilestoneForm
from goals.models import Goal, Milestone
from programs.models import Enrollment, GoalTemplate, Role

T = "goals/"


def _own_mentee_enrollment(request, pk) -> Enrollment:
    return get_object_or_404(
        Enrollment.objects.select_related("program", "person").filter(person__user=request.user, role=Role.MENTEE),
        pk=pk,
    )


def _visible_goal(request, pk) -> Goal:
    return get_object_or_404(selectors.goals_visible_to(user=request.user), pk=pk)


def _own_goal(request, pk) -> Goal:
    return get_object_or_404(
        Goal.objects.owned_by(request.user).select_related("enrollment__program", "enrollment__person"), pk=pk
    )


@require_GET
def goal_list(request, pk):
    enrollment = get_object_or_404(selectors.goal_enrollments_visible_to(user=request.user), pk=pk)
    context = {
        "enrollment": enrollment,
        "is_owner": enrollment.person.user_id == request.user.pk,
        "adopt_form": GoalAdoptForm(program=enrollment.program),
        **selectors.goal_list_page(enrollment=enrollment),
    }
    return render(request, T + "goal_list.html", context)


@submit_once
def goal_create(request, pk):
    enrollment = _own_mentee_enrollment(request, pk)
    form = GoalForm(request.POST or None, program=enrollment.program)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_create(enrollment=enrollment, user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Goal saved. Your mentor can see it and comment.")
            return redirect("goals:goal_detail", pk=goal.pk)
    return render(request, T + "goal_form.html", {"form": form, "enrollment": enrollment})


@require_POST
@submit_once
def goal_adopt(request, pk, template_pk):
    enrollment = _own_mentee_enrollment(request, pk)
    template = get_object_or_404(GoalTemplate.objects.filter(program_id=enrollment.program_id), pk=template_pk)
    form = GoalAdoptForm(request.POST, program=enrollment.program)
    if form.is_valid():
        try:
            goal = services.goal_adopt(
                enrollment=enrollment,
                user=request.user,
                template=template,
                target_date=form.cleaned_data["target_date"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"“{goal.title}” is now one of your goals.")
            return redirect("goals:goal_detail", pk=goal.pk)
    else:
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    return redirect("goals:goal_list", pk=enrollment.pk)


def _render_detail(request, goal, *, progress_form=None, milestone_form=None, comment_form=None, status=200):
    goal = selectors.goal_page(goal=goal)
    is_owner = goal.enrollment.person.user_id == request.user.pk
    can_comment = Goal.objects.commentable_by(request.user).filter(pk=goal.pk).exists()
    context = {
        "goal": goal,
        "enrollment": goal.enrollment,
        "is_owner": is_owner,
        "can_comment": can_comment,
        "progress_form": progress_form
        or (
            GoalProgressForm(goal=goal, initial={"progress": goal.progress, "status": goal.status})
            if is_owner
            else None
        ),
        "milestone_form": milestone_form or (MilestoneForm() if is_owner else None),
        "comment_form": comment_form or (GoalCommentForm() if can_comment else None),
    }
    return render(request, T + "goal_detail.html", context, status=status)


@require_GET
def goal_detail(request, pk):
    return _render_detail(request, _visible_goal(request, pk))


def goal_edit(request, pk):
    goal = _own_goal(request, pk)
    form = GoalForm(
        request.POST or None, program=goal.enrollment.program, with_milestones=False, initial=GoalForm.initial_for(goal)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_update(goal=goal, user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Goal updated.")
            return redirect("goals:goal_detail", pk=goal.pk)
    return render(request, T + "goal_form.html", {"form": form, "goal": goal, "enrollment": goal.enrollment})


@require_POST
def goal_progress(request, pk):
    goal = _own_goal(request, pk)
    form = GoalProgressForm(request.POST, goal=goal, initial={"progress": goal.progress, "status": goal.status})
    if form.is_valid():
        progress = None if goal.progress_from_milestones else form.cleaned_data["progress"]
        try:
            services.goal_progress_update(
                goal=goal, user=request.user, progress=progress, status=form.cleaned_data["status"]
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Progress saved.")
            return redirect("goals:goal_detail", pk=goal.pk)
    return _render_detail(request, goal, progress_form=form)


@require_POST
@submit_once
def milestone_create(request, pk):
    goal = _own_goal(request, pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_add(goal=goal, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            return redirect("goals:goal_detail", pk=goal.pk)
    return _render_detail(request, goal, milestone_form=form)


@require_POST
def milestone_toggle(request, pk, milestone_pk):
    goal = _own_goal(request, pk)
    milestone = get_object_or_404(
        Milestone.objects.filter(goal=goal).select_related("goal__enrollment__person"), pk=milestone_pk
    )
    services.milestone_set_done(milestone=milestone, user=request.user, done=request.POST.get("done") == "1")
    return redirect("goals:goal_detail", pk=goal.pk)


@require_POST
@submit_once
def goal_comment_create(request, pk):
    goal = _visible_goal(request, pk)
    if not Goal.objects.commentable_by(request.user).filter(pk=goal.pk).exists():
        raise PermissionDenied("Only the mentee and their current mentor comment on a goal.")
    form = GoalCommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.goal_comment_add(goal=goal, user=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            return redirect(reverse("goals:goal_detail", args=[goal.pk]) + f"#comment-{comment.pk}")
    return _render_detail(request, goal, comment_form=form)
