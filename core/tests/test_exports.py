"""Every CSV download: streamed, opens in a spreadsheet as UTF-8, never runs a cell as a formula."""

import csv
import io

from core.exports import LINES_PER_CHUNK, csv_response


def _text(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def test_a_name_that_looks_like_a_formula_is_neutralised_and_numbers_stay_numbers():
    response = csv_response("people.csv", ["name", "score"], [['=HYPERLINK("x")', -3], ["@sum", 4.5], [None, 0]])
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = _text(response)
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only after a byte-order mark
    assert list(csv.reader(io.StringIO(text.removeprefix("\ufeff")))) == [
        ["name", "score"],
        ['\'=HYPERLINK("x")', "-3"],
        ["'@sum", "4.5"],
        ["", "0"],
    ]


def test_rows_are_written_while_they_are_read_in_chunks():
    read = []

    def rows():
        for n in range(2 * LINES_PER_CHUNK + 1):
            read.append(n)
            yield [n]

    chunks = iter(csv_response("big.csv", ["n"], rows()).streaming_content)
    next(chunks)
    assert len(read) < LINES_PER_CHUNK  # the first chunk left before every row was read
    rest = b"".join(chunks).decode("utf-8")
    assert rest.splitlines()[-1] == str(2 * LINES_PER_CHUNK)
