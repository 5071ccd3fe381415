"""Set-based writes the ORM has no fast path for."""

from collections.abc import Sequence

from django.db import connection


def insert_ignoring_conflicts(
    model, fields: Sequence[str], rows: Sequence[Sequence], *, conflict: Sequence[str]
) -> None:
    """One multi-row ``INSERT ... ON CONFLICT (conflict) DO NOTHING`` of ``rows`` into
    ``model``'s table (PostgreSQL, and SQLite >= 3.24): rows whose ``conflict`` fields are
    already taken are skipped, so a sweep that runs twice writes each row once.

    ``fields`` are model field names; each row holds their database values, adapted by the
    caller where the backend needs it (``connection.ops.adapt_datetimefield_value``).
    ``bulk_create(ignore_conflicts=True)`` does the same, but its per-value Python work was
    most of a large sweep's time. Callers batch (a few thousand rows per call)."""
    if not rows:
        return
    meta, quote = model._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    keys = ", ".join(quote(meta.get_field(name).column) for name in conflict)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row] * len(rows))} "
        f"ON CONFLICT ({keys}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for values in rows for value in values])
