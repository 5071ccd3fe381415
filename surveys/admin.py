"""Surveys in the Django admin: definitions and rounds only.

Responses, answers and invitations are deliberately not registered: the
product's results pages are the one way to read answers, and they apply the
anonymity rules (no names for anonymous surveys, no groups under 5). A round
of an anonymous survey names its pairing only by number.
"""

from django.contrib import admin
from django.db.models import Count, Q

from surveys.models import Survey, SurveyInstance, SurveyQuestion
from surveys.services import survey_has_answers


def _answered(survey) -> bool:
    return survey is not None and survey.pk is not None and survey_has_answers(survey=survey)


class SurveyQuestionInline(admin.TabularInline):
    """The same rule as the builder: once people answered, only the wording changes."""

    model = SurveyQuestion
    extra = 0
    fields = ["order", "kind", "text", "help_text", "choices", "required"]

    def get_readonly_fields(self, request, obj=None):
        return ["order", "kind", "choices", "required"] if _answered(obj) else []

    def has_add_permission(self, request, obj=None):
        return not _answered(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _answered(obj) and super().has_delete_permission(request, obj)


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "status", "trigger", "audience", "anonymous"]
    list_filter = ["status", "trigger", "anonymous", "audience"]
    search_fields = ["title", "program__name", "template_key"]
    list_select_related = ["program"]
    raw_id_fields = ["program"]
    readonly_fields = ["copied_from", "created_by", "created_at", "updated_at"]
    inlines = [SurveyQuestionInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.instances.exists():
            fields.append("anonymous")  # People were asked under that promise.
        return fields


@admin.register(SurveyInstance)
class SurveyInstanceAdmin(admin.ModelAdmin):
    list_display = ["survey", "program", "scope", "occurs_on", "status", "closes_at", "invited", "answered"]
    list_filter = ["status", "survey__anonymous"]
    search_fields = ["survey__title", "survey__program__name"]
    fields = [
        "survey",
        "occurrence",
        "scope",
        "session_id",
        "occurs_on",
        "opens_at",
        "closes_at",
        "remind_at",
        "status",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("survey__program")
            .annotate(
                invitation_count=Count("invitations"),
                answered_count=Count("invitations", filter=Q(invitations__answered=True)),
            )
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Program")
    def program(self, obj):
        return obj.survey.program

    @admin.display(description="Asked")
    def scope(self, obj):
        return f"Pairing #{obj.pairing_id}" if obj.pairing_id else "The program's audience"

    @admin.display(description="Invited", ordering="invitation_count")
    def invited(self, obj):
        return obj.invitation_count

    @admin.display(description="Answered", ordering="answered_count")
    def answered(self, obj):
        return obj.answered_count
