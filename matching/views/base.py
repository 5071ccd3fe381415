"""What the matching pages share: the templates' folder, paging a list, a visible program."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404

from programs.models import Program

TEMPLATES = "matching/"


def _page(queryset, per_page: int, number):
    """Page ``number`` of ``queryset`` in two steps: a narrow query sorts and slices the ids
    (with only the joins its order needs), then the page's rows are loaded with everything
    they show, in that order. In one query PostgreSQL joins the people (and reads the JSON)
    of every row of the list before it sorts them."""
    page = Paginator(queryset.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    rows = queryset.order_by().in_bulk(ids)
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


def _program(request, slug) -> Program:
    return get_object_or_404(Program.objects.visible_to(request.user), slug=slug)
