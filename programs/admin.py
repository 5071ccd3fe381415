"""The Django admin for programs: a support tool. HR does all of this in the app's own pages."""

from django.contrib import admin

from programs.models import (
    Enrollment,
    EnrollmentSkill,
    GoalTemplate,
    Program,
    ProgramQuestion,
    TrainingCompletion,
    TrainingModule,
)


class ProgramQuestionInline(admin.TabularInline):
    model = ProgramQuestion
    fk_name = "program"
    extra = 0
    fields = ["audience", "order", "text", "kind", "required", "maps_to"]
    raw_id_fields = ["maps_to"]


class TrainingModuleInline(admin.TabularInline):
    model = TrainingModule
    extra = 0
    fields = ["order", "title", "audience", "required", "url"]


class GoalTemplateInline(admin.TabularInline):
    model = GoalTemplate
    extra = 0
    fields = ["order", "title", "objective"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "start_date", "end_date", "matching_mode", "open_signup"]
    list_filter = ["status", "matching_mode", "open_signup"]
    search_fields = ["name", "slug"]
    readonly_fields = ["signup_token", "created_at", "updated_at"]
    filter_horizontal = ["owners"]
    raw_id_fields = ["cloned_from"]
    inlines = [ProgramQuestionInline, TrainingModuleInline, GoalTemplateInline]


class EnrollmentSkillInline(admin.TabularInline):
    model = EnrollmentSkill
    extra = 0
    raw_id_fields = ["skill"]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["person", "program", "role", "status", "applied_at", "decided_at"]
    list_filter = ["status", "role", "program"]
    search_fields = ["person__email", "person__first_name", "person__last_name", "program__name"]
    list_select_related = ["person", "program"]
    raw_id_fields = ["person", "program", "invited_by", "decided_by"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [EnrollmentSkillInline]


@admin.register(TrainingCompletion)
class TrainingCompletionAdmin(admin.ModelAdmin):
    list_display = ["module", "enrollment", "completed_at"]
    list_filter = ["module__program"]
    list_select_related = ["module", "enrollment__person", "enrollment__program"]
    raw_id_fields = ["enrollment", "module"]
