from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.errors import form_add_service_errors
from core.permissions import hr_admin_required
from core.submissions import submit_once
from datarights import selectors, services
from datarights.forms import ErasureForm
from datarights.models import DataExport, Erasure
from people.models import Person


def my_data(request):
    """Every signed-in person's page: ask for a download of their data, see the last ones."""
    context = {
        "exports": selectors.data_exports_for(user=request.user)[:10],
        "hours": services.data_export_hours(),
    }
    return render(request, "datarights/my_data.html", context)


@require_POST
@submit_once
def export_request(request):
    export, created = services.data_export_request(user=request.user)
    if created:
        messages.success(request, "Your download is being prepared. You can leave this page; it carries on.")
    else:
        messages.info(request, "Your download is already being prepared: this is the one.")
    return redirect("datarights:export_detail", pk=export.pk)


def _own_export(request, pk) -> DataExport:
    # Another person's export is a 404, never a 403: its existence is not theirs to know.
    return get_object_or_404(DataExport.objects.defer("content"), pk=pk, user=request.user)


def export_detail(request, pk):
    export = _own_export(request, pk)
    context = {
        "export": export,
        "progress": _progress(export),
        "live": services.data_export_is_live(export),
        "hours": services.data_export_hours(),
    }
    return render(request, "datarights/export_detail.html", context)


def export_progress(request, pk):
    return JsonResponse(_progress(_own_export(request, pk)))


def export_download(request, pk):
    export = _own_export(request, pk)
    if not services.data_export_is_live(export):
        if export.status in (DataExport.Status.QUEUED, DataExport.Status.BUILDING):
            return redirect("datarights:export_detail", pk=export.pk)
        return render(request, "datarights/export_gone.html", {"export": export}, status=410)
    content = DataExport.objects.filter(pk=export.pk).values_list("content", flat=True).first()
    if not content:
        return render(request, "datarights/export_gone.html", {"export": export}, status=410)
    services.data_export_downloaded(export=export)
    response = HttpResponse(bytes(content), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="my-data-{export.created_at:%Y-%m-%d}.zip"'
    response["Cache-Control"] = "no-store"
    return response


def _progress(export: DataExport) -> dict:
    return {
        "id": export.pk,
        "status": export.status,
        "status_label": export.get_status_display(),
        "label": export.step or export.get_status_display(),
        "percent": export.progress,
        "finished": not export.is_pending,
    }


@hr_admin_required
def data_requests(request):
    return render(request, "datarights/data_requests.html", selectors.data_requests_overview())


@hr_admin_required
@submit_once
def person_erase(request, pk):
    person = get_object_or_404(Person.objects.select_related("user"), pk=pk)
    erasure = Erasure.objects.filter(person=person).first()
    if erasure is not None and request.method != "POST":
        return render(request, "datarights/person_erase.html", {"person": person, "erasure": erasure})
    form = ErasureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if erasure is not None:  # a double submit: the first one did it
            messages.info(request, "This person has already been erased.")
            return redirect("people:person_detail", pk=person.pk)
        try:
            services.person_erase(person=person, by=request.user, end_pairings=form.cleaned_data["end_pairings"])
        except services.ErasureError as refusal:
            if Erasure.objects.filter(person=person).exists():  # two submits at once: the other one did it
                messages.info(request, "This person has already been erased.")
                return redirect("people:person_detail", pk=person.pk)
            form_add_service_errors(form, refusal)
        else:
            messages.success(request, f"{services.erased_name(person.pk)}: their data has been erased everywhere.")
            return redirect("people:person_detail", pk=person.pk)
    context = {
        "person": person,
        "form": form,
        "live_pairings": services.person_live_pairings(person=person).select_related(
            "program", "mentor__person", "mentee__person"
        ),
        "refusal": services.erasure_refusal(person=person, by=request.user, end_pairings=True),
    }
    return render(request, "datarights/person_erase.html", context)
