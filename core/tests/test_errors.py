"""A service's refusal lands on the form where the person will read it."""

from django import forms
from django.core.exceptions import ValidationError

from core.errors import ServiceError, form_add_service_errors
from matching.services import MatchingError
from programs.services.enrollment import EnrollmentError


class SessionForm(forms.Form):
    start_time = forms.CharField(required=False)
    note = forms.CharField(required=False)


def _form():
    form = SessionForm(data={})
    assert form.is_valid()  # errors added later, as a view does after calling the service
    return form


def test_a_refusal_naming_a_field_goes_on_that_field_renamed_as_the_form_calls_it():
    form = _form()
    error = ValidationError({"starts_at": "That time has passed.", "unknown": "Something else."})
    form_add_service_errors(form, error, {"starts_at": "start_time"})
    assert form.errors["start_time"] == ["That time has passed."]
    assert form.non_field_errors() == ["Something else."]


def test_a_plain_refusal_goes_above_the_form_in_the_services_words():
    for error in (ValidationError("The program has ended."), EnrollmentError("The program has ended.")):
        form = _form()
        form_add_service_errors(form, error)
        assert form.non_field_errors() == ["The program has ended."]


def test_every_apps_refusal_is_a_service_error():
    assert issubclass(EnrollmentError, ServiceError) and issubclass(MatchingError, ServiceError)
