from django import template

from programs.markdown import markdown_render

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """``{{ module.body|markdown }}``: Markdown rendered to sanitised HTML."""
    return markdown_render(text or "")


STATUS_BADGES = {
    "draft": "text-bg-secondary",
    "enrolling": "text-bg-primary",
    "matching": "text-bg-warning",
    "running": "text-bg-success",
    "closed": "text-bg-dark",
}


@register.inclusion_tag("programs/setup/_status_badge.html")
def program_status_badge(program):
    """The program's status as a coloured badge."""
    return {"label": program.get_status_display(), "css": STATUS_BADGES.get(program.status, "text-bg-light")}
