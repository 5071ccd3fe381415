"""Forms for program setup. They parse input and show errors; the rules they check
come from ``programs.services.setup`` so a rule lives in one place."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db.models import Q

from people.models import Person, User
from programs.models import GoalTemplate, Objective, Program, ProgramQuestion, Role, TrainingModule
from programs.selectors import MISSING_REQUIRED, owner_candidates
from programs.services.setup import (
    PROGRAM_SETTING_FIELDS,
    program_question_check,
    program_questions_check_editable,
    program_settings_check,
    training_module_check,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class OwnerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        person = getattr(user, "person", None)
        name = user.get_full_name() or (person.full_name if person else "") or user.email
        details = ", ".join(filter(None, [person.title, str(person.department or "")])) if person else ""
        return f"{name} · {details} ({user.email})" if details else f"{name} ({user.email})"


class ProgramForm(forms.ModelForm):
    objectives = forms.MultipleChoiceField(
        choices=Objective.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    max_mentees = forms.IntegerField(
        min_value=1, required=False, help_text="Approved mentees beyond this go to the waitlist. Blank: no limit."
    )
    max_mentors = forms.IntegerField(
        min_value=1, required=False, help_text="Approved mentors beyond this go to the waitlist. Blank: no limit."
    )
    owners = OwnerChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Owners follow the program's dashboard; they can't change its setup. "
        "Hold Ctrl (⌘ on a Mac) to pick several.",
    )
    owner_emails = forms.CharField(
        label="Add owners by work email",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "jane.doe@example.com"}),
        help_text="Anyone in the directory who has signed in at least once; one email per line.",
    )

    class Meta:
        model = Program
        fields = [*PROGRAM_SETTING_FIELDS, "owners"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "mentor_expectations": forms.Textarea(attrs={"rows": 4}),
            "mentee_expectations": forms.Textarea(attrs={"rows": 4}),
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "matching_mode": forms.RadioSelect,
        }
        labels = {"custom_objective": "Custom objective label", "open_signup": "Open sign-up"}
        help_texts = {
            "custom_objective": "Shown instead of “Custom” when that objective is ticked.",
            "default_mentor_capacity": "How many mentees a mentor takes at once unless they say otherwise.",
            "matching_mode": "Admin-matched: HR proposes pairs. Self-select: mentees pick a mentor. "
            "Hybrid: HR proposes, mentees may also request.",
            "open_signup": "Anyone in the company may apply through the program's sign-up link.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owners"].queryset = owner_candidates()
        self.fields["name"].widget.attrs["autofocus"] = True
        # Positive integer fields start at 0 in a form; these settings start at 1.
        for name in ("cadence_days", "default_mentor_capacity"):
            field = self.fields[name]
            field.validators = [v for v in field.validators if not isinstance(v, MinValueValidator)]
            field.validators.append(MinValueValidator(1))
            field.widget.attrs["min"] = 1

    def clean_owner_emails(self):
        emails = {e.lower() for e in re.split(r"[\s,;]+", self.cleaned_data["owner_emails"]) if e}
        if not emails:
            return []
        by_email = {}
        for user in User.objects.filter(
            Q(email__in=emails) | Q(person__email__in=emails), is_active=True
        ).select_related("person"):
            by_email[user.email] = user
            person = getattr(user, "person", None)
            if person is not None:
                by_email[person.email] = user
        without_account = set(Person.objects.filter(email__in=emails - by_email.keys()).values_list("email", flat=True))
        errors = [
            f"{email} is in the directory but hasn't signed in yet: owners need an account."
            if email in without_account
            else f"No one with an account has the email {email}."
            for email in sorted(emails - by_email.keys())
        ]
        if errors:
            raise ValidationError(errors)
        return list({user.pk: user for user in (by_email[e] for e in sorted(emails))}.values())

    def clean(self):
        data = super().clean()
        try:
            program_settings_check(
                start_date=data.get("start_date"),
                end_date=data.get("end_date"),
                objectives=data.get("objectives") or [],
                custom_objective=data.get("custom_objective", ""),
            )
        except ValidationError as exc:
            self.add_error(None, exc)
        owners = {user.pk: user for user in data.get("owners") or []}
        owners.update((user.pk, user) for user in data.get("owner_emails") or [])
        data["owners"] = list(owners.values())
        return data

    def service_kwargs(self) -> dict:
        """What ``program_create``/``program_update`` take, from the cleaned form."""
        return {name: self.cleaned_data[name] for name in [*PROGRAM_SETTING_FIELDS, "owners"]}


class ProgramCloneForm(forms.Form):
    name = forms.CharField(max_length=150)
    start_date = forms.DateField(widget=DATE_WIDGET)
    end_date = forms.DateField(widget=DATE_WIDGET)

    @classmethod
    def initial_for(cls, program: Program, today: datetime.date) -> dict:
        """The next cohort: same length, starting the day after this one ends (or today)."""
        start = max(program.end_date + datetime.timedelta(days=1), today)
        return {
            "name": f"{program.name} (next cohort)",
            "start_date": start,
            "end_date": start + (program.end_date - program.start_date),
        }

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date"):
            try:
                program_settings_check(
                    start_date=data["start_date"], end_date=data["end_date"], objectives=[], custom_objective=""
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


class ProgramQuestionForm(forms.ModelForm):
    choices = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For single and multiple choice: one choice per line, at least two.",
    )

    class Meta:
        model = ProgramQuestion
        fields = ["audience", "text", "help_text", "kind", "choices", "required", "maps_to"]
        labels = {"text": "Question", "audience": "Asked of", "maps_to": "Match against mentor question"}
        widgets = {"audience": forms.RadioSelect, "kind": forms.RadioSelect}
        help_texts = {
            "maps_to": "Mentee questions only: matching compares the mentee's answer with the mentor's answer "
            "to this question (e.g. “What do you want to learn?” against “What can you teach?”).",
        }

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        mentor_questions = program.questions.filter(audience=Role.MENTOR)
        if self.instance.pk:
            mentor_questions = mentor_questions.exclude(pk=self.instance.pk)
        field = self.fields["maps_to"]
        field.queryset = mentor_questions
        field.empty_label = "Not matched"
        field.error_messages["invalid_choice"] = (
            "Choose a mentor question of this program: a mentee question is matched against what mentors answered."
        )
        if self.instance.pk:
            self.initial["choices"] = "\n".join(self.instance.choices)

    def clean_choices(self):
        return _lines(self.cleaned_data["choices"])

    def clean(self):
        data = super().clean()
        try:
            program_questions_check_editable(program=self.program)
            if {"audience", "kind"} <= data.keys():
                program_question_check(
                    program=self.program,
                    audience=data["audience"],
                    kind=data["kind"],
                    choices=data.get("choices") or [],
                    maps_to=data.get("maps_to"),
                    question=self.instance if self.instance.pk else None,
                )
        except ValidationError as exc:
            self.add_error(None, exc)
        return data


class TrainingModuleForm(forms.ModelForm):
    url = forms.URLField(
        label="Link", required=False, assume_scheme="https", help_text="Optional link to a video, course or document."
    )

    class Meta:
        model = TrainingModule
        fields = ["title", "body", "url", "audience", "required"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12}), "audience": forms.RadioSelect}
        labels = {"body": "Content", "required": "Required before the program starts"}
        help_texts = {
            "body": "Markdown: **bold**, *italic*, lists with “-”, [links](https://example.com), ## headings.",
        }

    def clean(self):
        data = super().clean()
        try:
            training_module_check(body=data.get("body", ""), url=data.get("url", ""))
        except ValidationError as exc:
            self.add_error(None, exc)
        return data


class GoalTemplateForm(forms.ModelForm):
    suggested_milestones = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One milestone per line, in the order a mentee would reach them.",
    )

    class Meta:
        model = GoalTemplate
        fields = ["title", "description", "objective", "suggested_milestones"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["suggested_milestones"] = "\n".join(self.instance.suggested_milestones)

    def clean_suggested_milestones(self):
        milestones = _lines(self.cleaned_data["suggested_milestones"])
        too_long = [m for m in milestones if len(m) > 200]
        if too_long:
            raise ValidationError(f"Keep each milestone under 200 characters: “{too_long[0][:40]}…” is longer.")
        return milestones


class TrainingCompletionFilterForm(forms.Form):
    """The completion page's search and filters (GET). A value that doesn't parse is
    ignored, the others still apply: a bookmarked page keeps working after a module goes."""

    q = forms.CharField(label="Name or email", required=False, max_length=100)
    role = forms.ChoiceField(label="Role", choices=[("", "Any role"), *Role.choices], required=False)
    missing = forms.ChoiceField(label="Not completed", required=False)

    def __init__(self, *args, modules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["missing"].choices = [
            ("", "Anything"),
            (MISSING_REQUIRED, "Required training"),
            *((str(module.pk), module.title) for module in modules),
        ]

    def filters(self) -> dict[str, str]:
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in ("q", "role", "missing")}
