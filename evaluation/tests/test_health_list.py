"""/dashboards/programs/<slug>/health/ (HR's list of pairs at risk or cooling) and the nudge."""

import pytest

from core.models import Notification
from evaluation import services
from matching.models import Pairing
from matching.tests.factories import PairingFactory
from programs.tests.factories import EnrollmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db

URL = "/dashboards/programs/leadership-circle/health/"


def nudge_url(pairing):
    return f"/dashboards/programs/leadership-circle/pairings/{pairing.pk}/nudge/"


def test_hr_lists_the_pairs_at_risk_with_reasons(hr_client, scenario, refreshed):
    response = hr_client.get(URL)
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert row.pairing == scenario.pairings[2] and row.days_quiet == 40
    assert response.context["counts"] == {"healthy": 1, "cooling": 1, "at_risk": 1}
    html = response.content.decode()
    assert "No goal set 4 weeks after the start." in html
    assert 'data-testid="health-rule"' in html


def test_hr_lists_cooling_pairs_and_bad_filters_fall_back(hr_client, scenario, refreshed):
    (row,) = hr_client.get(URL + "?status=cooling").context["rows"]
    assert row.pairing == scenario.pairings[1]
    for query in ("?status=healthy", "?status=<script>", "?page=abc", "?page=-3", "?page=99999"):
        response = hr_client.get(URL + query)
        assert response.status_code == 200
        assert response.context["status"] == "at_risk"


def test_owners_get_a_403_and_others_a_404(owner_client, scenario):
    assert owner_client.get(URL).status_code == 403
    assert owner_client.post(nudge_url(scenario.pairings[2])).status_code == 403
    assert Notification.objects.count() == 0


def test_other_owners_and_participants_get_a_404(other_owner_client, scenario):
    assert other_owner_client.get(URL).status_code == 404
    assert other_owner_client.post(nudge_url(scenario.pairings[2])).status_code == 404


def test_participants_cannot_nudge(participant_client, scenario):
    assert participant_client.get(URL).status_code == 404
    assert participant_client.post(nudge_url(scenario.pairings[0])).status_code == 404


def test_a_nudge_tells_both_people_once_a_day(hr_client, scenario, refreshed):
    pairing = scenario.pairings[2]
    response = hr_client.post(nudge_url(pairing), {"back": "health", "status": "at_risk"})
    assert response.status_code == 302 and response["Location"] == URL + "?status=at_risk"
    sent = list(Notification.objects.order_by("pk"))
    assert [n.recipient for n in sent] == [pairing.mentor.person.user, pairing.mentee.person.user]
    assert all(n.kind == "health-nudge" and n.idempotency_key.startswith(f"health-nudge:{pairing.pk}:") for n in sent)
    assert sent[0].url == f"/mentoring/pairings/{pairing.pk}/"
    # It never says why: a low rating must not be traced back to the person who gave it.
    assert "rating" not in sent[0].body.lower() and "risk" not in sent[0].body.lower()
    # A double click nudges nobody twice.
    response = hr_client.post(nudge_url(pairing), follow=True)
    assert Notification.objects.count() == 2
    assert "already nudged today" in response.content.decode()
    (row,) = hr_client.get(URL).context["rows"]
    assert row.nudged_today


def test_a_person_without_an_account_is_skipped(hr_client, scenario):
    pairing = scenario.pairings[2]
    person = pairing.mentee.person
    person.user = None
    person.save(update_fields=["user"])
    hr_client.post(nudge_url(pairing))
    assert [n.recipient for n in Notification.objects.all()] == [pairing.mentor.person.user]


def test_only_active_pairings_of_the_program_can_be_nudged(hr_client, scenario):
    completed = scenario.pairings[3]
    assert completed.status == Pairing.Status.COMPLETED
    assert hr_client.post(nudge_url(completed)).status_code == 404
    other = ProgramFactory(running=True, slug="sales-buddies")
    stranger = PairingFactory(
        active=True,
        program=other,
        mentor=EnrollmentFactory(program=other, mentor=True),
        mentee=EnrollmentFactory(program=other, mentee=True),
    )
    assert hr_client.post(nudge_url(stranger)).status_code == 404
    assert hr_client.post("/dashboards/programs/leadership-circle/pairings/999999/nudge/").status_code == 404
    assert hr_client.get(nudge_url(scenario.pairings[2])).status_code == 405
    assert Notification.objects.count() == 0


@pytest.mark.parametrize("size", [3, 30])
def test_the_list_takes_the_same_queries_at_any_size(populate, hr_client, size, django_assert_num_queries):
    services.pair_health_refresh(program=populate(ProgramFactory(running=True, slug="sized"), size))
    with django_assert_num_queries(12):
        response = hr_client.get("/dashboards/programs/sized/health/")
    assert len(response.context["rows"]) == size // 3
