from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from core import health, notifications
from core.models import Notification
from core.permissions import hr_admin_required
from core.tasks import as_id


def notification_list(request):
    page = Paginator(Notification.objects.for_user(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "core/notification_list.html", {"page": page})


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


@require_GET
@hr_admin_required
def failed_email_list(request):
    """HR: emails that failed every attempt (who, what, why), each with "Retry now"."""
    page = Paginator(notifications.notification_emails_failed(), 50).get_page(request.GET.get("page"))
    return render(request, "core/failed_email_list.html", {"page": page})


@require_POST
@hr_admin_required
def failed_email_retry(request):
    """HR: try one failed email again (``notification`` in the form), or all of them."""
    if "notification" in request.POST:
        pk = as_id(request.POST["notification"])
        count = notifications.notification_emails_retry_now(notification_ids=[pk] if pk else [])
    else:
        count = notifications.notification_emails_retry_now()
    if count:
        messages.success(request, f"{count} email{'s' if count != 1 else ''} queued again.")
    else:
        messages.info(request, "Nothing to retry: that email is no longer failed.")
    return redirect("failed_email_list")


@login_not_required
@transaction.non_atomic_requests
@require_GET
def healthz(request):
    """For monitoring and load balancers, no sign-in, plain http allowed: 200 when the
    database, the cache, the broker and a worker (heartbeat within 3 minutes) all work,
    else 503; the JSON body says which. ``?only=database`` (comma-separated names)
    checks just those: a load balancer that should keep serving pages while Redis or
    the workers are down asks only for the database."""
    names = [name for name in request.GET.get("only", "").split(",") if name]
    unknown = sorted(set(names) - set(health.CHECKS))
    if unknown:
        return JsonResponse(
            {"error": f"unknown checks: {', '.join(unknown)}", "checks": list(health.CHECKS)}, status=400
        )
    checks = health.health_checks_run(names)
    healthy = all(check["ok"] for check in checks.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )
    response["Cache-Control"] = "no-store"
    return response
