"""What surveys does when an app below it reports an event that opens a survey round
(``sessions/signals.py``, ``matching/signals.py``; sent inside the transaction of the event,
so the round commits with it and its invitations go out after), and when an enrollment is
deleted (its part of the running totals, ``surveys.tallies``). Connected in
``SurveysConfig.ready``."""

from django.db.models import QuerySet
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from matching.signals import pairing_ended
from programs.models import Enrollment, Program
from sessions.signals import session_logged
from surveys import services, tallies


@receiver(session_logged, dispatch_uid="surveys.session_logged")
def pulse_after_a_session(sender, *, session_id, pairing_id, **kwargs):
    services.surveys_on_session_held(session_id=session_id, pairing_id=pairing_id)


@receiver(pairing_ended, dispatch_uid="surveys.pairing_ended")
def exit_survey_after_an_early_end(sender, *, pairing_id, **kwargs):
    services.surveys_on_pairing_ended(pairing_id=pairing_id)


@receiver(pre_delete, sender=Enrollment, dispatch_uid="surveys.enrollment_deleted")
def tallies_without_a_deleted_enrollment(sender, instance, origin=None, **kwargs):
    """An enrollment (or its person) is being deleted, with its invitations and attributed
    answers: take them off the running totals first. Not when its whole program goes
    (the surveys and their totals go too)."""
    if isinstance(origin, Program) or isinstance(origin, QuerySet) and origin.model is Program:
        return
    tallies.enrollment_removed(enrollment_id=instance.pk)
