from django import forms

from audit.models import AuditEvent


class AuditFilterForm(forms.Form):
    """The audit log's filters (GET). Invalid input is shown as a form error, never a 500."""

    who = forms.CharField(required=False, max_length=100, label="Who", help_text="Name or email")
    action = forms.ChoiceField(required=False, label="What")
    program = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Program")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any action"), *AuditEvent.Action.choices]
        self.fields["program"].choices = [("", "Any program"), *programs]
        for name, field in self.fields.items():
            css = "form-select form-select-sm" if name in ("action", "program") else "form-control form-control-sm"
            field.widget.attrs.update({"class": css, "data-testid": f"audit-{name}"})

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data
