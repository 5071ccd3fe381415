"""Forms for sessions. Times are entered in the person's own time zone and stored in UTC;
the rules themselves live in ``sessions.services`` (``*_check``), which the forms call."""

from datetime import datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.forms import formset_factory
from django.utils import timezone

from core.errors import form_add_service_errors
from goals.models import Goal
from sessions import services
from sessions.localtime import combine_local, zone_of
from sessions.models import Resource, SessionFormat, Topic

WEB_URL = URLValidator(schemes=["http", "https"], message="Enter a web address starting with https://")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class _TimedForm(forms.Form):
    """A date and a start time in the person's time zone."""

    date = forms.DateField(widget=DATE_INPUT)
    start_time = forms.TimeField(label="Starts at", widget=TIME_INPUT)

    def __init__(self, *args, time_zone: str, now: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone = zone_of(time_zone).key
        self.now = now or timezone.now()
        self.fields["start_time"].help_text = f"Your time ({self.time_zone})."

    def _starts_at(self):
        day, clock = self.cleaned_data.get("date"), self.cleaned_data.get("start_time")
        if day is None or clock is None:
            return None
        return combine_local(day, clock, self.time_zone)


class SessionScheduleForm(_TimedForm):
    """Plan (or move) a session: date, start and end in the scheduler's zone, format, where, agenda."""

    end_time = forms.TimeField(label="Ends at", widget=TIME_INPUT)
    format = forms.ChoiceField(choices=SessionFormat.choices, initial=SessionFormat.VIDEO, widget=forms.RadioSelect)
    video_url = forms.CharField(
        label="Video link", required=False, max_length=500, validators=[WEB_URL], help_text="Teams, Zoom, Meet…"
    )
    place = forms.CharField(label="Place", required=False, max_length=200, help_text="A room, a café, a phone number.")
    agenda = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you'd like to talk about.",
    )

    field_order = ["date", "start_time", "end_time", "format", "video_url", "place", "agenda"]

    @classmethod
    def initial_for(cls, session, time_zone: str) -> dict:
        zone = zone_of(time_zone)
        start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
        return {
            "date": start.date(),
            "start_time": start.time().replace(second=0, microsecond=0),
            "end_time": end.time().replace(second=0, microsecond=0),
            "format": session.format,
            "video_url": session.video_url,
            "place": session.place,
            "agenda": session.agenda,
        }

    def clean(self):
        cleaned = super().clean()
        starts_at = self._starts_at()
        end = cleaned.get("end_time")
        if starts_at is None or end is None:
            return cleaned
        ends_at = combine_local(cleaned["date"], end, self.time_zone)
        duration = int((ends_at - starts_at).total_seconds() // 60)
        if duration <= 0:
            self.add_error("end_time", "The session must end after it starts.")
            return cleaned
        try:
            services.session_times_check(starts_at=starts_at, duration_minutes=duration, held=False, now=self.now)
            services.session_place_check(
                format=cleaned.get("format", ""), video_url=cleaned.get("video_url", ""), place=cleaned.get("place", "")
            )
        except ValidationError as exc:
            form_add_service_errors(self, exc, {"starts_at": "start_time", "duration_minutes": "end_time"})
        cleaned["starts_at"], cleaned["duration_minutes"] = starts_at, duration
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "duration_minutes": data["duration_minutes"],
            "format": data["format"],
            "video_url": data.get("video_url", ""),
            "place": data.get("place", ""),
            "agenda": data.get("agenda", ""),
            "time_zone": self.time_zone,
        }


class _SessionDetailsMixin:
    """Topics, goals discussed and shared notes, for logging a session and editing its notes."""

    def _setup_details(self, pairing, *, include_goals: bool):
        self.pairing = pairing
        if include_goals:
            self.fields["goals"].queryset = Goal.objects.filter(enrollment_id=pairing.mentee_id).order_by("pk")
        else:
            del self.fields["goals"]


def _details_fields():
    return {
        "topics": forms.MultipleChoiceField(choices=Topic.choices, required=False, widget=forms.CheckboxSelectMultiple),
        "topics_other": forms.CharField(label="Other topics", required=False, max_length=200),
        "goals": forms.ModelMultipleChoiceField(
            label="Goals discussed",
            queryset=Goal.objects.none(),
            required=False,
            help_text="The mentee's goals you talked about (the mentee sets them on their goals page).",
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": "Only the mentee's own goals can be linked."},
        ),
        "shared_notes": forms.CharField(
            label="Shared notes",
            required=False,
            max_length=20000,
            widget=forms.Textarea(attrs={"rows": 6}),
            help_text="Both of you read these. HR never does.",
        ),
    }


