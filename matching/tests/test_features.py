"""From the database to the engine: who takes part, hard constraints, features."""

import datetime

import numpy as np
import pytest

from matching.features import MatchSettings, cohort_load, management_chains, utc_offset_hours
from matching.models import MatchingCriteria, MentorshipRequest, Pairing, PairOverride
from matching.scoring import cohort_score
from matching.tests.factories import PairingFactory, matching_program, mentee, mentor
from people.tests.factories import DepartmentFactory, LanguageFactory, PersonFactory, SkillFactory
from programs.models import EnrollmentSkill, ProgramQuestion, Role, TrainingCompletion
from programs.tests.factories import ProgramQuestionFactory, TrainingModuleFactory

pytestmark = pytest.mark.django_db


def _scored(program, **criteria):
    settings = MatchSettings.from_criteria(MatchingCriteria(program=program, **criteria))
    return cohort_score(cohort=cohort_load(program=program), settings=settings)


def _allowed(scored, mentee_enrollment, mentor_enrollment) -> bool:
    i = scored.cohort.mentee_index()[mentee_enrollment.pk]
    j = scored.cohort.mentor_index()[mentor_enrollment.pk]
    return scored.allowed(i, j)


def test_management_chain_blocks_both_directions_and_every_level():
    program = matching_program()
    ceo = PersonFactory(seniority=9)
    director = PersonFactory(manager=ceo, seniority=7)
    lead = PersonFactory(manager=director, seniority=5)
    engineer = PersonFactory(manager=lead, seniority=2)
    stranger = PersonFactory(seniority=8)
    junior_mentee = mentee(program, person=engineer)
    director_mentor = mentor(program, person=director)
    stranger_mentor = mentor(program, person=stranger)
    # A mentee above the mentor: the mentor would mentor their own skip-level boss.
    ceo_mentee = mentee(program, person=ceo)
    lead_mentor = mentor(program, person=lead)

    scored = _scored(program)

    assert not _allowed(scored, junior_mentee, director_mentor)  # skip-level manager
    assert not _allowed(scored, junior_mentee, lead_mentor)  # direct manager
    assert not _allowed(scored, ceo_mentee, lead_mentor)  # mentee above the mentor
    assert not _allowed(scored, ceo_mentee, director_mentor)
    assert _allowed(scored, junior_mentee, stranger_mentor)
    assert _allowed(scored, ceo_mentee, stranger_mentor)
    i, j = scored.cohort.mentee_index()[junior_mentee.pk], scored.cohort.mentor_index()[director_mentor.pk]
    assert scored.reasons(i, j) == ["one is in the other's management chain"]


def test_management_chains_survive_cycles():
    chains = management_chains(person_ids=[1, 2, 3], managers={1: 2, 2: 3, 3: 1})
    assert chains[1] == {2, 3}
    assert chains[3] == {1, 2}


def test_required_training_must_be_complete_for_both_sides():
    program = matching_program()
    module = TrainingModuleFactory(program=program, required=True)
    TrainingModuleFactory(program=program, required=False)
    trained_mentee, untrained_mentee = mentee(program), mentee(program)
    trained_mentor, untrained_mentor = mentor(program), mentor(program)
    for enrollment in (trained_mentee, trained_mentor):
        TrainingCompletion.objects.create(enrollment=enrollment, module=module)

    cohort = cohort_load(program=program)

    assert [p.enrollment_id for p in cohort.mentees] == [trained_mentee.pk]
    assert [p.enrollment_id for p in cohort.mentors] == [trained_mentor.pk]
    assert cohort.left_out["mentees_training"] == 1
    assert cohort.left_out["mentors_training"] == 1
    assert untrained_mentee.pk not in cohort.mentee_index()
    assert untrained_mentor.pk not in cohort.mentor_index()


