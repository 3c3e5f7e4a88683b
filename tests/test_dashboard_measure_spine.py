"""The measure page's spine chart with the area's own yearly figure, judged by its interval."""

from __future__ import annotations

import json

import pytest

from carers_impact import db
from tests.dashboard_data import _load, as_user, dashboard_database, texts
from tests.files import csv_bytes

PAGE = "views/measure.py"
COMPARED = "Other areas and national"
OUTCOMES = [
    "response_id",
    "carer_id",
    "response_date",
    "qol_occupation",
    "qol_control",
    "qol_self_care",
    "qol_safety",
    "qol_social",
    "qol_support",
]

database = dashboard_database("measure_spine")


@pytest.fixture(scope="module", autouse=True)
def survey_year(database):
    """Twenty responses a quarter in 2021-22 scoring 7 and 8 in turn: a mean of 7.5."""
    engine = db.make_engine(database)
    days = {"Q1": "2021-05-01", "Q2": "2021-08-01", "Q3": "2021-11-01", "Q4": "2022-02-01"}
    for quarter, day in days.items():
        rows = [
            [f"R{quarter}{i}", "", day, "2", "1", "1", "1", "1", "2" if i % 2 else "1"]
            for i in range(20)
        ]
        _load(engine, csv_bytes(OUTCOMES, rows), f"outcomes_ROT-ASC_2021-22_{quarter}.csv")
    engine.dispose()


def test_the_areas_own_interval_above_the_median_council_is_better():
    at = as_user("vera", PAGE, area="rotherham", measure="crqol_score", view=COMPARED)
    page = texts(at)
    assert "Rotherham among all councils of England, 2021-22" in page
    # 80 scores of 7 and 8: mean 7.5, standard error 0.5 / sqrt(80) = 0.056, so the interval
    # 7.5 +/- 1.96 * 0.056 = 7.4 to 7.6 lies wholly above the median council's 7.2.
    assert (
        "Rotherham's own 2021-22 figure (7.5, 95% interval 7.4 to 7.6) is **Better** than the "
        "median council (7.2; the published data give no England value): the whole interval "
        "lies above it." in page
    )
    title = "ASCOF 1D, 2021-22: Rotherham among the 149 councils of England"
    spine = next(
        json.loads(c.proto.spec)
        for c in at.get("vega_lite_chart")
        if json.loads(c.proto.spec).get("title") == title
    )
    assert spine["description"].endswith("; Rotherham 7.5 (95% interval 7.4 to 7.6).")
    figures = at.table[-1].value
    mine = figures[figures["Figure"] == "Rotherham (this dashboard's data)"].iloc[0]
    assert (mine["Value"], mine["Lower 95% CI"], mine["Upper 95% CI"]) == ("7.5", "7.4", "7.6")
