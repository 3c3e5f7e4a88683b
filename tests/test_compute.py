"""Measure computation (SPEC 4 and 8) on small hand-built extracts, and the reference data (SPEC 9).

Each expected value is worked out in the test from the rows shown.
"""

from __future__ import annotations

import csv
import math
import statistics

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carers_impact.settings import reference_dir
from measures.domain.catalogue import Catalogue, load_catalogue
from measures.domain.compute import RESULT_COLUMNS, Records, UnsupportedBreakdown, compute_measures
from measures.domain.reference import UnknownLocalAuthority, ascof_benchmarks, census_unpaid_carers

Q1, Q2, Q3, Q4 = (f"2024-25 Q{q}" for q in (1, 2, 3, 4))
PREVIOUS_Q4 = "2023-24 Q4"
YEAR = "2024-25"
Z = 1.959964


def carer(carer_id, identified, *, org="ROT-ASC", period=Q4, age="25-64", **more):
    return {
        "carer_id": carer_id,
        "date_identified": identified,
        "organisation": org,
        "period": period,
        "age_band": age,
        **more,
    }


def assessment(assessment_id, carer_id, completed, *, org="ROT-ASC", period=Q1, requested=None):
    return {
        "assessment_id": assessment_id,
        "carer_id": carer_id,
        "date_completed": completed,
        "date_requested": requested,
        "organisation": org,
        "period": period,
        "assessment_type": "new",
        "outcome": "support plan",
    }


def a_break(break_id, carer_id, kind, planned, nights, *, period=Q1, start="2024-05-01"):
    return {
        "break_id": break_id,
        "carer_id": carer_id,
        "start_date": start,
        "break_type": kind,
        "planned": planned,
        "nights": nights,
        "organisation": "ROT-CC",
        "period": period,
    }


def response(response_id, items=(None,) * 6, *, period=Q1, **answers):
    names = ("occupation", "control", "self_care", "safety", "social", "support")
    return {
        "response_id": response_id,
        "response_date": "2024-05-01",
        "organisation": "ROT-CC",
        "period": period,
        **{f"qol_{name}": item for name, item in zip(names, items, strict=True)},
        **answers,
    }


def compute(**extracts):
    options = {
        k: extracts.pop(k)
        for k in ("census_carers", "timeliness_days", "periods", "catalogue")
        if k in extracts
    }
    frames = {name: pd.DataFrame(rows) for name, rows in extracts.items()}
    return compute_measures(Records.from_frames(**frames), area="rotherham", **options)


def cells(result, measure_id, period, breakdown="all"):
    """breakdown_value -> row of the measure's cells for a period and breakdown."""
    rows = result[
        (result["measure_id"] == measure_id)
        & (result["period"] == period)
        & (result["breakdown"] == breakdown)
    ]
    assert rows["breakdown_value"].is_unique
    return {row.breakdown_value: row for row in rows.itertuples()}


def total(result, measure_id, period):
    found = cells(result, measure_id, period)
    assert list(found) == ["all"], f"no single total for {measure_id} in {period}"
    return found["all"]


# carers register


def test_a_carer_on_two_registers_counts_once():
    result = compute(
        carers=[
            carer("c1", "2022-05-01", org="ROT-ASC"),
            carer("c1", "2023-01-10", org="ROT-CC"),
            carer("c2", "2021-07-01", org="ROT-CC"),
        ]
    )
    assert total(result, "known_carers", Q4).value == 2  # c1 and c2, not three rows


def test_a_carer_closed_on_the_quarter_end_is_not_known():
    result = compute(
        carers=[
            carer("c1", "2022-05-01"),
            carer("c2", "2022-05-01", date_closed="2025-03-31"),  # Q4 ends 31 March 2025
            carer("c3", "2022-05-01", date_closed="2025-04-01"),  # closed after the quarter end
            carer("c4", "2022-05-01", date_closed="2025-02-14"),
        ]
    )
    expected = 2  # c1, c3
    assert total(result, "known_carers", Q4).value == expected


def test_a_carer_closed_by_one_organisation_but_open_at_another_is_known():
    result = compute(
        carers=[
            carer("c1", "2022-05-01", org="ROT-ASC", date_closed="2024-06-30"),
            carer("c1", "2023-05-01", org="ROT-CC"),
        ]
    )
    assert total(result, "known_carers", Q4).value == 1
    by_org = cells(result, "known_carers", Q4, "organisation")
    assert list(by_org) == ["ROT-CC"]


