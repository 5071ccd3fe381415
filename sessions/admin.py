"""Admin: dates and counts only. Shared notes, agendas, topics and action items are not
shown here; private notes are not registered at all (only their author ever reads one)."""

from django.contrib import admin

from sessions.models import CalendarFeed, InactivityNudge, MentoringSession


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MentoringSession)
class MentoringSessionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "pairing_id", "status", "starts_at", "duration_minutes", "format", "sequence")
    list_filter = ("status", "format", "pairing__program")
    date_hierarchy = "starts_at"
    # Deliberately no agenda, notes, topics or place: those belong to the pair.
    fields = ("pairing", "status", "starts_at", "duration_minutes", "format", "sequence", "created_at", "logged_at")
    readonly_fields = fields
    list_select_related = ()
    show_full_result_count = False


@admin.register(InactivityNudge)
class InactivityNudgeAdmin(ReadOnlyAdmin):
    list_display = ("pk", "pairing_id", "level", "since", "created_at", "hr_notified_at")
    list_filter = ("level",)
    fields = ("pairing", "level", "since", "created_at", "hr_notified_at")
    readonly_fields = fields


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    """Lets an administrator revoke a feed (delete); the token itself is never shown."""

    list_display = ("user", "created_at", "last_used_at")
    fields = ("user", "created_at", "last_used_at")
    readonly_fields = fields
    search_fields = ("user__email",)
