from django.shortcuts import render

from core import notifications
from core.models import Notification
from core.rules import is_hr_admin
from programs.models import Enrollment, Program
from programs.services.enrollment import ACTIVE_STATUSES, enrollment_next_steps
from programs.services.training import enrollments_annotate_training


def home(request):
    """Each person's start page: what they can do, by role.

    Participants see their programs with next steps, pending invitations and
    programs open for sign-up; owners and HR admins also see their programs.
    """
    user = request.user
    hr = is_hr_admin(user)
    mine = Enrollment.objects.filter(person__user=user).select_related("program")
    enrollments = list(
        enrollments_annotate_training(queryset=mine.filter(status__in=ACTIVE_STATUSES)).order_by(
            "-program__start_date", "program__name"
        )
    )
    for enrollment in enrollments:
        enrollment.next_steps = enrollment_next_steps(enrollment=enrollment)
    taken = Enrollment.objects.filter(person__user=user).exclude(status=Enrollment.Status.WITHDRAWN).values("program")
    context = {
        "enrollments": enrollments,
        "invitations": mine.filter(status=Enrollment.Status.INVITED, program__status=Program.Status.ENROLLING)
        .select_related("invited_by")
        .order_by("-invited_at"),
        "open_programs": Program.objects.filter(status=Program.Status.ENROLLING, open_signup=True)
        .exclude(pk__in=taken)
        .order_by("start_date", "name"),
        "owned_programs": Program.objects.filter(owners=user) if not hr else Program.objects.none(),
        "all_programs": Program.objects.all() if hr else Program.objects.none(),
        "recent_notifications": Notification.objects.for_user(user)[:5],
        "failed_email_count": notifications.notification_emails_failed().count() if hr else 0,
    }
    return render(request, "portal/home.html", context)
