"""The permission predicates every app builds on (the ``rules`` library; each app's
``rules.py`` is loaded at start-up by ``rules.apps.AutodiscoverRulesConfig``).

``is_hr_admin``: the user is an HR admin. Apps combine it with their own predicates
(``programs/rules.py``, ``matching/rules.py``) and register the permissions there.
"""

import rules


@rules.predicate
def is_hr_admin(user) -> bool:
    """A signed-in HR admin (anonymous visitors and everyone else are not)."""
    return bool(user is not None and user.is_authenticated and user.is_hr_admin)
