"""people/privacy.py: a view whose data did not change since the last comparison answers from
the release row alone (rule 4 at company scale), and gives what a full comparison would."""

import hashlib

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from people import privacy
from people.models import DisclosureRelease, Person, SelfIdentification
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def digest_of(records: dict) -> str:
    return hashlib.sha256(repr(sorted(records.items())).encode()).hexdigest()


class Population:
    """Records that change between views, released under two keys: one checked against the
    data's digest first, one always compared in full (the reference)."""

    def __init__(self, records=None):
        self.records = dict(records or {})
        self.reads = 0

    def read(self):
        self.reads += 1
        return dict(self.records)

    def compute(self):
        return {"people": [[pk, list(record)] for pk, record in sorted(self.records.items())]}

    def checked(self, key="checked"):
        return privacy.release_refresh(
            key=key, records=self.read, compute=self.compute, state=lambda: digest_of(self.records)
        )

    def reference(self, key="reference"):
        return privacy.release_refresh(key=key, records=dict(self.records), compute=self.compute)


def same(a: privacy.Released, b: privacy.Released) -> bool:
    return (a.figures, a.population, a.pending) == (b.figures, b.population, b.pending)


steps = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.integers(0, 12), st.sampled_from("abc")),
        st.tuples(st.just("drop"), st.integers(0, 12), st.just("")),
        st.tuples(st.just("undo"), st.integers(0, 20), st.just("")),
        st.tuples(st.just("view"), st.just(0), st.just("")),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.dictionaries(st.integers(0, 12), st.sampled_from("abc"), max_size=12), steps=steps)
def test_checking_the_data_first_answers_as_a_full_comparison(start, steps):
    """Whatever the changes (people joining, leaving, changing, changes undone) and however
    often the page is viewed: the same figures, population and "changes pending" as comparing
    every person's fingerprint on every view, and the releases happen at the same views."""
    DisclosureRelease.objects.all().delete()
    population = Population({pk: (value,) for pk, value in start.items()})
    history = [dict(population.records)]
    checked, reference = population.checked(), population.reference()
    assert same(checked, reference)
    for action, pk, value in steps:
        if action == "set":
            population.records[pk] = (value,)
        elif action == "drop":
            population.records.pop(pk, None)
        elif action == "undo":
            population.records = dict(history[-1 - pk % len(history)])
        history.append(dict(population.records))
        new_checked, new_reference = population.checked(), population.reference()
        assert same(new_checked, new_reference)
        assert (new_checked.released_at != checked.released_at) == (new_reference.released_at != reference.released_at)
        checked, reference = new_checked, new_reference


def test_a_view_with_nothing_changed_reads_neither_the_records_nor_the_fingerprints():
    population = Population(dict.fromkeys(range(8), ("a",)))
    population.checked()
    population.records[1] = ("b",)
    assert population.checked().pending
    reads = population.reads
    with CaptureQueriesContext(connection) as queries:
        again = population.checked()
    assert again.pending and population.reads == reads
    assert len(queries) == 1 and "fingerprints" not in queries[0]["sql"]


def test_a_new_minimum_is_applied_at_the_next_view():
    """Three changes are pending under a minimum of five; with a minimum of three the same
    data is released at once (the check is keyed on the minimum too)."""
    population = Population(dict.fromkeys(range(10), ("a",)))
    before = population.checked()
    for pk in range(3):
        population.records[pk] = ("b",)
    assert population.checked().figures == before.figures
    with override_settings(PRIVACY_MIN_GROUP=3):
        after = population.checked()
    assert after.figures != before.figures and not after.pending


def test_data_moving_while_the_records_are_read_is_compared_again_next_time():
    population = Population(dict.fromkeys(range(8), ("a",)))
    population.checked()
    states = iter(["moved", "moved again", "moved again", "moved again"])
    privacy.release_refresh(
        key="checked", records=population.read, compute=population.compute, state=lambda: next(states)
    )
    assert DisclosureRelease.objects.get(key="checked").checked_state == ""
    reads = population.reads
    privacy.release_refresh(
        key="checked", records=population.read, compute=population.compute, state=lambda: next(states)
    )
    assert population.reads == reads + 1  # compared again, and remembered this time
    assert DisclosureRelease.objects.get(key="checked").checked_state != ""


def test_the_stored_check_is_a_keyed_hash():
    population = Population(dict.fromkeys(range(8), ("a",)))
    population.checked()
    stored = DisclosureRelease.objects.get(key="checked").checked_state
    assert len(stored) == 32 and digest_of(population.records) not in stored
    with override_settings(SECRET_KEY="another-secret-key-" + "x" * 50):
        assert privacy._checked_state("checked", digest_of(population.records)) != stored


def test_the_fingerprints_are_each_person_s_keyed_hash():
    records = {1: ("a", "b"), 2: ("", "c"), 30: ("a", "b")}
    assert privacy._fingerprints("k", records) == sorted(
        privacy._fingerprint("k", pk, record) for pk, record in records.items()
    )


# --- The digest of the rows -----------------------------------------------------------------


@pytest.fixture(params=["database", "python"])
def digest(request, monkeypatch):
    """rows_digest as PostgreSQL computes it, and as other databases do (rows hashed here)."""
    if request.param == "python":
        monkeypatch.setattr(connection, "vendor", "sqlite")
    elif connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    return privacy.rows_digest


def test_the_digest_changes_with_any_row_and_not_with_their_order(digest):
    people = [PersonFactory(languages=[]) for _ in range(4)]
    rows = Person.objects.values_list("pk", "first_name", "self_identification__ethnicity")
    first = digest(rows)
    assert digest(rows.order_by("-pk")) == first
    SelfIdentification.objects.create(person=people[0], ethnicity="Irish")
    changed = digest(rows)
    assert changed != first
    Person.objects.filter(pk=people[1].pk).update(first_name="Another")
    assert digest(rows) not in (first, changed)
    people[2].delete()
    assert digest(rows).startswith("3:")
