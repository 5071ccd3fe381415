"""CSV downloads: one way to write them, safe to open in a spreadsheet.

Every export streams (rows are written while they are read, so a large export holds one
chunk in memory), starts with a byte-order mark (Excel opens UTF-8 correctly only with
one) and neutralises cells a spreadsheet would run as a formula.
"""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

# A cell starting with one of these runs as a formula in Excel, LibreOffice and Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LINES_PER_CHUNK = 500


def spreadsheet_cell(value) -> str:
    """The cell's text, with a leading ' when a spreadsheet would run it (numbers stay numbers)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


class _Echo:
    """A file for ``csv.writer`` that hands each written line back."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list, rows: Iterable[Iterable]) -> Iterable[str]:
    """The export's text in chunks of lines, written while ``rows`` is read."""
    writer = csv.writer(_Echo())
    chunk = ["\ufeff", writer.writerow([spreadsheet_cell(cell) for cell in header])]
    for row in rows:
        chunk.append(writer.writerow([spreadsheet_cell(cell) for cell in row]))
        if len(chunk) >= LINES_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def csv_response(filename: str, header: list, rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """A CSV download named ``filename``."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
