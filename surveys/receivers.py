"""What surveys does when an app below it reports an event that opens a survey round
(``sessions/signals.py``, ``matching/signals.py``; sent inside the transaction of the event,
so the round commits with it and its invitations go out after). Connected in
``SurveysConfig.ready``."""

from django.dispatch import receiver

from matching.signals import pairing_ended
from sessions.signals import session_logged
from surveys import services


@receiver(session_logged, dispatch_uid="surveys.session_logged")
def pulse_after_a_session(sender, *, session_id, pairing_id, **kwargs):
    services.surveys_on_session_held(session_id=session_id, pairing_id=pairing_id)


@receiver(pairing_ended, dispatch_uid="surveys.pairing_ended")
def exit_survey_after_an_early_end(sender, *, pairing_id, **kwargs):
    services.surveys_on_pairing_ended(pairing_id=pairing_id)
