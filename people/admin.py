from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from people.models import Department, Language, Location, Person, Skill, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_hr_admin", "is_staff", "is_active"]
    list_filter = ["is_hr_admin", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Name", {"fields": ["first_name", "last_name"]}),
        ("Roles", {"fields": ["is_hr_admin", "is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    # Self-identification is deliberately not registered: it is never shown per person.
    list_display = ["email", "first_name", "last_name", "title", "department", "location", "seniority"]
    list_filter = ["department", "location"]
    search_fields = ["email", "first_name", "last_name", "title"]
    list_select_related = ["department", "location"]
    raw_id_fields = ["manager", "user"]


admin.site.register([Department, Location, Language, Skill])
