"""Writes for people's rights over their data, one module per subject: ``exports``
("Download my data"), ``erasure`` (HR's "Erase person") and ``retention`` (leavers
erased after ``RETENTION_LEAVERS_MONTHS``)."""

from datarights.services.erasure import (
    ERASED,
    ErasureError,
    erased_email,
    erased_name,
    erasure_refusal,
    person_erase,
    person_live_pairings,
)
from datarights.services.exports import (
    data_export_build,
    data_export_downloaded,
    data_export_hours,
    data_export_is_live,
    data_export_request,
    data_exports_expire,
)
from datarights.services.retention import months_before, retention_leavers, retention_run

__all__ = [
    "ERASED",
    "ErasureError",
    "data_export_build",
    "data_export_downloaded",
    "data_export_hours",
    "data_export_is_live",
    "data_export_request",
    "data_exports_expire",
    "erased_email",
    "erased_name",
    "erasure_refusal",
    "months_before",
    "person_erase",
    "person_live_pairings",
    "retention_leavers",
    "retention_run",
]
