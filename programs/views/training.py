"""A participant's training pages: the modules of their enrollment, one module, marking it done.

The enrollment is loaded through ``_own_enrollment`` (someone else's is a 404).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from programs.models import TrainingModule
from programs.services import training as training_services
from programs.services.training import TrainingError
from programs.views.enrollment import _own_enrollment


def enrollment_training(request, pk):
    enrollment = _own_enrollment(request, pk)
    modules = training_services.enrollment_training_modules(enrollment=enrollment)
    required = [m for m in modules if m.required]
    context = {
        "enrollment": enrollment,
        "program": enrollment.program,
        "modules": modules,
        "required_total": len(required),
        "required_done": sum(1 for m in required if m.completed_at),
        "can_complete": enrollment.status in training_services.TRAINING_STATUSES,
    }
    return render(request, "programs/enrollment/training.html", context)


def _own_module(enrollment, module_pk) -> TrainingModule:
    module = get_object_or_404(enrollment.program.training_modules, pk=module_pk)
    if not enrollment.role or not module.applies_to(enrollment.role):
        raise Http404("This module is not part of your training.")
    return module


def enrollment_training_module(request, pk, module_pk):
    enrollment = _own_enrollment(request, pk)
    module = _own_module(enrollment, module_pk)
    completion = enrollment.training_completions.filter(module=module).first()
    context = {
        "enrollment": enrollment,
        "program": enrollment.program,
        "module": module,
        "completion": completion,
        "can_complete": enrollment.status in training_services.TRAINING_STATUSES,
    }
    return render(request, "programs/enrollment/training_module.html", context)


@require_POST
def enrollment_training_module_complete(request, pk, module_pk):
    enrollment = _own_enrollment(request, pk)
    module = _own_module(enrollment, module_pk)
    try:
        training_services.training_module_complete(enrollment=enrollment, module=module)
    except TrainingError as error:
        messages.error(request, str(error))
        return redirect("programs:enrollment_training_module", pk=enrollment.pk, module_pk=module.pk)
    messages.success(request, f"“{module.title}” marked as done.")
    return redirect("programs:enrollment_training", pk=enrollment.pk)
