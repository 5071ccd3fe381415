"""HR's "Erase person": refusals, the live pairing, nothing left holding the name or the
email (every text column of every table, read with raw SQL), figures unchanged."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse

from core.models import Notification
from core.submissions import submission_token_new
from datarights import services
from datarights.models import Erasure
from matching.models import Pairing
from people.models import Person, SelfIdentification
from people.tests.factories import UserFactory
from programs.models import Enrollment
from sessions.models import PrivateNote
from surveys.models import SurveyAnswer, SurveyAnswerTally, SurveyResponse, SurveyTally

from .conftest import EMAIL, NAME, OTHER_EMAIL, member

pytestmark = pytest.mark.django_db


def columns_holding(*needles) -> list[str]:
    """Every table.column whose text holds one of ``needles`` (case-insensitive), by raw SQL."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                cast = f"CAST({quote(column.name)} AS TEXT)"
                for needle in needles:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {quote(table)} WHERE LOWER({cast}) LIKE %s",  # noqa: S608
                        [f"%{needle.lower()}%"],
                    )
                    if cursor.fetchone()[0]:
                        found.append(f"{table}.{column.name}: {needle}")
    return found


def erase_url(person):
    return reverse("datarights:person_erase", args=[person.pk])


def test_the_scan_sees_the_person_before_erasure(world):
    found = columns_holding(NAME, EMAIL, OTHER_EMAIL)
    assert any(item.startswith("people_person.email") for item in found)
    assert any(item.startswith("mentorship_notification.title") for item in found)


def test_refuses_while_they_are_in_a_live_pairing(hr_client, world):
    page = hr_client.get(erase_url(world.person)).content.decode()
    assert 'data-testid="erase-live-pairings"' in page
    response = hr_client.post(erase_url(world.person), {"confirm": "on"})
    assert response.status_code == 200
    assert "live pairing" in response.content.decode()
    assert not Erasure.objects.exists()
    assert Person.objects.get(pk=world.person.pk).email == EMAIL
    with pytest.raises(services.ErasureError):
        services.person_erase(person=world.person, by=None)


