from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from mentorship import notifications
from mentorship.models import Notification
from programs.models import Enrollment, Program


def home(request):
    """Each person's start page: what they can do, by role."""
    user = request.user
    context = {
        "enrollments": (
            Enrollment.objects.filter(person__user=user)
            .exclude(status__in=[Enrollment.Status.DECLINED, Enrollment.Status.WITHDRAWN])
            .select_related("program")
        ),
        "owned_programs": Program.objects.filter(owners=user) if not user.is_hr_admin else Program.objects.none(),
        "all_programs": Program.objects.all() if user.is_hr_admin else Program.objects.none(),
        "recent_notifications": Notification.objects.for_user(user)[:5],
    }
    return render(request, "mentorship/home.html", context)


def notification_list(request):
    page = Paginator(Notification.objects.for_user(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "mentorship/notification_list.html", {"page": page})


@require_POST
def notification_open(request, pk):
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    notifications.notifications_mark_read(user=request.user, notification_ids=[notification.pk])
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notification_list")


@require_POST
def notification_mark_all_read(request):
    count = notifications.notifications_mark_read(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notification_list")


@login_not_required
def healthz(request):
    """For load balancers and `make run`'s wait loop: is the database reachable?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return JsonResponse({"status": "database unavailable"}, status=503)
    return HttpResponse("ok", content_type="text/plain")
