from django import forms

from people import importing, services
from people.models import Department, Location, SelfIdentification
from people.selectors import DIRECTORY_STATUSES


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label="Search", max_length=100, required=False)
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(), required=False, empty_label="All departments"
    )
    location = forms.ModelChoiceField(queryset=Location.objects.all(), required=False, empty_label="All locations")
    status = forms.ChoiceField(choices=DIRECTORY_STATUSES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("department", "location", "status"):
            self.fields[name].widget.attrs.update({"class": "form-select", "data-testid": f"directory-{name}"})

    def filters(self) -> dict:
        """The valid filters; an invalid one is shown as an error and ignored."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            "query": data.get("q") or "",
            "department": data.get("department"),
            "location": data.get("location"),
            "status": data.get("status") or "active",
        }


class PeopleImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="An export from your HR system, saved as CSV UTF-8.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv", "data-testid": "import-file"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limits = importing.people_import_limits()
        if upload.size > limits.max_bytes:
            # Refused before reading it into memory.
            raise forms.ValidationError(importing.people_import_too_large_message(limits))
        try:
            self.cleaned_data["text"] = importing.people_import_decode(data=upload.read())
        except importing.PeopleImportFileError as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class SelfIdentificationForm(forms.ModelForm):
    class Meta:
        model = SelfIdentification
        fields = list(services.SELF_IDENTIFICATION_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.TypedChoiceField):
                field.choices = [("", "Not shared"), *[c for c in field.choices if c[0] != ""]]
            if name == "ethnicity":
                field.widget.attrs["placeholder"] = "Leave blank to not share"
