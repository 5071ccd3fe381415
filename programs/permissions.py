"""A program for a view, if the user may have it (the permissions of ``programs/rules.py``)."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from core.permissions import can
from programs.models import Program


def program_or_404(
    request,
    slug: str,
    perm: str,
    *,
    queryset: QuerySet[Program] | None = None,
    message: str = "Only HR admins can open this page.",
) -> Program:
    """The program with this slug if the rules grant the user ``perm`` on it.

    A program not in ``queryset`` (every program by default; pass the ones the user may see
    to keep the others unconfirmed) is a 404; a program found but not granted is a 403
    with ``message``.
    """
    program = get_object_or_404(Program.objects.all() if queryset is None else queryset, slug=slug)
    if not can(request.user, perm, program):
        raise PermissionDenied(message)
    return program
