"""The override form's selects list a whole cohort: written in one pass, same HTML as Django's."""

from django import forms
from django.test.html import parse_html

from matching.forms import LongSelect

CHOICES = [("", "Choose a mentee…"), ("1", 'Ann <O\'Neil> & "Q"'), ("2", "Bob Brown"), ("3", "Chloé Ünal")]


def both(value, attrs):
    field = forms.ChoiceField(choices=CHOICES)
    ours = LongSelect(choices=field.choices).render("mentee", value, attrs)
    django = forms.Select(choices=field.choices).render("mentee", value, attrs)
    return parse_html(ours), parse_html(django)


def test_renders_the_same_html_as_djangos_select():
    ours, django = both("2", {"id": "id_mentee", "class": "form-select", "required": True, "disabled": False})
    assert ours == django


def test_nothing_chosen_and_names_are_escaped():
    ours, django = both(None, {"id": "id_mentee"})
    assert ours == django
    html = LongSelect(choices=CHOICES).render("mentee", None, {})
    assert "&lt;O&#x27;Neil&gt; &amp; &quot;Q&quot;" in html
    assert html.count(" selected") == 1 and '<option value="" selected>' in html


def test_model_choices_render_their_primary_keys(hr_admin):
    from people.models import User

    field = forms.ModelChoiceField(queryset=User.objects.all(), widget=LongSelect, empty_label="Choose…")
    html = field.widget.render("user", hr_admin.pk, {})
    assert f'<option value="{hr_admin.pk}" selected>' in html


def test_option_groups_fall_back_to_djangos_rendering():
    grouped = [("Mentors", [("1", "Ann"), ("2", "Bob")]), ("Mentees", [("3", "Chloé")])]
    ours = LongSelect(choices=grouped).render("person", "3", {"id": "id_person"})
    django = forms.Select(choices=grouped).render("person", "3", {"id": "id_person"})
    assert parse_html(ours) == parse_html(django)
