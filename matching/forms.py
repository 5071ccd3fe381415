from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from matching.models import MatchingCriteria, PairOverride
from matching.selectors import program_participants
from matching.services import CRITERIA_FIELDS
from programs.models import Role

WEIGHT_FIELDS = [name for name in CRITERIA_FIELDS if name.startswith("weight_")]
WEIGHT_LABELS = {
    "weight_skills": "Skills (mentee wants, mentor has)",
    "weight_objectives": "Goals in common",
    "weight_seniority": "Seniority gap in the preferred range",
    "weight_department": "Department (same or different, below)",
    "weight_time_zone": "Working hours overlap (time zones)",
    "weight_location": "Same office for in-person meetings",
    "weight_meeting_format": "Meeting format (video / in person)",
    "weight_working_style": "Working style",
    "weight_availability": "Availability (hours per month)",
    "weight_custom_questions": "Program questions mapped to each other",
}


class MatchingCriteriaForm(forms.ModelForm):
    class Meta:
        model = MatchingCriteria
        fields = CRITERIA_FIELDS
        widgets = {
            **{
                name: forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "10", "class": "form-control"})
                for name in WEIGHT_FIELDS
            },
            "min_score": forms.NumberInput(attrs={"step": "1", "min": "0", "max": "100"}),
            "objective": forms.RadioSelect,
        }
        labels = {
            **WEIGHT_LABELS,
            "seniority_gap_min": "Mentor at least … levels above",
            "seniority_gap_max": "Mentor at most … levels above",
            "department_preference": "Department",
            "objective": "What the optimiser aims for",
            "min_score": "Minimum score (0-100)",
            "suggestions_shown": "Suggestions shown to a mentee",
            "exposure_multiple": "Suggest a mentor to at most … mentees per free place",
            "request_expiry_days": "Requests expire after (days)",
        }
        help_texts = {
            "weight_department": "Counts only when a department preference is chosen below.",
            "weight_custom_questions": "Compares choice and scale questions whose mentee question maps to a mentor "
            "question (set on the program's questions page). Free-text answers aren't compared.",
            "min_score": "Required for “only good matches”: pairs scoring below it are never proposed.",
        }

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("seniority_gap_min"), cleaned.get("seniority_gap_max")
        if low is not None and high is not None and low > high:
            self.add_error("seniority_gap_max", "The largest gap can't be smaller than the smallest.")
        objective = cleaned.get("objective")
        min_score = cleaned.get("min_score")
        if objective == MatchingCriteria.Objective.QUALITY and min_score is None:
            self.add_error("min_score", "Set the minimum score for “only good matches”.")
        if min_score is not None and not 0 <= min_score <= 100:
            self.add_error("min_score", "The minimum score is between 0 and 100.")
        weights = [cleaned.get(name) for name in WEIGHT_FIELDS]
        if all(w is not None for w in weights) and sum(weights) <= 0:
            raise ValidationError("Give at least one criterion a weight above 0.")
        if (
            cleaned.get("forbid_same_department")
            and cleaned.get("department_preference") == MatchingCriteria.DepartmentPreference.SAME
        ):
            self.add_error(
                "department_preference",
                "You can't prefer the same department while never pairing people from the same department.",
            )
        return cleaned

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in CRITERIA_FIELDS}


class LongSelect(forms.Select):
    """A ``<select>`` over a whole cohort, written in one pass.

    Django renders each ``<option>`` through a template of its own (and builds a dict per
    option first): with 2,000 mentees and 1,000 mentors the matching page spent about 6 s in
    these two selects (bench/load.py). The HTML is the same (the test compares it with
    ``forms.Select``'s); choices with option groups fall back to Django's rendering."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        chosen = set(self.format_value(value))
        options = []
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            selected = " selected" if option_value in chosen else ""
            options.append(format_html('<option value="{}"{}>{}</option>', option_value, selected, label))
            if selected and not self.allow_multiple_selected:
                chosen = set()
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>', name, attributes) + mark_safe("".join(options) + "</select>")


class PairOverrideForm(forms.Form):
    mentee = forms.ModelChoiceField(queryset=None, empty_label="Choose a mentee…", widget=LongSelect)
    mentor = forms.ModelChoiceField(queryset=None, empty_label="Choose a mentor…", widget=LongSelect)
    kind = forms.ChoiceField(
        choices=[
            (PairOverride.Kind.LOCK, "Lock: always pair them"),
            (PairOverride.Kind.EXCLUDE, "Exclude: never pair them"),
        ]
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        # A picker shows names only: loading every participant's profile (JSON) cost more than the page.
        names = ("id", "person", "person__first_name", "person__last_name")
        self.fields["mentee"].queryset = program_participants(program=program, role=Role.MENTEE).only(*names)
        self.fields["mentor"].queryset = program_participants(program=program, role=Role.MENTOR).only(*names)
        self.fields["mentee"].label_from_instance = lambda e: e.person.full_name
        self.fields["mentor"].label_from_instance = lambda e: e.person.full_name


class ReasonForm(forms.Form):
    """An optional reason (declining a match or a request)."""

    reason = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason (optional)",
        help_text="Kept short and kind: the other person sees it.",
    )


class PairingEndForm(forms.Form):
    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why does this pairing end?",
        help_text="Both people see this reason.",
        error_messages={"required": "Say why the pairing ends; both people will see it."},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Say why the pairing ends; both people will see it.")
        return reason


class MentorshipRequestForm(forms.Form):
    message = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Your message",
        help_text="Say what you hope to learn and why you chose them.",
        error_messages={"required": "Write a short message to the mentor."},
    )

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if not message:
            raise ValidationError("Write a short message to the mentor.")
        return message
