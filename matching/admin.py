from django.contrib import admin

from matching.models import MatchingCriteria, MatchProposal, MatchRun, MentorshipRequest, Pairing, PairOverride


@admin.register(MatchingCriteria)
class MatchingCriteriaAdmin(admin.ModelAdmin):
    list_display = ["program", "objective", "department_preference", "forbid_same_department", "updated_at"]
    list_select_related = ["program"]
    search_fields = ["program__name"]
    raw_id_fields = ["program"]


class MatchProposalInline(admin.TabularInline):
    model = MatchProposal
    extra = 0
    raw_id_fields = ["mentee", "mentor"]
    readonly_fields = ["score", "explanation", "locked"]


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "program", "status", "progress", "created_at", "finished_at", "published_at"]
    list_filter = ["status"]
    list_select_related = ["program"]
    search_fields = ["program__name"]
    raw_id_fields = ["program", "started_by"]
    readonly_fields = ["criteria", "stats"]
    inlines = [MatchProposalInline]


@admin.register(PairOverride)
class PairOverrideAdmin(admin.ModelAdmin):
    list_display = ["program", "mentee", "mentor", "kind", "created_by", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["program", "mentee__person", "mentor__person", "created_by"]
    raw_id_fields = ["program", "mentee", "mentor", "created_by"]


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["pk", "program", "mentor", "mentee", "status", "source", "score", "created_at"]
    list_filter = ["status", "source"]
    list_select_related = ["program", "mentor__person", "mentee__person", "mentor__program", "mentee__program"]
    search_fields = ["program__name", "mentor__person__email", "mentee__person__email"]
    raw_id_fields = ["program", "mentor", "mentee", "match_run", "ended_by"]


@admin.register(MentorshipRequest)
class MentorshipRequestAdmin(admin.ModelAdmin):
    list_display = ["pk", "program", "mentee", "mentor", "status", "created_at", "expires_at"]
    list_filter = ["status"]
    list_select_related = ["program", "mentor__person", "mentee__person", "mentor__program", "mentee__program"]
    raw_id_fields = ["program", "mentor", "mentee"]
