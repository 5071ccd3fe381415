"""Matching pages at company scale (issue 12): the figures the database now counts are the
ones the pages showed when Python counted them person by person, and the lists are paged
in two steps without changing their order."""

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching import selectors
from matching.models import MatchProposal, MatchRun, Pairing
from matching.pool import participants_queryset
from matching.tests.factories import MatchRunFactory, PairingFactory, matching_program, mentee, mentor
from matching.views.runs import PROPOSALS_PER_PAGE
from people.tests.factories import PersonFactory
from programs.models import Enrollment, Role, TrainingCompletion, TrainingModule
from programs.tests.factories import TrainingModuleFactory

pytestmark = pytest.mark.django_db


def _overview_person_by_person(program) -> selectors.MatchingOverview:
    """The definition, one participant at a time (how the page counted before issue 12)."""
    overview = selectors.MatchingOverview()
    rows = participants_queryset(program=program).values_list(
        "role", "training_complete", "live_as_mentee", "live_as_mentor", "mentor_capacity"
    )
    for role, trained, paired, live, capacity in rows:
        if role == Role.MENTEE:
            overview.mentees += 1
            if not trained:
                overview.mentees_training += 1
            elif paired:
                overview.mentees_paired += 1
            else:
                overview.mentees_waiting += 1
        else:
            overview.mentors += 1
            free = max((capacity or program.default_mentor_capacity) - live, 0)
            if not trained:
                overview.mentors_training += 1
            elif free:
                overview.mentors_available += 1
                overview.free_places += free
    return overview


def test_the_overview_counts_who_can_be_matched():
    program = matching_program(default_mentor_capacity=3)
    both = TrainingModuleFactory(program=program, audience=TrainingModule.Audience.BOTH)
    for_mentors = TrainingModuleFactory(program=program, audience=TrainingModule.Audience.MENTORS)
    TrainingModuleFactory(program=program, audience=TrainingModule.Audience.MENTEES, required=False)

    def trained(enrollment, *modules):
        for module in modules:
            TrainingCompletion.objects.create(enrollment=enrollment, module=module)
        return enrollment

    full = trained(mentor(program, capacity=1), both, for_mentors)  # one place, taken
    roomy = trained(mentor(program), both, for_mentors)  # the program's 3 places, 1 taken
    trained(mentor(program, capacity=2), both, for_mentors)  # 2 free places
    trained(mentor(program), both)  # not trained: the mentors' module is missing
    shrunk = trained(mentor(program, capacity=1), both, for_mentors)  # 2 live pairings for 1 place
    paired = [trained(mentee(program), both) for _ in range(5)]
    for guide, learner in zip([full, roomy, shrunk, shrunk], paired, strict=False):
        PairingFactory(program=program, mentor=guide, mentee=learner, status=Pairing.Status.ACTIVE)
    PairingFactory(program=program, mentor=roomy, mentee=paired[4], status=Pairing.Status.DECLINED)
    trained(mentee(program), both)  # waiting
    mentee(program)  # not trained
    gone = trained(mentee(program, person_termination_date=timezone.localdate() - datetime.timedelta(days=1)), both)
    trained(mentee(program, status=Enrollment.Status.APPLIED), both)  # not approved
    trained(mentee(matching_program()), both)  # another program

    overview = selectors.program_matching_overview(program=program)

    assert overview == selectors.MatchingOverview(
        mentees=7,
        mentees_waiting=2,  # paired[4] (only a declined pairing) and the waiting one
        mentees_training=1,
        mentees_paired=4,
        mentors=5,
        mentors_available=2,
        mentors_training=1,
        free_places=4,
    )
    assert overview == _overview_person_by_person(program)
    assert gone.pk not in participants_queryset(program=program).values_list("pk", flat=True)


@pytest.mark.parametrize("seed", range(4))
def test_the_overview_is_the_person_by_person_count(seed):
    rng = random.Random(seed)
    program = matching_program(default_mentor_capacity=rng.choice([1, 2, 4]))
    modules = [
        TrainingModuleFactory(program=program, audience=rng.choice(TrainingModule.Audience.values))
        for _ in range(rng.randint(0, 3))
    ]
    guides = [mentor(program, capacity=rng.choice([None, 1, 2, 3]), user=False) for _ in range(6)]
    learners = [mentee(program, user=False) for _ in range(12)]
    for enrollment in guides + learners:
        for module in modules:
            if rng.random() < 0.7:
                TrainingCompletion.objects.create(enrollment=enrollment, module=module)
    for learner in learners:
        if rng.random() < 0.6:
            status = rng.choice([Pairing.Status.ACTIVE, Pairing.Status.PROPOSED, Pairing.Status.ENDED])
            PairingFactory(program=program, mentor=rng.choice(guides), mentee=learner, status=status)

    assert selectors.program_matching_overview(program=program) == _overview_person_by_person(program)


