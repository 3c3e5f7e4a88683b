"""Turn an uploaded extract's bytes into a table of strings (SPEC 3.1).

Reading is split so that no unchecked content is kept: ``read_table`` reads
every column of a CSV or XLSX file, ``etl.guard.check_personal_data`` rejects
direct identifiers, and ``select_extract_columns`` keeps the extract's known
columns; ``etl.pipeline.check_file`` runs the three in that order.

Every read is bounded: the file's size is checked before it is read
(``read_descriptor`` on an open file), a CSV's lines and columns are counted
before it is parsed, and an XLSX package is unzipped member by member with a
running count of the bytes it really expands to, never trusting the sizes it
declares.

Cells are Python ``str`` with surrounding whitespace removed; a blank cell is
``None`` (object columns, never NaN or ""). The integer column ``_row`` is the
row number a person sees in Excel: the header is row 1 and skipped blank rows
still count. In a CSV a row is a record, so a quoted value that spans two lines
is one row, as Excel shows it.

CSV text is UTF-8 (with or without BOM), else Windows-1252; a byte that
Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) rejects the file
rather than being guessed at. In XLSX files, date cells become ``YYYY-MM-DD``
(any time of day is dropped) and whole numbers lose their ``.0``.

Every problem is an error finding on the report followed by ``ExtractRejected``.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import warnings
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal, NoReturn
from xml.etree.ElementTree import iterparse

import numpy as np
import pandas as pd

from carers_impact import settings
from carers_impact.extracts import Extract
from etl.report import ExtractRejected, Report

ROW = "_row"
MB = 1024 * 1024
READ_CHUNK = 8 * MB
MAX_XLSX_EXPANSION = 1  # an XLSX may unzip to at most this many times the size limit
MAX_COLUMNS = 1_000  # columns in any row
MAX_LINE_BYTES = MB  # bytes in any line of a CSV
MAX_CELLS = 20_000_000  # rows times columns of the table read
NO_HEADER = "row 1 is blank; row 1 must hold the column names"
SAVE_AS_CSV = "in Excel use Save As 'CSV UTF-8 (Comma delimited) (*.csv)'"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or a password-protected .xlsx
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_SEPARATORS = re.compile(r"[\s_\-\u2010-\u2015]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_UTF8_SEQUENCE = re.compile(  # a well-formed UTF-8 sequence of two to four bytes
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_UNDECODED = re.compile("[\udc80-\udcff]")  # bytes kept by errors="surrogateescape"


@dataclass(frozen=True)
class RawTable:
    """Every column of a file, before the personal-data guard and column selection."""

    frame: pd.DataFrame  # normalised column names, plus ROW
    headers: dict[str, str]  # normalised name -> the header as written in the file
    file_format: Literal["csv", "xlsx"]
    sheet: str | None = None  # XLSX: the sheet read
    encoding: str | None = None  # CSV: "utf-8", "utf-8-sig" or "cp1252"


def normalise_header(text: str) -> str:
    """`` Carer ID `` and ``carer-id`` -> ``carer_id``: lower case, runs of spaces,
    hyphens and underscores as one underscore, none at either end (so no header
    can clash with ``_row``)."""
    return _SEPARATORS.sub("_", text.strip().lower()).strip("_")


def size_limit(max_bytes: int | None = None) -> int:
    """The largest file accepted, in bytes: ``max_bytes``, else the setting CARERS_MAX_FILE_MB."""
    return settings.get_int("CARERS_MAX_FILE_MB") * MB if max_bytes is None else max_bytes


def reject_too_large(report: Report, size: int, *, limit: int) -> NoReturn:
    _reject(
        report,
        "file_too_large",
        f"the file is {_megabytes(size, up=True)} MB; the largest accepted is "
        f"{_megabytes(limit)} MB (setting CARERS_MAX_FILE_MB)",
    )


def read_descriptor(fd: int, *, report: Report, max_bytes: int | None = None) -> bytes:
    """The bytes of an open file, its size checked (on the descriptor) before any is read.

    A file larger than the limit is rejected unread; one that grows past it while
    being read is rejected too, after at most one byte more than the limit.
    """
    limit = size_limit(max_bytes)
    size = os.fstat(fd).st_size
    if size > limit:
        reject_too_large(report, size, limit=limit)
    chunks, total = [], 0
    while total <= limit:
        chunk = os.read(fd, min(READ_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        reject_too_large(report, max(total, os.fstat(fd).st_size), limit=limit)
    return b"".join(chunks)


def read_table(
    content: bytes, *, filename: str, extract: Extract, report: Report, max_bytes: int | None = None
) -> RawTable:
    """Every column of the file, with normalised headers and ``_row``; no column checks.

    ``max_bytes`` defaults to the setting CARERS_MAX_FILE_MB; a larger file is
    rejected unread. ``extract`` picks the XLSX sheet named after it.
    """
    limit = size_limit(max_bytes)
    if len(content) > limit:
        reject_too_large(report, len(content), limit=limit)
    body = content[len(_UTF8_BOM) :] if content.startswith(_UTF8_BOM) else content
    if not body or body.isspace():
        _reject(report, "empty_file", "the file is empty; export the extract again")
    if content.startswith(_OLE2_MAGIC):
        _reject(
            report,
            "xls_format",
            "this is an old-style Excel file (.xls) or a password-protected workbook: "
            "remove any password and save it as .xlsx or CSV",
        )
    if content.startswith(_ZIP_MAGIC):
        header, cells, sheet = _read_xlsx(content, extract=extract, report=report, limit=limit)
        frame, headers = _build_frame(header, cells, report=report)
        return RawTable(frame, headers, "xlsx", sheet=sheet)
    header, cells, encoding = _read_csv(content, filename=filename, report=report)
    frame, headers = _build_frame(header, cells, report=report)
    return RawTable(frame, headers, "csv", encoding=encoding)


def select_extract_columns(raw: RawTable, *, extract: Extract, report: Report) -> pd.DataFrame:
    """The extract's columns that are present, in its order, and ``_row``.

    Unknown columns are dropped with one warning naming them; each missing
    required column is an error, and then the file is rejected.
    """
    present = [c for c in raw.frame.columns if c != ROW]
    known = [name for name in extract.column_names if name in present]
    extra = [c for c in present if c not in extract.column_names]
    if extra and known:
        names = ", ".join(f"'{raw.headers.get(c, c)}'" for c in extra)
        report.warn(
            "extra_columns",
            f"ignored {_plural(len(extra), 'column')} not part of the {extract.name} "
            f"extract: {names}",
        )
    elif extra:  # the first row may be data: do not repeat its values in the report
        report.warn(
            "extra_columns",
            f"none of the file's {_plural(len(extra), 'column')} has a {extract.name} "
            "column name, so all were ignored; row 1 must hold the column names",
        )
    where = ""
    if raw.sheet is not None and raw.sheet.strip().lower() != extract.name:
        where = f" (read from sheet '{raw.sheet}'; name the sheet '{extract.name}' to choose it)"
    missing = [c.name for c in extract.columns if c.required and c.name not in present]
    for number, name in enumerate(missing):
        report.error(
            "required_column",
            f"the required column '{name}' is missing{'' if number else where}; add it with "
            "this name in row 1 (case, spaces and hyphens do not matter)",
            column=name,
        )
    if missing:
        raise ExtractRejected(report)
    return raw.frame[[*known, ROW]].reset_index(drop=True)


# -- building the table, shared by CSV and XLSX --------------------------------------


def _build_frame(
    header: list[str], cells: pd.DataFrame, *, report: Report
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Name the columns, drop blank rows and unnamed blank columns, add ``_row``.

    ``cells`` has positional columns 0..n-1 (None for blank) and the file row
    numbers as its index.
    """
    if not any(header):
        _reject(report, "no_header", NO_HEADER)
    cells = cells[cells.notna().any(axis=1).to_numpy()]
    if cells.empty:
        _reject(report, "no_data_rows", "the file has a header but no data rows")
    header = header + [""] * (cells.shape[1] - len(header))
    columns: dict[str, pd.Series] = {}
    headers: dict[str, str] = {}
    spellings: dict[str, list[str]] = defaultdict(list)
    for position, text in enumerate(header):
        name = normalise_header(text)
        column = cells[position] if position in cells.columns else None
        if not name:
            if column is None or column.isna().all():
                continue
            name = text = f"(no header, column {_column_letter(position + 1)})"
        spellings[name].append(text)
        columns[name] = column
        headers[name] = text
    duplicates = {name: texts for name, texts in spellings.items() if len(texts) > 1}
    for name, texts in duplicates.items():
        report.error(
            "duplicate_column",
            f"the columns {' and '.join(repr(t) for t in texts)} have the same name once "
            "case, spaces and hyphens are ignored; keep only one of them",
            column=name,
        )
    if duplicates:
        raise ExtractRejected(report)
    frame = pd.DataFrame(
        {
            name: np.full(len(cells), None, dtype=object) if col is None else col.to_numpy()
            for name, col in columns.items()
        },
        dtype=object,
    )
    frame[ROW] = cells.index.to_numpy(dtype=np.int64)
    report.row_count = len(frame)
    return frame, headers