class SessionLogForm(_SessionDetailsMixin, _TimedForm):
    """Record a held session (a new one, or a planned one that took place)."""

    duration_minutes = forms.IntegerField(label="Duration (minutes)", initial=60)
    format = forms.ChoiceField(choices=SessionFormat.choices, initial=SessionFormat.VIDEO, widget=forms.RadioSelect)
    private_note = forms.CharField(
        label="Private note",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only you will ever read this: not the other person, not HR.",
    )

    def __init__(self, *args, pairing, include_goals: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_details_fields())
        self._setup_details(pairing, include_goals=include_goals)
        self.order_fields(
            ["date", "start_time", "duration_minutes", "format", "topics", "topics_other", "goals", "shared_notes"]
        )

    @classmethod
    def initial_for(cls, session, time_zone: str) -> dict:
        start = session.starts_at.astimezone(zone_of(time_zone))
        return {
            "date": start.date(),
            "start_time": start.time().replace(second=0, microsecond=0),
            "duration_minutes": session.duration_minutes,
            "format": session.format,
        }

    def clean(self):
        cleaned = super().clean()
        starts_at = self._starts_at()
        duration = cleaned.get("duration_minutes")
        if starts_at is None or "duration_minutes" in self.errors:
            return cleaned
        try:
            services.session_times_check(starts_at=starts_at, duration_minutes=duration, held=True, now=self.now)
        except ValidationError as exc:
            form_add_service_errors(self, exc, {"starts_at": "start_time"})
        cleaned["starts_at"] = starts_at
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "duration_minutes": data["duration_minutes"],
            "topics": data.get("topics", []),
            "topics_other": data.get("topics_other", ""),
            "shared_notes": data.get("shared_notes", ""),
            "private_note": data.get("private_note", ""),
            "goals": list(data.get("goals") or []),
        }


class SessionNotesForm(_SessionDetailsMixin, forms.Form):
    def __init__(self, *args, pairing, include_goals: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_details_fields())
        self._setup_details(pairing, include_goals=include_goals)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "topics": data.get("topics", []),
            "topics_other": data.get("topics_other", ""),
            "shared_notes": data.get("shared_notes", ""),
            "goals": list(data.get("goals") or []),
        }


class PrivateNoteForm(forms.Form):
    body = forms.CharField(
        label="Your private note",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only you will ever read this. Clear it to delete it.",
    )


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to the other person.",
    )


class ActionItemForm(forms.Form):
    """One action item: what, who (the mentor or the mentee) and by when."""

    title = forms.CharField(label="Action item", max_length=300)
    owner = forms.TypedChoiceField(
        coerce=int,
        error_messages={"invalid_choice": "The owner must be the mentor or the mentee of this pairing."},
    )
    due_date = forms.DateField(label="Due", widget=DATE_INPUT)

    def __init__(self, *args, pairing, optional: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.pairing = pairing
        self.optional = optional
        self.people = {pairing.mentor.person_id: pairing.mentor.person, pairing.mentee.person_id: pairing.mentee.person}
        self.fields["owner"].choices = [
            (pairing.mentee.person_id, f"{pairing.mentee.person.full_name} (mentee)"),
            (pairing.mentor.person_id, f"{pairing.mentor.person.full_name} (mentor)"),
        ]
        if optional:
            # In the log form's rows: a row with no title is simply not used.
            for name in ("title", "owner", "due_date"):
                self.fields[name].required = False
        if not self.is_bound and not self.initial.get("due_date"):
            self.initial["due_date"] = timezone.localdate() + timedelta(days=14)

    def has_changed(self):
        # The pre-filled owner and due date alone don't make a row worth saving.
        return bool(self.data.get(self.add_prefix("title"), "").strip()) if self.is_bound else False

    def clean(self):
        cleaned = super().clean()
        if self.optional and not cleaned.get("title"):
            return cleaned
        if self.errors:
            return cleaned
        owner = self.people.get(cleaned.get("owner"))
        try:
            services.action_item_check(
                pairing=self.pairing, title=cleaned.get("title", ""), owner=owner, due_date=cleaned.get("due_date")
            )
        except ValidationError as exc:
            form_add_service_errors(self, exc, {})
        cleaned["owner_person"] = owner
        return cleaned

    def item(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("title"):
            return None
        return {"title": data["title"], "owner": data["owner_person"], "due_date": data["due_date"]}


_BaseActionItemFormSet = formset_factory(ActionItemForm, extra=3, max_num=10, validate_max=True)


class ActionItemFormSet(_BaseActionItemFormSet):
    def __init__(self, *args, pairing, **kwargs):
        kwargs.setdefault("prefix", "items")
        super().__init__(*args, form_kwargs={"pairing": pairing, "optional": True}, **kwargs)

    def items(self) -> list[dict]:
        return [item for form in self.forms if (item := form.item()) is not None]


class ResourceForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Resource.Kind.choices, initial=Resource.Kind.ARTICLE)
    url = forms.CharField(label="Link", required=False, max_length=500, validators=[WEB_URL])
    goal = forms.ModelChoiceField(
        label="For the goal",
        queryset=Goal.objects.none(),
        required=False,
        empty_label="(no particular goal)",
        error_messages={"invalid_choice": "Only the mentee's own goals can be linked."},
    )
    note = forms.CharField(
        label="Why this helps", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, pairing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = Goal.objects.filter(enrollment_id=pairing.mentee_id).order_by("pk")

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "url": data.get("url", ""),
            "goal": data.get("goal"),
            "note": data.get("note", ""),
        }
