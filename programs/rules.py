"""Who may do what with a program (the ``rules`` library; asked through ``programs.permissions``).

- ``programs.manage_program``: set up and change a program, invite and decide on
  participants: HR admins.
- ``programs.oversee_program``: read a program's participants, applications and figures:
  HR admins and the program's owners.
"""

import rules

from core.rules import is_hr_admin
from programs.models import Program


@rules.predicate
def is_program_owner(user, program) -> bool:
    """The user is one of ``program``'s owners. Without a program: they own at least one
    (for the navigation: "the programs you own")."""
    if user is None or not user.is_authenticated:
        return False
    if program is None:
        return Program.objects.filter(owners=user).exists()
    return program.owners.filter(pk=user.pk).exists()


rules.add_perm("programs.manage_program", is_hr_admin)
rules.add_perm("programs.oversee_program", is_hr_admin | is_program_owner)
