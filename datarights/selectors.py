"""Reads for the data-rights pages."""

from datarights.models import DataExport, Erasure, RetentionRun

LIST_LIMIT = 200


def data_exports_for(*, user):
    return DataExport.objects.filter(user=user).defer("content")


def data_requests_overview() -> dict:
    """HR's page: the latest downloads made, erasures and retention runs (who and when)."""
    return {
        "exports": list(DataExport.objects.select_related("user").defer("content")[:LIST_LIMIT]),
        "erasures": list(Erasure.objects.select_related("erased_by")[:LIST_LIMIT]),
        "runs": list(RetentionRun.objects.all()[:LIST_LIMIT]),
    }