def test_erasure_with_ending_the_pairings_leaves_nothing_holding_the_name_or_email(
    hr_client, hr_admin, world, django_capture_on_commit_callbacks
):
    client_of_person = hr_client.__class__()
    client_of_person.force_login(world.user)
    assert Session.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(erase_url(world.person), {"confirm": "on", "end_pairings": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("people:person_detail", args=[world.person.pk])

    # The pairing ended through matching: the partner was told.
    pairing = Pairing.objects.get(pk=world.pairing.pk)
    assert pairing.status == Pairing.Status.ENDED and pairing.ended_by == hr_admin
    told = Notification.objects.filter(recipient=world.partner, kind=Notification.Kind.PAIRING_ENDED).get()
    assert "Erased person" in told.title

    assert columns_holding(NAME, EMAIL, OTHER_EMAIL) == []
    person = Person.objects.get(pk=world.person.pk)
    assert person.full_name == f"Erased person #{person.pk}"
    assert person.email.endswith("@erased.invalid")
    assert (person.title, person.manager, person.location, person.languages.count()) == ("", None, None, 0)
    user = person.user
    assert not user.is_active and not user.has_usable_password() and user.get_full_name() == ""
    assert not EmailAddress.objects.filter(user=user).exists()
    assert (
        Session.objects.filter(
            pk__in=[s.pk for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk)]
        ).count()
        == 0
    )
    assert Session.objects.count() == 1  # HR's own stays
    assert not PrivateNote.objects.filter(author=user).exists()
    assert PrivateNote.objects.filter(author=world.partner).get().body == "Pat's private thought"
    assert not SelfIdentification.objects.filter(person=person).exists()
    assert not Notification.objects.filter(recipient=user).exists()
    enrollment = Enrollment.objects.get(person=person)
    assert enrollment.goals_text == services.ERASED
    assert list(enrollment.answers.values()) == [services.ERASED]
    assert SurveyAnswer.objects.filter(text=services.ERASED).count() == 1
    assert SurveyAnswer.objects.filter(text="Pat's words").count() == 1  # the partner's words stay

    # The person's page says so, without the button.
    page = hr_client.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    assert 'data-testid="person-erased"' in page and 'data-testid="person-erase"' not in page
    # And their old session no longer signs anyone in.
    assert client_of_person.get(reverse("datarights:my_data")).status_code == 302


def test_a_double_submit_erases_once(hr_client, world):
    token = submission_token_new()
    data = {"confirm": "on", "end_pairings": "on", "submission_token": token}
    first = hr_client.post(erase_url(world.person), data)
    second = hr_client.post(erase_url(world.person), data)
    third = hr_client.post(erase_url(world.person), {"confirm": "on", "end_pairings": "on"})  # a new tab
    assert first.status_code == second.status_code == third.status_code == 302
    assert Erasure.objects.count() == 1
    assert 'data-testid="person-erased"' in hr_client.get(erase_url(world.person)).content.decode()


def test_figures_are_the_same_before_and_after(hr_client, hr_admin, world):
    """A pairing that is over (nothing to end): the dashboard, its snapshot, the survey's
    results and running totals read the same numbers after the erasure."""
    from evaluation.models import ProgramSnapshot
    from evaluation.services import program_evaluate

    Pairing.objects.filter(pk=world.pairing.pk).update(status=Pairing.Status.COMPLETED)
    program_evaluate(program=world.program)
    survey = world.survey
    results_url = reverse("surveys:survey_results", args=[survey.pk])
    dashboard_url = reverse("evaluation:program", args=[world.program.slug])

    def figures():
        return (
            list(SurveyTally.objects.filter(survey=survey).values()),
            sorted(SurveyAnswerTally.objects.filter(survey=survey).values_list("question_id", "choice", "n")),
            SurveyResponse.objects.filter(survey=survey).count(),
            list(ProgramSnapshot.objects.values()),
        )

    def numbers(url):
        response = hr_client.get(url)
        assert response.status_code == 200
        html = re.sub(r"<script.*?</script>", "", response.content.decode(), flags=re.S)
        return re.findall(r">\s*(\d+(?:[.,]\d+)?%?)\s*<", html)

    before = figures(), numbers(results_url), numbers(dashboard_url)
    services.person_erase(person=world.person, by=hr_admin)
    after = figures(), numbers(results_url), numbers(dashboard_url)
    assert after == before
    assert before[2], "the dashboard shows numbers"
    results = hr_client.get(results_url).content.decode()
    assert NAME not in results and f"Erased person #{world.person.pk}" in results


def test_refuses_hr_admins_and_oneself(hr_client, hr_admin, db):
    colleague = member("hr.two@example.com", "Harriet", "Two")
    colleague.is_hr_admin = True
    colleague.save()
    response = hr_client.post(erase_url(colleague.person), {"confirm": "on"})
    assert "HR admin" in response.content.decode()
    response = hr_client.post(erase_url(hr_admin.person), {"confirm": "on"})
    assert response.status_code == 200
    assert not Erasure.objects.exists()


def test_the_confirmation_box_is_required(hr_client, db):
    someone = member("some.one@example.com", "Some", "One")
    response = hr_client.post(erase_url(someone.person), {})
    assert response.status_code == 200 and "Tick this box" in response.content.decode()
    assert not Erasure.objects.exists()


def test_a_person_without_an_account_is_erased_too(hr_client, db):
    from people.tests.factories import PersonFactory

    person = PersonFactory(email="no.account@example.com", first_name="Nolan", last_name="Accountless")
    assert hr_client.post(erase_url(person), {"confirm": "on"}).status_code == 302
    assert columns_holding("no.account@example.com", "Nolan Accountless") == []


@pytest.mark.parametrize("who", ["participant", "owner", "partner"])
def test_only_hr_admins_may_erase_or_see_the_data_requests(client, world, owner, who):
    world.program.owners.add(owner)
    user = {"participant": UserFactory(), "owner": owner, "partner": world.partner}[who]
    client.force_login(user)
    assert client.get(erase_url(world.person)).status_code == 403
    assert client.post(erase_url(world.person), {"confirm": "on", "end_pairings": "on"}).status_code == 403
    assert client.get(reverse("datarights:data_requests")).status_code == 403
    assert not Erasure.objects.exists()


def test_the_person_cannot_erase_themselves(client, world):
    client.force_login(world.user)
    assert client.post(erase_url(world.person), {"confirm": "on", "end_pairings": "on"}).status_code == 403


def test_bad_ids_never_500(hr_client, db):
    for url in ("/my-data/erase/0/", "/my-data/erase/99999999999999999999/", "/my-data/erase/x/"):
        assert hr_client.get(url).status_code == 404
        assert hr_client.post(url, {"confirm": "on"}).status_code == 404


def test_the_person_page_offers_the_button_to_hr(hr_client, world):
    page = hr_client.get(reverse("people:person_detail", args=[world.person.pk])).content.decode()
    assert erase_url(world.person) in page


def test_names_beyond_ascii_are_found_in_json_too(hr_admin, db):
    from matching.models import MatchRun
    from programs.tests.factories import ProgramFactory

    someone = member("jose.nunez@example.com", "José", "Núñez")
    run = MatchRun.objects.create(program=ProgramFactory(), stats={"note": "José Núñez was left out"})
    services.person_erase(person=someone.person, by=hr_admin)
    run.refresh_from_db()
    assert run.stats == {"note": f"Erased person #{someone.person.pk} was left out"}


def test_the_partners_downloads_that_name_them_are_deleted(hr_admin, world):
    from datarights.models import DataExport
    from datarights.tasks import data_export_build

    export, _ = services.data_export_request(user=world.partner)
    data_export_build(export.pk)
    services.person_erase(person=world.person, by=hr_admin, end_pairings=True)
    export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED and export.content is None


def test_data_requests_page_lists_erasures_and_exports(hr_client, hr_admin, world):
    services.data_export_request(user=world.user)
    services.person_erase(person=world.person, by=hr_admin, end_pairings=True)
    page = hr_client.get(reverse("datarights:data_requests")).content.decode()
    assert f"#{world.person.pk}" in page and 'data-testid="data-exports"' in page
    assert NAME not in page and EMAIL not in page
