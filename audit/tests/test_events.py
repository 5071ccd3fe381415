"""Each recorded action: exactly one event, with the right actor, target and program,
driven through the real services (and views, for exports and sign-ins)."""

import pytest
from django.apps import apps
from django.urls import reverse

from audit.models import AuditEvent
from matching import services as matching_services
from matching.models import Pairing, PairOverride
from matching.tests.factories import MatchRunFactory, PairingFactory, matching_program, mentee, mentor
from people import importing
from people.roles import hr_admin_grant, hr_admin_revoke
from people.tests.factories import MemberFactory, import_csv, import_row
from programs.models import Enrollment, Program
from programs.services import approval, enrollment, setup
from programs.tests.factories import EnrollmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action


def only(action) -> AuditEvent:
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, [str(e) for e in events]
    return events[0]


def assert_event(action, *, actor, target=None, program=None) -> AuditEvent:
    event = only(action)
    assert event.actor == actor
    if actor is not None:
        assert event.actor_label == f"{actor.get_full_name()} <{actor.email}>"
    if target is not None:
        assert (event.target_type, event.target_id) == (target._meta.label_lower, target.pk)
    if program is not None:
        assert (event.program_id, event.program_label) == (program.pk, program.name)
    return event


# --- Programs -----------------------------------------------------------------------------


def test_program_created_changed_and_moved(hr_admin):
    program = setup.program_create(
        user=hr_admin,
        name="Leadership Circle",
        description="Grow leaders.",
        objectives=["leadership"],
        start_date=ProgramFactory.start_date,
        end_date=ProgramFactory.end_date,
    )
    assert_event(Action.PROGRAM_CREATED, actor=hr_admin, target=program, program=program)

    setup.program_update(program=program, user=hr_admin, cadence_days=21)
    event = assert_event(Action.PROGRAM_CHANGED, actor=hr_admin, target=program, program=program)
    assert event.details == {"fields": ["cadence_days"]}
    setup.program_update(program=program, user=hr_admin, cadence_days=21)  # nothing changed: no event
    assert AuditEvent.objects.filter(action=Action.PROGRAM_CHANGED).count() == 1

    program.mentor_expectations = program.mentee_expectations = "Be kind."
    program.allow_mentors = program.allow_mentees = True
    program.save()
    setup.program_transition(program=program, to_status=Program.Status.ENROLLING, user=hr_admin)
    event = assert_event(Action.PROGRAM_STATUS_CHANGED, actor=hr_admin, target=program, program=program)
    assert event.details == {"from": "draft", "to": "enrolling"}


def test_program_clone_is_a_creation(hr_admin):
    program = ProgramFactory()
    clone = setup.program_clone(
        program=program, name="Next cohort", start_date=program.start_date, end_date=program.end_date, user=hr_admin
    )
    event = assert_event(Action.PROGRAM_CREATED, actor=hr_admin, target=clone, program=clone)
    assert event.details == {"cloned_from": program.pk}


# --- Enrollment ---------------------------------------------------------------------------


def applicant(program, email, **kwargs):
    user = MemberFactory(email=email, first_name="Ann", last_name="Lee")
    return EnrollmentFactory(program=program, person=user.person, status=Enrollment.Status.APPLIED, **kwargs)


def test_enrollment_approved_declined_and_waitlisted(hr_admin):
    program = ProgramFactory(max_mentees=1)
    first, second, third = (applicant(program, f"a{n}@example.com") for n in range(3))
    approval.enrollment_approve(enrollment=first, decided_by=hr_admin)
    event = assert_event(Action.ENROLLMENT_APPROVED, actor=hr_admin, target=first, program=program)
    assert event.target_label == "Ann Lee"
    assert event.details == {"from": "applied", "to": "approved", "role": "mentee"}
    approval.enrollment_approve(enrollment=second, decided_by=hr_admin)
    assert_event(Action.ENROLLMENT_WAITLISTED, actor=hr_admin, target=second, program=program)
    approval.enrollment_decline(enrollment=third, decided_by=hr_admin)
    assert_event(Action.ENROLLMENT_DECLINED, actor=hr_admin, target=third, program=program)


