from django import template
from django.utils.html import format_html

from matching.pool import CRITERION_LABELS
from matching.selectors import explanation_rows

register = template.Library()

PAIRING_BADGES = {
    "proposed": "text-bg-warning",
    "accepted": "text-bg-info",
    "active": "text-bg-success",
    "completed": "text-bg-secondary",
    "declined": "text-bg-light border",
    "ended": "text-bg-dark",
}
RUN_BADGES = {
    "queued": "text-bg-secondary",
    "running": "text-bg-primary",
    "done": "text-bg-success",
    "failed": "text-bg-danger",
    "published": "text-bg-dark",
}
REQUEST_BADGES = {
    "pending": "text-bg-warning",
    "accepted": "text-bg-success",
    "declined": "text-bg-light border",
    "expired": "text-bg-secondary",
    "withdrawn": "text-bg-light border",
}


@register.inclusion_tag("matching/_explanation.html")
def match_explanation(explanation, max_points=None, score=None):
    """A score's breakdown: one bar per criterion, points adding up to the score."""
    return {"rows": explanation_rows(explanation, max_points), "score": score}


@register.inclusion_tag("matching/_badge.html")
def pairing_badge(pairing):
    return {"label": pairing.get_status_display(), "css": PAIRING_BADGES.get(pairing.status, "text-bg-light")}


@register.inclusion_tag("matching/_badge.html")
def run_badge(run):
    return {
        "label": run.get_status_display(),
        "css": RUN_BADGES.get(run.status, "text-bg-light"),
        "testid": "run-status",
    }


@register.inclusion_tag("matching/_badge.html")
def request_badge(mentorship_request):
    return {
        "label": mentorship_request.get_status_display(),
        "css": REQUEST_BADGES.get(mentorship_request.status, "text-bg-light"),
    }


@register.filter
def percent(rate):
    """A Rate as "80% 8/10", or an em dash."""
    if rate is None or rate.percent is None:
        return "—"
    return format_html(
        '<span class="text-nowrap">{}% <small class="text-body-secondary">{}/{}</small></span>',
        f"{rate.percent:g}",
        rate.matched,
        rate.total,
    )


@register.filter
def top_parts(explanation, count=3):
    """The criteria that gave the most points, as "Skills 24.0 · Goals 12.5"."""
    parts = sorted((explanation or {}).items(), key=lambda item: -float(item[1]))[: int(count)]
    return " · ".join(f"{CRITERION_LABELS.get(name, name)} {float(points):.1f}" for name, points in parts if points)