def test_organisation_cells_count_a_shared_carer_under_each_organisation():
    result = compute(
        carers=[
            carer("c1", "2022-05-01", org="ROT-ASC"),
            carer("c1", "2023-01-10", org="ROT-CC"),
            carer("c2", "2021-07-01", org="ROT-CC"),
        ]
    )
    by_org = cells(result, "known_carers", Q4, "organisation")
    assert {org: row.value for org, row in by_org.items()} == {"ROT-ASC": 1, "ROT-CC": 2}
    assert sum(row.value for row in by_org.values()) == 3  # more than the total of 2


def test_attributes_come_from_the_earliest_registration_then_organisation_code():
    result = compute(
        carers=[
            carer("c1", "2021-01-01", org="ROT-ASC", age="25-64", sex="Female"),
            carer("c1", "2019-06-01", org="ROT-CC", age="65+"),  # identified first: wins
            carer("c2", "2020-01-01", org="ROT-NHS", age="18-24"),
            carer("c2", "2020-01-01", org="ROT-CC", age="0-17"),  # same day: ROT-CC < ROT-NHS
        ]
    )
    ages = cells(result, "known_carers", Q4, "age_band")
    assert {band: row.value for band, row in ages.items()} == {"0-17": 1, "65+": 1}
    sexes = cells(result, "known_carers", Q4, "sex")
    assert {sex: row.value for sex, row in sexes.items()} == {"Not recorded": 2}
    assert total(result, "young_carers_known", Q4).value == 1


def test_missing_attributes_are_not_recorded_and_cells_sum_to_the_total():
    result = compute(
        carers=[
            carer("c1", "2022-05-01", sex="Female", locality="Wath"),
            carer("c2", "2022-05-01", sex="Male"),
            carer("c3", "2022-05-01", sex=None, locality="Maltby"),
        ]
    )
    sexes = cells(result, "known_carers", Q4, "sex")
    assert {k: r.value for k, r in sexes.items()} == {"Female": 1, "Male": 1, "Not recorded": 1}
    localities = cells(result, "known_carers", Q4, "locality")
    assert list(localities)[-1] == "Not recorded"
    for breakdown in ("age_band", "sex", "ethnic_group", "locality", "hours_band"):
        by = cells(result, "known_carers", Q4, breakdown)
        assert sum(row.value for row in by.values()) == 3, breakdown


def test_new_carers_are_new_to_the_partnership_inside_the_quarter():
    result = compute(
        carers=[
            carer("n1", "2025-01-01"),  # first day of Q4
            carer("n2", "2024-12-31"),  # last day of Q3
            carer("n3", "2025-02-01", org="ROT-CC"),
            carer("n3", "2020-05-01", org="ROT-ASC"),  # known to the partnership since 2020
            carer("n4", "2025-03-31", org="ROT-CC"),  # last day of Q4
        ]
    )
    assert total(result, "new_carers", Q4).value == 2  # n1, n4
    by_org = cells(result, "new_carers", Q4, "organisation")
    assert {org: row.value for org, row in by_org.items()} == {"ROT-ASC": 1, "ROT-CC": 1}


def test_young_carers_are_known_carers_aged_under_18():
    result = compute(
        carers=[
            carer("y1", "2023-05-01", age="0-17"),
            carer("y2", "2023-05-01", age="0-17", date_closed="2025-01-15"),
            carer("a1", "2023-05-01", age="18-24"),
        ]
    )
    assert total(result, "young_carers_known", Q4).value == 1


def test_a_count_with_nothing_to_count_is_zero_not_missing():
    result = compute(carers=[carer("a1", "2023-05-01", age="25-64")])
    young = total(result, "young_carers_known", Q4)
    assert young.value == 0
    assert young.numerator == 0


def test_identification_rate_is_known_carers_per_100_census_carers():
    census = census_unpaid_carers("E08000018")
    result = compute(carers=[carer(f"c{i}", "2022-05-01") for i in range(3)], census_carers=census)
    rate = total(result, "identification_rate", Q4)
    expected = 3 / 26313 * 100
    assert rate.value == pytest.approx(expected)
    assert (rate.numerator, rate.denominator) == (3, 26313)
    assert 0 < rate.lower_ci < rate.value < rate.upper_ci