# -- CSV ------------------------------------------------------------------------------


def _read_csv(
    content: bytes, *, filename: str, report: Report
) -> tuple[list[str], pd.DataFrame, str]:
    if content.startswith(_UTF16_BOMS):
        _reject(
            report,
            "encoding",
            f"the file is saved as UTF-16 ('Unicode Text'); {SAVE_AS_CSV}",
        )
    not_text = "this is not a text CSV file; export the extract as CSV (comma-separated) or XLSX"
    if filename.lower().endswith((".xlsx", ".xlsm")):
        not_text = "the file is named .xlsx but is not an Excel workbook; save it as .xlsx or CSV"
    if b"\x00" in content:
        _reject(report, "not_text", not_text)
    lines = _check_lines(content, report=report)
    text, encoding = _decode(content, report=report)
    sample = text[:65536]
    if len(_CONTROL.findall(sample)) > len(sample) / 100:
        _reject(report, "not_text", not_text)
    first_line = text[: text.find("\n")] if "\n" in text else text
    if not first_line.strip():
        _reject(report, "no_header", NO_HEADER)
    _check_delimiter(first_line, report=report)
    width = len(next(csv.reader([first_line])))
    if width > MAX_COLUMNS:
        _reject_columns(report, width, rows=[1])
    if width * lines > MAX_CELLS:
        _reject_cells(report, width, lines)
    data = content[len(_UTF8_BOM) :] if encoding == "utf-8-sig" else content
    if encoding == "cp1252":
        data = text.encode("utf-8")
    try:
        table = _parse_csv(data)
    except pd.errors.ParserError as error:
        table = _parse_ragged_csv(data, text, error, report=report)
    except pd.errors.EmptyDataError:
        _reject(report, "empty_file", "the file is empty; export the extract again")
    del text
    header = [str(v).strip() for v in table.iloc[0]]
    cells = pd.DataFrame(
        {position: _blank_to_none(table[position].to_numpy()[1:]) for position in table.columns},
        dtype=object,
    )
    cells.index = np.arange(2, len(table) + 1)
    return header, cells, encoding


