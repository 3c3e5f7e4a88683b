"""The personal-data guard: direct identifiers reject a file (SPEC 3.2)."""

from __future__ import annotations

import datetime
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carers_impact.extracts import CARERS, EXTRACTS
from etl.guard import (
    check_personal_data,
    is_valid_nhs_number,
    nhs_number_rows,
    personal_data_kind,
)
from etl.pipeline import read_and_guard
from etl.read import ROW, normalise_header, read_table
from etl.report import ExtractRejected, Report

VALID_NHS_NUMBERS = ["9434765919", "9434765870", "4010232137"]


def csv_text(header: list[str], rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in [header, *rows]).encode() + b"\n"


def table(rows: list[int], **columns: list[str | None]) -> pd.DataFrame:
    frame = pd.DataFrame(columns, dtype=object)
    frame[ROW] = rows
    return frame


def rejection(frame: pd.DataFrame) -> Report:
    report = Report("carers.csv")
    with pytest.raises(ExtractRejected):
        check_personal_data(frame, report=report)
    assert all(f.rule == "personal_data" for f in report.errors)
    return report


def reference_check(digits: str) -> bool:
    """The modulus 11 rule written out plainly, to compare the real one with."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


# -- the NHS number check digit ----------------------------------------------------


def test_check_digit_worked_by_hand():
    # 9 4 3 4 7 6 5 9 1 weighted 10..2: 90+36+24+28+42+30+20+27+2 = 299;
    # 299 mod 11 = 2; 11 - 2 = 9, the tenth digit.
    assert is_valid_nhs_number("9434765919")
    assert not is_valid_nhs_number("9434765918")


def test_a_remainder_of_zero_gives_check_digit_zero():
    # 0 0 0 0 0 0 0 1 4 weighted: 1*3 + 4*2 = 11; 11 mod 11 = 0; 11 - 0 = 11 -> 0
    assert is_valid_nhs_number("0000000140")
    assert not is_valid_nhs_number("0000000141")


def test_a_check_digit_of_ten_makes_every_number_invalid():
    # 6 * 2 = 12; 12 mod 11 = 1; 11 - 1 = 10: no digit can be right
    assert not any(is_valid_nhs_number(f"000000006{d}") for d in range(10))


@pytest.mark.parametrize(
    "text", [*VALID_NHS_NUMBERS, "943 476 5919", "943-476-5919", " 401 023 2137 "]
)
def test_valid_nhs_numbers(text):
    assert is_valid_nhs_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "943.476.5919", "943\u00a0476\u00a05919", "943/476/5919", "(943) 476-5919",
        "943  476  5919", "943 - 476 - 5919", "943476 5919", "943 4765919", "943_476_5919",
        "NHS 9434765919", "nhs no: 943 476 5919 (checked)", "9434765919.0", "9434765919.00",
        "9.434765919E+09", "9,434,765,919", "ROT-9434765919", "9434765919;4010232137",
        "\t9434765919\n", "943\u2009476\u20095919",
    ],
)  # fmt: skip
def test_nhs_numbers_however_written(text):
    assert is_valid_nhs_number(text)


@pytest.mark.parametrize("value", [" 0463061330", "0463061330 ", "  943 476 5919"])
def test_surrounding_spaces_make_no_difference_to_either_check(value):
    assert is_valid_nhs_number(value)
    assert nhs_number_rows(pd.Series([value, "x"], dtype=object), np.array([2, 3])).tolist() == [2]


@pytest.mark.parametrize(
    "text",
    [
        *["943476591", "94347659190", "94347 65919", "943 476 591 9", "", "abc"],
        *["AB9434765919", "9434765919X", "12/03/2024 10:30", "9434765918.0"],
    ],
)
def test_not_nhs_numbers(text):
    assert not is_valid_nhs_number(text)


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_check_agrees_with_the_rule_written_out(digits):
    assert is_valid_nhs_number(digits) == reference_check(digits)


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(alphabet="0123456789", min_size=10, max_size=10),
            st.text(alphabet="0123456789 -x", max_size=13),
        ),
        max_size=30,
    )
)
def test_the_vectorised_scan_agrees_with_the_single_check(values):
    rows = np.arange(2, len(values) + 2)
    found = nhs_number_rows(pd.Series(values, dtype=object), rows)
    expected = [r for r, v in zip(rows, values, strict=True) if v and is_valid_nhs_number(v)]
    assert found.tolist() == expected


# -- column names ------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Name", "First Name", "Surname", "Address", "Postcode", "NHS Number",
        "Date of Birth", "DOB", "Email", "Phone", "Telephone", "Full Name",
        "Last-Name", "Forename", "Address Line 1", "Post Code", "Mobile",
        "Email Address", "NHS No", "Carer Name", "Contact Number", "E-mail",
        "D.O.B", "NHSNumber", "Mobile Number", "National Insurance Number",
        "Carer's Name", "CarerName", "First Name(s)", "Name_2", "Cared-for person's name",
        "Full name", "Forenames", "Client Name", "Name of carer", "Young carer's name",
        "Parent/guardian name", "NAME1", "Born", "Year of birth", "PersonName", "Initials",
    ],
)  # fmt: skip
def test_columns_named_like_direct_identifiers_are_recognised(header):
    assert personal_data_kind(normalise_header(header))


@pytest.mark.parametrize(
    "header",
    [
        *sorted({c for e in EXTRACTS.values() for c in e.column_names}),
        *["organisation_name", "locality_name", "team_name", "nhs_trust", "notes", "ward"],
        *["Organisation", "Locality", "Break Type", "OrganisationName", "Service Name"],
        *["Provider name", "file_name", "GP practice name", "Team", "Scheme", "Named worker"],
    ],
)
def test_other_columns_are_not_mistaken_for_identifiers(header):
    assert personal_data_kind(normalise_header(header)) is None


def test_a_column_named_like_an_identifier_rejects_without_repeating_values():
    frame = table([2, 3], carer_id=["A", "B"], first_name=["Jane", "Priya"])
    report = rejection(frame)
    [finding] = report.errors
    assert finding.column == "first_name"
    assert "a person's name" in finding.message
    for text in (report.to_json(), report.to_text()):
        assert "Jane" not in text and "Priya" not in text


# -- NHS numbers in values --------------------------------------------------------


def test_an_nhs_number_in_any_column_names_the_column_and_rows_never_the_value():
    frame = table(
        [2, 5, 9],
        carer_id=["A", "B", "4010232137"],
        locality=["Wath", "943 476 5919", None],
    )
    report = rejection(frame)
    found = {f.column: f.rows for f in report.errors}
    assert found == {"carer_id": [9], "locality": [5]}
    for text in (report.to_json(), report.to_text(), str(report.errors)):
        for value in ("4010232137", "401 023 2137", "9434765919", "943 476 5919"):
            assert value not in text


def test_ten_digit_ids_that_fail_the_check_digit_are_accepted():
    frame = table([2, 3], carer_id=["9434765918", "1234567890"], age_band=["65+", None])
    report = Report("carers.csv")
    check_personal_data(frame, report=report)
    assert report.findings == []


def test_a_valid_nhs_number_used_as_carer_id_still_rejects():
    report = rejection(table([2], carer_id=["9434765870"]))
    assert report.errors[0].column == "carer_id"


def test_every_offending_column_is_reported_at_once():
    frame = table([2], carer_id=["9434765919"], postcode=["S60 1AA"], notes=["4010232137"])
    report = rejection(frame)
    assert sorted(f.column for f in report.errors) == ["carer_id", "notes", "postcode"]


def test_a_header_that_is_an_nhs_number_is_not_repeated():
    # a file whose first row is data: the "column name" is an NHS number
    frame = table([2], **{"943_476_5919": ["x"], "carer_id": ["A"]})
    report = rejection(frame)
    assert "9434765919" not in report.to_json() and "943_476_5919" not in report.to_json()


@pytest.mark.parametrize("header", ["NHS 9434765919", "ref 943.476.5919", "9434765919"])
def test_an_nhs_number_in_a_header_rejects_and_is_never_repeated(header):
    content = f"carer_id,date_identified,age_band,{header}\nC1,2024-04-01,65+,x\n".encode()
    report = Report("carers.csv")
    with pytest.raises(ExtractRejected):
        read_and_guard(content, filename="carers.csv", extract=CARERS, report=report)
    assert report.errors and all(f.rule == "personal_data" for f in report.errors)
    assert all(f.column is None for f in report.errors)
    for text in (report.to_json(), report.to_text()):
        assert "9434765919" not in text and "943.476" not in text and "NHS 9" not in text


def test_nhs_numbers_inside_text_and_as_numbers_name_rows_never_values():
    frame = table(
        [2, 3, 4, 5, 6],
        notes=["seen 943.476.5919 today", "fine", "NHS (401) 023-2137", None, "9434765870.0"],
        locality=["Wath", "Wath", "Maltby", "Rawmarsh", "Dinnington"],
    )
    report = rejection(frame)
    assert [(f.column, f.rows) for f in report.errors] == [("notes", [2, 4, 6])]
    for value in ("943.476.5919", "023-2137", "9434765870"):
        assert value not in report.to_json()


def test_categories_and_dates_of_the_extracts_never_look_like_nhs_numbers():
    values = [
        *[v for e in EXTRACTS.values() for c in e.columns for v in c.values],
        *["2024-04-01", "01/04/2024", "2024-04-01 10:30:00", "01/04/2024 10:30", "ROT-C000123"],
        *["0114 273 4567", "07700 900123", "S60 1AA", "20-49", "65+", "0-17", "12345678901"],
    ]
    frame = table(list(range(2, len(values) + 2)), notes=values)
    report = Report("carers.csv")
    check_personal_data(frame, report=report)
    assert report.findings == []


def dates_of_birth(n: int) -> list[str]:
    return [f"{1 + i % 28:02d}/{1 + i % 12:02d}/{1940 + i % 60}" for i in range(n)]


@pytest.mark.parametrize("header", ["d1", "when", "x", "Column 7"])
def test_a_column_of_dates_of_birth_under_any_name_rejects(header):
    rows = [[f"C{i}", "2024-04-01", "65+", dob] for i, dob in enumerate(dates_of_birth(20))]
    content = csv_text(["carer_id", "date_identified", "age_band", header], rows)
    report = Report("carers.csv")
    with pytest.raises(ExtractRejected):
        read_and_guard(content, filename="carers.csv", extract=CARERS, report=report)
    [finding] = report.errors
    assert finding.rule == "personal_data" and "dates of birth" in finding.message
    assert "/1940" not in report.to_json()


def test_an_xlsx_column_of_dates_of_birth_rejects():
    book = openpyxl.Workbook()
    book.active.append(["carer_id", "date_identified", "age_band", "d1"])
    for i in range(10):
        book.active.append([f"C{i}", "2024-04-01", "65+", datetime.date(1950 + i, 3, 12)])
    buffer = io.BytesIO()
    book.save(buffer)
    report = Report("carers.xlsx")
    with pytest.raises(ExtractRejected):
        read_and_guard(buffer.getvalue(), filename="carers.xlsx", extract=CARERS, report=report)
    assert [f.column for f in report.errors] == ["d1"]


def test_recent_event_dates_in_an_extra_column_are_not_dates_of_birth():
    rows = [[f"C{i}", "2024-04-01", "65+", f"2024-0{1 + i % 6}-1{i % 9}"] for i in range(20)]
    content = csv_text(["carer_id", "date_identified", "age_band", "date_referred"], rows)
    report = Report("carers.csv")
    read_and_guard(content, filename="carers.csv", extract=CARERS, report=report)
    assert report.errors == []


def test_a_register_identified_long_ago_is_not_dates_of_birth():
    rows = [[f"C{i}", f"{1990 + i % 30}-05-01", "65+", ""] for i in range(20)]
    content = csv_text(["carer_id", "date_identified", "age_band", "date_closed"], rows)
    report = Report("carers.csv")
    read_and_guard(content, filename="carers.csv", extract=CARERS, report=report)
    assert report.errors == []


def test_the_demo_files_all_pass_the_guard(tmp_path):
    from etl.demo_data import write_demo_extracts
    from etl.naming import parse_file_name

    files = write_demo_extracts(
        tmp_path, areas=["rotherham"], first="2024-25 Q1", last="2024-25 Q2"
    )
    assert files
    for path in files:
        named = parse_file_name(path.name)
        report = Report(path.name)
        raw = read_table(
            path.read_bytes(), filename=path.name, extract=EXTRACTS[named.extract], report=report
        )
        check_personal_data(
            raw, report=report, extract=EXTRACTS[named.extract], as_of=named.quarter.end
        )
        assert report.errors == [], path.name


def test_a_large_table_is_scanned_to_the_last_row():
    ids = [f"C{i:09d}" for i in range(200_000)]
    ids[-1] = "9434765919"
    frame = table(list(range(2, 200_002)), carer_id=ids, age_band=["65+"] * 200_000)
    report = rejection(frame)
    assert report.errors[0].rows == [200_001]


# -- through the reader -----------------------------------------------------------


def test_a_clean_file_passes_and_the_report_is_unchanged():
    content = b"carer_id,date_identified,age_band\nC1,2024-04-01,65+\n"
    report = Report("carers.csv")
    raw = read_table(content, filename="carers.csv", extract=CARERS, report=report)
    check_personal_data(raw, report=report)
    assert report.findings == []


def test_the_guard_takes_the_raw_table_as_read():
    content = b"carer_id,date_identified,age_band,phone\nC1,2024-04-01,65+,07700 900123\n"
    report = Report("carers.csv")
    raw = read_table(content, filename="carers.csv", extract=CARERS, report=report)
    with pytest.raises(ExtractRejected):
        check_personal_data(raw, report=report)
    assert [f.column for f in report.errors] == ["phone"]
    assert "07700" not in report.to_json()


def test_a_date_of_birth_column_in_a_csv_rejects_the_file():
    content = b"Carer ID,Date Identified,Age Band,Date of Birth\nC1,2024-04-01,65+,12/03/1950\n"
    report = Report("carers.csv")
    with pytest.raises(ExtractRejected):
        read_and_guard(content, filename="carers.csv", extract=CARERS, report=report)
    assert [f.column for f in report.errors] == ["date_of_birth"]
    assert "12/03/1950" not in report.to_json()


def test_an_nhs_number_in_an_unknown_column_rejects_before_it_is_dropped():
    content = b"carer_id,date_identified,age_band,ref\nC1,2024-04-01,65+,943 476 5919\n"
    report = Report("carers.csv")
    with pytest.raises(ExtractRejected):
        read_and_guard(content, filename="carers.csv", extract=CARERS, report=report)
    assert [(f.rule, f.column, f.rows) for f in report.errors] == [("personal_data", "ref", [2])]


def test_an_nhs_number_stored_as_an_excel_number_rejects_the_file():
    book = openpyxl.Workbook()
    book.active.append(["carer_id", "date_identified", "age_band"])
    book.active.append([9434765919, "2024-04-01", "65+"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = Report("carers.xlsx")
    with pytest.raises(ExtractRejected):
        read_and_guard(buffer.getvalue(), filename="carers.xlsx", extract=CARERS, report=report)
    assert [(f.column, f.rows) for f in report.errors] == [("carer_id", [2])]