def test_identification_rate_is_missing_without_a_census_figure():
    result = compute(carers=[carer("c1", "2022-05-01")])
    rate = total(result, "identification_rate", Q4)
    assert math.isnan(rate.value)
    assert rate.numerator == 1


def test_a_years_register_figures_use_its_q4_snapshot():
    result = compute(
        carers=[
            carer("c1", "2024-05-01", period=Q1),
            carer("c2", "2024-06-01", period=Q1),
            carer("c1", "2024-05-01", period=Q4),
            carer("c3", "2023-05-01", period=Q4),
            carer("c4", "2025-02-01", period=Q4),
        ]
    )
    assert total(result, "known_carers", YEAR).value == 3  # Q4: c1, c3, c4
    assert (
        total(result, "new_carers", YEAR).value == 2
    )  # identified April 2024 - March 2025: c1, c4
    assert total(result, "new_carers", Q1).value == 2


def test_a_year_without_q4_has_no_register_figure():
    result = compute(carers=[carer("c1", "2024-05-01", period=Q1)])
    assert total(result, "known_carers", Q1).value == 1
    assert cells(result, "known_carers", YEAR) == {}


# assessments


def test_assessments_completed_counts_distinct_assessment_ids():
    result = compute(
        assessments=[
            assessment("a1", "c1", "2024-04-29"),
            assessment("a2", "c2", "2024-04-30"),
            assessment("a3", "c3", "2024-05-30"),
            assessment("a1", "c1", "2024-04-29", org="ROT-CC"),  # the same assessment again
        ]
    )
    assert total(result, "assessments_completed", Q1).value == 3
    by_org = cells(result, "assessments_completed", Q1, "organisation")
    assert {org: row.value for org, row in by_org.items()} == {"ROT-ASC": 3, "ROT-CC": 1}


def test_timeliness_counts_28_days_as_on_time_and_29_as_late():
    rows = [
        assessment("a1", "c1", "2024-04-29", requested="2024-04-01"),  # 28 days
        assessment("a2", "c2", "2024-04-30", requested="2024-04-01"),  # 29 days
        assessment("a3", "c3", "2024-05-30"),  # no request date: left out
    ]
    timely = total(compute(assessments=rows), "assessment_timeliness", Q1)
    expected = 1 / 2 * 100
    assert timely.value == pytest.approx(expected)
    assert (timely.numerator, timely.denominator) == (1, 2)
    relaxed = total(compute(assessments=rows, timeliness_days=29), "assessment_timeliness", Q1)
    assert relaxed.value == 100


def test_carers_assessed_in_the_12_months_to_the_quarter_end():
    register = [carer(c, "2022-05-01") for c in ("c1", "c2", "c3")]
    register += [carer(c, "2022-05-01", period=Q1) for c in ("c1", "c2", "c3")]
    assessments = [
        assessment("a1", "c1", "2024-05-02", period=Q1, org="ROT-CC"),  # by another organisation
        assessment("a2", "c2", "2024-03-28", period=PREVIOUS_Q4),  # before the 12 months
        assessment("z2", "z", "2024-08-01", period=Q2),
        assessment("z3", "z", "2024-11-01", period=Q3),
        assessment("z4", "z", "2025-02-01", period=Q4),
    ]
    result = compute(carers=register, assessments=assessments)
    share = total(result, "carers_assessed_12m", Q4)
    expected = 1 / 3 * 100  # c1 of c1, c2, c3
    assert share.value == pytest.approx(expected)
    assert (share.numerator, share.denominator) == (1, 3)
    assert total(result, "carers_assessed_12m", YEAR).value == pytest.approx(expected)
    # Q1's window starts in 2023-24 Q2, which has no assessments data: no value.
    assert cells(result, "carers_assessed_12m", Q1) == {}


# breaks


BREAKS = [
    a_break("b1", "c1", "residential respite", "yes", 7),
    a_break("b2", "c1", "break grant", "no", None),
    a_break("b3", "c2", "residential respite", "yes", 3),
    a_break("b4", "c1", "day opportunity", "yes", 0, period=Q2, start="2024-08-01"),
]


