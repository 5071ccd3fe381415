from django import forms


class ErasureForm(forms.Form):
    end_pairings = forms.BooleanField(
        required=False,
        label="End their pairings",
        help_text="Their live pairings end now; each partner is told the pairing has ended.",
    )
    confirm = forms.BooleanField(
        required=True,
        label="I understand that this cannot be undone",
        error_messages={"required": "Tick this box to confirm the erasure."},
    )
