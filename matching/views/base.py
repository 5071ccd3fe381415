"""What the matching pages share: the templates' folder, paging a list, a visible program."""

from django.core.paginator import Paginator

from programs.models import Program
from programs.permissions import program_or_404

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
    """The program of an HR matching page (behind ``hr_admin_required``): 404 if there is none."""
    return program_or_404(request, slug, "programs.manage_program")