def _parse_csv(data: bytes, names: list[int] | None = None) -> pd.DataFrame:
    """Every field as text; blank lines kept so that row numbers stay true."""
    return pd.read_csv(
        io.BytesIO(data),
        header=None,
        names=names,
        dtype=object,
        na_filter=False,
        skip_blank_lines=False,
        encoding="utf-8",
        engine="c",
    )


def _parse_ragged_csv(
    data: bytes, text: str, error: pd.errors.ParserError, *, report: Report
) -> pd.DataFrame:
    """A file pandas could not split: name the rows to fix, or read blank overlong rows."""
    detail = str(error).strip()
    quote = re.search(r"EOF inside string starting at row (\d+)", detail)
    if quote:
        _reject(
            report,
            "unclosed_quote",
            f'row {int(quote[1]) + 1} has a double quote (") that is never closed, so the '
            "rest of the file cannot be read; remove the stray quote or close it",
            count=1,
            rows=[int(quote[1]) + 1],
        )
    long_rows: list[int] = []
    width = widest = 0
    unreadable = f"the file could not be read as CSV ({detail}); {SAVE_AS_CSV}"
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            width = width or len(record)
            widest = max(widest, len(record))
            if len(record) > width and any(value.strip() for value in record):
                long_rows.append(number)
    except csv.Error:
        _reject(report, "csv_format", unreadable)
    if widest > MAX_COLUMNS:
        _reject_columns(report, widest, rows=long_rows)
    if long_rows:
        _reject(
            report,
            "too_many_values",
            "these rows have more values than row 1 has column names; a value probably "
            "contains a comma: put it in double quotes (Excel does this when it saves CSV) "
            "or remove the extra values",
            count=len(long_rows),
            rows=long_rows,
        )
    try:
        return _parse_csv(data, names=list(range(widest)))
    except pd.errors.ParserError:
        _reject(report, "csv_format", unreadable)