def test_carers_with_a_break_are_distinct_carers():
    result = compute(breaks=BREAKS)
    assert total(result, "carers_with_break", Q1).value == 2  # c1 twice, c2
    by_type = cells(result, "carers_with_break", Q1, "break_type")
    counts = {kind: row.value for kind, row in by_type.items()}
    assert counts == {"break grant": 1, "residential respite": 2}


def test_a_years_carers_with_a_break_are_distinct_over_the_year():
    result = compute(breaks=BREAKS)
    assert total(result, "carers_with_break", Q2).value == 1
    assert total(result, "carers_with_break", YEAR).value == 2  # c1, c2; not 2 + 1


def test_respite_nights_sum_the_nights_recorded():
    result = compute(breaks=BREAKS)
    nights = total(result, "respite_nights", Q1)
    assert nights.value == 7 + 3
    assert math.isnan(nights.denominator)
    assert total(result, "respite_nights", YEAR).value == 7 + 3 + 0


def test_unplanned_breaks_share():
    result = compute(breaks=BREAKS)
    unplanned = total(result, "unplanned_breaks_pct", Q1)
    expected = 1 / 3 * 100
    assert unplanned.value == pytest.approx(expected)
    assert unplanned.lower_ci <= unplanned.value <= unplanned.upper_ci


# outcomes survey

SURVEY = [
    response(
        "r1",
        (2, 2, 2, 2, 2, 2),
        qol_time_for_self=2,
        satisfaction=1,
        info_ease="very easy",
        involved="always",
        prepared_for_future="yes",
    ),
    response(
        "r2",
        (1, 1, 1, 1, 1, 1),
        qol_time_for_self=0,
        satisfaction=2,
        info_ease="fairly difficult",
        involved="no discussions",
        prepared_for_future="no",
    ),
    response("r3", (2, 2, 1, 1, 2, 1), satisfaction=3, info_ease="never tried", involved="never"),
    response(
        "r4",
        (None, 2, 2, 2, 2, 2),
        info_ease="fairly easy",
        involved="usually",
        prepared_for_future="no",
    ),
    response("r5"),  # answered no quality-of-life item
]


def test_crqol_is_the_mean_score_of_those_answering_all_six_items():
    crqol = total(compute(outcomes=SURVEY), "crqol_score", Q1)
    scores = [12, 6, 9]  # r1, r2, r3; r4 left a blank item
    expected = sum(scores) / 3
    assert crqol.value == pytest.approx(expected)
    assert (crqol.numerator, crqol.denominator) == (27, 3)
    half = Z * statistics.stdev(scores) / math.sqrt(3)
    assert crqol.lower_ci == pytest.approx(expected - half)
    assert crqol.upper_ci == pytest.approx(expected + half)


def test_a_respondent_with_a_blank_item_still_counts_for_items_answered():
    social = total(compute(outcomes=SURVEY), "social_contact_pct", Q1)
    expected = 3 / 4 * 100  # r1, r3, r4 answered 2 of r1-r4; r5 did not answer
    assert social.value == pytest.approx(expected)
    assert social.denominator == 4


@pytest.mark.parametrize(
    ("measure_id", "numerator", "denominator"),
    [
        ("time_for_self_pct", 1, 2),  # r1 of r1, r2
        ("satisfied_pct", 2, 3),  # 1 or 2: r1, r2 of r1-r3
        ("info_easy_pct", 2, 3),  # r1, r4 of r1, r2, r4; r3 never tried
        ("involved_pct", 2, 3),  # r1, r4 of r1, r3, r4; r2 had no discussions
        ("prepared_pct", 1, 3),  # r1 of r1, r2, r4
    ],
)
def test_survey_shares_count_only_those_answering(measure_id, numerator, denominator):
    share = total(compute(outcomes=SURVEY), measure_id, Q1)
    expected = numerator / denominator * 100
    assert share.value == pytest.approx(expected)
    assert (share.numerator, share.denominator) == (numerator, denominator)
    assert 0 <= share.lower_ci <= share.value <= share.upper_ci <= 100


