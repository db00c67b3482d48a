"""Small helpers shared by the streamed exports."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

ROWS_PER_CHUNK = 500


class Echo:
    """A file-like object whose write returns what it was given, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(
    header: list[str], rows: Iterable[list[Any]], per_chunk: int = ROWS_PER_CHUNK
) -> Iterator[bytes]:
    """UTF-8 CSV bytes, a few hundred rows per chunk: one yield per row costs more than the row."""
    writer = csv.writer(Echo(), lineterminator="\r\n")
    buffer = [writer.writerow(header)]
    for row in rows:
        buffer.append(writer.writerow(row))
        if len(buffer) >= per_chunk:
            yield "".join(buffer).encode("utf-8")
            buffer = []
    if buffer:
        yield "".join(buffer).encode("utf-8")


# Cells a spreadsheet would run as a formula (OWASP "CSV injection"): =, +, -, @, tab, CR.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """`text` with a leading ' when it starts like a formula (OWASP's rule for text cells).

    For text columns only: a negative number in a numeric column must stay a number.
    """
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def number(value: float | None, places: int = 4) -> str:
    """A float with at most `places` decimals and no trailing zeros; empty for None."""
    if value is None:
        return ""
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def content_disposition(filename: str) -> str:
    return f'attachment; filename="{filename}"'
