"""/dashboards/programs/<slug>/diversity/: HR admins only, under people.privacy's rules."""

import pytest
from django.utils import timezone

from evaluation.diversity import _ratings_state, program_diversity
from matching.tests.factories import PairingFactory
from people.models import SelfIdentification
from people.privacy import OTHER_LABEL
from people.tests.factories import PersonFactory
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from surveys.models import SurveyAnswer
from surveys.tests.factories import SurveyFactory, SurveyInstanceFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db

URL = "/dashboards/programs/leadership-circle/diversity/"


def someone(gender="", ethnicity="", **fields):
    who = PersonFactory(**fields)
    if gender or ethnicity:
        SelfIdentification.objects.create(person=who, gender=gender, ethnicity=ethnicity)
    return who


@pytest.fixture
def cohort(db):
    """19 participants: 6 women mentees (5 matched, 5 rated 5/4/4/3/5), 7 men (5 mentees, 2 matched,
    4 rated; 2 mentors), 2 non-binary and 3 self-described mentors (merged into "Other"), one who
    shared nothing. 60 more employees: 14 women, 33 men, 3 non-binary, 10 sharing nothing; a woman
    who left does not count."""
    program = ProgramFactory(running=True, name="Leadership Circle", slug="leadership-circle")
    survey = SurveyFactory(program=program, pulse=True)
    rating, _ = survey.questions.order_by("order")
    instance = SurveyInstanceFactory(survey=survey)
    men_mentors = [EnrollmentFactory(program=program, mentor=True, person=someone("man")) for _ in range(2)]
    for index, stars in enumerate([5, 4, 4, 3, 5, None]):
        mentee = EnrollmentFactory(
            program=program, mentee=True, person=someone("woman", ethnicity=["Asian", "asian ", "ASIAN"][index % 3])
        )
        if index < 5:
            PairingFactory(active=True, program=program, mentor=men_mentors[index % 2], mentee=mentee)
        if stars:
            SurveyResponseFactory(instance=instance, enrollment=mentee, answers={rating: stars})
    anonymous = SurveyFactory(program=program, pulse=True, anonymous=True)
    anonymous_rating, _ = anonymous.questions.order_by("order")
    SurveyResponseFactory(
        instance=SurveyInstanceFactory(survey=anonymous),
        enrollment=mentee,
        answers={anonymous_rating: 1},
        anonymous=True,
    )
    for index in range(5):
        mentee = EnrollmentFactory(program=program, mentee=True, person=someone("man"))
        if index < 2:
            PairingFactory(active=True, program=program, mentor=men_mentors[0], mentee=mentee)
        if index < 4:
            SurveyResponseFactory(instance=instance, enrollment=mentee, answers={rating: 2})
    for gender in ["non_binary"] * 2 + ["self_described"] * 3:
        EnrollmentFactory(program=program, mentor=True, person=someone(gender))
    EnrollmentFactory(program=program, mentee=True, person=someone())
    for gender, count in (("woman", 14), ("man", 33), ("non_binary", 3), ("", 10)):
        for _ in range(count):
            someone(gender)
    someone("woman", termination_date=timezone.localdate())
    return program


def dimension(program, name):
    return next(d for d in program_diversity(program=program).figures["dimensions"] if d["name"] == name)


def rows(program, name):
    return {row["label"]: row for row in dimension(program, name)["rows"]}


def test_groups_are_pooled_so_that_none_can_be_worked_out(cohort):
    gender = rows(cohort, "gender")
    # Non-binary (2), self-described (3) and "not shared" (1) are pooled: showing
    # "not shared: 1" beside the other groups and the total would single that person out.
    assert list(gender) == ["Man", "Woman", OTHER_LABEL]
    women, men, other = gender["Woman"], gender["Man"], gender[OTHER_LABEL]
    assert (women["participants"], other["participants"]) == (6, 6)
    assert sum(row["participants"] for row in gender.values()) == 19
    # Employees come from the directory's released overview (79 current employees: 20 women, 40 men).
    assert (women["employees"], women["employees_share"]) == (20, 25.3)
    assert (women["participants_share"], women["participation_rate"]) == (31.6, 30.0)
    assert (men["employees"], men["participation_rate"]) == (40, 17.5)
    assert other["employees"] is None  # "Other" pools different groups in the company
    # 5 of the 6 women mentees are matched: one unmatched woman would tell HR that the
    # other unmatched mentees are not women, so no rate of this question is shown.
    assert not dimension(cohort, "gender")["rates_shown"]
    assert all(row["match_rate"] is None and row["mentees"] is None for row in gender.values())
    # Only 4 men rated: no satisfaction for any group (one hidden average could be derived).
    assert not dimension(cohort, "gender")["averages_shown"]


