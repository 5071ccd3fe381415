"""Query-string filters of the dashboards. Bad values fall back to the defaults (never a 500)."""

from django import forms

from evaluation.health import Health
from evaluation.selectors import DEFAULT_TREND_MONTHS, TREND_MONTHS


class TrendForm(forms.Form):
    months = forms.TypedChoiceField(
        choices=[(months, f"{months} months") for months in TREND_MONTHS], coerce=int, required=False
    )

    @classmethod
    def months_from(cls, data) -> int:
        form = cls(data)
        if form.is_valid() and form.cleaned_data["months"]:
            return form.cleaned_data["months"]
        return DEFAULT_TREND_MONTHS


class HealthFilterForm(forms.Form):
    """Which pairs HR lists: at risk (default) or cooling."""

    status = forms.ChoiceField(choices=[(Health.AT_RISK, "At risk"), (Health.COOLING, "Cooling")], required=False)

    @classmethod
    def status_from(cls, data) -> str:
        form = cls(data)
        if form.is_valid() and form.cleaned_data["status"]:
            return form.cleaned_data["status"]
        return Health.AT_RISK
