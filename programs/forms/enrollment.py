"""Forms for enrollment: HR invitations and decisions, the participant profile."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from people.models import Person, Skill
from programs.models import WORKING_STYLE_ITEMS, Enrollment, EnrollmentSkill, MeetingFormat, Objective, Program, Role
from programs.services.enrollment import EnrollmentProfile, program_charter

SKILL_ROWS = 6
LEVEL_CHOICES = [(1, "1 · Beginner"), (2, "2"), (3, "3 · Solid"), (4, "4"), (5, "5 · Expert")]
SCALE_CHOICES = [(n, str(n)) for n in range(1, 6)]
MAX_INVITES = 1000


# --- HR ---------------------------------------------------------------------------


class InviteForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        queryset=Person.objects.active(),
        required=False,
        widget=forms.MultipleHiddenInput,  # rendered by the template as a searchable checkbox list
        error_messages={"invalid_choice": "Someone you picked is no longer in the directory. Search again."},
    )
    emails = forms.CharField(
        label="Or paste email addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "ana@example.com, ben@example.com\n…"}),
        help_text="Separated by commas, spaces or new lines. Every address must be in the employee directory.",
    )
    message = forms.CharField(
        label="Personal note (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Added to the invitation, e.g. why you think they'd be a great fit.",
    )

    def clean_emails(self):
        raw = self.cleaned_data["emails"]
        addresses = [part.strip().strip("<>").lower() for part in re.split(r"[\s,;]+", raw) if part.strip()]
        addresses = list(dict.fromkeys(addresses))
        malformed = []
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                malformed.append(address)
        if malformed:
            raise ValidationError(f"These are not email addresses: {', '.join(malformed)}. Nobody was invited.")
        if len(addresses) > MAX_INVITES:
            raise ValidationError(f"Invite at most {MAX_INVITES} people at once.")
        found = {person.email: person for person in Person.objects.filter(email__in=addresses)}
        unknown = [address for address in addresses if address not in found]
        if unknown:
            raise ValidationError(
                f"Not in the employee directory: {', '.join(unknown)}. Fix or remove them; nobody was invited."
            )
        gone = [address for address in addresses if found[address].termination_date]
        if gone:
            raise ValidationError(f"No longer with the company: {', '.join(gone)}. Nobody was invited.")
        return [found[address] for address in addresses]

    def clean(self):
        cleaned = super().clean()
        people = {person.pk: person for person in cleaned.get("people") or []}
        for person in cleaned.get("emails") or []:
            people.setdefault(person.pk, person)
        if not self.errors and not people:
            raise ValidationError("Pick at least one person or paste their email addresses.")
        cleaned["invitees"] = list(people.values())
        return cleaned


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
    enrollments = forms.ModelMultipleChoiceField(
        queryset=Enrollment.objects.none(),
        error_messages={"required": "Tick at least one participant first."},
    )

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollments"].queryset = program.enrollments.all()


class PromoteForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ParticipantFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    role = forms.ChoiceField(choices=[("", "Any role"), *Role.choices], required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *Enrollment.Status.choices], required=False)

    def filters(self) -> dict[str, str]:
        """The filters to apply; invalid input is ignored rather than failing the page."""
        if not self.is_valid():
            return {"search": "", "role": "", "status": ""}
        return {
            "search": self.cleaned_data["q"],
            "role": self.cleaned_data["role"],
            "status": self.cleaned_data["status"],
        }


# --- The participant's profile -------------------------------------------------------


def objective_choices(program: Program) -> list[tuple[str, str]]:
    """The program's objectives as choices (all standard ones if it names none)."""
    labels = dict(Objective.choices)
    if program.objectives:
        return [
            (code, program.custom_objective if code == Objective.CUSTOM and program.custom_objective else labels[code])
            for code in program.objectives
            if code in labels
        ]
    return [(code, label) for code, label in Objective.choices if code != Objective.CUSTOM]