def test_bulk_decisions_record_one_event_per_person(hr_admin):
    program = ProgramFactory()
    people = [applicant(program, f"b{n}@example.com") for n in range(3)]
    approval.enrollments_decide(
        program=program, enrollment_ids=[e.pk for e in people], decision="approve", decided_by=hr_admin
    )
    events = AuditEvent.objects.filter(action=Action.ENROLLMENT_APPROVED)
    assert sorted(events.values_list("target_id", flat=True)) == sorted(e.pk for e in people)


def test_withdrawal_is_the_participants_own(alice):
    program = ProgramFactory()
    mine = EnrollmentFactory(program=program, person=alice.person)
    enrollment.enrollment_withdraw(enrollment=mine)
    assert_event(Action.ENROLLMENT_WITHDRAWN, actor=alice, target=mine, program=program)


# --- Matching -----------------------------------------------------------------------------


def test_criteria_changed_names_the_fields(hr_admin):
    program = matching_program()
    criteria = matching_services.matching_criteria_get_or_create(program=program)
    matching_services.matching_criteria_update(criteria=criteria, user=hr_admin, weight_location=2.0)
    event = assert_event(Action.CRITERIA_CHANGED, actor=hr_admin, target=criteria, program=program)
    assert event.details == {"fields": ["weight_location"]}


def test_match_run_started_and_published(hr_admin, django_capture_on_commit_callbacks):
    program = matching_program()
    mentor(program)
    mentee(program)
    run = matching_services.match_run_start(program=program, user=hr_admin)
    assert_event(Action.MATCH_RUN_STARTED, actor=hr_admin, target=run, program=program)
    done = MatchRunFactory(program=program)
    result = matching_services.match_run_publish(run=done, user=hr_admin)
    event = assert_event(Action.MATCH_RUN_PUBLISHED, actor=hr_admin, target=done, program=program)
    assert event.details == {"created": len(result.created), "skipped": len(result.skipped)}


def test_locks_and_excludes_set_and_removed(hr_admin):
    program = matching_program()
    a_mentee, a_mentor = mentee(program), mentor(program)
    override = matching_services.pair_override_set(
        program=program, mentee=a_mentee, mentor=a_mentor, kind=PairOverride.Kind.EXCLUDE, user=hr_admin
    )
    event = assert_event(Action.OVERRIDE_SET, actor=hr_admin, target=override, program=program)
    assert event.details == {"kind": "exclude", "mentee": a_mentee.pk, "mentor": a_mentor.pk}
    assert event.target_label == f"{a_mentee.person} with {a_mentor.person}"
    override_id = override.pk
    matching_services.pair_override_delete(override=override, user=hr_admin)
    event = assert_event(Action.OVERRIDE_REMOVED, actor=hr_admin, program=program)
    assert (event.target_type, event.target_id) == ("matching.pairoverride", override_id)


def test_pairing_ended(hr_admin):
    pairing = PairingFactory(active=True, program=ProgramFactory(running=True))
    matching_services.pairing_end(pairing=pairing, user=hr_admin, reason="They asked to stop.")
    event = assert_event(Action.PAIRING_ENDED, actor=hr_admin, target=pairing, program=pairing.program)
    assert event.details == {"mentee": pairing.mentee_id, "mentor": pairing.mentor_id}
    assert Pairing.objects.get(pk=pairing.pk).status == Pairing.Status.ENDED


# --- People -------------------------------------------------------------------------------


def test_hr_role_granted_and_revoked(hr_admin, alice):
    hr_admin_grant(person=alice.person, by=hr_admin)
    event = assert_event(Action.HR_ROLE_GRANTED, actor=hr_admin, target=alice)
    assert event.target_label == "Alice Adams <alice@example.com>"
    hr_admin_revoke(user=alice, by=hr_admin)
    assert_event(Action.HR_ROLE_REVOKED, actor=hr_admin, target=alice)


def test_people_imported_records_counts_only(hr_admin, django_capture_on_commit_callbacks):
    text = import_csv(import_row("new.person@example.com"), import_row("other.person@example.com"))
    with django_capture_on_commit_callbacks(execute=True):
        job = importing.people_import_job_create(text=text, file_name="hr.csv", user=hr_admin)
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert importing.people_import_job_queue(job=job)
    job.refresh_from_db()
    assert job.status == job.Status.DONE, job.message
    event = assert_event(Action.PEOPLE_IMPORTED, actor=hr_admin, target=job)
    assert event.details == {"created": 2, "updated": 0, "unchanged": 0}
    assert "new.person" not in str(event.__dict__)


