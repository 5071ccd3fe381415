"""My profile, sharing self-identification, and the HR-only aggregate that never shows anyone."""

import pytest
from django.urls import reverse

from people import privacy
from people.models import Person, SelfIdentification
from people.privacy import OTHER_LABEL
from people.tests.factories import PersonFactory, SelfIdentificationFactory, UserFactory

MY_PROFILE = reverse("people:my_profile")
WITHDRAW = reverse("people:self_identification_withdraw")
OVERVIEW = reverse("people:self_identification_overview")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_my_profile_shows_my_directory_entry_and_the_privacy_promise(alice_client, alice, bob):
    person = alice.person
    person.title = "Staff Engineer"
    person.manager = bob.person
    person.save()

    html = alice_client.get(MY_PROFILE).content.decode()

    assert 'data-testid="profile-email">alice@example.com<' in html
    assert "Staff Engineer" in html
    assert "Bob Brown" in html  # her manager, by name
    assert "bob@example.com" not in html  # nothing of anybody else's entry
    assert "only counted in groups of 5 or more, never shown individually" in html
    assert 'data-testid="self-identification-form"' in html


def test_account_without_directory_entry_is_told_what_to_do(client, db):
    user = UserFactory(email="no.entry@example.com")
    client.force_login(user)
    response = client.get(MY_PROFILE)
    assert response.status_code == 200
    assert 'data-testid="profile-not-linked"' in response.content.decode()
    assert client.post(MY_PROFILE, {"gender": "woman"}).status_code == 404
    assert client.post(WITHDRAW).status_code == 404
    assert SelfIdentification.objects.count() == 0


def test_sharing_saves_my_answers(alice_client, alice):
    response = alice_client.post(
        MY_PROFILE, {"gender": "woman", "age_band": "25_34", "ethnicity": "  Afro-Brazilian ", "lgbtq": "prefer_not"}
    )
    assert response.status_code == 302
    record = SelfIdentification.objects.get(person=alice.person)
    assert (record.gender, record.age_band, record.ethnicity, record.lgbtq, record.disability) == (
        "woman",
        "25_34",
        "Afro-Brazilian",
        "prefer_not",
        "",
    )
    html = alice_client.get(MY_PROFILE).content.decode()
    assert "Your answers are saved." in html
    assert 'value="Afro-Brazilian"' in html  # I see my own answers to edit them
    assert 'data-testid="self-identification-withdraw"' in html


def test_clearing_every_answer_removes_the_record(alice_client, alice):
    SelfIdentificationFactory(person=alice.person, gender="woman")
    alice_client.post(MY_PROFILE, {"gender": "", "ethnicity": ""})
    assert not SelfIdentification.objects.filter(person=alice.person).exists()


def test_withdraw_deletes_everything_shared(alice_client, alice):
    SelfIdentificationFactory(person=alice.person, gender="woman", disability="yes")
    response = alice_client.post(WITHDRAW, follow=True)
    assert "Everything you shared about yourself has been deleted." in response.content.decode()
    assert not SelfIdentification.objects.filter(person=alice.person).exists()

    response = alice_client.post(WITHDRAW, follow=True)
    assert "nothing to delete" in response.content.decode()


