"""A double click on "Send request" asks the mentor once and answers like the first click."""

import pytest
from django.urls import reverse

from core.models import Notification
from matching.models import MentorshipRequest
from matching.tests.factories import matching_program, mentee, mentor
from mentorship.tests.submission import form_token, post_twice
from programs.models import Program

pytestmark = pytest.mark.django_db


def test_a_double_clicked_request_is_sent_once(client):
    program = matching_program(matching_mode=Program.MatchingMode.SELF_SELECT)
    guide = mentor(program, person_seniority=6)
    learner = mentee(program)
    client.force_login(learner.person.user)
    url = reverse("matching:request_create", args=[learner.pk, guide.pk])

    first, second = post_twice(client, url, {"message": "I'd love to learn how you lead."}, form_token(client, url))

    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("matching:find_mentor")
    assert MentorshipRequest.objects.count() == 1
    assert Notification.objects.filter(recipient=guide.person.user).count() == 1