def test_a_years_value_is_computed_from_its_rows_not_averaged():
    survey = [
        response("q1a", satisfaction=1, period=Q1),
        response("q2a", satisfaction=2, period=Q2),
        response("q2b", satisfaction=5, period=Q2),
        response("q2c", satisfaction=7, period=Q2),
    ]
    result = compute(outcomes=survey)
    assert total(result, "satisfied_pct", Q1).value == 100
    assert total(result, "satisfied_pct", Q2).value == pytest.approx(1 / 3 * 100)
    year = total(result, "satisfied_pct", YEAR)
    expected = 2 / 4 * 100  # not (100 + 33.3) / 2
    assert year.value == pytest.approx(expected)
    assert year.denominator == 4


# output shape


def test_output_has_the_spec_columns_and_intervals_where_they_belong():
    result = compute(
        carers=[carer("c1", "2022-05-01")], breaks=BREAKS, outcomes=SURVEY, census_carers=26313
    )
    assert list(result.columns) == list(RESULT_COLUMNS)
    assert (result["area"] == "rotherham").all()
    units = result["measure_id"].map({m.id: m.unit for m in load_catalogue().values()})
    counts = result[units == "count"]
    assert counts["lower_ci"].isna().all() and counts["denominator"].isna().all()
    shares = result[units.isin(["percent", "rate"]) & result["value"].notna()]
    assert (shares["lower_ci"] <= shares["value"]).all()
    assert (shares["value"] <= shares["upper_ci"]).all()
    assert ((shares["lower_ci"] >= 0) & (shares["upper_ci"] <= 100)).all()


def test_measures_come_in_catalogue_order_then_period_order():
    result = compute(carers=[carer("c1", "2022-05-01", period=p) for p in (Q4, Q1)])
    order = list(dict.fromkeys(result["measure_id"]))
    assert order == [m for m in load_catalogue() if m in order]
    known = result[(result["measure_id"] == "known_carers") & (result["breakdown"] == "all")]
    assert list(known["period"]) == [Q1, Q4, YEAR]


def test_periods_limit_the_output():
    rows = [carer("c1", "2022-05-01", period=p) for p in (Q1, Q4)]
    only_q4 = compute(carers=rows, periods=["2024/25 Q4"])
    assert set(only_q4["period"]) == {Q4}
    only_year = compute(carers=rows, periods=[YEAR])
    assert set(only_year["period"]) == {YEAR}


def test_no_rows_give_an_empty_table_with_the_spec_columns():
    result = compute_measures(Records.empty(), area="rotherham")
    assert result.empty
    assert list(result.columns) == list(RESULT_COLUMNS)


def test_records_from_the_database_with_untyped_columns_work():
    frame = pd.DataFrame(
        {
            "carer_id": ["c1", "c2"],
            "date_identified": pd.to_datetime(["2022-05-01", "2022-05-01"]),
            "age_band": pd.Series(["25-64", None], dtype=object),
            "sex": pd.Series([None, "Male"], dtype=object),
            "organisation": ["ROT-ASC", "ROT-ASC"],
            "period": [Q4, Q4],
        }
    )
    empty = Records.empty()
    records = Records(
        carers=frame, assessments=empty.assessments, breaks=empty.breaks, outcomes=empty.outcomes
    )
    result = compute_measures(records, area="rotherham")
    sexes = cells(result, "known_carers", Q4, "sex")
    assert {k: r.value for k, r in sexes.items()} == {"Male": 1, "Not recorded": 1}


