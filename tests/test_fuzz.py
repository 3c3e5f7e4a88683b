"""Fuzzing the reader, the guard and validation with hostile files (bounded: a few dozen
examples each, fewer with `--hypothesis-profile fast`).

Whatever the bytes, checking a file ends in a table or in ``ExtractRejected`` with
a report, never another exception; and a planted NHS number always rejects the
file without its report repeating it.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.pipeline import check_file, identify
from etl.report import ExtractRejected
from tests.files import CARERS_HEADER, carers_csv

NAME = "carers_ROT-ASC_2024-25_Q1.csv"
EXAMPLES = min(40, settings.default.max_examples)  # the loaded profile's, when smaller
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NHS_WRITINGS = ["9434765919", "943 476 5919", "943.476.5919", "(943) 476-5919", "9434765919.0"]


def check(content: bytes, *, filename: str = NAME):
    """check_file's outcome: the typed rows, or the report of a rejection."""
    report, key = identify(filename)
    try:
        return check_file(content, key=key, report=report)
    except ExtractRejected as rejected:
        assert rejected.report.errors, "a rejection says why"
        return rejected.report


cell = st.one_of(
    st.sampled_from(["", " ", "2024-05-01", "01/05/2024", "25-64", "65+", "Female", "x"]),
    st.text(alphabet="0123456789 .-/()", max_size=16),
    st.text(max_size=12),
)
header = st.lists(
    st.sampled_from([*CARERS_HEADER, "notes", "Carer Name", "d1", "ref", "", "NHS No"]),
    min_size=1,
    max_size=9,
)


@FUZZ
@given(st.binary(max_size=2_000))
def test_any_bytes_are_read_or_rejected(content):
    check(content)


@FUZZ
@given(header, st.lists(st.lists(cell, max_size=10), max_size=8), st.sampled_from(
    ["utf-8", "utf-8-sig", "cp1252", "mixed"]
))  # fmt: skip
def test_any_table_is_read_or_rejected_in_any_encoding(columns, rows, encoding):
    text = "\r\n".join(",".join(f'"{v}"' if "," in v else v for v in r) for r in [columns, *rows])
    if encoding == "mixed":
        content = text.encode("utf-8", "replace") + "\r\nJosé,é".encode("cp1252")
    else:
        content = text.encode(encoding, "replace")
    outcome = check(content)
    if isinstance(outcome, pd.DataFrame):
        assert encoding != "mixed" or "é" not in text


@FUZZ
@given(
    st.integers(min_value=0, max_value=4),
    st.sampled_from(NHS_WRITINGS),
    st.sampled_from(["", "NHS ", "seen ", "ref: "]),
)
def test_a_planted_nhs_number_always_rejects_and_is_never_repeated(row, written, before):
    rows = carers_csv(5).decode().split("\r\n")
    fields = rows[row + 1].split(",")
    fields[4] = f'"{before}{written}"'  # the locality column
    rows[row + 1] = ",".join(fields)
    outcome = check("\r\n".join(rows).encode())
    assert not isinstance(outcome, pd.DataFrame)
    assert "personal_data" in [f.rule for f in outcome.errors]
    for text in (outcome.to_json(), outcome.to_text()):
        assert "9434765919" not in text and "476" not in text


def workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "carers"
    book.active.append(CARERS_HEADER)
    for i in range(3):
        book.active.append([f"C{i}", "2024-05-01", "25-64", "Female", "", "20-49", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


WORKBOOK = workbook()


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(WORKBOOK) - 1), st.integers(0, 255)), max_size=6))
def test_a_damaged_workbook_is_read_or_rejected(changes):
    content = bytearray(WORKBOOK)
    for at, value in changes:
        content[at] = value
    check(bytes(content), filename=NAME.replace(".csv", ".xlsx"))


@FUZZ
@given(
    st.sampled_from(["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"]), st.binary(max_size=300)
)
def test_a_workbook_with_a_part_replaced_is_read_or_rejected(part, data):
    source = zipfile.ZipFile(io.BytesIO(WORKBOOK))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, data if info.filename == part else source.read(info))
    check(buffer.getvalue(), filename=NAME.replace(".csv", ".xlsx"))
