"""Forms for mentee goals. The rules come from ``goals.services``."""

from django import forms
from django.core.exceptions import ValidationError

from goals.models import Goal
from goals.services import MAX_MILESTONES, goal_target_date_check
from programs.models import Program

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GoalForm(forms.Form):
    """The mentee's own goal (on create, also its first milestones, one per line)."""

    title = forms.CharField(max_length=200, help_text="Short and concrete, e.g. “Present at the quarterly all-hands”.")
    description = forms.CharField(
        label="Why it matters", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    success_measure = forms.CharField(
        label="Measure of success",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How will you know you got there?",
    )
    target_date = forms.DateField(required=False, widget=DATE_WIDGET)
    milestones = forms.CharField(
        label="Milestones",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line. You can add more later.",
    )
    progress_from_milestones = forms.BooleanField(
        label="Progress follows the milestones",
        required=False,
        initial=True,
        help_text="Off: you set the percentage yourself.",
    )

    def __init__(self, *args, program: Program, with_milestones: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        if not with_milestones:
            del self.fields["milestones"]
        self.fields["target_date"].help_text = f"On or after {program.start_date:%-d %B %Y}, when the program starts."

    @classmethod
    def initial_for(cls, goal: Goal) -> dict:
        return {
            "title": goal.title,
            "description": goal.description,
            "success_measure": goal.success_measure,
            "target_date": goal.target_date,
            "progress_from_milestones": goal.progress_from_milestones,
        }

    def clean_target_date(self):
        target_date = self.cleaned_data.get("target_date")
        try:
            goal_target_date_check(program=self.program, target_date=target_date)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["target_date"]) from None
        return target_date

    def clean_milestones(self):
        lines = [line.strip() for line in self.cleaned_data.get("milestones", "").splitlines() if line.strip()]
        if len(lines) > MAX_MILESTONES:
            raise ValidationError(f"A goal can have at most {MAX_MILESTONES} milestones.")
        if any(len(line) > 200 for line in lines):
            raise ValidationError("Keep each milestone under 200 characters.")
        return lines

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            "title": data["title"],
            "description": data.get("description", ""),
            "success_measure": data.get("success_measure", ""),
            "target_date": data.get("target_date"),
            "progress_from_milestones": data.get("progress_from_milestones", False),
        }
        if "milestones" in self.fields:
            kwargs["milestones"] = data.get("milestones", [])
        return kwargs


class GoalAdoptForm(forms.Form):
    target_date = forms.DateField(required=False, widget=DATE_WIDGET)

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program

    def clean_target_date(self):
        return GoalForm.clean_target_date(self)


class GoalProgressForm(forms.Form):
    progress = forms.IntegerField(
        label="Progress (%)", required=False, widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5})
    )
    status = forms.ChoiceField(choices=Goal.Status.choices)

    def __init__(self, *args, goal: Goal, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal = goal
        if goal.progress_from_milestones:
            self.fields["progress"].disabled = True
            self.fields["progress"].help_text = "Follows the milestones."

    def clean_progress(self):
        progress = self.cleaned_data.get("progress")
        if progress is not None and not 0 <= progress <= 100:
            raise ValidationError("Progress is a percentage from 0 to 100.")
        return progress


class MilestoneForm(forms.Form):
    title = forms.CharField(label="New milestone", max_length=200)
    due_date = forms.DateField(label="Due", required=False, widget=DATE_WIDGET)


class GoalCommentForm(forms.Form):
    body = forms.CharField(label="Comment", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
