"""One-time submission tokens: the mechanism itself (each create form has its own test)."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.test import RequestFactory
from django.utils import timezone

from core.models import FormSubmission
from core.submissions import REPEAT_MESSAGE, form_submissions_expire, submission_token_new, submit_once
from core.tasks import form_submissions_expire as form_submissions_expire_task

pytestmark = pytest.mark.django_db

calls = []


@submit_once
def create_thing(request):
    """A stand-in create view: a redirect when the form is valid, the form again when not."""
    calls.append(request.POST.get("name"))
    if not request.POST.get("name"):
        return HttpResponse("the form again, with errors", status=200)
    return redirect(f"/things/{len(calls)}/")


@pytest.fixture(autouse=True)
def _reset():
    calls.clear()


def post(user, data, path="/things/new/"):
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().post(path, data)
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request, create_thing(request)


def test_a_repeat_gets_the_first_redirect_and_the_view_runs_once(alice):
    token = submission_token_new()
    _, first = post(alice, {"name": "x", "submission_token": token})
    request, second = post(alice, {"name": "x", "submission_token": token})
    assert (first.status_code, second.status_code) == (302, 302)
    assert second["Location"] == first["Location"] == "/things/1/"
    assert calls == ["x"]
    assert [str(m) for m in get_messages(request)] == [REPEAT_MESSAGE]


def test_a_form_with_errors_releases_the_token_for_the_corrected_form(alice):
    token = submission_token_new()
    _, first = post(alice, {"name": "", "submission_token": token})
    assert first.status_code == 200 and not FormSubmission.objects.exists()
    _, fixed = post(alice, {"name": "y", "submission_token": token})
    assert fixed.status_code == 302 and calls == ["", "y"]


def test_without_a_token_or_with_a_malformed_one_every_post_runs(alice):
    post(alice, {"name": "a"})
    post(alice, {"name": "a"})
    post(alice, {"name": "b", "submission_token": "short"})
    post(alice, {"name": "b", "submission_token": "short"})
    assert calls == ["a", "a", "b", "b"]


def test_tokens_are_per_person_and_per_form(alice, bob):
    token = submission_token_new()
    post(alice, {"name": "a", "submission_token": token})
    post(bob, {"name": "b", "submission_token": token})  # someone else's token: no answer of Alice's
    post(alice, {"name": "c", "submission_token": token}, path="/other/new/")
    assert calls == ["a", "b", "c"]


def test_tokens_are_forgotten_after_a_day(alice):
    post(alice, {"name": "a", "submission_token": submission_token_new()})
    post(alice, {"name": "b", "submission_token": submission_token_new()})
    FormSubmission.objects.filter(pk=FormSubmission.objects.first().pk).update(
        created_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    assert form_submissions_expire_task.delay().get() == 1
    assert FormSubmission.objects.count() == 1
    assert form_submissions_expire() == 0