def test_rates_are_shown_when_every_group_has_enough_either_way(db):
    program = ProgramFactory(running=True, name="Rates", slug="rates")
    mentor = EnrollmentFactory(program=program, mentor=True, person=someone("man"))
    for gender, mentees, matched in (("woman", 12, 7), ("man", 10, 5)):
        for index in range(mentees):
            mentee = EnrollmentFactory(program=program, mentee=True, person=someone(gender))
            if index < matched:
                PairingFactory(active=True, program=program, mentor=mentor, mentee=mentee)
    found = dimension(program, "gender")
    assert found["rates_shown"]
    by_label = {row["label"]: row for row in found["rows"]}
    assert (by_label["Woman"]["match_rate"], by_label["Man"]["match_rate"]) == (58.3, 50.0)


def test_ratings_changed_by_five_participants_move_the_figures(db):
    """Changed ratings count as changed people (rule 4), also when the page checks the data's
    digest before comparing: one changed answer is pending, the fifth moves the figures."""
    program = ProgramFactory(running=True, name="Ratings", slug="ratings")
    survey = SurveyFactory(program=program, pulse=True)
    rating, _ = survey.questions.order_by("order")
    instance = SurveyInstanceFactory(survey=survey)
    responses = {}
    for gender in ("woman", "man"):
        for _ in range(6):
            mentee = EnrollmentFactory(program=program, mentee=True, person=someone(gender))
            responses.setdefault(gender, []).append(
                SurveyResponseFactory(instance=instance, enrollment=mentee, answers={rating: 4})
            )

    def satisfaction():
        released = program_diversity(program=program)
        rows = {row["label"]: row["satisfaction"] for row in released.figures["dimensions"][0]["rows"]}
        return rows["Woman"], released.pending

    assert satisfaction() == (4.0, False)
    for index, response in enumerate(responses["woman"][:5]):
        if index == 2:  # an answer changed in place (the app replaces them; the check sees both)
            SurveyAnswer.objects.filter(response=response).update(number=1)
        else:  # answering again: the answers are replaced
            SurveyAnswer.objects.filter(response=response).delete()
            SurveyAnswer.objects.create(response=response, question=rating, number=1)
        assert satisfaction() == ((4.0, True) if index < 4 else (1.5, False))
        assert satisfaction() == ((4.0, True) if index < 4 else (1.5, False))  # the next view: the same


def test_the_ratings_check_changes_with_every_added_or_deleted_answer(db):
    program = ProgramFactory(running=True, name="Ratings", slug="ratings")
    survey = SurveyFactory(program=program, pulse=True)
    rating, nps = survey.questions.order_by("order")
    instance = SurveyInstanceFactory(survey=survey)
    mentees = [EnrollmentFactory(program=program, mentee=True, person=someone("woman")) for _ in range(3)]
    responses = [
        SurveyResponseFactory(instance=instance, enrollment=mentee, answers={rating: 3, nps: 8}) for mentee in mentees
    ]
    seen = {_ratings_state(program)}

    def changed():
        state = _ratings_state(program)
        assert state not in seen
        seen.add(state)

    SurveyAnswer.objects.filter(response=responses[0], question=rating).delete()  # deleted alone
    changed()
    SurveyAnswer.objects.filter(response=responses[1]).delete()  # answered again: replaced,
    SurveyAnswer.objects.create(response=responses[1], question=nps, number=3)  # the rating left out
    changed()
    SurveyAnswer.objects.filter(response=responses[2]).delete()  # replaced by the same rating
    SurveyAnswer.objects.create(response=responses[2], question=rating, number=3)
    changed()


def test_free_text_answers_are_grouped_whatever_their_spelling(cohort):
    ethnicity = rows(cohort, "ethnicity")
    # One group; its label is the directory's choice (the most used spelling, ties alphabetically).
    assert ethnicity["ASIAN"]["participants"] == 6


def test_owners_get_a_403(client, owner, cohort):
    cohort.owners.add(owner)
    client.force_login(owner)
    assert client.get(URL).status_code == 403
    assert client.get("/dashboards/programs/leadership-circle/export/diversity.csv").status_code == 403
    assert 'data-testid="tab-diversity"' not in client.get("/dashboards/programs/leadership-circle/").content.decode()


def test_hr_sees_the_page(hr_client, cohort):
    response = hr_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="diversity-released"' in html
    assert "Match rates are not shown" in html and "Satisfaction is not shown" in html


def test_other_owners_get_a_404(other_owner_client, scenario):
    assert other_owner_client.get(URL).status_code == 404


def test_participants_get_a_404(participant_client):
    assert participant_client.get(URL).status_code == 404


@pytest.mark.parametrize("size", [5, 50])
def test_the_page_takes_the_same_queries_at_any_size(hr_client, size, django_assert_num_queries):
    program = ProgramFactory(running=True, slug="sized")
    for index in range(size):
        who = someone(["woman", "man", "non_binary"][index % 3], ethnicity=f"Group {index % 4}")
        EnrollmentFactory(program=program, mentee=True, person=who)
    # The first view releases the directory's and the program's figures; later ones only check
    # that the data is the one last compared (the digests and the release row).
    with django_assert_num_queries(39):
        assert hr_client.get("/dashboards/programs/sized/diversity/").status_code == 200
    with django_assert_num_queries(12):
        assert hr_client.get("/dashboards/programs/sized/diversity/").status_code == 200
