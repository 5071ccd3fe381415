"""people/privacy.py: the disclosure rules, and the audit's attacks on diversity figures.

An HR admin with the pages and CSV exports tries to work out one person's
self-identification: by subtraction from a total, or by comparing two downloads
around one approval, one import or one change. Each attempt must find nothing.
"""

import ast
import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from people import privacy
from people.models import Person, SelfIdentification
from people.tests.factories import PersonFactory
from programs.models import Enrollment
from programs.tests.factories import EnrollmentFactory, ProgramFactory

OVERVIEW = "/people/self-identification/"


# --- One owner for the rule ----------------------------------------------------------------


def _project_modules():
    root = Path(settings.BASE_DIR)
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if parts[0] in (".venv", "var", "node_modules") or "migrations" in parts or "tests" in parts:
            continue
        if parts[0] in ("bench", "e2e") or path.name == "conftest.py":
            continue
        yield path


def test_no_module_but_people_privacy_defines_a_small_group_threshold():
    """A second copy of the threshold is a bug waiting to happen: only people/privacy.py
    (reading settings.PRIVACY_MIN_GROUP) may define one."""
    pattern = re.compile(r"MIN_?(GROUP|ANSWER|RESPONSE|COUNT)|SMALL_GROUP|PRIVACY", re.I)
    offenders = []
    for path in _project_modules():
        if path.match("people/privacy.py"):
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            # (name, value) pairs: assignments and parameter defaults.
            pairs = []
            if isinstance(node, ast.Assign):
                pairs = [(t.id, node.value) for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                pairs = [(node.target.id, node.value)]
            elif isinstance(node, ast.arguments):
                names = [a.arg for a in node.args + node.kwonlyargs]
                defaults = [*([None] * (len(node.args) - len(node.defaults))), *node.defaults, *node.kw_defaults]
                pairs = list(zip(names, defaults, strict=True))
            for name, value in pairs:
                is_number = isinstance(value, ast.Constant) and type(value.value) is int
                if is_number and pattern.search(name) and not path.match("mentorship/settings.py"):
                    offenders.append(f"{path}:{getattr(node, 'lineno', '?')} {name} = {value.value}")
    assert offenders == []


def test_the_setting_defaults_to_five_and_refuses_a_useless_minimum():
    from mentorship.tests.test_settings import PRODUCTION_ENV, load_settings

    assert privacy.min_group() == settings.PRIVACY_MIN_GROUP == 5
    result = load_settings(**PRODUCTION_ENV, PRIVACY_MIN_GROUP="1")
    assert result.returncode != 0
    assert result.stderr.strip() == "Configuration error: PRIVACY_MIN_GROUP must be at least 3, not 1"


# --- Complementary suppression --------------------------------------------------------------


def groups(**counts):
    return [privacy.Group(key, key, n) for key, n in counts.items()]


def test_a_single_small_group_takes_the_next_smallest_with_it():
    result = privacy.suppress(groups(a=6, b=7, c=2))
    assert result.rows() == [("b", 7), (privacy.OTHER_LABEL, 8)]
    assert result.hidden_keys == {"a", "c"}


def test_not_shared_is_a_group_like_any_other():
    result = privacy.suppress(groups(woman=9, man=8, **{privacy.NOT_SHARED: 1}))
    assert result.rows() == [("woman", 9), (privacy.OTHER_LABEL, 9)]


def test_a_population_under_the_minimum_is_not_broken_down():
    assert privacy.suppress(groups(a=2, b=1)).withheld
    assert privacy.suppress(groups(a=2, b=3)).rows() == [(privacy.OTHER_LABEL, 5)]


@override_settings(PRIVACY_MIN_GROUP=10)
def test_the_minimum_is_the_setting():
    assert privacy.suppress(groups(a=9, b=12)).rows() == [(privacy.OTHER_LABEL, 21)]


@given(st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 40), max_size=8))
def test_no_hidden_group_can_be_worked_out(counts):
    """Whatever the groups: every shown count and the pool are at least the minimum, the
    rows add up to the total, and the pool never holds a single group (whose count it would be)."""
    result = privacy.suppress(groups(**counts))
    total = sum(counts.values())
    if result.withheld:
        assert total < 5 and result.rows() == []
        return
    assert result.total == total
    assert all(count >= 5 for _, count in result.rows())
    hidden = [key for key in result.hidden_keys if counts[key] > 0]
    assert result.other == 0 or len(hidden) >= 2


