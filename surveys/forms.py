from django import forms
from django.core.exceptions import ValidationError

from surveys.models import Survey, SurveyQuestion
from surveys.services import MAX_TEXT_ANSWER, survey_check, survey_question_check

REQUIRED = "Please answer this question."


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "description", "audience", "anonymous", "trigger", "days", "open_days", "reminder_days"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "audience": forms.RadioSelect,
        }
        labels = {"anonymous": "Anonymous", "days": "Days"}
        help_texts = {
            "anonymous": "Answers can't be traced back to anyone, not even by HR; results then show only groups "
            "of 5 or more. Once the survey has been sent this can't change.",
            "days": "Only for the choices that count days: days after the start, days between rounds, "
            "or days before the program ends.",
        }

    def clean(self):
        data = super().clean()
        if {"trigger", "open_days", "reminder_days"} <= data.keys():
            try:
                survey_check(
                    trigger=data["trigger"],
                    days=data.get("days"),
                    open_days=data["open_days"],
                    reminder_days=data["reminder_days"],
                )
            except ValidationError as exc:
                for field, errors in exc.error_dict.items():
                    self.add_error(field, errors)
        return data


class SurveyQuestionForm(forms.ModelForm):
    choices = forms.CharField(
        label="Options",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For single and multiple choice: one option per line, at least two.",
    )

    class Meta:
        model = SurveyQuestion
        fields = ["kind", "text", "help_text", "choices", "required"]
        labels = {"kind": "Type", "help_text": "Hint", "required": "An answer is required"}
        widgets = {"kind": forms.RadioSelect}
        help_texts = {"help_text": "Shown under the question, e.g. “1 = not at all, 5 = very much”."}

    def __init__(self, *args, locked: bool = False, **kwargs):
        """``locked``: people have answered, so only the wording can change."""
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["choices"] = "\n".join(self.instance.choices)
        if locked:
            for name in ("kind", "choices", "required"):
                self.fields[name].disabled = True

    def clean_choices(self):
        value = self.cleaned_data["choices"]
        return list(value) if isinstance(value, list) else _lines(value)

    def clean(self):
        data = super().clean()
        if "kind" in data and not self.fields["kind"].disabled:
            if data["kind"] not in SurveyQuestion.CHOICE_KINDS:
                data["choices"] = []
            try:
                survey_question_check(kind=data["kind"], choices=data.get("choices") or [])
            except ValidationError as exc:
                for field, errors in exc.error_dict.items():
                    self.add_error(field, errors)
        return data


class SurveyAnswerForm(forms.Form):
    """The participant's form, one field ``q_<id>`` per question."""

    def __init__(self, *args, questions: list[SurveyQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q_{question.pk}"] = self._field(question)

    @staticmethod
    def _field(question: SurveyQuestion) -> forms.Field:
        common = {"label": question.text, "help_text": question.help_text, "required": question.required}
        kind = question.kind
        if kind in SurveyQuestion.NUMBER_KINDS:
            scale = question.scale
            field = forms.ChoiceField(
                choices=[(str(n), str(n)) for n in scale],
                widget=forms.RadioSelect,
                error_messages={
                    "required": REQUIRED,
                    "invalid_choice": f"Choose a number from {scale[0]} to {scale[-1]}.",
                },
                **common,
            )
        elif kind == SurveyQuestion.Kind.SINGLE:
            field = forms.ChoiceField(
                choices=[(c, c) for c in question.choices],
                widget=forms.RadioSelect,
                error_messages={"required": REQUIRED, "invalid_choice": "Choose one of the options offered."},
                **common,
            )
        elif kind == SurveyQuestion.Kind.MULTIPLE:
            field = forms.MultipleChoiceField(
                choices=[(c, c) for c in question.choices],
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": REQUIRED, "invalid_choice": "Choose only among the options offered."},
                **common,
            )
        else:
            field = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 4}),
                max_length=MAX_TEXT_ANSWER,
                error_messages={"required": REQUIRED},
                **common,
            )
        field.question = question
        return field

    def answers(self) -> dict:
        """Question id -> answer, for ``survey_response_submit``."""
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}") for q in self.questions}

    def question_fields(self):
        """(question, bound field) pairs for the template."""
        return [(q, self[f"q_{q.pk}"]) for q in self.questions]