def test_breakdowns_follow_the_catalogue(tmp_path):
    path = tmp_path / "catalogue.toml"
    path.write_text(
        "\n".join(
            [
                "[[measure]]",
                'id = "known_carers"',
                'title = "Carers known"',
                'description = "Carers on the registers."',
                'definition = "Distinct open registrations."',
                'theme = "Identification"',
                'unit = "count"',
                'polarity = "up"',
                'sources = ["carers"]',
                'breakdowns = ["organisation"]',
                "public = true",
                'rba_question = "How much did we do?"',
                'headline_rise = "More"',
                'headline_fall = "Fewer"',
                "",
            ]
        ),
        encoding="utf-8",
    )
    result = compute(carers=[carer("c1", "2022-05-01")], catalogue=load_catalogue(path))
    assert set(result["measure_id"]) == {"known_carers"}
    assert set(result["breakdown"]) == {"all", "organisation"}

    unsupported = (
        path.read_text(encoding="utf-8")
        .replace('id = "known_carers"', 'id = "assessments_completed"')
        .replace('sources = ["carers"]', 'sources = ["assessments", "carers"]')
        .replace('breakdowns = ["organisation"]', 'breakdowns = ["age_band"]')
    )
    path.write_text(unsupported, encoding="utf-8")
    with pytest.raises(UnsupportedBreakdown, match="assessments_completed"):
        compute(assessments=[assessment("a1", "c1", "2024-04-29")], catalogue=load_catalogue(path))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["c1", "c2", "c3", "c4", "c5"]),
            st.sampled_from(["ROT-ASC", "ROT-CC"]),
            st.sampled_from([None, "2025-03-30", "2025-03-31", "2025-04-01"]),
            st.sampled_from([None, "0-17", "65+"]),
        ),
        unique_by=lambda row: (row[0], row[1]),
    )
)
def test_known_carers_match_a_plain_count_and_age_cells_sum_to_it(rows):
    register = [
        carer(c, "2022-05-01", org=org, date_closed=closed, age=age) for c, org, closed, age in rows
    ]
    known_only = Catalogue([load_catalogue()["known_carers"]])
    result = compute(carers=register, catalogue=known_only)
    open_rows = [(c, org) for c, org, closed, _ in rows if closed in (None, "2025-04-01")]
    expected = len({c for c, _ in open_rows})
    if not rows:
        assert result.empty
        return
    assert total(result, "known_carers", Q4).value == expected
    ages = cells(result, "known_carers", Q4, "age_band")
    assert sum(row.value for row in ages.values()) == expected
    by_org = cells(result, "known_carers", Q4, "organisation")
    for org in ("ROT-ASC", "ROT-CC"):
        count = len({c for c, o in open_rows if o == org})
        assert (by_org[org].value if org in by_org else 0) == count


# reference data


@pytest.mark.parametrize(
    ("la_code", "carers"),
    [
        ("E08000018", 26313),  # Rotherham
        ("E06000045", 18138),  # Southampton
        ("E08000028", 29593),  # Sandwell
        ("E06000033", 15019),  # Southend-on-Sea
        ("E08000007", 26203),  # Stockport
    ],
)
def test_census_unpaid_carers_matches_the_published_figures(la_code, carers):
    assert census_unpaid_carers(la_code) == carers


def test_an_unknown_local_authority_code_is_a_specific_error():
    with pytest.raises(UnknownLocalAuthority, match="E99999999"):
        census_unpaid_carers("E99999999")


def test_the_reference_folder_setting_is_used(tmp_path, monkeypatch):
    (tmp_path / "census2021_unpaid_care_ltla.csv").write_text(
        "ltla21cd,ltla21nm,provides_unpaid_care_total\nE08000018,Rotherham,123\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CARERS_REFERENCE_DIR", str(tmp_path))
    assert census_unpaid_carers("E08000018") == 123


def test_ascof_benchmarks_give_the_council_beside_the_median_council():
    benchmarks = ascof_benchmarks("E08000018")
    crqol = benchmarks[(benchmarks["ascof_code"] == "1D") & (benchmarks["period"] == "2018-19")]
    assert len(crqol) == 1
    row = crqol.iloc[0]
    assert row["measure_id"] == "crqol_score"
    assert row["value"] == 7.7
    with open(reference_dir() / "ascof_carers_published.csv", encoding="utf-8") as handle:
        published = [
            float(r["value"])
            for r in csv.DictReader(handle)
            if (r["ascof_code"], r["period"], r["breakdown"]) == ("1D", "2018-19", "Total")
        ]
    assert row["comparator_median"] == pytest.approx(statistics.median(published))
    assert row["comparator_councils"] == len(published)
    assert set(benchmarks["ascof_code"]) >= {"1D", "1I2", "3B", "3C", "3D2"}


def test_ascof_benchmarks_by_breakdown():
    male = ascof_benchmarks("E08000018", breakdown="Male")
    assert set(male["breakdown"]) == {"Male"}
    assert male.set_index("ascof_code").loc["3D2", "value"] == 73.6


def test_ascof_benchmarks_for_a_council_without_ascof_is_a_specific_error():
    with pytest.raises(UnknownLocalAuthority, match="social services"):
        ascof_benchmarks("E07000008")  # Cambridge: a district council
