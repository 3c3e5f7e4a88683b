"""Read the extract's sheet of an XLSX workbook as text, within bounds (SPEC 3.1).

The package is unzipped once, member by member, counting the bytes it really
expands to (never trusting the sizes it declares) before openpyxl parses it;
the sheet is then streamed row by row, each row only as wide as its last
value, so neither a far-away cell nor a zip bomb can fill the memory. Date
cells become ``YYYY-MM-DD`` (any time of day is dropped) and whole numbers
lose their ``.0``.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from datetime import date, datetime, time, timedelta
from typing import NoReturn
from xml.etree.ElementTree import iterparse

import numpy as np
import pandas as pd

from carers_impact.extracts import Extract
from etl.limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_XLSX_EXPANSION,
    MB,
    megabytes,
    reject,
    reject_cells,
    reject_columns,
)
from etl.report import ExtractRejected, Report

_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
NOT_XLSX = "this file could not be opened as an Excel workbook; save it as .xlsx or CSV"


def read_xlsx(
    content: bytes, *, extract: Extract, report: Report, limit: int
) -> tuple[list[str], pd.DataFrame, str, list[tuple[int, int]]]:
    """(header, cells with positional columns and file row numbers as index, sheet
    title, (row, column) of formulas saved without a result)."""
    import openpyxl  # only XLSX uploads pay for the import

    not_xlsx = NOT_XLSX
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        reject(report, "not_xlsx", not_xlsx)
    bound = MAX_XLSX_EXPANSION * limit
    if declared > bound:
        _reject_unzipped(report, declared, limit=bound)
    with_formulas = _unzip_counted(archive, bound=bound, report=report)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not need
            workbook = openpyxl.load_workbook(
                io.BytesIO(content), read_only=True, data_only=True, keep_links=False
            )
    except Exception:  # any unreadable package is the same problem to the uploader
        reject(report, "not_xlsx", not_xlsx)
    try:
        sheets = list(workbook.worksheets)
        named = [ws for ws in sheets if ws.title.strip().lower() == extract.name]
        for sheet in named[:1] or sheets:
            rows = _sheet_rows(sheet, report=report)
            if rows:
                break
        else:
            if named:
                reject(
                    report,
                    "empty_sheet",
                    f"the sheet '{named[0].title}' is empty; put the {extract.name} extract "
                    "on it, with the column names in row 1",
                )
            reject(
                report,
                "no_sheet",
                f"the workbook has no sheet with data; put the extract on a sheet named "
                f"'{extract.name}', with the column names in row 1",
            )
        # openpyxl has no public way to the sheet's part name in the package
        part = sheet._worksheet_path.lstrip("/")
        unsaved = _formulas_without_values(archive, part) if part in with_formulas else []
    except ExtractRejected:
        raise
    except Exception:  # a damaged sheet inside a readable package
        reject(report, "not_xlsx", not_xlsx)
    finally:
        workbook.close()
    header = [value or "" for value in rows[0][1]] if rows[0][0] == 1 else []
    width = max(len(values) for _, values in rows)
    data = [(number, values) for number, values in rows if number > 1]
    cells = pd.DataFrame(
        [list(values) + [None] * (width - len(values)) for _, values in data],
        columns=range(width),
        index=np.array([number for number, _ in data], dtype=np.int64),
        dtype=object,
    )
    return header, cells, sheet.title, unsaved


def _reject_unzipped(report: Report, size: int, *, limit: int, counted: bool = False) -> NoReturn:
    reject(
        report,
        "file_too_large",
        f"the workbook unzips to {'more than ' if counted else ''}"
        f"{megabytes(size, up=True)} MB; the largest read is {megabytes(limit)} MB "
        "(setting CARERS_MAX_FILE_MB): save the extract on its own as CSV",
    )


def _unzip_counted(archive: zipfile.ZipFile, *, bound: int, report: Report) -> set[str]:
    """Unzip every member once, counting the bytes it really expands to, in bounded memory.

    Rejects the workbook as soon as the count passes ``bound``, whatever sizes the
    package declares; returns the members holding formulas.
    """
    total = 0
    with_formulas: set[str] = set()
    try:
        for info in archive.infolist():
            tail = b""
            with archive.open(info) as member:
                while chunk := member.read(MB):
                    total += len(chunk)
                    if total > bound:
                        _reject_unzipped(report, total, limit=bound, counted=True)
                    if info.filename not in with_formulas and _FORMULA_TAG.search(tail + chunk):
                        with_formulas.add(info.filename)
                    tail = chunk[-8:]
    except ExtractRejected:
        raise
    except Exception:  # a damaged, encrypted or oddly compressed member
        reject(report, "not_xlsx", NOT_XLSX)
    return with_formulas


def _sheet_rows(sheet, *, report: Report) -> list[tuple[int, tuple[str | None, ...]]]:
    """(row number, cells as text) of every row holding a value; the file's own
    dimensions are not trusted, and a row is only as wide as its last value."""
    from openpyxl.worksheet._reader import WorkSheetParser

    book = sheet.parent
    rows: list[tuple[int, tuple[str | None, ...]]] = []
    width = 0
    with sheet._get_source() as source:  # the part openpyxl's own reader streams
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            values = {}
            for cell in cells:
                text = _cell_text(cell["value"])
                if text is not None:
                    values[cell["column"]] = text
            if not values:
                continue
            last = max(values)
            if last > MAX_COLUMNS:
                reject_columns(report, last, rows=[number])
            width = max(width, last)
            if (len(rows) + 1) * width > MAX_CELLS:
                reject_cells(report, width, len(rows) + 1)
            rows.append((number, tuple(values.get(c) for c in range(1, last + 1))))
    return rows


def _cell_text(value: object) -> str | None:
    """What a person sees in the cell, as text; dates as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, (int, timedelta)):
        return str(value)
    return str(value).strip() or None


def _formulas_without_values(archive: zipfile.ZipFile, part: str) -> list[tuple[int, int]]:
    """(row, column) of formula cells saved without a result.

    An Excel-saved file keeps each formula's last result; files written by
    programs that never calculated them do not. A formula whose saved result is
    empty text (``t="str"`` with an empty value) is a blank cell, not a problem.
    """
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    found = []
    row = column = 0
    with archive.open(part) as source:  # streamed: the sheet is never held whole
        for event, element in iterparse(source, events=("start", "end")):
            tag = element.tag.rpartition("}")[2]
            if event == "start":
                if tag == "row":
                    row, column = int(element.get("r", row + 1)), 0
                continue
            if tag == "c":
                ref = element.get("r")
                if ref:
                    letters, row = coordinate_from_string(ref)
                    column = column_index_from_string(letters)
                else:
                    column += 1
                children = {child.tag.rpartition("}")[2]: child for child in element}
                value = children.get("v")
                if "f" in children and (
                    value is None or (not value.text and element.get("t") != "str")
                ):
                    found.append((row, column))
                element.clear()
            elif tag == "row":
                element.clear()
    return found
