"""The bounds every read of an extract keeps, and the rejections that name them.

A file breaking one is rejected with a report that says which, and how to
send the extract instead; ``etl.read`` and ``etl.workbook`` share them.
"""

from __future__ import annotations

import math
from typing import NoReturn

from carers_impact import settings
from etl.report import ExtractRejected, Report

MB = 1024 * 1024
READ_CHUNK = 8 * MB
MAX_XLSX_EXPANSION = 1  # an XLSX may unzip to at most this many times the size limit
MAX_COLUMNS = 1_000  # columns in any row
MAX_LINE_BYTES = MB  # bytes in any line of a CSV
MAX_CELLS = 20_000_000  # rows times columns of the table read
SAVE_AS_CSV = "in Excel use Save As 'CSV UTF-8 (Comma delimited) (*.csv)'"


def reject(report: Report, rule: str, message: str, **where) -> NoReturn:
    report.error(rule, message, **where)
    raise ExtractRejected(report)


def megabytes(size: int, *, up: bool = False) -> str:
    """Size in MB to one decimal; rounded up for a file, so that it never looks
    equal to the limit it exceeds."""
    tenths = size / MB * 10
    value = (math.ceil(tenths) if up else round(tenths)) / 10
    return f"{value:.1f}".removesuffix(".0")


def size_limit(max_bytes: int | None = None) -> int:
    """The largest file accepted, in bytes: ``max_bytes``, else the setting CARERS_MAX_FILE_MB."""
    return settings.get_int("CARERS_MAX_FILE_MB") * MB if max_bytes is None else max_bytes


def reject_too_large(report: Report, size: int, *, limit: int) -> NoReturn:
    reject(
        report,
        "file_too_large",
        f"the file is {megabytes(size, up=True)} MB; the largest accepted is "
        f"{megabytes(limit)} MB (setting CARERS_MAX_FILE_MB)",
    )


def reject_columns(report: Report, width: int, *, rows: list[int]) -> NoReturn:
    reject(
        report,
        "too_many_columns",
        f"a row has {width:,} values; at most {MAX_COLUMNS:,} columns are read: "
        "remove the columns that are not part of the extract",
        count=len(rows),
        rows=rows,
    )


def reject_cells(report: Report, width: int, rows: int) -> NoReturn:
    reject(
        report,
        "file_too_large",
        f"the file has {rows:,} rows of {width:,} columns, more than the {MAX_CELLS:,} cells "
        "one extract may hold; remove the columns that are not part of the extract",
    )
