"""``pk__in`` with numbers no column can hold matches nothing, on SQLite and PostgreSQL."""

import pytest

from people.models import Person
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_in_lookup_with_out_of_range_numbers_matches_nothing_instead_of_failing():
    person = PersonFactory()
    huge, tiny = 99999999999999999999, -99999999999999999999

    assert list(Person.objects.filter(pk__in=[huge])) == []
    assert list(Person.objects.filter(pk__in=[huge, tiny, person.pk])) == [person]
    assert Person.objects.exclude(pk__in=[huge]).count() == 1
