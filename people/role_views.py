"""HR admins grant and revoke the HR admin role from a person's directory page
(rules in people/roles.py), and see who holds it."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from core.errors import form_add_service_errors
from core.permissions import hr_admin_required
from people import roles
from people.models import Person


class HrAdminRevokeForm(forms.Form):
    """Taking someone's role needs only the confirmation page; giving up your own, a ticked box."""

    understand = forms.BooleanField(
        label="I understand that I lose HR admin access as soon as I confirm.",
        required=False,
    )

    def __init__(self, *args, own_role: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.own_role = own_role
        if own_role:
            self.fields["understand"].required = True
            self.fields["understand"].error_messages["required"] = "Tick the box to give up your own HR admin role."
        else:
            del self.fields["understand"]


def _person(pk):
    return get_object_or_404(Person.objects.select_related("user", "department"), pk=pk)


@hr_admin_required
def hr_admin_list(request):
    return render(request, "people/hr_admin_list.html", {"admins": roles.hr_admins()})


@hr_admin_required
def hr_admin_grant(request, pk):
    person = _person(pk)
    problem = roles.check_hr_admin_grant(person=person)
    if request.method == "POST" and problem is None:
        try:
            roles.hr_admin_grant(person=person, by=request.user)
        except roles.HrAdminRoleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{person.full_name} is now an HR admin. They have been told.")
        return redirect("people:person_detail", pk=person.pk)
    return render(request, "people/hr_admin_grant.html", {"person": person, "problem": problem})


@hr_admin_required
def hr_admin_revoke(request, pk):
    person = _person(pk)
    user = person.user
    if user is None:
        problem = f"{person.full_name} has no account, so they are not an HR admin."
    else:
        problem = roles.check_hr_admin_revoke(user=user, by=request.user)
    own_role = user is not None and user.pk == request.user.pk
    form = HrAdminRevokeForm(request.POST if request.method == "POST" else None, own_role=own_role)
    if request.method == "POST" and problem is None and form.is_valid():
        try:
            roles.hr_admin_revoke(user=user, by=request.user, own=own_role and form.cleaned_data["understand"])
        except roles.HrAdminRoleError as exc:
            form_add_service_errors(form, exc)
        else:
            if own_role:
                messages.success(request, "You are no longer an HR admin.")
                return redirect("home")
            messages.success(request, f"{person.full_name} is no longer an HR admin. They have been told.")
            return redirect("people:person_detail", pk=person.pk)
    context = {"person": person, "problem": problem, "form": form, "own_role": own_role}
    return render(request, "people/hr_admin_revoke.html", context)
