"""Reading uploaded extracts: CSV and XLSX bytes to a table of strings (SPEC 3.1)."""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
import zipfile

import openpyxl
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from carers_impact.extracts import CARERS
from etl import workbook as workbook_module
from etl.limits import MAX_COLUMNS, MB
from etl.pipeline import read_and_guard
from etl.read import ROW, normalise_header, read_descriptor, read_table
from etl.report import ExtractRejected, Report
from tests.files import carers_csv

HEADER = "carer_id,date_identified,age_band"


def read(content: bytes, *, filename: str = "carers.csv", **options):
    report = Report(filename)
    frame = read_and_guard(content, filename=filename, extract=CARERS, report=report, **options)
    return frame, report


def rejection(content: bytes, *, filename: str = "carers.csv", **options) -> Report:
    report = Report(filename)
    with pytest.raises(ExtractRejected) as raised:
        read_and_guard(content, filename=filename, extract=CARERS, report=report, **options)
    assert raised.value.report is report
    assert not report.ok
    return report


def csv_bytes(*lines: str, encoding: str = "utf-8", newline: str = "\n") -> bytes:
    return (newline.join(lines) + newline).encode(encoding)


def rules(report: Report) -> list[str]:
    return [f.rule for f in report.errors]


def messages(report: Report) -> str:
    return "\n".join(f.message for f in report.findings)


def workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_sheet_xml(content: bytes, replacements: dict[bytes, bytes]) -> bytes:
    """The workbook with its first sheet's XML edited, as Excel would have saved it."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                for old, new in replacements.items():
                    assert old in data
                    data = data.replace(old, new)
            target.writestr(info, data)
    return buffer.getvalue()


XLSX_HEADER = ["Carer ID", "Date Identified", "Age Band"]


# -- CSV: what a good file gives -------------------------------------------------------


def test_every_cell_is_text_and_rows_are_numbered_from_two():
    frame, report = read(csv_bytes(HEADER, "C1,2024-04-01,18-24", "C2,01/04/2024,65+"))
    assert list(frame.columns) == ["carer_id", "date_identified", "age_band", ROW]
    assert frame.drop(columns=ROW).map(type).eq(str).all().all()
    assert frame["date_identified"].tolist() == ["2024-04-01", "01/04/2024"]
    assert frame[ROW].tolist() == [2, 3]
    assert report.ok and report.row_count == 2


def test_leading_zeros_and_na_like_values_are_kept_as_written():
    frame, _ = read(csv_bytes(HEADER + ",locality", "007,x,NA,N/A", "NA,x,null,None"))
    assert frame["carer_id"].tolist() == ["007", "NA"]
    assert frame["age_band"].tolist() == ["NA", "null"]
    assert frame["locality"].tolist() == ["N/A", "None"]


def test_whitespace_is_stripped_and_blank_cells_are_none():
    frame, _ = read(csv_bytes(HEADER + ",locality", "  C1 , 2024-04-01 ,   ,"))
    row = frame.iloc[0]
    assert (row["carer_id"], row["date_identified"]) == ("C1", "2024-04-01")
    assert row["age_band"] is None and row["locality"] is None


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Carer ID", "carer_id"),
        (" Date-Identified ", "date_identified"),
        ("AGE_BAND", "age_band"),
        ("date - closed", "date_closed"),
        ("Ethnic\u00a0Group", "ethnic_group"),  # a non-breaking space from Excel
        ("_row", "row"),  # cannot clash with the row number column
    ],
)
def test_header_names_ignore_case_spaces_and_hyphens(written, name):
    assert normalise_header(written) == name


def test_headers_are_matched_after_normalising():
    frame, _ = read(csv_bytes(" Carer ID ,Date-Identified,AGE BAND", "C1,x,y"))
    assert list(frame.columns) == ["carer_id", "date_identified", "age_band", ROW]


def test_council_spreadsheet_reads_cleanly():
    lines = [
        "Carer ID,Date Identified,Age Band,Sex,Locality",
        "R0001,01/04/2024,18-24,Female,Rawmarsh",
        "R0002,15/06/2024,65+,Male,Wath",
        ",,,,",
        ",,,,",
    ]
    content = b"\xef\xbb\xbf" + csv_bytes(*lines, newline="\r\n")
    frame, report = read(content)
    assert report.findings == []
    assert frame.columns[0] == "carer_id"  # the byte order mark is not in the name
    assert frame["date_identified"].tolist() == ["01/04/2024", "15/06/2024"]
    assert frame[ROW].tolist() == [2, 3] and report.row_count == 2


def test_blank_rows_are_skipped_but_still_counted():
    lines = [HEADER, "A,x,y", "", "B,x,y", ",,", " , ,", "C,x,y"]
    frame, _ = read(csv_bytes(*lines))
    assert frame["carer_id"].tolist() == ["A", "B", "C"]
    assert frame[ROW].tolist() == [2, 4, 7]


def test_a_quoted_value_with_a_comma_and_a_line_break_is_one_row():
    content = csv_bytes(HEADER + ",locality", 'A,x,y,"Rawmarsh, North\nWard"', "B,x,y,Wath")
    frame, _ = read(content)
    assert frame["locality"].tolist() == ["Rawmarsh, North\nWard", "Wath"]
    assert frame[ROW].tolist() == [2, 3]  # as Excel numbers the rows


def test_windows_1252_text_is_decoded():
    content = csv_bytes(HEADER + ",locality", "A,x,y,Café £5 area", encoding="cp1252")
    report = Report("carers.csv")
    raw = read_table(content, filename="carers.csv", extract=CARERS, report=report)
    assert raw.encoding == "cp1252"
    assert raw.frame["locality"].tolist() == ["Café £5 area"]


def test_utf8_text_is_not_mistaken_for_windows_1252():
    content = csv_bytes(HEADER + ",locality", "A,x,y,Café £5 area")
    frame, _ = read(content)
    assert frame["locality"].tolist() == ["Café £5 area"]


def test_bytes_undefined_in_windows_1252_are_rejected():
    report = rejection(csv_bytes(HEADER, "A,x,y") + b"B,\x81,y\n")
    assert rules(report) == ["encoding"]
    assert "line 3" in report.errors[0].message
    assert "CSV UTF-8" in report.errors[0].message


def test_utf16_text_is_rejected_with_how_to_save_it():
    report = rejection(csv_bytes(HEADER, "A,x,y", encoding="utf-16"))
    assert rules(report) == ["encoding"]
    assert "UTF-16" in report.errors[0].message


# -- CSV: bad files -------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b" \r\n\r\n"])
def test_an_empty_file_is_rejected(content):
    report = rejection(content)
    assert rules(report) == ["empty_file"]
    assert "empty" in report.errors[0].message


@pytest.mark.parametrize("content", [csv_bytes(HEADER), csv_bytes(HEADER, ",,", "", " , ,")])
def test_a_header_without_data_rows_is_rejected(content):
    report = rejection(content)
    assert [f.message for f in report.errors] == ["the file has a header but no data rows"]


@pytest.mark.parametrize("content", [csv_bytes("", HEADER, "A,x,y"), csv_bytes(",,", "A,x,y")])
def test_a_blank_first_row_is_rejected(content):
    report = rejection(content)
    assert rules(report) == ["no_header"]
    assert "row 1 must hold the column names" in report.errors[0].message


def test_semicolon_separated_file_is_rejected():
    report = rejection(csv_bytes("carer_id;date_identified;age_band", "A;x;y"))
    assert rules(report) == ["delimiter"]
    assert "semicolons" in report.errors[0].message
    assert "comma-separated" in report.errors[0].message


def test_tab_separated_file_is_rejected():
    report = rejection(csv_bytes("carer_id\tdate_identified\tage_band", "A\tx\ty"))
    assert rules(report) == ["delimiter"]
    assert "tabs" in report.errors[0].message


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", bytes(range(1, 9)) * 50],
    ids=["with NUL bytes", "control characters"],
)
def test_binary_data_named_csv_is_rejected(content):
    report = rejection(content)
    assert rules(report) == ["not_text"]
    assert "not a text CSV file" in report.errors[0].message


def test_binary_data_named_xlsx_says_it_is_not_a_workbook():
    report = rejection(b"\x00\x01\x02 binary", filename="carers.xlsx")
    assert rules(report) == ["not_text"]
    assert "not an Excel workbook" in report.errors[0].message


def test_rows_with_more_values_than_column_names_are_named():
    lines = [HEADER, "A,x,y", "B,x,y,extra", "C,x", "D,x,y,more,again", "E,x,y"]
    report = rejection(csv_bytes(*lines))
    assert rules(report) == ["too_many_values"]
    finding = report.errors[0]
    assert (finding.count, finding.rows) == (2, [3, 5])
    assert "double quotes" in finding.message


def test_overlong_rows_of_commas_are_blank_rows():
    frame, report = read(csv_bytes(HEADER, "A,x,y", ",,,,,,", "B,x,y"))
    assert report.ok
    assert frame[ROW].tolist() == [2, 4]


def test_a_quote_that_is_never_closed_is_named_by_row():
    report = rejection(csv_bytes(HEADER, "A,x,y", 'B,"x,y', "C,x,y"))
    assert rules(report) == ["unclosed_quote"]
    assert report.errors[0].rows == [3]


def test_a_file_over_the_size_limit_is_rejected_unread():
    content = b"\x00" * (MB + 1)  # would be "not text" if it were read
    report = rejection(content, max_bytes=MB)
    assert rules(report) == ["file_too_large"]
    assert report.errors[0].message.startswith("the file is 1.1 MB; the largest accepted is 1 MB")


def test_the_size_limit_comes_from_the_setting(monkeypatch):
    rows = [f"C{i:07d},2024-04-01,18-24" for i in range(50_000)]
    content = csv_bytes(HEADER, *rows)
    assert MB < len(content) < 2 * MB
    monkeypatch.setenv("CARERS_MAX_FILE_MB", "1")
    assert rules(rejection(content)) == ["file_too_large"]
    monkeypatch.setenv("CARERS_MAX_FILE_MB", "2")
    frame, _ = read(content)
    assert len(frame) == 50_000


# -- columns ---------------------------------------------------------------------------


def test_duplicate_headers_after_normalising_are_named():
    report = rejection(csv_bytes("Carer ID,carer-id,date_identified,age_band", "A,B,x,y"))
    assert rules(report) == ["duplicate_column"]
    assert report.errors[0].column == "carer_id"
    assert "'Carer ID'" in report.errors[0].message and "'carer-id'" in report.errors[0].message


def test_each_missing_required_column_is_named():
    report = rejection(csv_bytes("carer_id,sex", "A,Female"))
    assert rules(report) == ["required_column", "required_column"]
    assert [f.column for f in report.errors] == ["date_identified", "age_band"]
    assert "'date_identified' is missing" in report.errors[0].message


def test_optional_columns_may_be_absent_and_come_in_extract_order():
    frame, report = read(csv_bytes("locality,age_band,Date Identified,carer_id", "L,y,x,A"))
    assert report.ok
    assert list(frame.columns) == ["carer_id", "date_identified", "age_band", "locality", ROW]


def test_unknown_columns_are_dropped_and_listed_in_one_warning():
    frame, report = read(csv_bytes(HEADER + ",Team,Case Notes", "A,x,y,t,n"))
    assert list(frame.columns) == ["carer_id", "date_identified", "age_band", ROW]
    assert report.ok
    [warning] = report.warnings
    assert warning.rule == "extra_columns"
    assert "'Team'" in warning.message and "'Case Notes'" in warning.message


def test_a_blank_unnamed_column_is_dropped_silently():
    frame, report = read(csv_bytes(HEADER + ",", "A,x,y,", "B,x,y,"))
    assert report.findings == []
    assert list(frame.columns) == ["carer_id", "date_identified", "age_band", ROW]


def test_an_unnamed_column_with_values_is_listed_as_ignored():
    _, report = read(csv_bytes(HEADER + ",", "A,x,y,note"))
    [warning] = report.warnings
    assert "no header, column D" in warning.message


def test_read_table_keeps_every_column_with_its_header_as_written():
    report = Report("carers.csv")
    content = csv_bytes("Carer ID,Date Identified,Age Band,Team", "A,x,y,t")
    raw = read_table(content, filename="carers.csv", extract=CARERS, report=report)
    assert list(raw.frame.columns) == ["carer_id", "date_identified", "age_band", "team", ROW]
    assert raw.headers["carer_id"] == "Carer ID"
    assert raw.file_format == "csv" and report.findings == []


def test_a_file_without_a_header_row_does_not_repeat_its_first_row():
    report = rejection(csv_bytes("R0001,01/04/2024,Jane", "R0002,02/04/2024,John"))
    assert set(rules(report)) == {"required_column"}
    assert "Jane" not in report.to_json() and "R0001" not in report.to_json()


def test_the_personal_data_guard_sees_columns_before_they_are_dropped():
    report = rejection(csv_bytes(HEADER + ",Surname", "A,x,y,Smith"))
    assert rules(report) == ["personal_data"]
    assert report.errors[0].column == "surname"


cell_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"))
    | st.sampled_from([",", '"', "\n", " ", "£", "é"]),
    max_size=12,
)


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(alphabet="ABC0123", min_size=1, max_size=6), cell_text, cell_text),
        min_size=1,
        max_size=6,
    )
)
def test_any_text_written_by_a_csv_writer_reads_back(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER.split(","))
    writer.writerows(rows)
    report = Report("carers.csv")
    raw = read_table(
        buffer.getvalue().encode("utf-8"), filename="carers.csv", extract=CARERS, report=report
    )
    expected = [[value.strip() or None for value in row] for row in rows]
    assert raw.frame.drop(columns=ROW).to_numpy().tolist() == expected
    assert raw.frame[ROW].tolist() == list(range(2, len(rows) + 2))


# -- XLSX ------------------------------------------------------------------------------


def test_xlsx_is_detected_by_content_not_by_name():
    content = workbook({"Sheet1": [XLSX_HEADER, ["A", "x", "y"]]})
    frame, report = read(content, filename="carers.csv")
    assert frame["carer_id"].tolist() == ["A"] and report.ok


def test_xlsx_reads_the_sheet_named_after_the_extract_ignoring_case():
    content = workbook({"Notes": [["About this file"]], "Carers ": [XLSX_HEADER, ["A", "x", "y"]]})
    report = Report("carers.xlsx")
    raw = read_table(content, filename="carers.xlsx", extract=CARERS, report=report)
    assert raw.sheet == "Carers " and raw.file_format == "xlsx"
    assert raw.frame["carer_id"].tolist() == ["A"]


def test_xlsx_without_a_named_sheet_reads_the_first_sheet():
    content = workbook(
        {"Q1 data": [XLSX_HEADER, ["A", "x", "y"]], "Q2 data": [XLSX_HEADER, ["B", "x", "y"]]}
    )
    frame, _ = read(content, filename="carers.xlsx")
    assert frame["carer_id"].tolist() == ["A"]


def test_xlsx_skips_empty_sheets_to_the_first_with_data():
    content = workbook({"Sheet1": [], "Data": [XLSX_HEADER, ["A", "x", "y"]]})
    frame, _ = read(content, filename="carers.xlsx")
    assert frame["carer_id"].tolist() == ["A"]


def test_xlsx_with_no_sheet_holding_data_is_rejected():
    report = rejection(workbook({"Sheet1": [], "Sheet2": []}), filename="carers.xlsx")
    assert rules(report) == ["no_sheet"]
    assert "sheet named 'carers'" in report.errors[0].message


def test_xlsx_with_an_empty_named_sheet_is_rejected():
    content = workbook({"Carers": [], "Other": [XLSX_HEADER, ["A", "x", "y"]]})
    report = rejection(content, filename="carers.xlsx")
    assert rules(report) == ["empty_sheet"]


def test_xlsx_missing_columns_say_which_sheet_was_read():
    notes = [["About this file"], ["Sent by the council"]]
    content = workbook({"Notes": notes, "Data": [XLSX_HEADER, ["A", "x", "y"]]})
    report = rejection(content, filename="carers.xlsx")
    assert set(rules(report)) == {"required_column"}
    assert "sheet 'Notes'" in report.errors[0].message


def test_xlsx_date_cells_become_iso_dates_and_text_dates_stay_as_written():
    rows = [
        [*XLSX_HEADER, "Date Closed"],
        ["A", datetime.datetime(2024, 5, 1), "y", datetime.date(2024, 6, 30)],
        ["B", datetime.datetime(2024, 5, 2, 13, 45), "y", "30/06/2024"],
    ]
    frame, _ = read(workbook({"carers": rows}), filename="carers.xlsx")
    assert frame["date_identified"].tolist() == ["2024-05-01", "2024-05-02"]
    assert frame["date_closed"].tolist() == ["2024-06-30", "30/06/2024"]


def test_xlsx_numbers_read_as_a_person_sees_them():
    rows = [
        [*XLSX_HEADER, "Nights"],
        [7, "x", 3.0, 2.5],
        ["B", "x", 0.1 + 0.2, True],
        [1e15, "x", -4.0, 0.000125],
    ]
    report = Report("breaks.xlsx")
    raw = read_table(workbook({"Sheet1": rows}), filename="b.xlsx", extract=CARERS, report=report)
    assert raw.frame["carer_id"].tolist() == ["7", "B", "1000000000000000"]
    assert raw.frame["age_band"].tolist() == ["3", "0.3", "-4"]
    assert raw.frame["nights"].tolist() == ["2.5", "TRUE", "0.000125"]


def test_xlsx_row_numbers_match_excel():
    rows = [XLSX_HEADER, ["A", "x", "y"], [None, None, None], ["  ", None, None], ["B", "x", "y"]]
    frame, _ = read(workbook({"Sheet1": rows}), filename="carers.xlsx")
    assert frame[ROW].tolist() == [2, 5]


def test_xlsx_values_beyond_the_header_are_listed_as_ignored():
    rows = [XLSX_HEADER, ["A", "x", "y", None, "checked"]]
    frame, report = read(workbook({"Sheet1": rows}), filename="carers.xlsx")
    assert "no header, column E" in report.warnings[0].message
    assert ROW in frame and len(frame.columns) == 4


def test_xlsx_blank_first_row_is_rejected():
    report = rejection(workbook({"Sheet1": [[], XLSX_HEADER, ["A", "x", "y"]]}))
    assert rules(report) == ["no_header"]


def test_xlsx_formulas_without_a_saved_result_are_named_by_column_and_row():
    # openpyxl, like most programs other than Excel, saves formulas uncalculated
    rows = [XLSX_HEADER, ["A", "x", "=B1"], ["B", "x", "65+"], ["C", "x", '=IF(1,"y","")']]
    report = rejection(workbook({"Sheet1": rows}), filename="carers.xlsx")
    assert rules(report) == ["formula_without_value"]
    finding = report.errors[0]
    assert (finding.column, finding.rows) == ("age_band", [2, 4])
    assert "paste values instead of formulas" in finding.message


def test_xlsx_formulas_saved_by_excel_read_their_saved_result():
    rows = [XLSX_HEADER, ["A", "x", '=IF(1,"65+","")'], ["B", "x", '=IF(1,"","y")']]
    content = with_sheet_xml(
        workbook({"Sheet1": rows}),
        {
            b'<c r="C2"><f>IF(1,"65+","")</f><v /></c>': (
                b'<c r="C2" t="str"><f>IF(1,"65+","")</f><v>65+</v></c>'
            ),
            # a formula whose saved result is empty text is a blank cell
            b'<c r="C3"><f>IF(1,"","y")</f><v /></c>': (
                b'<c r="C3" t="str"><f>IF(1,"","y")</f><v></v></c>'
            ),
        },
    )
    frame, report = read(content, filename="carers.xlsx")
    assert report.ok
    assert frame["age_band"].tolist() == ["65+", None]


def test_old_binary_excel_is_rejected_with_how_to_save_it():
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    report = rejection(content, filename="carers.xls")
    assert rules(report) == ["xls_format"]
    assert "save it as .xlsx or CSV" in report.errors[0].message


def test_a_zip_that_is_not_a_workbook_is_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    report = rejection(buffer.getvalue(), filename="carers.xlsx")
    assert rules(report) == ["not_xlsx"]
    assert re.search(r"save it as \.xlsx or CSV", report.errors[0].message)


def test_a_workbook_with_a_damaged_sheet_is_rejected():
    content = workbook({"Sheet1": [XLSX_HEADER, ["A", "x", "y"]]})
    damaged = with_sheet_xml(content, {b"</sheetData>": b'<row r="3"><c r="A3"></sheetData>'})
    report = rejection(damaged, filename="carers.xlsx")
    assert rules(report) == ["not_xlsx"]


def test_a_workbook_that_unzips_far_beyond_the_limit_is_rejected():
    buffer = io.BytesIO(workbook({"Sheet1": [XLSX_HEADER, ["A", "x", "y"]]}))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\x00" * (21 * MB))
    content = buffer.getvalue()
    assert len(content) < MB
    report = rejection(content, filename="carers.xlsx", max_bytes=MB)
    assert rules(report) == ["file_too_large"]


# -- bounded reads and mixed encodings -------------------------------------------------


def test_mostly_utf8_with_some_windows_1252_is_rejected_naming_the_rows():
    content = (
        "carer_id,date_identified,age_band\nJosé-1,2024-04-01,18-24\n".encode()
        + b"C2,2024-04-01,18-24\nRen\xe9e-3,2024-04-01,18-24\nC4,2024-04-01,65+\n"
        + b"Zo\xeb-5,2024-04-01,65+\n"
    )
    report = rejection(content)
    assert rules(report) == ["mixed_encoding"]
    assert report.errors[0].rows == [4, 6] and report.errors[0].count == 2
    assert "JosÃ" not in report.to_json()


def test_a_utf8_bom_followed_by_windows_1252_bytes_is_mixed():
    report = rejection(_UTF8_BOM_BYTES + csv_bytes(HEADER, "Ren\xe9e,x,y", encoding="cp1252"))
    assert rules(report) == ["mixed_encoding"] and report.errors[0].rows == [2]


_UTF8_BOM_BYTES = b"\xef\xbb\xbf"


def test_a_line_longer_than_the_cap_is_rejected_before_parsing():
    content = ",".join(f"c{i}" for i in range(300_000)).encode() + b"\n"  # 2 MB, one line
    assert len(content) > 2 * MB
    report = rejection(content)
    assert rules(report) == ["line_too_long"] and report.errors[0].rows == [1]


def test_a_long_data_line_is_named_by_its_line_number():
    content = csv_bytes(HEADER, "A,x,y", "B,x," + "y" * (MB + 1), "C,x,y")
    report = rejection(content)
    assert rules(report) == ["line_too_long"] and report.errors[0].rows == [3]


def test_a_header_with_more_columns_than_the_cap_is_rejected():
    content = csv_bytes(HEADER + "," + ",".join(f"x{i}" for i in range(MAX_COLUMNS)), "A,x,y")
    report = rejection(content)
    assert rules(report) == ["too_many_columns"]
    assert f"{MAX_COLUMNS + 3:,} values" in report.errors[0].message


def test_a_data_row_wider_than_the_cap_is_rejected():
    content = csv_bytes(HEADER, "A,x,y", "B,x,y" + ",z" * MAX_COLUMNS)
    report = rejection(content)
    assert rules(report) == ["too_many_columns"] and report.errors[0].rows == [3]


def test_an_xlsx_value_beyond_the_column_cap_is_rejected_without_filling_the_gap():
    content = workbook({"Sheet1": [XLSX_HEADER, ["A", "x", "y"]]})
    cell = b'<row r="3"><c r="XFD3" t="inlineStr"><is><t>z</t></is></c></row>'
    far = with_sheet_xml(content, {b"</sheetData>": cell + b"</sheetData>"})
    report = rejection(far, filename="carers.xlsx")
    assert rules(report) == ["too_many_columns"] and report.errors[0].rows == [3]


def test_an_xlsx_value_on_the_last_excel_row_reads_without_blank_rows_between():
    content = workbook({"Sheet1": [XLSX_HEADER, ["A", "x", "y"]]})
    cell = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>B</t></is></c></row>'
    last = with_sheet_xml(content, {b"</sheetData>": cell + b"</sheetData>"})
    frame, _ = read(last, filename="carers.xlsx")
    assert frame[ROW].tolist() == [2, 1_048_576]


def lying_zip(member: str, data: bytes, *, declared: int) -> bytes:
    """A zip whose member says it unzips to `declared` bytes but holds `data`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
    content = bytearray(buffer.getvalue())
    real = len(data).to_bytes(4, "little")
    for at in [m.start() for m in re.finditer(re.escape(real), bytes(content))]:
        content[at : at + 4] = declared.to_bytes(4, "little")
    return bytes(content)