class EnrollmentProfileForm(forms.Form):
    """The enrollment profile for one role in one program.

    Fields depend on the role (mentors say what they can offer and how many
    mentees they take; mentees what they want to develop) and on the program's
    custom questions for that role.
    """

    role = forms.ChoiceField(choices=Role.choices, widget=forms.HiddenInput)
    objectives = forms.MultipleChoiceField(
        label="What do you want from this program?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick at least one objective."},
    )
    goals_text = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    meeting_format = forms.ChoiceField(
        label="How would you like to meet?", choices=MeetingFormat.choices, widget=forms.RadioSelect
    )
    availability_hours = forms.IntegerField(
        label="Availability (hours per month)",
        min_value=1,
        max_value=40,
        help_text="Time you can give to mentoring each month, meetings and preparation included.",
        error_messages={"min_value": "Give at least 1 hour per month."},
    )

    def __init__(self, *args, program: Program, role: str, questions, enrollment: Enrollment | None = None, **kwargs):
        self.program = program
        self.role_value = role if role in Role.values else Role.MENTEE
        self.questions = list(questions)
        self.enrollment = enrollment
        self.skills_by_name = {skill.name.lower(): skill for skill in Skill.objects.all()}
        kwargs.setdefault("initial", self._initial())
        super().__init__(*args, **kwargs)
        is_mentor = self.role_value == Role.MENTOR
        self.fields["objectives"].choices = objective_choices(program)
        self.fields["goals_text"].label = (
            "What would you like to help with as a mentor?" if is_mentor else "What do you want to achieve?"
        )
        self.fields["goals_text"].help_text = (
            "Experiences you can share, topics you enjoy mentoring on."
            if is_mentor
            else "Be concrete: it helps us find the right mentor for you."
        )
        for i in range(SKILL_ROWS):
            self.fields[f"skill_{i}"] = forms.CharField(
                label="Skill",
                required=False,
                max_length=120,
                widget=forms.TextInput(
                    attrs={
                        "list": "skill-directory",
                        "class": "form-control",
                        "autocomplete": "off",
                        "placeholder": "Start typing a skill…" if i == 0 else "",
                    }
                ),
            )
            self.fields[f"skill_level_{i}"] = forms.TypedChoiceField(
                label="Level",
                choices=LEVEL_CHOICES,
                coerce=int,
                initial=3,
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
        for item in WORKING_STYLE_ITEMS:
            self.fields[f"ws_{item.code}"] = forms.TypedChoiceField(
                label=item.question,
                choices=SCALE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": "Pick a point on the scale."},
            )
        if is_mentor:
            self.fields["mentor_capacity"] = forms.IntegerField(
                label="How many mentees can you take at once?",
                min_value=1,
                max_value=20,
                initial=program.default_mentor_capacity,
            )
        for question in self.questions:
            self.fields[f"q_{question.pk}"] = self._question_field(question)
        self.charter = program_charter(program=program, role=self.role_value)
        if self.charter:
            self.fields["charter_agreed"] = forms.BooleanField(
                label=f"I have read the {Role(self.role_value).label.lower()} charter and agree to it.",
                error_messages={"required": "You need to agree to the charter to take part."},
            )

    # -- building --

    def _initial(self):
        initial = {"role": self.role_value, "meeting_format": MeetingFormat.EITHER, "availability_hours": 2}
        enrollment = self.enrollment
        if enrollment is None or not enrollment.role:
            return initial
        initial.update(
            objectives=enrollment.objectives,
            goals_text=enrollment.goals_text,
            meeting_format=enrollment.meeting_format,
            availability_hours=enrollment.availability_hours,
            mentor_capacity=enrollment.mentor_capacity or self.program.default_mentor_capacity,
        )
        for code, value in (enrollment.working_style or {}).items():
            initial[f"ws_{code}"] = value
        for question in self.questions:
            if str(question.pk) in enrollment.answers:
                initial[f"q_{question.pk}"] = enrollment.answers[str(question.pk)]
        direction = EnrollmentSkill.Direction.HAS if self.role_value == Role.MENTOR else EnrollmentSkill.Direction.WANTS
        rows = [entry for entry in enrollment.skills.all() if entry.direction == direction]
        for i, entry in enumerate(rows[:SKILL_ROWS]):
            initial[f"skill_{i}"] = entry.skill.name
            initial[f"skill_level_{i}"] = entry.level
        if enrollment.charter_agreed_at and enrollment.role == self.role_value:
            initial["charter_agreed"] = True
        return initial

    @staticmethod
    def _question_field(question):
        common = {"label": question.text, "required": question.required, "help_text": question.help_text}
        options = [(str(choice), str(choice)) for choice in question.choices or []]
        if question.kind == question.Kind.SINGLE:
            return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
        if question.kind == question.Kind.MULTIPLE:
            return forms.MultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple, **common)
        if question.kind == question.Kind.SCALE:
            return forms.TypedChoiceField(
                choices=SCALE_CHOICES, coerce=int, empty_value=None, widget=forms.RadioSelect, **common
            )
        return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)

    # -- template helpers --

    def skill_rows(self):
        return [(self[f"skill_{i}"], self[f"skill_level_{i}"]) for i in range(SKILL_ROWS)]

    def working_style_rows(self):
        return [(item, self[f"ws_{item.code}"]) for item in WORKING_STYLE_ITEMS]

    def question_fields(self):
        return [self[f"q_{question.pk}"] for question in self.questions]

    @property
    def skill_names(self):
        return sorted(skill.name for skill in self.skills_by_name.values())

    @property
    def skills_label(self):
        return "Skills you can mentor in" if self.role_value == Role.MENTOR else "Skills you want to develop"

    @property
    def skills_help(self):
        if self.role_value == Role.MENTOR:
            return "Pick from the company skill list; the level is how strong you are (5 = expert)."
        return "Pick from the company skill list; the level is where you are today (1 = beginner)."

    # -- validation --

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role not in self.program.allowed_roles:
            raise ValidationError(f"{self.program.name} doesn't take {Role(role).label.lower()}s.")
        return role

    def clean(self):
        cleaned = super().clean()
        chosen = []
        seen = set()
        for i in range(SKILL_ROWS):
            name = (cleaned.get(f"skill_{i}") or "").strip()
            if not name:
                continue
            skill = self.skills_by_name.get(name.lower())
            if skill is None:
                self.add_error(f"skill_{i}", f"“{name}” isn't in the company skill list. Pick one from the list.")
                continue
            if skill.pk in seen:
                self.add_error(f"skill_{i}", f"You already listed {skill.name}.")
                continue
            seen.add(skill.pk)
            chosen.append((skill, cleaned.get(f"skill_level_{i}") or 3))
        if not chosen and not any(f"skill_{i}" in self.errors for i in range(SKILL_ROWS)):
            self.add_error("skill_0", "Add at least one skill.")
        cleaned["skills"] = chosen
        return cleaned

    def profile(self) -> EnrollmentProfile:
        data = self.cleaned_data
        answers = {}
        for question in self.questions:
            value = data.get(f"q_{question.pk}")
            if value in (None, "", []):
                continue
            answers[str(question.pk)] = value
        return EnrollmentProfile(
            role=data["role"],
            objectives=data["objectives"],
            goals_text=data["goals_text"].strip(),
            meeting_format=data["meeting_format"],
            availability_hours=data["availability_hours"],
            working_style={item.code: data[f"ws_{item.code}"] for item in WORKING_STYLE_ITEMS},
            answers=answers,
            skills=data["skills"],
            mentor_capacity=data.get("mentor_capacity"),
            charter_agreed=bool(data.get("charter_agreed")) or not self.charter,
        )
