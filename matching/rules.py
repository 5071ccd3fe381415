"""Who may see a pairing (the ``rules`` library).

- ``matching.view_pairing``: open a pairing: HR admins and its two people (the same as
  ``Pairing.objects.visible_to``, which lists them).
"""

import rules

from core.rules import is_hr_admin


@rules.predicate
def is_pairing_member(user, pairing) -> bool:
    """The user is the pairing's mentor or its mentee."""
    if pairing is None or user is None or not user.is_authenticated:
        return False
    return user.pk in (pairing.mentor.person.user_id, pairing.mentee.person.user_id)


rules.add_perm("matching.view_pairing", is_hr_admin | is_pairing_member)