# --- Exports ------------------------------------------------------------------------------


def test_import_errors_download_is_recorded(hr_client, hr_admin):
    job = importing.people_import_job_create(
        text=import_csv(import_row("x@example.com")), file_name="a.csv", user=hr_admin
    )
    response = hr_client.get(reverse("people:import_errors_csv", args=[job.pk]))
    assert response.status_code == 200
    event = assert_event(Action.EXPORT_DOWNLOADED, actor=hr_admin, target=job)
    assert event.details == {"file": f"import-{job.pk}-errors.csv"}
    assert event.ip_address == "127.0.0.1"
    assert event.request_id


def test_dashboard_exports_are_recorded(hr_client, hr_admin):
    program = ProgramFactory(running=True, name="Circle")
    assert hr_client.get(reverse("evaluation:overview_export")).status_code == 200
    event = assert_event(Action.EXPORT_DOWNLOADED, actor=hr_admin)
    assert event.details["file"].startswith("programs-overview-")
    AuditEvent.objects.all().delete()
    response = hr_client.get(reverse("evaluation:program_export", args=[program.slug, "funnel"]))
    assert response.status_code == 200
    event = assert_event(Action.EXPORT_DOWNLOADED, actor=hr_admin, program=program)
    assert event.details["table"] == "funnel"


def test_survey_results_download_is_recorded(client, owner):
    from surveys.tests.factories import SurveyFactory

    survey = SurveyFactory(anonymous=False)
    survey.program.owners.add(owner)
    client.force_login(owner)
    response = client.get(reverse("surveys:survey_results_csv", args=[survey.pk]))
    assert response.status_code == 200
    assert_event(Action.EXPORT_DOWNLOADED, actor=owner, target=survey, program=survey.program)


# --- Sign-in ------------------------------------------------------------------------------


def test_sign_in_and_failed_sign_in(client, alice):
    alice.set_password("right-Password-123")
    alice.save()
    response = client.post(reverse("account_login"), {"login": "alice@example.com", "password": "wrong-one-987"})
    assert response.status_code == 200
    event = assert_event(Action.SIGN_IN_FAILED, actor=None, target=alice)
    assert event.target_label == "alice@example.com"
    assert "wrong-one-987" not in str(event.__dict__)

    response = client.post(reverse("account_login"), {"login": "alice@example.com", "password": "right-Password-123"})
    assert response.status_code == 302
    event = assert_event(Action.SIGNED_IN, actor=alice)
    assert event.ip_address == "127.0.0.1"


def test_failed_sign_in_with_an_unknown_email_keeps_no_email(client, db):
    client.post(reverse("account_login"), {"login": "nobody@example.com", "password": "guess-123456"})
    event = only(Action.SIGN_IN_FAILED)
    assert event.target_id is None and event.target_label == ""
    assert "nobody" not in str(event.__dict__) and "guess" not in str(event.__dict__)


needs_mfa = pytest.mark.skipif(not apps.is_installed("allauth.mfa"), reason="allauth.mfa is not installed")


@needs_mfa
def test_second_factor_refused_then_signed_in(client, hr_admin):
    from people.tests.mfa import totp_code

    hr_admin.set_password("right-Password-123")
    hr_admin.save()
    response = client.post(reverse("account_login"), {"login": hr_admin.email, "password": "right-Password-123"})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=Action.SIGNED_IN).exists()  # not yet: the second factor
    wrong = "000000" if totp_code(hr_admin) != "000000" else "111111"
    client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert_event(Action.MFA_FAILED, actor=hr_admin)
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code(hr_admin)}).status_code == 302
    assert_event(Action.SIGNED_IN, actor=hr_admin)


@needs_mfa
def test_second_factor_added_and_removed_are_recorded(alice, rf):
    from allauth.mfa import signals

    from people.tests.mfa import totp_enrol

    authenticator = totp_enrol(alice)
    signals.authenticator_added.send(
        sender=type(authenticator), request=rf.get("/"), user=alice, authenticator=authenticator
    )
    event = assert_event(Action.MFA_ADDED, actor=alice)
    assert event.details == {"type": "totp"}
    signals.authenticator_removed.send(
        sender=type(authenticator), request=None, user=alice, authenticator=authenticator
    )
    assert_event(Action.MFA_REMOVED, actor=alice)
