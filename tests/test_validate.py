"""Validation of extract rows against the stored Great Expectations suites (SPEC 3.3, 3.4)."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carers_impact.extracts import EXTRACTS, QOL_ITEMS
from etl.normalise import normalise, to_typed
from etl.report import Finding, Report
from etl.suites import ISO_DATE_PATTERN, build_suite, load_suite, suite_path
from etl.validate import validate_frame

Q1 = "2024-25 Q1"  # 01/04/2024 to 30/06/2024
LOCALITIES = ["Rother Valley North", "Wentworth South"]


def rows(**columns: list[str | None]) -> pd.DataFrame:
    """A frame of strings as the reader makes it, with file rows 2, 3, ... (header is row 1)."""
    length = len(next(iter(columns.values())))
    frame = pd.DataFrame(
        {name: pd.Series(values, dtype=object) for name, values in columns.items()}
    )
    frame["_row"] = range(2, length + 2)
    return frame


GOOD = {
    "carers": dict(
        carer_id=["C1", "C2"],
        date_identified=["2019-05-01", "30/06/2024"],
        age_band=["65+", "0-17"],
    ),
    "assessments": dict(
        assessment_id=["A1", "A2"],
        carer_id=["C1", "C1"],
        date_completed=["2024-04-01", "30/06/2024"],
        assessment_type=["new", "review"],
        outcome=["support plan", "no support needed"],
    ),
    "breaks": dict(
        break_id=["B1", "B2"],
        carer_id=["C1", "C2"],
        start_date=["2024-04-01", "2024-06-30"],
        break_type=["break grant", "residential respite"],
        planned=["yes", "no"],
    ),
    "outcomes": dict(
        response_id=["R1", "R2"],
        response_date=["2024-05-01", "2024-05-02"],
        **{item: ["2", "0"] for item in QOL_ITEMS},
    ),
}

OPTIONAL = {
    "carers": dict(
        sex=["Female", None],
        ethnic_group=["Asian", "Not stated"],
        locality=[LOCALITIES[0], None],
        hours_band=["50+", "0-19"],
        date_closed=[None, "2024-07-20"],
    ),
    "assessments": dict(date_requested=["2024-03-01", None]),
    "breaks": dict(end_date=["2024-04-03", None], nights=["2", None]),
    "outcomes": dict(
        carer_id=["C1", None],
        qol_time_for_self=["1", None],
        satisfaction=["1", "7"],
        info_ease=["never tried", "very easy"],
        involved=["no discussions", "always"],
        prepared_for_future=["no", "yes"],
    ),
}


def good(extract: str, **changes: list[str | None]) -> pd.DataFrame:
    return rows(**{**GOOD[extract], **changes})


def check(
    frame: pd.DataFrame, extract: str, *, quarter: str = Q1, localities: list[str] | None = None
) -> tuple[Report, pd.DataFrame]:
    report = Report(f"{extract}_ROT-ASC_2024-25_Q1.csv")
    out = validate_frame(
        frame, extract=extract, quarter=quarter, report=report, localities=localities
    )
    return report, out


def only_finding(report: Report) -> Finding:
    assert len(report.errors) == 1, report.to_text()
    return report.errors[0]


# The stored suites


@pytest.mark.parametrize("extract", EXTRACTS)
def test_stored_suite_is_what_build_suite_generates(extract):
    stored = json.loads(suite_path(extract).read_text(encoding="utf-8"))
    assert stored == build_suite(extract).to_json_dict(), "run `python -m etl.suites`"


@pytest.mark.parametrize("extract", EXTRACTS)
def test_stored_suite_loads_every_expectation(extract):
    assert len(load_suite(extract).expectations) == len(build_suite(extract).expectations)


@pytest.mark.parametrize("extract", EXTRACTS)
def test_every_expectation_carries_a_rule_column_and_message(extract):
    for expectation in load_suite(extract).expectations:
        meta = expectation.meta
        assert meta["rule"] and meta["column"] in EXTRACTS[extract].column_names
        assert meta["column"] in meta["message"]


@pytest.mark.parametrize("extract", EXTRACTS)
def test_suite_checks_every_required_column_exists(extract):
    checked = {
        e.configuration.kwargs["column"]
        for e in load_suite(extract).expectations
        if e.expectation_type == "expect_column_to_exist"
    }
    assert checked == {c.name for c in EXTRACTS[extract].columns if c.required}


# Files that pass


@pytest.mark.parametrize("extract", EXTRACTS)
def test_required_columns_only_pass(extract):
    report, out = check(good(extract), extract)
    assert report.findings == []
    assert len(out) == 2


@pytest.mark.parametrize("extract", EXTRACTS)
def test_every_optional_column_filled_in_passes(extract):
    report, _ = check(good(extract, **OPTIONAL[extract]), extract, localities=LOCALITIES)
    assert report.findings == []


def test_dates_in_the_future_are_not_an_error_by_themselves():
    frame = good("assessments", date_completed=["2030-05-01", "2030-06-30"])
    report, _ = check(frame, "assessments", quarter="2030-31 Q1")
    assert report.ok


# Required columns and values


def test_missing_required_column_is_one_file_level_finding():
    frame = good("carers").drop(columns="age_band")
    report, _ = check(frame, "carers")
    finding = only_finding(report)
    assert (finding.rule, finding.column, finding.count, finding.rows) == (
        "required_column",
        "age_band",
        0,
        [],
    )
    assert "no 'age_band' column" in finding.message


def test_missing_column_already_reported_by_the_reader_is_not_repeated():
    report = Report("carers.csv")
    report.error("required_column", "The file has no age_band column", column="age_band")
    validate_frame(
        good("carers").drop(columns="age_band"), extract="carers", quarter=Q1, report=report
    )
    assert [f.column for f in report.errors] == ["age_band"]


def test_blank_required_value_fails_with_its_rows():
    report, _ = check(good("carers", age_band=[None, "65+"]), "carers")
    finding = only_finding(report)
    assert (finding.rule, finding.column, finding.count, finding.rows) == (
        "required_value",
        "age_band",
        1,
        [2],
    )
    assert finding.message == "age_band must not be blank: fill it in on every row."


def test_blank_qol_item_passes():
    report, _ = check(good("outcomes", qol_social=[None, None]), "outcomes")
    assert report.ok


def test_failing_rows_are_the_file_row_numbers():
    frame = good("carers", age_band=["65+", None])
    frame["_row"] = [4, 9]  # rows 2, 3 and 5 to 8 were blank and skipped
    report, _ = check(frame, "carers")
    assert only_finding(report).rows == [9]


def test_a_rule_failed_on_many_rows_counts_them_all_and_lists_the_first_ten():
    frame = rows(
        carer_id=[f"C{i}" for i in range(25)],
        date_identified=["2020-01-01"] * 25,
        age_band=["65+"] * 5 + ["old"] * 20,
    )
    report, _ = check(frame, "carers")
    finding = only_finding(report)
    assert finding.count == 20
    assert finding.rows == list(range(7, 17))


# Ids


def test_formula_looking_id_fails_without_quoting_it():
    report, _ = check(good("carers", carer_id=['=HYPERLINK("http://x")', "C2"]), "carers")
    finding = only_finding(report)
    assert (finding.rule, finding.column, finding.count, finding.rows) == (
        "id_format",
        "carer_id",
        1,
        [2],
    )
    assert "HYPERLINK" not in finding.message
    assert "must not start with =, +, - or @" in finding.message


@pytest.mark.parametrize("bad_id", ["+44", "-1", "@SUM(A1)", "x" * 65])
def test_ids_starting_like_a_formula_or_too_long_fail(bad_id):
    report, _ = check(good("breaks", carer_id=[bad_id, "C2"]), "breaks")
    assert (only_finding(report).rule, only_finding(report).column) == ("id_format", "carer_id")


def test_id_of_64_characters_passes():
    report, _ = check(good("breaks", carer_id=["x" * 64, "C-2"]), "breaks")
    assert report.ok


def test_duplicated_ids_fail_with_the_rows_of_every_copy():
    frame = rows(
        assessment_id=["A1", "A2", "A1", "A3", "A2"],
        carer_id=["C1"] * 5,
        date_completed=["2024-04-02"] * 5,
        assessment_type=["new"] * 5,
        outcome=["support plan"] * 5,
    )
    report, _ = check(frame, "assessments")
    finding = only_finding(report)
    assert (finding.rule, finding.column, finding.count) == ("duplicate_id", "assessment_id", 4)
    assert finding.rows == [2, 3, 4, 6]
    assert "A1" not in finding.message


def test_carer_id_may_repeat_where_it_is_not_the_key():
    report, _ = check(good("assessments", carer_id=["C1", "C1"]), "assessments")
    assert report.ok


# Categories


def test_categories_match_ignoring_case_and_spaces():
    frame = good("carers", age_band=[" unknown", "65+ "], sex=["FEMALE ", "not STATED"])
    report, out = check(frame, "carers")
    assert report.ok
    assert out["sex"].tolist() == ["Female", "Not stated"]
    assert out["age_band"].tolist() == ["Unknown", "65+"]


def test_value_outside_the_allowed_list_fails_quoting_it():
    report, out = check(good("carers", sex=["Femal", "Male"]), "carers")
    finding = only_finding(report)
    assert (finding.rule, finding.column, finding.count, finding.rows) == (
        "value_not_allowed",
        "sex",
        1,
        [2],
    )
    assert finding.message == (
        "sex must be one of: Female, Male, Other, Not stated (or left blank). Found: 'Femal'."
    )
    assert out["sex"].tolist() == ["Femal", "Male"]


def test_numeric_answers_written_as_decimals_are_whole_numbers():
    report, out = check(
        good("outcomes", qol_control=["2.0", " 1 "], satisfaction=["7", "01"]), "outcomes"
    )
    assert report.ok
    assert out["qol_control"].tolist() == ["2", "1"]
    assert out["satisfaction"].tolist() == ["7", "1"]


def test_qol_answer_outside_0_to_2_fails():
    report, _ = check(good("outcomes", qol_safety=["3", "2"]), "outcomes")
    finding = only_finding(report)
    assert (finding.rule, finding.column, finding.rows) == ("value_not_allowed", "qol_safety", [2])


# Localities


def test_locality_not_in_the_area_list_fails_naming_the_list():
    frame = good("carers", locality=["Rother Valley North", "Maltby"])
    report, _ = check(frame, "carers", localities=LOCALITIES)
    finding = only_finding(report)
    assert (finding.rule, finding.column, finding.count, finding.rows) == (
        "value_not_allowed",
        "locality",
        1,
        [3],
    )
    assert "Rother Valley North, Wentworth South" in finding.message
    assert "'Maltby'" in finding.message


def test_locality_matches_the_configured_spelling_ignoring_case():
    frame = good("carers", locality=["wentworth SOUTH ", None])
    report, out = check(frame, "carers", localities=LOCALITIES)
    assert report.ok
    assert out["locality"].tolist() == ["Wentworth South", None]


def test_locality_is_not_checked_without_a_configured_list():
    report, _ = check(good("carers", locality=["Maltby", "Anywhere"]), "carers")
    assert report.ok


# Dates


def test_uk_and_excel_dates_pass_and_become_iso():
    frame = good("breaks", start_date=["1/4/2024", "2024-05-01 00:00:00"])
    report, out = check(frame, "breaks")
    assert report.ok
    assert out["start_date"].tolist() == ["2024-04-01", "2024-05-01"]


@pytest.mark.parametrize(
    "written", ["13/25/2024", "2024/31/01", "04/13/2024", "31/02/2024", "2024-13-01", "2023-02-29"]
)
def test_month_first_or_impossible_dates_fail_and_are_kept_as_written(written):
    report, out = check(good("breaks", start_date=["2024-04-01", written]), "breaks")
    finding = only_finding(report)
    assert (finding.rule, finding.column, finding.count, finding.rows) == (
        "date_format",
        "start_date",
        1,
        [3],
    )
    assert f"Found: '{written}'" in finding.message
    assert out["start_date"].tolist() == ["2024-04-01", written]


def test_29_february_of_a_leap_year_passes():
    frame = good("carers", date_identified=["29/02/2024", "2000-02-29"])
    assert check(frame, "carers")[0].ok


def test_date_pattern_accepts_exactly_the_real_dates_of_1900_to_2099():
    texts, real = [], []
    for year in (1899, 1900, 1904, 1999, 2000, 2023, 2024, 2099, 2100):
        for month in range(0, 14):
            for day in range(0, 33):
                texts.append(f"{year}-{month:02d}-{day:02d}")
                try:
                    date(year, month, day)
                    real.append(1900 <= year <= 2099)
                except ValueError:
                    real.append(False)
    matched = pd.Series(texts).str.match(ISO_DATE_PATTERN)
    assert matched.tolist() == real


def test_date_outside_the_quarter_fails_naming_the_quarter_and_its_dates():
    frame = good("assessments", date_completed=["2024-03-31", "01/07/2024"])
    report, _ = check(frame, "assessments")
    finding = only_finding(report)
    assert (finding.rule, finding.column, finding.count, finding.rows) == (
        "date_outside_quarter",
        "date_completed",
        2,
        [2, 3],
    )
    assert finding.message.startswith(
        "date_completed must be inside 2024-25 Q1 (01/04/2024 to 30/06/2024)."
    )
    assert finding.message.endswith("Found: '2024-03-31', '01/07/2024'.")  # as in the file


def test_quarter_is_taken_from_the_declared_period():
    frame = good("assessments", date_completed=["2025-01-01", "31/03/2025"])
    assert check(frame, "assessments", quarter="2024-25 Q4")[0].ok
    assert not check(frame, "assessments", quarter="2024-25 Q3")[0].ok


def test_date_identified_after_the_quarter_end_fails():
    frame = good("carers", date_identified=["1999-12-31", "2024-07-01"])
    report, _ = check(frame, "carers")
    finding = only_finding(report)
    assert (finding.rule, finding.column, finding.rows) == (
        "date_after_quarter_end",
        "date_identified",
        [3],
    )
    assert "after the end of 2024-25 Q1 (30/06/2024)" in finding.message


def test_a_bad_date_is_reported_once_not_also_as_outside_the_quarter():
    report, _ = check(
        good("assessments", date_completed=["2024-04-02", "2024-99-99"]), "assessments"
    )
    assert only_finding(report).rule == "date_format"


# Date order


def test_end_before_start_fails_on_the_later_date():
    frame = good("breaks", end_date=["2024-03-31", "2024-06-30"])
    report, _ = check(frame, "breaks")
    finding = only_finding(report)
    assert (finding.rule, finding.column, finding.count, finding.rows) == (
        "date_order",
        "end_date",
        1,
        [2],
    )
    assert finding.message == "end_date must not be before start_date on the same row."


def test_request_after_completion_fails_on_the_request_date():
    frame = good("assessments", date_requested=["2024-04-02", "2024-06-30"])
    report, _ = check(frame, "assessments")
    finding = only_finding(report)
    assert (finding.rule, finding.column, finding.rows) == ("date_order", "date_requested", [2])
    assert finding.message.startswith("date_requested must not be after date_completed")


def test_date_order_applies_only_where_both_dates_are_given():
    frame = good("carers", date_closed=[None, "30/06/2024"])
    assert check(frame, "carers")[0].ok


# Optional columns and whole numbers


@pytest.mark.parametrize("extract", EXTRACTS)
def test_optional_columns_absent_pass(extract):
    frame = good(extract)
    assert not set(OPTIONAL[extract]) & set(frame.columns)
    assert check(frame, extract, localities=LOCALITIES)[0].ok


@pytest.mark.parametrize("nights", ["-1", "2.5", "three"])
def test_nights_that_are_not_a_whole_number_of_0_or_more_fail(nights):
    report, _ = check(good("breaks", nights=["1", nights]), "breaks")
    finding = only_finding(report)
    assert (finding.rule, finding.column, finding.rows) == ("whole_number", "nights", [3])
    assert f"'{nights}'" in finding.message


def test_nights_written_as_decimals_of_whole_numbers_pass():
    report, out = check(good("breaks", nights=["3.0", "0"]), "breaks")
    assert report.ok
    assert out["nights"].tolist() == ["3", "0"]


# Messages


def test_report_messages_are_the_suite_messages():
    frame = rows(
        carer_id=["C1", "C1", None],
        date_identified=["2024-08-01", "2024-02-30", "2024-01-01"],
        age_band=["65+", "old", "0-17"],
        date_closed=["2024-01-01", None, None],
    )
    report, _ = check(frame, "carers")
    meta = {(e.meta["rule"], e.meta["column"]): e.meta for e in load_suite("carers").expectations}
    assert {(f.rule, f.column) for f in report.errors} == {
        ("required_value", "carer_id"),
        ("duplicate_id", "carer_id"),
        ("date_format", "date_identified"),
        ("date_after_quarter_end", "date_identified"),
        ("value_not_allowed", "age_band"),
        ("date_order", "date_closed"),
    }
    for finding in report.errors:
        template = meta[(finding.rule, finding.column)]["message"]
        expected = template.replace("{quarter}", Q1).replace("{quarter_end}", "30/06/2024")
        assert finding.message.startswith(expected)


# normalise and to_typed


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), min_size=1, max_size=20))
def test_normalise_keeps_every_row_and_never_raises(cells):
    columns = ("date_identified", "age_band", "carer_id", "sex")
    frame = rows(**{name: cells for name in columns})
    out = normalise(frame, extract="carers")
    assert out["_row"].tolist() == frame["_row"].tolist()
    for name in columns:
        assert all(value is None or isinstance(value, str) for value in out[name])
        assert [v is None for v in out[name]] == [v is None for v in cells]


def test_normalise_leaves_unknown_columns_alone():
    frame = good("carers")
    frame["notes"] = pd.Series(["FEMALE", None], dtype=object)
    assert normalise(frame, extract="carers")["notes"].tolist() == ["FEMALE", None]


def test_to_typed_gives_load_ready_types_with_every_column():
    frame = good("breaks", nights=["3", None], end_date=["2024-04-02", None])
    report, out = check(frame, "breaks")
    assert report.ok
    typed = to_typed(out, extract="breaks")
    assert list(typed.columns) == ["_row", *EXTRACTS["breaks"].column_names]
    assert typed["_row"].tolist() == [2, 3]
    assert typed["start_date"].dtype.kind == "M"
    assert typed["end_date"].iloc[0] == pd.Timestamp("2024-04-02")
    assert pd.isna(typed["end_date"].iloc[1])
    assert str(typed["nights"].dtype) == "Int64"
    assert typed["nights"].iloc[0] == 3 and pd.isna(typed["nights"].iloc[1])
    assert typed["break_type"].tolist() == ["break grant", "residential respite"]


def test_to_typed_fills_absent_optional_columns_with_missing():
    report, out = check(good("outcomes"), "outcomes")
    assert report.ok
    typed = to_typed(out, extract="outcomes")
    assert str(typed["satisfaction"].dtype) == "Int64" and typed["satisfaction"].isna().all()
    assert typed["qol_social"].tolist() == [2, 0]
    assert typed["info_ease"].tolist() == [None, None]


def test_message_placeholders_are_all_filled_in():
    frame = good("carers", locality=["Nowhere", None], date_identified=["2030-01-01", None])
    report, _ = check(frame, "carers", localities=LOCALITIES)
    assert report.errors
    for finding in report.errors:
        assert not re.search(r"\{\w+\}", finding.message), finding.message