def test_only_approved_and_unpaired_take_part_and_capacity_counts_live_pairings():
    program = matching_program(default_mentor_capacity=2)
    busy_mentor = mentor(program, capacity=2)
    full_mentor = mentor(program, capacity=1)
    paired_mentee = mentee(program)
    waiting_mentee = mentee(program)
    applied = mentee(program, status="applied")
    PairingFactory(program=program, mentor=busy_mentor, mentee=paired_mentee, status=Pairing.Status.ACTIVE)
    PairingFactory(program=program, mentor=full_mentor, status=Pairing.Status.PROPOSED)
    # Finished pairings don't use a place.
    PairingFactory(program=program, mentor=busy_mentor, status=Pairing.Status.COMPLETED)

    cohort = cohort_load(program=program)

    assert waiting_mentee.pk in cohort.mentee_index()
    assert paired_mentee.pk not in cohort.mentee_index()
    assert applied.pk not in cohort.mentee_index()
    assert full_mentor.pk not in cohort.mentor_index()
    assert cohort.capacities[cohort.mentor_index()[busy_mentor.pk]] == 1
    assert cohort.left_out["mentors_full"] == 1


def test_people_who_left_the_company_are_left_out():
    program = matching_program()
    gone = mentee(program, person=PersonFactory(termination_date=datetime.date(2020, 1, 1)))
    cohort = cohort_load(program=program)
    assert gone.pk not in cohort.mentee_index()


def test_paired_before_declined_requests_and_exclusions_are_never_matched_again():
    program = matching_program()
    a_mentee, b_mentee, c_mentee = mentee(program), mentee(program), mentee(program)
    a_mentor = mentor(program, person_seniority=6)
    PairingFactory(program=program, mentor=a_mentor, mentee=a_mentee, status=Pairing.Status.DECLINED)
    MentorshipRequest.objects.create(
        program=program,
        mentee=b_mentee,
        mentor=a_mentor,
        status=MentorshipRequest.Status.DECLINED,
        expires_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
    )
    PairOverride.objects.create(program=program, mentee=c_mentee, mentor=a_mentor, kind=PairOverride.Kind.EXCLUDE)
    d_mentee = mentee(program)

    scored = _scored(program)

    assert not _allowed(scored, a_mentee, a_mentor)
    assert not _allowed(scored, b_mentee, a_mentor)
    assert not _allowed(scored, c_mentee, a_mentor)
    assert _allowed(scored, d_mentee, a_mentor)


def test_a_shared_language_is_required_when_both_are_known():
    program = matching_program()
    german, french = LanguageFactory(name="German"), LanguageFactory(name="French")
    german_mentee = mentee(program, person=PersonFactory(languages=[german]))
    unknown_mentee = mentee(program, person=PersonFactory(languages=[]))
    french_mentor = mentor(program, person=PersonFactory(languages=[french], seniority=6))

    scored = _scored(program)

    assert not _allowed(scored, german_mentee, french_mentor)
    assert _allowed(scored, unknown_mentee, french_mentor)


def test_optional_rules_same_department_and_seniority_range():
    program = matching_program()
    sales, legal = DepartmentFactory(name="Sales"), DepartmentFactory(name="Legal")
    sales_mentee = mentee(program, person=PersonFactory(department=sales, seniority=2))
    sales_mentor = mentor(program, person=PersonFactory(department=sales, seniority=4))
    junior_mentor = mentor(program, person=PersonFactory(department=legal, seniority=1))

    relaxed = _scored(program)
    strict = _scored(program, forbid_same_department=True, enforce_seniority_gap=True, seniority_gap_min=1)

    assert _allowed(relaxed, sales_mentee, sales_mentor)
    assert _allowed(relaxed, sales_mentee, junior_mentor)  # outside the range: a lower score only
    assert not _allowed(strict, sales_mentee, sales_mentor)
    assert not _allowed(strict, sales_mentee, junior_mentor)


def test_skills_weigh_the_mentors_level_and_the_mentees_need():
    program = matching_program()
    python = SkillFactory(name="Python")
    learner = mentee(program)
    expert, novice = mentor(program, person_seniority=5), mentor(program, person_seniority=5)
    EnrollmentSkill.objects.create(enrollment=learner, skill=python, direction="wants", level=1)
    EnrollmentSkill.objects.create(enrollment=expert, skill=python, direction="has", level=5)
    EnrollmentSkill.objects.create(enrollment=novice, skill=python, direction="has", level=2)

    scored = _scored(program)
    i = scored.cohort.mentee_index()[learner.pk]
    cols = scored.cohort.mentor_index()

    assert scored.explanation(i, cols[expert.pk])["skills"] > scored.explanation(i, cols[novice.pk])["skills"]


