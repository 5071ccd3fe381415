from django import template

from surveys import selectors

register = template.Library()

STATUS_BADGES = {"draft": "text-bg-secondary", "active": "text-bg-success", "paused": "text-bg-warning"}


@register.simple_tag
def surveys_pending(user):
    """``{% surveys_pending user as pending %}``: the user's unanswered open survey invitations."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(selectors.surveys_pending_for(user=user))


@register.inclusion_tag("surveys/_status_badge.html")
def survey_status_badge(survey):
    return {"label": survey.get_status_display(), "css": STATUS_BADGES.get(survey.status, "text-bg-light")}
