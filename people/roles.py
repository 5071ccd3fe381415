"""The HR admin role: who holds it, and granting and revoking it in the product.

Rules (``check_hr_admin_revoke`` says which one applies):
- The role goes to a current employee's active account (a person who has signed up).
- There is always at least one active HR admin: the last one cannot be revoked,
  not even by themselves.
- Revoking your own role needs an explicit "I understand" (``own=True``), so that
  nobody locks themselves out by a slip of the mouse.
Every change is logged (user ids only) and the person is told by a notification.
"""

import logging
import uuid

from django.db import transaction
from django.db.models import QuerySet

from audit import services as audit
from audit.models import AuditEvent
from core.errors import ServiceError
from core.models import Notification
from core.notifications import notification_send
from people.models import Person, User

logger = logging.getLogger(__name__)


class HrAdminRoleError(ServiceError):
    """A grant or revoke the rules refuse; the message says why, for the person who tried."""


def _active_hr_admins() -> QuerySet[User]:
    return User.objects.filter(is_hr_admin=True, is_active=True)


def hr_admins() -> QuerySet[User]:
    """Active accounts holding the HR admin role, with their directory entry if any."""
    return _active_hr_admins().select_related("person__department").order_by("email")


def check_hr_admin_grant(*, person: Person) -> str | None:
    """Why ``person`` cannot be made an HR admin, or None if they can."""
    if person.user_id is None:
        return f"{person.full_name} has no account yet. They can be made an HR admin once they have signed up."
    if person.termination_date is not None:
        return f"{person.full_name} has left the company."
    if not person.user.is_active:
        return f"{person.full_name}'s account is deactivated."
    if person.user.is_hr_admin:
        return f"{person.full_name} is already an HR admin."
    return None


def check_hr_admin_revoke(*, user: User, by: User, admin_ids: list[int] | None = None) -> str | None:
    """Why ``by`` cannot take the HR admin role from ``user``, or None if they can.

    ``admin_ids`` are the active HR admins (read, and locked, by the caller when it
    is about to write); read here otherwise.
    """
    if admin_ids is None:
        admin_ids = list(_active_hr_admins().values_list("pk", flat=True))
    if by.pk not in admin_ids:
        return "You are no longer an HR admin."
    if user.pk not in admin_ids:
        return f"{user} is not an HR admin."
    if len(admin_ids) == 1:
        return last_hr_admin_message(user)
    return None


def last_hr_admin_message(user: User) -> str:
    return f"{user} is the only HR admin. Make someone else an HR admin first."


def is_last_hr_admin(user: User) -> bool:
    """Whether ``user`` is the one active HR admin (for the Django admin's own check)."""
    return user.is_hr_admin and user.is_active and not _active_hr_admins().exclude(pk=user.pk).exists()


def hr_admin_grant(*, person: Person, by: User) -> User:
    """Make ``person``'s account an HR admin; they are told. Raises ``HrAdminRoleError``."""
    problem = check_hr_admin_grant(person=person)
    if problem:
        raise HrAdminRoleError(problem)
    user = person.user
    # Conditional update: a double submit (or two HR admins at once) grants, and tells, once.
    if not User.objects.filter(pk=user.pk, is_hr_admin=False, is_active=True).update(is_hr_admin=True):
        raise HrAdminRoleError(f"{person.full_name} is already an HR admin.")
    user.is_hr_admin = True
    audit.record(action=AuditEvent.Action.HR_ROLE_GRANTED, actor=by, target=user, target_label=audit.actor_label(user))
    logger.info("HR admin role granted to user %s by user %s", user.pk, by.pk)
    _tell(
        user,
        kind=Notification.Kind.HR_ADMIN_GRANTED,
        title="You are now an HR admin",
        body=f"{by} made you an HR admin: you can now set up programs, import people, run matching "
        "and see every program. People and Programs are in the menu.",
        url="/",
    )
    return user


@transaction.atomic
def hr_admin_revoke(*, user: User, by: User, own: bool = False) -> User:
    """Take the HR admin role from ``user``; they are told. Raises ``HrAdminRoleError``.

    Revoking your own role needs ``own=True`` (the "I understand" box).
    """
    # Lock every HR admin row: two admins revoking each other at the same moment are
    # served one after the other, and the second sees that only one admin is left.
    admin_ids = list(_active_hr_admins().select_for_update().order_by("pk").values_list("pk", flat=True))
    problem = check_hr_admin_revoke(user=user, by=by, admin_ids=admin_ids)
    if problem:
        raise HrAdminRoleError(problem)
    if user.pk == by.pk and not own:
        raise HrAdminRoleError("Tick the box to confirm that you are giving up your own HR admin role.")
    User.objects.filter(pk=user.pk).update(is_hr_admin=False)
    user.is_hr_admin = False
    audit.record(action=AuditEvent.Action.HR_ROLE_REVOKED, actor=by, target=user, target_label=audit.actor_label(user))
    logger.info("HR admin role revoked from user %s by user %s", user.pk, by.pk)
    who = "You" if user.pk == by.pk else str(by)
    _tell(
        user,
        kind=Notification.Kind.HR_ADMIN_REVOKED,
        title="You are no longer an HR admin",
        body=f"{who} removed your HR admin role. Your own mentoring, if any, is unchanged.",
        url="/",
    )
    return user


def _tell(user: User, *, kind: str, title: str, body: str, url: str) -> None:
    # Each grant or revoke is its own event: a later change must be told again.
    notification_send(
        recipient=user, kind=kind, title=title, body=body, url=url, key=f"{kind}:{user.pk}:{uuid.uuid4()}"
    )