def test_mapped_questions_are_compared_and_free_text_is_not():
    program = matching_program()
    mentor_q = ProgramQuestionFactory(
        program=program, audience=Role.MENTOR, kind=ProgramQuestion.Kind.SINGLE, choices=["Tech", "People"]
    )
    ProgramQuestionFactory(
        program=program,
        audience=Role.MENTEE,
        kind=ProgramQuestion.Kind.SINGLE,
        choices=["Tech", "People"],
        maps_to=mentor_q,
    )
    mentor_text = ProgramQuestionFactory(program=program, audience=Role.MENTOR)
    ProgramQuestionFactory(program=program, audience=Role.MENTEE, maps_to=mentor_text)
    mentee_q = ProgramQuestion.objects.get(audience=Role.MENTEE, kind=ProgramQuestion.Kind.SINGLE)
    tech_mentee = mentee(program, answers={str(mentee_q.pk): "Tech"})
    tech_mentor = mentor(program, answers={str(mentor_q.pk): "Tech"}, person_seniority=5)
    people_mentor = mentor(program, answers={str(mentor_q.pk): "People"}, person_seniority=5)

    scored = _scored(program)
    i, cols = scored.cohort.mentee_index()[tech_mentee.pk], scored.cohort.mentor_index()

    assert scored.cohort.mentee_features.answers is not None
    assert len(scored.cohort.mentee_features.answers) == 1
    assert scored.explanation(i, cols[tech_mentor.pk])["answers"] > 0
    assert scored.explanation(i, cols[people_mentor.pk])["answers"] == 0


def test_explanation_parts_add_up_to_the_score_on_a_0_to_100_scale():
    program = matching_program()
    for _ in range(3):
        mentee(program)
        mentor(program, person_seniority=6)
    scored = _scored(program)
    for i in range(3):
        for j in range(3):
            explanation = scored.explanation(i, j)
            assert sum(explanation.values()) == pytest.approx(scored.score(i, j), abs=1e-9)
            assert 0 <= scored.score(i, j) <= 100
    assert sum(scored.max_points.values()) == pytest.approx(100, abs=0.5)


def test_utc_offsets_follow_daylight_saving():
    winter = datetime.datetime(2027, 1, 15, 12, tzinfo=datetime.UTC)
    summer = datetime.datetime(2027, 7, 15, 12, tzinfo=datetime.UTC)
    assert utc_offset_hours("Europe/Berlin", at=winter) == 1
    assert utc_offset_hours("Europe/Berlin", at=summer) == 2
    assert utc_offset_hours("Asia/Kolkata", at=winter) == 5.5
    assert np.isnan(utc_offset_hours("Not/AZone", at=winter))


def _cohort_of(program, size):
    skill = SkillFactory(name="Coaching")
    boss = PersonFactory()
    for k in range(size):
        learner = mentee(program, person=PersonFactory(manager=boss), answers={"1": "x"})
        EnrollmentSkill.objects.create(enrollment=learner, skill=skill, direction="wants", level=2)
        guide = mentor(program, person_seniority=5 + k % 3)
        EnrollmentSkill.objects.create(enrollment=guide, skill=skill, direction="has", level=4)
        PairingFactory(program=program, mentor=guide, status=Pairing.Status.DECLINED)


def test_cohort_loads_with_a_constant_number_of_queries(django_assert_num_queries):
    small, large = matching_program(), matching_program()
    _cohort_of(small, 2)
    _cohort_of(large, 12)
    TrainingModuleFactory(program=large, required=True)

    with django_assert_num_queries(8):
        cohort_load(program=small)
    with django_assert_num_queries(8):
        cohort = cohort_load(program=large)
    # 12 waiting mentees + the 12 of the declined pairings: none has done the required module.
    assert cohort.left_out["mentees_training"] == 24
