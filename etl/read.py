"""Turn an uploaded extract's bytes into a table of strings (SPEC 3.1).

Reading is split so that no unchecked content is kept: ``read_table`` reads
every column of a CSV or XLSX file, ``etl.guard.check_personal_data`` rejects
direct identifiers, and ``select_extract_columns`` keeps the extract's known
columns; ``etl.pipeline.check_file`` runs the three in that order.

Every read is bounded (``etl.limits``): the file's size is checked before it
is read (``read_descriptor`` on an open file), a CSV's lines and columns are
counted before it is parsed, and an XLSX workbook (``etl.workbook``) is
unzipped with a running count of the bytes it really expands to.

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
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal, NoReturn

import numpy as np
import pandas as pd

from carers_impact.extracts import Extract
from etl.limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_LINE_BYTES,
    READ_CHUNK,
    SAVE_AS_CSV,
    reject,
    reject_cells,
    reject_columns,
    reject_too_large,
    size_limit,
)
from etl.report import ExtractRejected, Report
from etl.workbook import read_xlsx

ROW = "_row"
NO_HEADER = "row 1 is blank; row 1 must hold the column names"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or a password-protected .xlsx
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_SEPARATORS = re.compile(r"[\s_\-\u2010-\u2015]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
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
        reject(report, "empty_file", "the file is empty; export the extract again")
    if content.startswith(_OLE2_MAGIC):
        reject(
            report,
            "xls_format",
            "this is an old-style Excel file (.xls) or a password-protected workbook: "
            "remove any password and save it as .xlsx or CSV",
        )
    if content.startswith(_ZIP_MAGIC):
        header, cells, sheet, unsaved = read_xlsx(
            content, extract=extract, report=report, limit=limit
        )
        _check_formulas(unsaved, header, report=report)
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
        reject(report, "no_header", NO_HEADER)
    cells = cells[cells.notna().any(axis=1).to_numpy()]
    if cells.empty:
        reject(report, "no_data_rows", "the file has a header but no data rows")
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

_LINE_END = re.compile(r"\r\n|\r|\n")  # Windows, old Mac and Unix line endings


def _read_csv(
    content: bytes, *, filename: str, report: Report
) -> tuple[list[str], pd.DataFrame, str]:
    if content.startswith(_UTF16_BOMS):
        reject(
            report,
            "encoding",
            f"the file is saved as UTF-16 ('Unicode Text'); {SAVE_AS_CSV}",
        )
    not_text = "this is not a text CSV file; export the extract as CSV (comma-separated) or XLSX"
    if filename.lower().endswith((".xlsx", ".xlsm")):
        not_text = "the file is named .xlsx but is not an Excel workbook; save it as .xlsx or CSV"
    if b"\x00" in content:
        reject(report, "not_text", not_text)
    lines = _check_lines(content, report=report)
    text, encoding = _decode(content, report=report)
    sample = text[:65536]
    if len(_CONTROL.findall(sample)) > len(sample) / 100:
        reject(report, "not_text", not_text)
    first_line = _LINE_END.split(text, maxsplit=1)[0]
    if not first_line.strip():
        reject(report, "no_header", NO_HEADER)
    _check_delimiter(first_line, report=report)
    try:
        width = len(next(csv.reader([first_line])))
    except csv.Error as error:
        reject(report, "no_header", f"row 1, the column names, cannot be read as CSV ({error})")
    if width > MAX_COLUMNS:
        reject_columns(report, width, rows=[1])
    if width * lines > MAX_CELLS:
        reject_cells(report, width, lines)
    data = content[len(_UTF8_BOM) :] if encoding == "utf-8-sig" else content
    if encoding == "cp1252":
        data = text.encode("utf-8")
    try:
        table = _parse_csv(data)
    except pd.errors.ParserError as error:
        table = _parse_ragged_csv(data, text, error, report=report)
    except pd.errors.EmptyDataError:
        reject(report, "empty_file", "the file is empty; export the extract again")
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
        reject(
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
        reject(report, "csv_format", unreadable)
    if widest > MAX_COLUMNS:
        reject_columns(report, widest, rows=long_rows)
    if long_rows:
        reject(
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
        reject(report, "csv_format", unreadable)


def _check_lines(content: bytes, *, report: Report) -> int:
    """Reject a file with a line longer than MAX_LINE_BYTES, before it is parsed;
    returns the number of lines. Counted a slice at a time, in bounded memory."""
    long_rows: list[int] = []
    count = lines = 0
    last = -1  # where the previous line ended
    for offset in range(0, len(content), READ_CHUNK):
        size = min(READ_CHUNK, len(content) - offset)
        view = np.frombuffer(content, dtype=np.uint8, count=size, offset=offset)
        ends = np.flatnonzero(view == 10) + offset
        lengths = np.diff(ends, prepend=last) - 1
        over = np.flatnonzero(lengths > MAX_LINE_BYTES)
        count += len(over)
        long_rows += (over[: max(0, 10 - len(long_rows))] + lines + 1).tolist()
        lines += len(ends)
        if len(ends):
            last = int(ends[-1])
    if len(content) - 1 - last > MAX_LINE_BYTES:
        count += 1
        long_rows += [lines + 1] if len(long_rows) < 10 else []
    if count:
        reject(
            report,
            "line_too_long",
            f"these lines are longer than {MAX_LINE_BYTES // 1024:,} KB, far beyond any extract "
            f"row, so the file was not read; {SAVE_AS_CSV}",
            count=count,
            rows=long_rows,
        )
    return lines + (last < len(content) - 1)


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
    reject(
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
    reject(
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
            reject(
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


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _column_letter(position: int) -> str:
    letters = ""
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
