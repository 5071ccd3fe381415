import pytest
from django.db import transaction

from mentorship.tests import url_walk


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo company and the URL walk's extras, built once per test module (each test
    runs in a savepoint inside it) and rolled back at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield url_walk.build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def routes(world):
    return url_walk.all_routes()
