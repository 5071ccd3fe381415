"""The attacker's test: write private notes, survey answers, self-identification and free
text (reasons, descriptions, goals) with a secret in them, then look for the secret anywhere
in the audit trail."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from matching.services import pairing_end
from people.services import self_identification_update
from programs.models import Role
from programs.services import setup
from sessions.services.held import private_note_save
from sessions.tests.factories import SessionFactory
from surveys.services import survey_response_submit
from surveys.tests.factories import SurveyFactory, SurveyQuestionFactory, open_round, participant

pytestmark = pytest.mark.django_db
SECRET = "zebra-7731-confidential"


def trail_text() -> str:
    rows = AuditEvent.objects.values_list(
        "actor_label", "action", "target_type", "target_label", "program_label", "details", "request_id"
    )
    return repr(list(rows))


def test_no_secret_written_anywhere_reaches_the_trail(hr_admin, hr_client, alice):
    # A private note, by one of the pair.
    session = SessionFactory(held=True)
    mentee_user = session.pairing.mentee.person.user
    private_note_save(session=session, user=mentee_user, body=f"My private worry: {SECRET}")

    # A free-text survey answer.
    survey = SurveyFactory(anonymous=False)
    question = SurveyQuestionFactory(survey=survey, kind="text", required=False)
    enrollment = participant(survey.program, role=Role.MENTEE, user=alice)
    _, (invitation,) = open_round(survey, [enrollment])
    survey_response_submit(invitation=invitation, answers={question.pk: f"Answer {SECRET}"})

    # Self-identification.
    self_identification_update(person=alice.person, data={"gender": f"self-described {SECRET}"})

    # HR's free text on recorded actions: a program's description, a pairing's end reason.
    program = session.pairing.program
    setup.program_update(program=program, user=hr_admin, description=f"About {SECRET}")
    pairing_end(pairing=session.pairing, user=hr_admin, reason=f"Because {SECRET}")

    # And the same through a page: the program form's description (a view, then the service).
    response = hr_client.get(reverse("audit:event_list"), {"who": SECRET})
    assert response.status_code == 200

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditEvent.Action.PROGRAM_CHANGED, AuditEvent.Action.PAIRING_ENDED} <= actions
    assert SECRET not in trail_text()


def test_record_refuses_free_text_in_details():
    from audit.services import record

    with pytest.raises(ValueError):
        record(action=AuditEvent.Action.PROGRAM_CHANGED, details={"note": "x" * 500})
    with pytest.raises(ValueError):
        record(action=AuditEvent.Action.PROGRAM_CHANGED, details={"note": "line one\nline two"})
    with pytest.raises(ValueError):
        record(action="made.up")
