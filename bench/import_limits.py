"""How fast the people import refuses a pathological file, against parsing it.

Usage (from the repository root)::

    .venv/bin/python bench/import_limits.py              # medians of 5 runs
    .venv/bin/python bench/import_limits.py --repeat 9

Files (generated in memory, default limits):

* ``100,000 columns`` -- a header of 100,000 names and one row of 99,999 commas (~790 KB);
* ``one 50 MB line`` -- a header and one 50 MB line (just under the size limit);
* ``200,001 rows`` -- a header and 200,001 short rows, one more than the row limit.

``ours`` is ``people_import_decode`` refusing the file (what the upload form and
``import_people`` run first). ``baseline`` is what reading the header cost before
the limits: the CSV header parsed and checked for duplicate names with
``header.count(name)`` per column (quadratic), measured on 10,000 and 20,000
columns and extrapolated to 100,000 (nobody waits for the real thing).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _median_seconds(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _wide(columns: int) -> bytes:
    return ",".join(f"c{n}" for n in range(columns)).encode() + b"\n" + b"," * (columns - 1) + b"\n"


def _old_header_check(data: bytes) -> None:
    header = next(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    sorted({name for name in header if name and header.count(name) > 1})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from people import importing
    from people.tests.factories import IMPORT_HEADER, import_row

    limits = importing.people_import_limits()
    row = import_row("someone@example.com")
    files = {
        "100,000 columns": _wide(100_000),
        "one 50 MB line": (IMPORT_HEADER + "\n" + "x" * (limits.max_bytes - 200)).encode(),
        f"{limits.max_rows + 1:,} rows": ("\n".join([IMPORT_HEADER] + [row] * (limits.max_rows + 1)) + "\n").encode(),
    }
    print(f"{'file':<18}{'size':>10}  {'ours':>10}  message")
    for name, data in files.items():
        try:
            importing.people_import_decode(data=data)
        except importing.PeopleImportFileError as exc:
            message = str(exc)
        else:
            raise SystemExit(f"{name}: not refused")
        seconds = _median_seconds(lambda data=data: _refuse(importing, data), args.repeat)
        print(f"{name:<18}{len(data) / 1e6:>8.2f}MB  {seconds * 1000:>8.1f}ms  {message[:70]}")

    small = {columns: _median_seconds(lambda c=columns: _old_header_check(_wide(c)), 1) for columns in (10_000, 20_000)}
    factor = (100_000 / 20_000) ** 2
    print(
        f"baseline (old header check): 10,000 columns {small[10_000]:.2f} s, 20,000 columns "
        f"{small[20_000]:.2f} s, 100,000 columns ~{small[20_000] * factor:.0f} s (extrapolated, quadratic)"
    )


def _refuse(importing, data: bytes) -> None:
    with contextlib.suppress(importing.PeopleImportFileError):
        importing.people_import_decode(data=data)


if __name__ == "__main__":
    main()