def test_outcome_rates_need_enough_people_either_way_in_every_group():
    assert privacy.outcome_rates_shown([(5, 10), (6, 11)])
    assert not privacy.outcome_rates_shown([(5, 10), (6, 10)])  # 4 without the outcome
    assert not privacy.outcome_rates_shown([(10, 10), (5, 10)])  # "100%" says who is not in it


# --- The directory's overview: subtraction and two moments ----------------------------------


def employee(gender="", **fields):
    person = PersonFactory(languages=[], **fields)
    if gender:
        SelfIdentification.objects.create(person=person, gender=gender)
    return person


def overview_rows(client, dimension="gender"):
    page = client.get(OVERVIEW).content.decode()
    section = page.split(f'data-testid="dimension-{dimension}"')[1].split("</table>")[0]
    return re.findall(r"<td>([^<]*)</td><td class=\"text-end\">([\d,]+)</td>", section)


def test_not_shared_cannot_be_worked_out_from_the_total(hr_client, hr_admin):
    for gender, count in (("woman", 9), ("man", 8), ("non_binary", 5)):
        for _ in range(count):
            employee(gender)
    employee()  # one more person who shared nothing (with the HR admin: two)
    page = hr_client.get(OVERVIEW).content.decode()
    total = int(re.search(r"counted over all (\d+) current employees", page)[1])
    rows = overview_rows(hr_client)
    assert total == 24 and sum(int(n) for _, n in rows) == total
    assert all(int(n) >= 5 for _, n in rows)
    assert "Not shared" not in dict(rows)


@pytest.mark.django_db
def test_one_person_sharing_between_two_views_changes_nothing(hr_client):
    for gender, count in (("woman", 9), ("man", 8), ("non_binary", 6)):
        for _ in range(count):
            employee(gender)
    before = overview_rows(hr_client)
    newcomer = employee()
    SelfIdentification.objects.create(person=newcomer, gender="self_described")  # shared after a talk with HR
    assert overview_rows(hr_client) == before
    # Four more changes (an import of new hires): still the same figures.
    for _ in range(3):
        employee()
    assert overview_rows(hr_client) == before
    employee("woman")  # the fifth change since the release: the figures move, for five people at once
    assert overview_rows(hr_client) != before


# --- The D&I view and its CSV: one approval between two downloads ----------------------------


def diversity_csv(client, program):
    response = client.get(f"/dashboards/programs/{program.slug}/export/diversity.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def dni_program(db):
    program = ProgramFactory(running=True, name="D&I", slug="dni")
    for gender, count in (("woman", 8), ("man", 9), ("non_binary", 6)):
        for _ in range(count):
            EnrollmentFactory(program=program, mentee=True, person=employee(gender))
    return program


def test_approving_one_applicant_between_two_downloads_reveals_nothing(hr_client, dni_program):
    before = diversity_csv(hr_client, dni_program)
    applicant = EnrollmentFactory(program=dni_program, mentee=True, person=employee("self_described"))
    assert diversity_csv(hr_client, dni_program) == before
    page = hr_client.get(f"/dashboards/programs/{dni_program.slug}/diversity/").content.decode()
    assert "Some changes since then are not counted yet" in page

    # Withdrawn again, approved again: still nothing moves.
    Enrollment.objects.filter(pk=applicant.pk).update(status=Enrollment.Status.WITHDRAWN)
    assert diversity_csv(hr_client, dni_program) == before


def test_the_figures_move_once_five_people_changed(hr_client, dni_program):
    before = diversity_csv(hr_client, dni_program)
    for _ in range(4):
        EnrollmentFactory(program=dni_program, mentee=True, person=employee("woman"))
    assert diversity_csv(hr_client, dni_program) == before
    EnrollmentFactory(program=dni_program, mentee=True, person=employee("man"))
    after = diversity_csv(hr_client, dni_program)
    assert after != before
    participants = {row[1]: int(row[2]) for row in after[1:] if row[0] == "Gender"}
    assert sum(participants.values()) == 28


def test_a_leaver_in_an_import_does_not_move_the_company_figures(hr_client, dni_program):
    for _ in range(10):
        employee("woman")
    before = diversity_csv(hr_client, dni_program)
    from django.utils import timezone

    leaver = Person.objects.filter(self_identification__gender="non_binary").first()
    leaver.termination_date = timezone.localdate()
    leaver.save()
    assert diversity_csv(hr_client, dni_program) == before
