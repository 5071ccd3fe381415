from django.contrib import admin

from evaluation.models import ProgramSnapshot


@admin.register(ProgramSnapshot)
class ProgramSnapshotAdmin(admin.ModelAdmin):
    """Read-only: snapshots are computed by the evaluation job, never typed in."""

    list_display = ("program", "date", "pairings_active", "pairings_at_risk", "mentees_enrolled", "computed_at")
    list_filter = ("program",)
    date_hierarchy = "date"
    list_select_related = ("program",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
