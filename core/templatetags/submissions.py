from django import template
from django.utils.html import format_html

from core.submissions import TOKEN_FIELD, submission_token_new

register = template.Library()


@register.simple_tag
def submission_token():
    """A hidden one-time token: the view decorated with ``submit_once`` handles the form once."""
    return format_html('<input type="hidden" name="{}" value="{}">', TOKEN_FIELD, submission_token_new())