def _check_lines(content: bytes, *, report: Report) -> int:
    """Reject a file with a line longer than MAX_LINE_BYTES, before it is parsed;
    returns the number of lines. Counted a slice at a time, in bounded memory."""
    long_rows: list[int] = []
    count = lines = 0
    last = -1  # where the previous line ended
    for offset in range(0, len(content), READ_CHUNK):
        view = np.frombuffer(content, dtype=np.uint8, count=min(READ_CHUNK, len(content) - offset),
                             offset=offset)  # fmt: skip
        ends = np.flatnonzero(view == 10) + offset
        lengths = np.diff(ends, prepend=last) - 1
        over = np.flatnonzero(lengths > MAX_LINE_BYTES)
        count += len(over)
        long_rows += (
            (over[: 10 - len(long_rows)] + lines + 1).tolist() if len(long_rows) < 10 else []
        )
        lines += len(ends)
        if len(ends):
            last = int(ends[-1])
    if len(content) - 1 - last > MAX_LINE_BYTES:
        count += 1
        long_rows += [lines + 1] if len(long_rows) < 10 else []
    if count:
        _reject(
            report,
            "line_too_long",
            f"these lines are longer than {MAX_LINE_BYTES // 1024:,} KB, far beyond any extract "
            f"row, so the file was not read; {SAVE_AS_CSV}",
            count=count,
            rows=long_rows,
        )
    return lines + (last < len(content) - 1)


def _reject_columns(report: Report, width: int, *, rows: list[int]) -> NoReturn:
    _reject(
        report,
        "too_many_columns",
        f"a row has {width:,} values; at most {MAX_COLUMNS:,} columns are read: "
        "remove the columns that are not part of the extract",
        count=len(rows),
        rows=rows,
    )


def _reject_cells(report: Report, width: int, rows: int) -> NoReturn:
    _reject(
        report,
        "file_too_large",
        f"the file has {rows:,} rows of {width:,} columns, more than the {MAX_CELLS:,} cells "
        "one extract may hold; remove the columns that are not part of the extract",
    )


def _decode(content: bytes, *, report: Report) -> tuple[str, str]:
    """UTF-8 (with or without BOM), else Windows-1252; never a mixture of the two."""
    bom = content.startswith(_UTF8_BOM)
    body = content[len(_UTF8_BOM) :] if bom else content
    try:
        return body.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError:
        pass
    if bom or _UTF8_SEQUENCE.search(body):
        _reject_mixed(content, report=report)
    try:
        return content.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        _reject_encoding(content, error.start, report=report)


def _reject_mixed(content: bytes, *, report: Report) -> NoReturn:
    """Text partly UTF-8 and partly not: name the lines whose bytes are not UTF-8."""
    text = content.decode("utf-8", "surrogateescape")
    rows: list[int] = []
    line, last = 1, 0
    for found in _UNDECODED.finditer(text):
        line += text.count("\n", last, found.start())
        last = found.start()
        if not rows or rows[-1] != line:
            rows.append(line)
    _reject(
        report,
        "mixed_encoding",
        "the file is not one encoding throughout: most of it is UTF-8 but these lines are "
        "not (probably pasted from a file saved as Windows-1252), so their accented letters "
        f"would be stored wrongly; retype them, or {SAVE_AS_CSV}",
        count=len(rows),
        rows=rows,
    )


def _reject_encoding(content: bytes, position: int, *, report: Report) -> NoReturn:
    line = content.count(b"\n", 0, position) + 1
    _reject(
        report,
        "encoding",
        f"the file's text is neither UTF-8 nor Windows-1252 (unreadable character on "
        f"line {line}); {SAVE_AS_CSV}",
    )


