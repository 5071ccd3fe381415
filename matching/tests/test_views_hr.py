"""HR pages: permissions, the criteria form, runs, overrides, publishing, pairings."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching import services
from matching.models import MatchingCriteria, MatchProposal, MatchRun, Pairing, PairOverride
from matching.tests.factories import MatchRunFactory, PairingFactory, matching_program, mentee, mentor, participant
from people.tests.factories import PersonFactory, SelfIdentificationFactory
from programs.models import Enrollment, Program

pytestmark = pytest.mark.django_db

VALID_CRITERIA = {
    "weight_skills": "3",
    "weight_objectives": "2",
    "weight_seniority": "1",
    "weight_department": "1",
    "weight_time_zone": "1",
    "weight_location": "0.5",
    "weight_meeting_format": "0.5",
    "weight_working_style": "1",
    "weight_availability": "0.5",
    "weight_custom_questions": "1",
    "seniority_gap_min": "1",
    "seniority_gap_max": "5",
    "department_preference": "different",
    "objective": "participation",
    "min_score": "",
    "request_expiry_days": "7",
    "suggestions_shown": "5",
    "exposure_multiple": "3",
}


@pytest.fixture
def program():
    return matching_program(slug="leaders")


@pytest.fixture
def done_run(program, hr_admin, django_capture_on_commit_callbacks):
    mentor(program, capacity=2, person_seniority=6)
    mentee(program)
    mentee(program)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.match_run_start(program=program, user=hr_admin)
    run.refresh_from_db()
    return run


def _hr_urls(program, run, pairing, override):
    proposal = run.proposals.first()
    return [
        ("get", reverse("matching:index")),
        ("get", reverse("matching:program", args=[program.slug])),
        ("post", reverse("matching:program", args=[program.slug])),
        ("post", reverse("matching:run_start", args=[program.slug])),
        ("post", reverse("matching:override_create", args=[program.slug])),
        ("post", reverse("matching:override_delete", args=[override.pk])),
        ("get", reverse("matching:pairing_list", args=[program.slug])),
        ("get", reverse("matching:run_detail", args=[run.pk])),
        ("get", reverse("matching:run_progress", args=[run.pk])),
        ("get", reverse("matching:proposal_detail", args=[proposal.pk])),
        ("get", reverse("matching:proposal_detail", args=[proposal.pk]) + "?partial=1"),
        ("get", reverse("matching:participant_search", args=[program.slug]) + "?role=mentee&q=a"),
        ("post", reverse("matching:run_publish", args=[run.pk])),
        ("post", reverse("matching:proposal_lock", args=[proposal.pk])),
        ("post", reverse("matching:proposal_exclude", args=[proposal.pk])),
        ("get", reverse("matching:pairing_end", args=[pairing.pk])),
        ("post", reverse("matching:pairing_end", args=[pairing.pk])),
        ("post", reverse("matching:pairing_complete", args=[pairing.pk])),
    ]


@pytest.mark.parametrize("who", ["alice", "owner", "participant"])
def test_hr_pages_are_forbidden_to_everyone_else(client, program, done_run, who, request):
    pairing = PairingFactory(program=program, status=Pairing.Status.ACTIVE)
    override = PairOverride.objects.create(
        program=program, mentee=mentee(program), mentor=mentor(program), kind="exclude"
    )
    if who == "participant":
        user = pairing.mentor.person.user
    else:
        user = request.getfixturevalue(who)
        program.owners.add(user)
    client.force_login(user)
    for method, url in _hr_urls(program, done_run, pairing, override):
        response = getattr(client, method)(url)
        assert response.status_code == 403, url
    assert MatchRun.objects.count() == 1
    assert PairOverride.objects.count() == 1
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACTIVE


def test_unknown_objects_are_404_for_hr(hr_client):
    for url in [
        reverse("matching:program", args=["nope"]),
        reverse("matching:pairing_list", args=["nope"]),
        reverse("matching:run_detail", args=[999]),
        reverse("matching:run_progress", args=[999]),
        reverse("matching:pairing_end", args=[999]),
        reverse("matching:run_detail", args=[10**20]),
        reverse("matching:run_progress", args=[10**20]),
        reverse("matching:proposal_detail", args=[999]),
        reverse("matching:proposal_detail", args=[10**20]) + "?partial=1",
        reverse("matching:participant_search", args=["nope"]) + "?role=mentee&q=a",
    ]:
        assert hr_client.get(url).status_code == 404, url
    for url in [
        reverse("matching:run_publish", args=[999]),
        reverse("matching:proposal_lock", args=[999]),
        reverse("matching:override_delete", args=[999]),
        reverse("matching:pairing_complete", args=[999]),
        reverse("matching:run_start", args=["nope"]),
    ]:
        assert hr_client.post(url).status_code == 404, url


def test_the_criteria_page_creates_defaults_on_first_visit(hr_client, program):
    response = hr_client.get(reverse("matching:program", args=[program.slug]))
    assert response.status_code == 200
    assert MatchingCriteria.objects.get(program=program).weight_skills == 3
    assert b'data-testid="criteria-form"' in response.content
    assert b'data-testid="start-run"' in response.content


def test_saving_criteria(hr_client, program):
    data = {**VALID_CRITERIA, "weight_skills": "7.5", "objective": "quality", "min_score": "55"}
    response = hr_client.post(reverse("matching:program", args=[program.slug]), data)
    assert response.status_code == 302
    criteria = MatchingCriteria.objects.get(program=program)
    assert (criteria.weight_skills, criteria.objective, criteria.min_score) == (7.5, "quality", 55)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weight_skills": "-1"}, "greater than or equal to 0"),
        ({"weight_skills": "11"}, "less than or equal to 10"),
        ({"weight_skills": "lots"}, "Enter a number"),
        ({"weight_skills": "nan"}, "Enter a number"),
        ({k: "0" for k in VALID_CRITERIA if k.startswith("weight_")}, "at least one criterion"),
        ({"seniority_gap_min": "4", "seniority_gap_max": "2"}, "can&#x27;t be smaller"),
        ({"objective": "quality", "min_score": ""}, "Set the minimum score"),
        ({"min_score": "150"}, "between 0 and 100"),
        ({"forbid_same_department": "on", "department_preference": "same"}, "same department"),
        ({"objective": "fastest"}, "Select a valid choice"),
        ({"suggestions_shown": "0"}, "greater than or equal to 1"),
    ],
)
def test_bad_criteria_are_refused_with_a_clear_error_and_nothing_saved(hr_client, program, changes, message):
    before = MatchingCriteria.objects.create(program=program)
    response = hr_client.post(reverse("matching:program", args=[program.slug]), {**VALID_CRITERIA, **changes})
    assert response.status_code == 200
    assert message in response.content.decode()
    after = MatchingCriteria.objects.get(program=program)
    assert (after.weight_skills, after.objective, after.seniority_gap_max) == (
        before.weight_skills,
        before.objective,
        before.seniority_gap_max,
    )
    assert not MatchRun.objects.exists()


def test_save_and_run_starts_a_run_and_shows_its_page(hr_client, program, django_capture_on_commit_callbacks):
    mentor(program, person_seniority=6)
    mentee(program)
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(reverse("matching:program", args=[program.slug]), {**VALID_CRITERIA, "run": "1"})
    run = MatchRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("matching:run_detail", args=[run.pk])
    run.refresh_from_db()
    assert run.status == MatchRun.Status.DONE


def test_starting_a_run_in_the_wrong_status_explains_why(hr_client):
    program = matching_program(status=Program.Status.ENROLLING)
    response = hr_client.post(reverse("matching:run_start", args=[program.slug]), follow=True)
    assert "Move it to Matching" in response.content.decode()
    assert not MatchRun.objects.exists()
    page = hr_client.get(reverse("matching:program", args=[program.slug]))
    assert b'data-testid="run-blockers"' in page.content
    assert b'data-testid="start-run"' not in page.content


def test_a_queued_run_shows_a_progress_bar_fed_by_a_json_endpoint(hr_client, program):
    run = MatchRunFactory(program=program, status=MatchRun.Status.RUNNING, progress=40, message="Scoring…")
    page = hr_client.get(reverse("matching:run_detail", args=[run.pk]))
    assert b"js/match_run_progress.js" in page.content
    assert reverse("matching:run_progress", args=[run.pk]).encode() in page.content
    data = hr_client.get(reverse("matching:run_progress", args=[run.pk])).json()
    assert data == {
        "status": "running",
        "status_label": "Running",
        "progress": 40,
        "message": "Scoring…",
        "finished": False,
    }


def test_the_run_page_shows_each_proposals_breakdown_and_the_comparison(hr_client, done_run):
    response = hr_client.get(reverse("matching:run_detail", args=[done_run.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('data-testid="proposal"') == 2
    assert 'data-testid="by-department"' in content
    assert 'data-testid="publish"' in content
    # Each row carries its top criteria; the whole breakdown comes on demand (JavaScript
    # loads it into the row, the link opens it without).
    proposal = done_run.proposals.order_by("-score", "pk").first()
    detail = reverse("matching:proposal_detail", args=[proposal.pk])
    assert f'data-explanation="{detail}?partial=1"' in content and f'href="{detail}"' in content
    partial = hr_client.get(detail, {"partial": "1"}).content.decode()
    assert 'data-testid="explanation"' in partial and "<html" not in partial
    assert "Skills" in partial and "Time zones" in partial
    page = hr_client.get(detail).content.decode()
    assert 'data-testid="explanation"' in page and 'data-testid="proposal-detail"' in page
    assert reverse("matching:proposal_lock", args=[proposal.pk]) in page


def test_diversity_rates_on_the_run_page_follow_the_privacy_rules(hr_client, program, hr_admin):
    """Zorblaxian (12 mentees, 6 matched) and the pool of everyone else (Quuxian 2 and
    10 who shared nothing, 6 matched) each have 5 matched and 5 not: rates are shown;
    the two Quuxians never appear on their own."""
    one_mentor = mentor(program, capacity=20, person_seniority=9)
    considered, matched = [], []
    for k in range(24):
        person = PersonFactory(seniority=2)
        if k < 14:
            SelfIdentificationFactory(person=person, ethnicity="Zorblaxian" if k < 12 else "Quuxian")
        enrollment = mentee(program, person=person)
        considered.append(enrollment.pk)
        if k % 2 == 0:
            matched.append(enrollment)
    run = MatchRunFactory(program=program, stats={"mentee_ids": considered})
    for enrollment in matched:
        MatchProposal.objects.create(run=run, mentee=enrollment, mentor=one_mentor, score=50)
    content = hr_client.get(reverse("matching:run_detail", args=[run.pk])).content.decode()
    section = content.split('data-testid="diversity"')[1].split("</details>")[0]
    assert "Zorblaxian" in section and "50%" in section
    assert "Quuxian" not in section and "Other / not shown" in section

    # Everyone matched: "100%" would say that nobody unmatched is Zorblaxian, so no rate
    # of that question is shown.
    MatchProposal.objects.filter(run=run).delete()
    for enrollment in matched + [e for e in Enrollment.objects.filter(pk__in=considered) if e not in matched]:
        MatchProposal.objects.get_or_create(run=run, mentee=enrollment, defaults={"mentor": one_mentor, "score": 50})
    content = hr_client.get(reverse("matching:run_detail", args=[run.pk])).content.decode()
    section = content.split('data-testid="diversity"')[1].split("</details>")[0]
    assert "Zorblaxian" not in section and 'data-testid="diversity-hidden"' in section


def test_publishing_from_the_run_page(hr_client, done_run, program):
    response = hr_client.post(reverse("matching:run_publish", args=[done_run.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("matching:pairing_list", args=[program.slug])
    assert "Published 2 proposed pairings" in response.content.decode()
    again = hr_client.post(reverse("matching:run_publish", args=[done_run.pk]), follow=True)
    assert "already published" in again.content.decode()
    assert Pairing.objects.count() == 2


def test_lock_and_exclude_from_a_proposal(hr_client, done_run):
    first, second = done_run.proposals.order_by("pk")
    hr_client.post(reverse("matching:proposal_lock", args=[first.pk]))
    hr_client.post(reverse("matching:proposal_exclude", args=[second.pk]))
    assert set(PairOverride.objects.values_list("mentee_id", "kind")) == {
        (first.mentee_id, "lock"),
        (second.mentee_id, "exclude"),
    }


def test_the_override_form_refuses_bad_input_and_saves_nothing(hr_client, program):
    boss = PersonFactory(seniority=9)
    report = mentee(program, person=PersonFactory(manager=boss))
    boss_mentor = mentor(program, person=boss)
    outsider = mentor(matching_program())
    url = reverse("matching:override_create", args=[program.slug])

    missing = hr_client.post(url, {"mentee": report.pk, "kind": "lock"})
    assert "This field is required" in missing.content.decode()
    foreign = hr_client.post(url, {"mentee": report.pk, "mentor": outsider.pk, "kind": "lock"})
    assert f"No approved mentor of this program matches “{outsider.pk}”" in foreign.content.decode()
    foreign_email = hr_client.post(url, {"mentee": report.pk, "mentor": outsider.person.email, "kind": "lock"})
    assert "No approved mentor of this program matches" in foreign_email.content.decode()
    for mentee_value, mentor_value in (("x", "'; drop"), ("9" * 30, "-1"), ("a" * 300, "  "), ("%", "_"), ("²", "١٢")):
        garbage = hr_client.post(url, {"mentee": mentee_value, "mentor": mentor_value, "kind": "lock"})
        assert garbage.status_code == 200
        assert 'data-testid="override-form"' in garbage.content.decode()
    wrong_kind = hr_client.post(url, {"mentee": report.pk, "mentor": boss_mentor.pk, "kind": "maybe"})
    assert "Select a valid choice" in wrong_kind.content.decode()
    chain = hr_client.post(url, {"mentee": report.pk, "mentor": boss_mentor.pk, "kind": "lock"})
    assert "management chain" in chain.content.decode()
    assert not PairOverride.objects.exists()

    ok = hr_client.post(url, {"mentee": report.pk, "mentor": boss_mentor.pk, "kind": "exclude"})
    assert ok.status_code == 302
    override = PairOverride.objects.get()
    hr_client.post(reverse("matching:override_delete", args=[override.pk]))
    assert not PairOverride.objects.exists()


def test_ending_a_pairing_needs_a_reason(hr_client, program):
    pairing = PairingFactory(program=program, status=Pairing.Status.ACTIVE)
    url = reverse("matching:pairing_end", args=[pairing.pk])
    assert hr_client.get(url).status_code == 200
    for bad in ({}, {"reason": "   "}, {"reason": "x" * 1001}):
        response = hr_client.post(url, bad)
        assert response.status_code == 200
        assert b"invalid-feedback" in response.content or b"Say why" in response.content
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACTIVE
    assert hr_client.post(url, {"reason": "Left the company"}).status_code == 302
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ENDED


def test_completing_a_pairing_from_the_list(hr_client, program):
    pairing = PairingFactory(program=program, status=Pairing.Status.ACTIVE)
    hr_client.post(reverse("matching:pairing_complete", args=[pairing.pk]))
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.COMPLETED


def test_the_pairings_list_filters_by_status_and_ignores_bad_parameters(hr_client, program):
    PairingFactory(program=program, status=Pairing.Status.ACTIVE)
    PairingFactory(program=program, status=Pairing.Status.DECLINED)
    url = reverse("matching:pairing_list", args=[program.slug])
    assert hr_client.get(url + "?status=active").content.decode().count('data-testid="pairing-row"') == 1
    for query in ("?status=bogus", "?page=abc", "?page=999"):
        response = hr_client.get(url + query)
        assert response.status_code == 200
    assert hr_client.get(url + "?status=%00").status_code == 400  # NUL is refused before any view
    assert hr_client.get(url + "?status=bogus").content.decode().count('data-testid="pairing-row"') == 2


def test_run_page_bad_sort_and_page_parameters_are_harmless(hr_client, done_run):
    url = reverse("matching:run_detail", args=[done_run.pk])
    proposals = set(done_run.proposals.values_list("pk", flat=True))

    def shown(response):
        assert response.status_code == 200
        return [int(pk) for pk in re.findall(r'id="proposal-(\d+)" data-testid="proposal"', response.content.decode())]

    best_first = shown(hr_client.get(url))
    assert set(best_first) == proposals and len(best_first) == len(proposals)
    # An unknown sort or a bad page number: the first page, best score first, as with none.
    for query in ("?sort=password", "?sort=-score&page=x", "?page=-1"):
        response = hr_client.get(url + query)
        assert shown(response) == best_first, query
        assert response.context["sort"] == "-score"
    # Known sorts list the same proposals, in their own order.
    for sort in ("mentee", "score"):
        response = hr_client.get(url + f"?sort={sort}")
        assert sorted(shown(response)) == sorted(best_first) and response.context["sort"] == sort
    # Reading the page changes nothing.
    done_run.refresh_from_db()
    assert done_run.status == MatchRun.Status.DONE
    assert set(done_run.proposals.values_list("pk", flat=True)) == proposals


# --- Query counts: the same at two data sizes ------------------------------------------


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow_program(program, size):
    guides = [mentor(program, capacity=3, person_seniority=7) for _ in range(size)]
    for k in range(size):
        learner = mentee(program)
        PairingFactory(program=program, mentor=guides[k], mentee=learner, status=Pairing.Status.ACTIVE)
        PairOverride.objects.create(program=program, mentee=mentee(program), mentor=guides[k], kind="exclude")
        MatchRunFactory(program=program, stats={"matched": 1})


@pytest.mark.parametrize("page", ["index", "program", "pairings"])
def test_hr_list_pages_use_the_same_number_of_queries_at_two_sizes(hr_client, page):
    counts = []
    for size in (1, 6):
        program = matching_program()
        _grow_program(program, size)
        url = {
            "index": reverse("matching:index"),
            "program": reverse("matching:program", args=[program.slug]),
            "pairings": reverse("matching:pairing_list", args=[program.slug]),
        }[page]
        counts.append(_count_queries(hr_client, url))
    assert counts[0] == counts[1]


def test_the_run_page_uses_the_same_number_of_queries_at_two_sizes(hr_client, hr_admin):
    counts = []
    for size in (2, 9):
        program = matching_program()
        mentor(program, capacity=size, person_seniority=7)
        for _ in range(size):
            person = PersonFactory(seniority=2)
            SelfIdentificationFactory(person=person, gender="woman")
            mentee(program, person=person)
        runs = []
        for _ in range(2):
            run = MatchRunFactory(program=program, status=MatchRun.Status.QUEUED)
            services.match_run_execute(run_id=run.pk)
            runs.append(run)
        counts.append(_count_queries(hr_client, reverse("matching:run_detail", args=[runs[-1].pk])))
    assert counts[0] == counts[1]


def test_a_run_whose_worker_went_away_stops_polling_and_says_so(hr_client, program):
    run = MatchRunFactory(program=program, status=MatchRun.Status.RUNNING, progress=60)
    MatchRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - datetime.timedelta(hours=2))
    page = hr_client.get(reverse("matching:run_detail", args=[run.pk])).content.decode()
    assert 'data-testid="run-stale"' in page
    assert "match_run_progress.js" not in page
    assert hr_client.get(reverse("matching:run_progress", args=[run.pk])).json()["finished"] is True


# --- The lock/exclude picker ------------------------------------------------------------


def _named(program, role, first, last, **kwargs):
    person = PersonFactory(first_name=first, last_name=last, email=f"{first}.{last}@example.com".lower())
    return participant(program, role, person=person, **kwargs)


@pytest.fixture
def named_cohort(program):
    return {
        "ada": _named(program, "mentee", "Ada", "Adams"),
        "adam": _named(program, "mentee", "Adam", "Smith"),
        "grace": _named(program, "mentee", "Grace", "Hopper"),
        "ada_mentor": _named(program, "mentor", "Ada", "Mentor"),
        "pending": _named(program, "mentee", "Ada", "Pending", status="applied"),
        "elsewhere": _named(matching_program(), "mentee", "Ada", "Elsewhere"),
    }


def _search(client, program, **params):
    response = client.get(reverse("matching:participant_search", args=[program.slug]), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_picker_finds_approved_participants_of_this_program_in_one_role(hr_client, program, named_cohort):
    found = _search(hr_client, program, role="mentee", q="ada")
    assert [r["name"] for r in found["results"]] == ["Ada Adams", "Adam Smith"]
    assert found["more"] is False
    assert found["results"][0] == {
        "id": named_cohort["ada"].pk,
        "name": "Ada Adams",
        "email": "ada.adams@example.com",
        "department": named_cohort["ada"].person.department.name,
    }
    assert [r["name"] for r in _search(hr_client, program, role="mentee", q="ADA smi")["results"]] == ["Adam Smith"]
    assert [r["name"] for r in _search(hr_client, program, role="mentee", q="hopper@exa")["results"]] == [
        "Grace Hopper"
    ]
    assert [r["name"] for r in _search(hr_client, program, role="mentor", q="ada")["results"]] == ["Ada Mentor"]
    for nothing in ("", "   ", "zzz", "%", "_", "x" * 500):
        assert _search(hr_client, program, role="mentee", q=nothing) == {"results": [], "more": False}, nothing


def test_the_picker_answers_at_most_twenty_and_says_there_are_more(hr_client, program):
    for k in range(25):
        _named(program, "mentee", "Sam", f"Person{k:02d}")
    found = _search(hr_client, program, role="mentee", q="sam")
    assert len(found["results"]) == 20 and found["more"] is True
    assert found["results"][0]["name"] == "Sam Person00"


@pytest.mark.parametrize("query", [{"role": "admin", "q": "a"}, {"q": "a"}, {"role": "", "q": "a"}])
def test_the_picker_refuses_an_unknown_role(hr_client, program, query):
    response = hr_client.get(reverse("matching:participant_search", args=[program.slug]), query)
    assert response.status_code == 400
    assert "role" in response.json()["error"]


def test_the_picker_uses_the_same_number_of_queries_at_two_sizes(hr_client, program):
    counts = []
    for size in (2, 30):
        while program.enrollments.count() < size:
            _named(program, "mentee", "Kim", f"Lee{program.enrollments.count():02d}")
        url = reverse("matching:participant_search", args=[program.slug]) + "?role=mentee&q=kim"
        counts.append(_count_queries(hr_client, url))
    assert counts == [7, 7]  # pinned: the same at 2 and 30 participants


def test_without_javascript_hr_types_an_email_or_a_name_only_one_participant_has(hr_client, program, named_cohort):
    url = reverse("matching:override_create", args=[program.slug])
    by_email = hr_client.post(url, {"mentee": "ADA.ADAMS@example.com", "mentor": "ada mentor", "kind": "lock"})
    assert by_email.status_code == 302
    override = PairOverride.objects.get()
    assert (override.mentee, override.mentor, override.kind) == (
        named_cohort["ada"],
        named_cohort["ada_mentor"],
        "lock",
    )
    by_name = hr_client.post(url, {"mentee": "Hopper", "mentor": "Mentor", "kind": "exclude"})
    assert by_name.status_code == 302
    assert PairOverride.objects.filter(mentee=named_cohort["grace"], kind="exclude").exists()


def test_a_name_several_participants_share_asks_for_the_email(hr_client, program, named_cohort):
    url = reverse("matching:override_create", args=[program.slug])
    response = hr_client.post(url, {"mentee": "ada", "mentor": "Ada Mentor", "kind": "lock"})
    content = response.content.decode()
    assert response.status_code == 200
    assert (
        "Several mentees match “ada”: Ada Adams (ada.adams@example.com); Adam Smith (adam.smith@example.com)" in content
    )
    assert "Type the email of the one you mean." in content
    # Someone who is not an approved mentee of this program is never chosen.
    for outsider in ("ada.pending@example.com", "ada.elsewhere@example.com", str(named_cohort["elsewhere"].pk)):
        response = hr_client.post(url, {"mentee": outsider, "mentor": "Ada Mentor", "kind": "lock"})
        assert "No approved mentee of this program matches" in response.content.decode(), outsider
    assert not PairOverride.objects.exists()


def test_the_matching_page_has_no_participant_lists_and_pages_its_overrides(hr_client, program):
    guide = mentor(program, capacity=3, person_seniority=7)
    for k in range(30):
        learner = _named(program, "mentee", "Lee", f"Learner{k:02d}")
        PairOverride.objects.create(program=program, mentee=learner, mentor=guide, kind="exclude")
    url = reverse("matching:program", args=[program.slug])
    content = hr_client.get(url).content.decode()
    assert content.count('data-testid="override-row"') == 25
    assert 'name="mentee"' in content and '<select name="mentee"' not in content
    assert f'data-picker-url="{reverse("matching:participant_search", args=[program.slug])}?role=mentee"' in content
    assert "overrides_page=2#overrides" in content
    second = hr_client.get(url, {"overrides_page": "2"}).content.decode()
    assert second.count('data-testid="override-row"') == 5
    for junk in ("abc", "-1", "99999"):
        assert hr_client.get(url, {"overrides_page": junk}).status_code == 200


def test_the_run_page_names_the_mentees_it_could_not_match(hr_client, program):
    mentor(program, capacity=1, person_seniority=7)
    learners = [_named(program, "mentee", "Una", f"Matched{k}") for k in range(3)]
    run = MatchRunFactory(program=program, status=MatchRun.Status.QUEUED)
    services.match_run_execute(run_id=run.pk)
    matched = run.proposals.get().mentee
    content = hr_client.get(reverse("matching:run_detail", args=[run.pk])).content.decode()
    assert "Not matched in this run (2)" in content
    for learner in learners:
        assert (learner.person.full_name in content.split('data-testid="unmatched"')[1]) == (learner != matched)
