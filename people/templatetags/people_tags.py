from django import template

register = template.Library()

# History keeps its rows when an account is deleted (the foreign key becomes NULL),
# so every page that names who did something says this instead of failing.
FORMER_ACCOUNT = "someone who has left"


@register.filter
def account_name(user) -> str:
    """The account's name (or email), or FORMER_ACCOUNT when there is no account any more."""
    if user is None:
        return FORMER_ACCOUNT
    return str(user)
