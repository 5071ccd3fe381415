from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from matching.models import MatchingCriteria, PairOverride
from matching.selectors import participants_matching, program_participants
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


class ParticipantField(forms.CharField):
    """One approved participant of a program in a role, typed as an email or a name.

    The lock/exclude form's picker: with JavaScript, ``static/js/participant_picker.js``
    searches as HR types (``matching:participant_search``, at most ``PICKER_MATCHES``) and
    fills in the chosen person's email; without it, HR types the email, or a name only one
    participant has (or part of one). A name several people share is refused with their
    emails to choose from. An enrollment id is taken as well."""

    #: Names listed when a typed name matches several participants.
    AMBIGUOUS_SHOWN = 5

    def __init__(self, *, role: str, **kwargs):
        self.role = role
        self.program = None
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        candidates = program_participants(program=self.program, role=self.role)
        if text.isascii() and text.isdigit():
            found = list(candidates.filter(pk=int(text))) if int(text) < 2**63 else []
        else:
            found = list(candidates.filter(person__email__iexact=text)) if "@" in text else []
            if not found:
                matching = participants_matching(program=self.program, role=self.role, text=text)
                found = list(matching[: self.AMBIGUOUS_SHOWN + 1])
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValidationError(f"No approved {self.role} of this program matches “{text}”.", code="not_found")
        names = "; ".join(f"{e.person.full_name} ({e.person.email})" for e in found[: self.AMBIGUOUS_SHOWN])
        more = " and more" if len(found) > self.AMBIGUOUS_SHOWN else ""
        raise ValidationError(
            f"Several {self.role}s match “{text}”: {names}{more}. Type the email of the one you mean.",
            code="ambiguous",
        )


class PairOverrideForm(forms.Form):
    mentee = ParticipantField(role=Role.MENTEE, label="Mentee", help_text="Type a name or an email.")
    mentor = ParticipantField(role=Role.MENTOR, label="Mentor", help_text="Type a name or an email.")
    kind = forms.ChoiceField(
        choices=[
            (PairOverride.Kind.LOCK, "Lock: always pair them"),
            (PairOverride.Kind.EXCLUDE, "Exclude: never pair them"),
        ]
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        search = reverse("matching:participant_search", args=[program.slug])
        for name in ("mentee", "mentor"):
            field = self.fields[name]
            field.program = program
            field.widget.attrs.update(
                {
                    "autocomplete": "off",
                    "spellcheck": "false",
                    "placeholder": "Name or email",
                    "data-picker-url": f"{search}?role={field.role}",
                }
            )


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