def test_my_match_lists_the_users_pairings_in_every_role_with_the_runs_points(client):
    program, other = matching_program(), matching_program()
    person = PersonFactory()
    as_mentor = mentor(program, person=person)
    as_mentee = mentee(other, person=person)
    run = MatchRunFactory(program=program, stats={"max_points": {"skills": 40.0}, "mentee_ids": list(range(1, 500))})
    PairingFactory(program=program, mentor=as_mentor, match_run=run, status=Pairing.Status.ACTIVE)
    PairingFactory(program=other, mentee=as_mentee, status=Pairing.Status.PROPOSED)
    PairingFactory(program=program, status=Pairing.Status.ACTIVE)  # someone else's

    pairings = selectors.pairings_for_participant(user=person.user)

    assert [(p.program, p.my_role) for p in pairings] == [(other, Role.MENTEE), (program, Role.MENTOR)]
    assert pairings[0].max_points == {} and pairings[1].max_points == {"skills": 40.0}
    client.force_login(person.user)
    page = client.get(reverse("matching:my_match")).content.decode()
    assert page.count('data-testid="my-pairing"') == 2


def test_the_pairings_list_keeps_its_order_across_pages(hr_client):
    program = matching_program()
    names = [f"Name{k:03d}" for k in range(55)]
    random.Random(1).shuffle(names)
    for name in names:
        learner = mentee(program, person=PersonFactory(last_name=name, first_name="A"), user=False)
        PairingFactory(program=program, mentee=learner, status=Pairing.Status.ACTIVE)
    url = reverse("matching:pairing_list", args=[program.slug])
    shown = []
    for number in (1, 2):
        page = hr_client.get(f"{url}?page={number}").content.decode()
        shown += [line.split("<td>")[1].split("</td>")[0] for line in page.split('data-testid="pairing-row"')[1:]]
    assert shown == [f"A Name{k:03d}" for k in range(55)]


def test_the_run_page_pages_its_proposals_in_each_order(hr_client):
    program = matching_program()
    guide = mentor(program, capacity=200, user=False)
    run = MatchRunFactory(program=program)
    scores = list(range(120))
    random.Random(2).shuffle(scores)
    for k, score in enumerate(scores):
        learner = mentee(program, person=PersonFactory(last_name=f"L{k:03d}"), user=False)
        MatchProposal.objects.create(run=run, mentee=learner, mentor=guide, score=float(score))
    url = reverse("matching:run_detail", args=[run.pk])

    def shown(query):
        page = hr_client.get(url + query).content.decode()
        return [cell.split("<")[0] for cell in page.split('data-testid="proposal-score">')[1:]]

    per = PROPOSALS_PER_PAGE
    last = -(-120 // per)  # pages, rounded up
    assert shown("?sort=-score") == [f"{s:.1f}" for s in range(119, 119 - per, -1)]
    assert shown(f"?sort=-score&page={last}") == [f"{s:.1f}" for s in range(119 - per * (last - 1), -1, -1)]
    assert shown(f"?sort=score&page={last}") == [f"{s:.1f}" for s in range(per * (last - 1), 120)]
    by_mentee = shown(f"?sort=mentee&page={last}")
    assert by_mentee == [f"{scores[k]:.1f}" for k in range(per * (last - 1), 120)]


def test_the_run_comparison_reads_no_cohort_list(hr_admin, monkeypatch):
    """The mentees each run considered stay in the database: counted there, never loaded."""
    program = matching_program()
    guide = mentor(program, capacity=30, user=False)
    cohort = [mentee(program, user=False).pk for _ in range(12)]
    runs = []
    for considered in (cohort, cohort[:-1], cohort):
        run = MatchRunFactory(program=program, stats={"mentee_ids": considered, "matched": 6})
        MatchProposal.objects.bulk_create(
            [MatchProposal(run=run, mentee_id=pk, mentor=guide, score=50.0) for pk in considered[:6]]
        )
        runs.append(run)
    current = MatchRun.objects.get(pk=runs[-1].pk)
    previous = MatchRun.objects.get(pk=runs[-2].pk)
    stats_field = MatchRun._meta.get_field("stats")
    loaded = []
    original = stats_field.from_db_value
    monkeypatch.setattr(stats_field, "from_db_value", lambda *args: loaded.append(args) or original(*args))

    with CaptureQueriesContext(connection) as queries:
        comparison = selectors.run_comparison(run=current, previous=previous, viewer=hr_admin)
        unmatched_count, _ = selectors.run_unmatched_mentees(run=current)

    assert loaded == []
    assert comparison.diversity_blocked_by == runs[1]  # one mentee apart
    assert unmatched_count == 6
    assert all("mentee_ids" not in query["sql"] or "json" in query["sql"] for query in queries.captured_queries)


def test_a_run_without_a_cohort_list_has_no_considered_mentees(hr_client, hr_admin):
    program = matching_program()
    runs = [MatchRunFactory(program=program, stats=stats) for stats in ({}, {"mentee_ids": None}, {"matched": 0})]
    for run in runs:
        assert hr_client.get(reverse("matching:run_detail", args=[run.pk])).status_code == 200
        assert selectors.run_unmatched_mentees(run=run) == (0, [])
    assert selectors.diversity_blocked_by(run=runs[-1]) is None  # same (empty) cohorts, nobody matched


def test_the_program_page_counts_each_runs_proposals(hr_client):
    program = matching_program()
    guide = mentor(program, capacity=5, user=False)
    full = MatchRunFactory(program=program, stats={"mentee_ids": list(range(1, 3000))})
    MatchRunFactory(program=program)
    for _ in range(3):
        MatchProposal.objects.create(run=full, mentee=mentee(program, user=False), mentor=guide, score=50.0)
    page = hr_client.get(reverse("matching:program", args=[program.slug])).content.decode()
    counts = [row.split(" proposal")[0] for row in page.split('<span class="small text-nowrap">')[1:]]
    assert counts == ["0", "3"]  # newest run first