def test_an_xlsx_that_lies_about_its_unzipped_size_is_rejected_without_unzipping_it_all():
    bomb = lying_zip("xl/sharedStrings.xml", b"<sst>" + b" " * (40 * MB), declared=1000)
    assert zipfile.ZipFile(io.BytesIO(bomb)).infolist()[0].file_size == 1000
    report = rejection(bomb, filename="carers.xlsx", max_bytes=MB)
    assert rules(report) in (["not_xlsx"], ["file_too_large"])


def test_an_xlsx_unzipping_past_the_bound_is_stopped_while_it_is_counted():
    content = workbook({"Sheet1": [XLSX_HEADER, ["A", "x", "y"]]})
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\x00" * (3 * MB))
    report = Report("carers.xlsx")
    with pytest.raises(ExtractRejected):
        workbook_module._unzip_counted(
            zipfile.ZipFile(io.BytesIO(buffer.getvalue())), bound=2 * MB, report=report
        )
    assert rules(report) == ["file_too_large"]


def test_the_size_of_an_open_file_is_checked_before_any_of_it_is_read(tmp_path):
    path = tmp_path / "carers.csv"
    with path.open("wb") as out:
        out.truncate(8 * 1024**3)  # 8 GB, sparse: it costs no disk
    fd = os.open(path, os.O_RDONLY)
    try:
        report = Report("carers.csv")
        with pytest.raises(ExtractRejected):
            read_descriptor(fd, report=report)
        assert os.lseek(fd, 0, os.SEEK_CUR) == 0  # not a byte read
    finally:
        os.close(fd)
    assert rules(report) == ["file_too_large"]


def test_a_file_within_the_limit_is_read_whole_from_its_descriptor(tmp_path):
    path = tmp_path / "carers.csv"
    path.write_bytes(b"x" * (3 * MB))
    fd = os.open(path, os.O_RDONLY)
    try:
        assert read_descriptor(fd, report=Report("carers.csv"), max_bytes=3 * MB) == b"x" * (3 * MB)
    finally:
        os.close(fd)


def test_a_file_with_old_mac_line_endings_is_read_line_by_line():
    unix = carers_csv(3)
    frame, _ = read(unix.replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    expected, _ = read(unix)
    assert len(frame) == 3 and frame.equals(expected)


def test_a_blank_first_line_ended_by_a_carriage_return_is_rejected_not_a_crash():
    # found by the fuzz test: b"\r!" raised csv.Error from the header check
    assert rules(rejection(b"\r!")) == ["no_header"]