def _check_delimiter(first_line: str, *, report: Report) -> None:
    """A header with no comma but semicolons or tabs: the wrong kind of CSV."""
    if "," in first_line:
        return
    for char, name in ((";", "semicolons"), ("\t", "tabs")):
        if first_line.count(char) >= 1:
            _reject(
                report,
                "delimiter",
                f"the file uses {name} between values; save it as comma-separated CSV "
                f"({SAVE_AS_CSV})",
            )


_strip = np.frompyfunc(str.strip, 1, 1)  # twice as fast as Series.str.strip on objects


def _blank_to_none(values: np.ndarray) -> np.ndarray:
    stripped = _strip(values).astype(object, copy=False)
    stripped[stripped == ""] = None
    return stripped


# -- XLSX -----------------------------------------------------------------------------


def _read_xlsx(
    content: bytes, *, extract: Extract, report: Report, limit: int
) -> tuple[list[str], pd.DataFrame, str]:
    import openpyxl  # only XLSX uploads pay for the import

    not_xlsx = "this file could not be opened as an Excel workbook; save it as .xlsx or CSV"
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        _reject(report, "not_xlsx", not_xlsx)
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
        _reject(report, "not_xlsx", not_xlsx)
    try:
        sheets = list(workbook.worksheets)
        named = [ws for ws in sheets if ws.title.strip().lower() == extract.name]
        for sheet in named[:1] or sheets:
            rows = _sheet_rows(sheet, report=report)
            if rows:
                break
        else:
            if named:
                _reject(
                    report,
                    "empty_sheet",
                    f"the sheet '{named[0].title}' is empty; put the {extract.name} extract "
                    "on it, with the column names in row 1",
                )
            _reject(
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
        _reject(report, "not_xlsx", not_xlsx)
    finally:
        workbook.close()
    header = [value or "" for value in rows[0][1]] if rows[0][0] == 1 else []
    _check_formulas(unsaved, header, report=report)
    width = max(len(values) for _, values in rows)
    data = [(number, values) for number, values in rows if number > 1]
    cells = pd.DataFrame(
        [list(values) + [None] * (width - len(values)) for _, values in data],
        columns=range(width),
        index=np.array([number for number, _ in data], dtype=np.int64),
        dtype=object,
    )
    return header, cells, sheet.title


def _reject_unzipped(report: Report, size: int, *, limit: int, counted: bool = False) -> NoReturn:
    _reject(
        report,
        "file_too_large",
        f"the workbook unzips to {'more than ' if counted else ''}"
        f"{_megabytes(size, up=True)} MB; the largest read is {_megabytes(limit)} MB "
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
        _reject(
            report,
            "not_xlsx",
            "this file could not be opened as an Excel workbook; save it as .xlsx or CSV",
        )
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
                _reject_columns(report, last, rows=[number])
            width = max(width, last)
            if (len(rows) + 1) * width > MAX_CELLS:
                _reject_cells(report, width, len(rows) + 1)
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


def _check_formulas(unsaved: list[tuple[int, int]], header: list[str], *, report: Report) -> None:
    by_column: dict[int, list[int]] = defaultdict(list)
    for row, column in unsaved:
        by_column[column].append(row)
    for column, rows in sorted(by_column.items()):
        text = header[column - 1] if column <= len(header) else ""
        name = normalise_header(text) or f"(no header, column {_column_letter(column)})"
        rows = sorted(rows)
        report.error(
            "formula_without_value",
            "holds formulas with no saved result: open the file in Excel and save it, "
            "or paste values instead of formulas",
            column=name,
            count=len(rows),
            rows=rows,
        )
    if by_column:
        raise ExtractRejected(report)


# -- small helpers --------------------------------------------------------------------


def _reject(report: Report, rule: str, message: str, **where) -> NoReturn:
    report.error(rule, message, **where)
    raise ExtractRejected(report)


def _megabytes(size: int, *, up: bool = False) -> str:
    """Size in MB to one decimal; rounded up for a file, so that it never looks
    equal to the limit it exceeds."""
    tenths = size / MB * 10
    value = (math.ceil(tenths) if up else round(tenths)) / 10
    return f"{value:.1f}".removesuffix(".0")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _column_letter(position: int) -> str:
    letters = ""
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