def test_withdraw_only_by_post(alice_client, alice):
    SelfIdentificationFactory(person=alice.person, gender="woman")
    assert alice_client.get(WITHDRAW).status_code == 405
    assert SelfIdentification.objects.filter(person=alice.person).exists()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"gender": "martian"}, "Select a valid choice."),
        ({"age_band": "99"}, "Select a valid choice."),
        ({"ethnicity": "x" * 81}, "Ensure this value has at most 80 characters"),
    ],
)
def test_bad_answers_show_an_error_and_save_nothing(alice_client, alice, data, error):
    SelfIdentificationFactory(person=alice.person, gender="man")
    response = alice_client.post(MY_PROFILE, {"gender": "woman", **data} if "gender" not in data else data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert SelfIdentification.objects.get(person=alice.person).gender == "man"


def test_my_profile_edits_only_my_own_record(alice_client, alice, bob):
    SelfIdentificationFactory(person=bob.person, gender="man", ethnicity="Bob's answer")
    html = alice_client.get(MY_PROFILE).content.decode()
    assert "Bob&#x27;s answer" not in html and "Bob's answer" not in html
    alice_client.post(MY_PROFILE, {"gender": "woman"})
    alice_client.post(WITHDRAW)
    assert SelfIdentification.objects.get(person=bob.person).ethnicity == "Bob's answer"


def test_answers_never_appear_on_pages_about_other_people(client, hr_client, alice, bob):
    SelfIdentificationFactory(person=alice.person, ethnicity="Distinctive-Answer-42", gender="non_binary")
    client.force_login(bob)
    for url in (MY_PROFILE, reverse("home")):
        assert "Distinctive-Answer-42" not in client.get(url).content.decode()
    for url in (
        reverse("people:person_detail", args=[alice.person.pk]),
        reverse("people:directory"),
        OVERVIEW,
    ):
        assert "Distinctive-Answer-42" not in hr_client.get(url).content.decode()


# --- The aggregate --------------------------------------------------------------------------


def people_with(*answers, field="gender"):
    for index, answer in enumerate(answers):
        person = PersonFactory(email=f"p{index}.{field}@example.com", languages=[])
        if answer is not None:
            SelfIdentificationFactory(person=person, **{field: answer})


def overview(dimension="gender"):
    figures = privacy.directory_self_identification().figures["dimensions"][dimension]
    return [tuple(row) for row in figures["rows"]]


@pytest.mark.django_db
def test_summary_pools_small_groups_and_not_shared_into_other():
    people_with(*["woman"] * 6, *["man"] * 7, *["non_binary"] * 2, *["prefer_not"] * 3, None, None)
    # "Not shared: 2" beside the other counts and the total would be a group under five.
    assert overview() == [("Man", 7), ("Woman", 6), (OTHER_LABEL, 7)]


@pytest.mark.django_db
def test_summary_merges_more_groups_so_that_other_is_never_small():
    # Two non-binary people alone in "Other" could be counted by subtraction.
    people_with(*["woman"] * 6, *["man"] * 9, *["non_binary"] * 2)
    assert overview() == [("Man", 9), (OTHER_LABEL, 8)]


@pytest.mark.django_db
def test_summary_shows_no_group_apart_when_each_is_small():
    people_with("woman", "man", "woman", None, None, None)
    assert overview() == [(OTHER_LABEL, 6)]


@pytest.mark.django_db
def test_summary_withholds_a_population_under_five():
    people_with("woman", "woman", None)
    figures = privacy.directory_self_identification().figures["dimensions"]["gender"]
    assert figures == {"withheld": True, "rows": []}


@pytest.mark.django_db
def test_summary_groups_free_text_regardless_of_case_and_spacing():
    people_with(*["Latina"] * 3, "latina", " LATINA ", *["Han  Chinese"] * 7, None, field="ethnicity")
    # Latina (5) joins the one person who shared nothing: "not shared: 1" would stand out.
    assert overview("ethnicity") == [("Han Chinese", 7), (OTHER_LABEL, 6)]
    assert privacy.directory_self_identification().figures["total"] == 13


def test_overview_page_shows_aggregates_to_hr(hr_client, db):
    people_with(*["25_34"] * 6, *["35_44"] * 5, *["55_plus"] * 2, field="age_band")
    html = hr_client.get(OVERVIEW).content.decode()
    assert 'data-testid="dimension-age_band"' in html
    section = html.split('data-testid="dimension-age_band"')[1].split("</table>")[0]
    assert "25-34" in section
    assert "55 and over" not in section  # two people: too few to show
    assert OTHER_LABEL in section


def test_overview_page_with_an_empty_directory(hr_client):
    Person.objects.all().delete()
    assert 'data-testid="overview-empty"' in hr_client.get(OVERVIEW).content.decode()


@pytest.mark.parametrize("size", [5, 25])
def test_overview_query_count_does_not_grow_with_people(hr_client, size, django_assert_num_queries):
    people_with(*["woman"] * size, *["man"] * 5, field="gender")
    hr_client.get(OVERVIEW)
    with django_assert_num_queries(9):
        response = hr_client.get(OVERVIEW)
    assert f'<td>Woman</td><td class="text-end">{size}</td>' in response.content.decode()
