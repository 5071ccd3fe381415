from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm

from people.models import Department, Language, Location, Person, Skill, User
from people.roles import is_last_hr_admin, last_hr_admin_message


class CompanyUserChangeForm(UserChangeForm):
    """The product's rule holds here too: the last active HR admin keeps the role."""

    def clean(self):
        cleaned = super().clean()
        user = self.instance
        keeps_role = cleaned.get("is_hr_admin", True) and cleaned.get("is_active", True)
        if user.pk and not keeps_role and is_last_hr_admin(User.objects.get(pk=user.pk)):
            raise forms.ValidationError(last_hr_admin_message(user))
        return cleaned


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = CompanyUserChangeForm
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
