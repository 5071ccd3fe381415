"""What matching does when the programs app below it reports a change (``programs/signals.py``,
sent inside the transaction of the change, so what is written here commits with it).
Connected in ``MatchingConfig.ready``."""

from django.dispatch import receiver

from matching import services
from people.models import User
from programs.models import Enrollment, Program
from programs.signals import enrollment_left, program_status_changed


@receiver(program_status_changed, dispatch_uid="matching.program_status_changed")
def pairings_follow_the_program(sender, *, program_id, to_status, **kwargs):
    """Confirmed pairings start when the program runs; live ones complete when it closes."""
    if to_status not in (Program.Status.RUNNING, Program.Status.CLOSED):
        return
    program = Program.objects.get(pk=program_id)
    if to_status == Program.Status.RUNNING:
        services.program_pairings_activate(program=program)
    else:
        services.program_pairings_complete(program=program)


@receiver(enrollment_left, dispatch_uid="matching.enrollment_left")
def pairings_end_with_the_enrollment(sender, *, enrollment_id, user_id, reason, **kwargs):
    """Someone who no longer takes part can't stay paired: their partner goes back to the pool."""
    enrollment = Enrollment.objects.select_related("person__user").get(pk=enrollment_id)
    user = User.objects.get(pk=user_id) if user_id else None
    services.enrollment_pairings_end(enrollment=enrollment, user=user, reason=reason)
