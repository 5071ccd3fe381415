from django.utils.functional import SimpleLazyObject


def _navigation(user):
    from core.models import Notification
    from core.permissions import can
    from core.rules import is_hr_admin
    from programs.models import Enrollment

    roles = set(
        Enrollment.objects.filter(person__user=user)
        .exclude(status__in=[Enrollment.Status.DECLINED, Enrollment.Status.WITHDRAWN])
        .exclude(role="")  # invited, role not chosen yet: the invitation is on the home page
        .values_list("role", flat=True)
    )
    return {
        "is_hr_admin": is_hr_admin(user),
        # HR admins, and the owners of at least one program
        "is_program_owner": can(user, "programs.oversee_program"),
        "is_mentor": "mentor" in roles,
        "is_mentee": "mentee" in roles,
        "is_participant": bool(roles),
        "unread_count": Notification.objects.for_user(user).unread().count(),
    }


def navigation(request):
    """What the signed-in person can do, for the navigation bar (computed once, on use)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav": SimpleLazyObject(lambda: _navigation(user))}
