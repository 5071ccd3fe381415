"""The HR import of the employee directory, the shell command's and the web page's.

Two steps: ``people_import_validate`` (``plan``) reads a CSV export (``read``) and lists
every problem with its line number, writing nothing; ``people_import_apply`` (``write``)
writes a valid plan in one transaction with set-based queries, so 10,000 rows take seconds.
On the web page both run in background jobs (``jobs``: ``people_import_job_preview``, then
``people_import_job_run`` once HR commits the preview); the upload request only stores the
file.
"""

from people.importing.jobs import (
    people_import_job_check_again,
    people_import_job_create,
    people_import_job_discard,
    people_import_job_preview,
    people_import_job_queue,
    people_import_job_run,
)
from people.importing.plan import (
    people_import_validate,
)
from people.importing.read import (
    BATCH_SIZE,
    OPTIONAL_COLUMNS,
    PREVIEW_CHANGES,
    REQUIRED_COLUMNS,
    STALE_JOB,
    ImportLimits,
    ImportPlan,
    ImportResult,
    ImportRow,
    PeopleImportConflict,
    PeopleImportFileError,
    people_import_decode,
    people_import_limits,
    people_import_too_large_message,
)
from people.importing.write import (
    people_import_apply,
)

__all__ = [
    "BATCH_SIZE",
    "ImportLimits",
    "ImportPlan",
    "ImportResult",
    "ImportRow",
    "OPTIONAL_COLUMNS",
    "PREVIEW_CHANGES",
    "PeopleImportConflict",
    "PeopleImportFileError",
    "REQUIRED_COLUMNS",
    "STALE_JOB",
    "people_import_apply",
    "people_import_decode",
    "people_import_job_check_again",
    "people_import_job_create",
    "people_import_job_discard",
    "people_import_job_preview",
    "people_import_job_queue",
    "people_import_job_run",
    "people_import_limits",
    "people_import_too_large_message",
    "people_import_validate",
]
