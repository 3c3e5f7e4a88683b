"""What the dashboard reads through `measures.api`: measure pages, commentary, actions, quality."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from carers_impact.periods import Quarter
from etl import publication, quality
from etl.jobs import late_submissions
from etl.pipeline import submit
from measures import api
from tests.dashboard_data import bad_carers_file, carers_file

INCOMPLETE = "test data: only some of the expected extracts"


def load(engine, known: int, quarter: str, org: str = "ROT-ASC") -> None:
    name = f"carers_{org}_{quarter.replace(' ', '_')}.csv"
    result = submit(
        engine,
        carers_file(known, quarter),
        filename=name,
        submitted_by="t",
    )
    assert result.status == "accepted", result.report.to_text()


# -- the quality matrix, as a pure function ---------------------------------------------


def submissions(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows,
        columns=["id", "organisation", "extract", "period", "status", "submitted_at", "current"],
    )
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True)
    return frame


QUARTERS = [Quarter(2024, 1), Quarter(2024, 2), Quarter(2024, 3), Quarter(2024, 4)]


def one_organisation(*, since: str = "2024-25 Q1", supplies=("carers",)):
    """Rotherham's configuration cut down to ROT-ASC sending `supplies` from `since`."""
    rotherham = api.get_area("rotherham")
    org = replace(rotherham.organisation("ROT-ASC"), supplies=supplies, since=Quarter.parse(since))
    return replace(rotherham, organisations=(org,))


def states(frame, *, area=None, **kwargs) -> dict[str, str]:
    matrix = quality.quality_matrix(
        frame, area=area or one_organisation(), quarters=QUARTERS, due_days=45, **kwargs
    )
    carers = matrix[matrix["extract"] == "carers"]
    return dict(zip(carers["period"], carers["state"], strict=True))


def test_each_cell_is_received_late_rejected_missing_or_not_due():
    frame = submissions(
        (1, "ROT-ASC", "carers", "2024-25 Q1", "accepted", "2024-08-14 23:00", True),  # due 14/08
        (2, "ROT-ASC", "carers", "2024-25 Q2", "accepted", "2024-11-15 09:00", True),  # a day late
        (3, "ROT-ASC", "carers", "2024-25 Q3", "rejected", "2025-01-10 09:00", False),
    )
    assert states(frame, today=date(2025, 3, 1)) == {
        "2024-25 Q1": "received",
        "2024-25 Q2": "late",
        "2024-25 Q3": "rejected",
        "2024-25 Q4": "not due",
    }
    assert states(frame, today=date(2025, 6, 1))["2024-25 Q4"] == "missing"


def test_a_late_correction_does_not_make_an_on_time_file_late():
    frame = submissions(
        (1, "ROT-ASC", "carers", "2024-25 Q1", "accepted", "2024-07-20", False),
        (2, "ROT-ASC", "carers", "2024-25 Q1", "accepted", "2024-12-01", True),
        (3, "ROT-ASC", "carers", "2024-25 Q1", "rejected", "2024-12-02", False),
    )
    matrix = quality.quality_matrix(
        frame, area=one_organisation(), quarters=QUARTERS[:1], due_days=45, today=date(2025, 1, 1)
    )
    cell = matrix[matrix["extract"] == "carers"].iloc[0]
    assert cell["state"] == "received"
    assert cell["submission_id"] == 2  # the current one


def test_only_what_the_configuration_expects_is_missing():
    frame = submissions((1, "ROT-ASC", "carers", "2024-25 Q3", "accepted", "2024-12-01", True))
    assert states(frame, area=one_organisation(since="2024-25 Q3"), today=date(2026, 1, 1)) == {
        "2024-25 Q1": "not expected",
        "2024-25 Q2": "not expected",
        "2024-25 Q3": "received",
        "2024-25 Q4": "missing",
    }
    matrix = quality.quality_matrix(
        frame, area=one_organisation(), quarters=QUARTERS, due_days=45, today=date(2026, 1, 1)
    )
    assert set(matrix[matrix["extract"] == "breaks"]["state"]) == {"not expected"}


def test_a_withdrawn_file_leaves_its_cell_missing():
    frame = submissions(
        (1, "ROT-ASC", "carers", "2024-25 Q1", "withdrawn", "2024-07-20", False),
    )
    assert states(frame, today=date(2025, 1, 1))["2024-25 Q1"] == "missing"


def test_completeness_counts_expected_loaded_rejected_and_missing():
    area = one_organisation(supplies=("carers", "assessments", "breaks"))
    frame = submissions(
        (1, "ROT-ASC", "carers", "2024-25 Q1", "accepted", "2024-07-20", True),
        (2, "ROT-ASC", "breaks", "2024-25 Q1", "rejected", "2024-07-21", False),
    )
    found = quality.quarter_completeness(frame, area=area, quarter=QUARTERS[0], due_days=45)
    assert not found.complete
    assert found.loaded == (("ROT-ASC", "carers"),)
    assert found.rejected == (("ROT-ASC", "breaks"),)
    assert found.missing == (("ROT-ASC", "assessments"),)
    assert found.received == (("ROT-ASC", "carers"), ("ROT-ASC", "breaks"))
    assert found.summary == (
        "1 of 3 expected extracts loaded; missing: ROT-ASC assessments; rejected: ROT-ASC breaks"
    )
    sources = {m.id: m.sources for m in api.catalogue().values()}
    affected = found.affected_measures(sources)
    assert "assessments_completed" in affected and "carers_with_break" in affected
    assert "known_carers" not in affected and "crqol_score" not in affected


def test_the_latest_complete_quarter_is_the_newest_with_everything_loaded():
    area = one_organisation()
    frame = submissions(
        (1, "ROT-ASC", "carers", "2024-25 Q1", "accepted", "2024-07-20", True),
        (2, "ROT-ASC", "carers", "2024-25 Q2", "accepted", "2024-10-20", True),
    )
    found = {
        q.label: quality.quarter_completeness(frame, area=area, quarter=q, due_days=45)
        for q in QUARTERS
    }
    newest_first = [q.label for q in reversed(QUARTERS)]
    assert quality.latest_complete(newest_first, found) == "2024-25 Q2"
    assert quality.latest_complete(["2024-25 Q4"], found) == "2024-25 Q4"  # none complete


def test_the_matrix_s_missing_cells_agree_with_the_late_submission_check(engine):
    load(engine, 10, "2024-25 Q1")
    load(engine, 12, "2024-25 Q3")
    rejected = submit(
        engine,
        bad_carers_file(),
        filename="carers_ROT-ASC_2024-25_Q4.csv",
        submitted_by="t",
    )
    assert rejected.status == "rejected"
    today = date(2025, 9, 1)
    matrix = quality.area_matrix(engine, area=api.get_area("rotherham"), last=8, today=today)
    owed = matrix["state"].isin(["missing", "rejected"]) & (matrix["due"] < today)
    missing = matrix[owed][["organisation", "extract", "period"]]
    late = late_submissions(engine, today=today)
    late = late[late["area"] == "rotherham"]
    late = late[late["period"].isin(set(matrix["period"]))][["organisation", "extract", "period"]]
    assert sorted(map(tuple, missing.to_numpy())) == sorted(map(tuple, late.to_numpy()))
    assert ("ROT-ASC", "carers", "2024-25 Q2") in set(map(tuple, missing.to_numpy()))
    assert ("ROT-ASC", "carers", "2024-25 Q4") in set(map(tuple, late.to_numpy()))
    assert ("ROT-CC", "outcomes", "2024-25 Q1") in set(map(tuple, late.to_numpy()))
    assert ("ROT-CC", "carers", "2024-25 Q1") not in set(map(tuple, late.to_numpy()))


# -- measure pages --------------------------------------------------------------------


def test_measure_detail_has_the_series_targets_and_a_straight_trajectory(engine):
    for known, quarter in ((30, "2021-22 Q4"), (31, "2022-23 Q1"), (33, "2022-23 Q2")):
        load(engine, known, quarter)
    detail = api.measure_detail(engine, area="rotherham", measure_id="known_carers")
    assert detail.series["value"].tolist() == [30, 31, 33]
    assert detail.baseline.iloc[0][["period", "value"]].tolist() == ["2021-22 Q4", 30]
    assert detail.targets["label"].tolist() == ["Target 2025", "Target 2027"]
    assert detail.targets["value"].tolist() == pytest.approx([36.0, 40.5])  # +20%, +35%
    trajectory = detail.trajectory.set_index("period")["expected"]
    assert trajectory["2021-22 Q4"] == 30 and trajectory["2024-25 Q4"] == pytest.approx(36)
    assert trajectory["2023-24 Q2"] == pytest.approx(33)  # half way to the 2025 target
    assert trajectory.index[-1] == "2026-27 Q4"
    assert detail.spc_kind == "run" and "Only 3 quarters" in detail.spc_reason
    assert set(detail.breakdowns["breakdown"]) >= {"age_band", "sex", "organisation"}
    young = detail.breakdowns.query("breakdown == 'age_band' and breakdown_value == '0-17'")
    assert young["share"].iloc[0] == pytest.approx(4 / 33 * 100)


def test_a_measure_the_area_does_not_track_is_refused(engine):
    with pytest.raises(api.UnknownMeasureForArea):
        api.measure_detail(engine, area="rotherham", measure_id="no_such_measure")


def test_compare_areas_names_every_area_with_figures(engine):
    load(engine, 10, "2024-25 Q1")
    load(engine, 20, "2024-25 Q1", org="SOT-ASC")
    frame = api.compare_areas(engine, measure_id="known_carers", period="2024-25_Q1")
    assert frame[["area_name", "value"]].values.tolist() == [["Rotherham", 10], ["Southampton", 20]]


def test_national_benchmarks_put_our_year_beside_the_published_one(engine):
    frame = api.national_benchmarks(engine, area="rotherham", measure_id="info_easy_pct")
    assert frame["period"].tolist() == ["2016-17", "2018-19", "2021-22"]
    assert frame.loc[frame["period"] == "2018-19", "value"].iloc[0] == 66.0
    assert frame["comparator_councils"].min() > 100
    assert frame["our_value"].isna().all()  # no survey data loaded


# -- commentary and actions -------------------------------------------------------------


def test_commentary_is_kept_newest_quarter_first_with_its_author(engine):
    api.add_comment(
        engine,
        area="rotherham",
        measure_id="known_carers",
        period="2024-25 Q1",
        text="first",
        author="a",
    )
    api.add_comment(
        engine,
        area="rotherham",
        measure_id="known_carers",
        period="2024-25_Q2",
        text="second",
        author="b",
    )
    api.add_comment(
        engine,
        area="rotherham",
        measure_id="new_carers",
        period="2024-25 Q2",
        text="other",
        author="c",
    )
    notes = api.comments(engine, area="rotherham", measure_id="known_carers")
    assert notes[["period", "text", "author"]].values.tolist() == [
        ["2024-25 Q2", "second", "b"],
        ["2024-25 Q1", "first", "a"],
    ]
    with pytest.raises(api.InvalidComment):
        api.add_comment(
            engine,
            area="rotherham",
            measure_id="known_carers",
            period="2024-25 Q1",
            text="  ",
            author="a",
        )


def test_the_latest_action_update_wins_over_the_configured_status(engine):
    before = api.actions(engine, area="rotherham").set_index("action_id")
    assert before.loc["social-movement-launched", "status"] == "at risk"
    api.update_action(
        engine,
        area="rotherham",
        action_id="social-movement-launched",
        status="on track",
        note="launched",
        author="a",
    )
    api.update_action(
        engine,
        area="rotherham",
        action_id="social-movement-launched",
        status="done",
        note="",
        author="b",
    )
    after = api.actions(engine, area="rotherham").set_index("action_id")
    assert after.loc["social-movement-launched", "status"] == "done"
    assert after.loc["social-movement-launched", "updated_by"] == "b"
    assert (
        len(api.action_updates(engine, area="rotherham", action_id="social-movement-launched")) == 2
    )
    with pytest.raises(api.InvalidActionUpdate):
        api.update_action(
            engine,
            area="rotherham",
            action_id="social-movement-launched",
            status="finished",
            note="",
            author="a",
        )
    with pytest.raises(api.UnknownAction):
        api.update_action(
            engine, area="rotherham", action_id="nope", status="done", note="", author="a"
        )


def test_an_action_not_done_after_its_due_quarter_is_past_due(engine):
    table = api.actions(engine, area="rotherham", today=date(2025, 6, 1)).set_index("action_id")
    assert table.loc["carer-empowerment-plan", "past_due"]  # due 2024-25 Q4
    assert not table.loc["online-information-hub", "past_due"]  # done


# -- caching key ------------------------------------------------------------------------


def test_the_data_version_changes_with_every_kind_of_change(engine):
    seen = [api.data_version(engine)]

    def changed() -> bool:
        seen.append(api.data_version(engine))
        return seen[-1] != seen[-2]

    load(engine, 10, "2024-25 Q1")
    assert changed()
    submit(engine, bad_carers_file(), filename="carers_ROT-CC_2024-25_Q1.csv", submitted_by="t")
    assert changed()
    api.add_comment(
        engine,
        area="rotherham",
        measure_id="known_carers",
        period="2024-25 Q1",
        text="x",
        author="a",
    )
    assert changed()
    api.update_action(
        engine, area="rotherham", action_id="newsletters", status="done", note="", author="a"
    )
    assert changed()
    publication.publish(
        engine, area="rotherham", period="2024-25 Q1", by="a", override_reason=INCOMPLETE
    )
    assert changed()
    assert not changed()


def test_publication_status_lists_quarters_newest_first(engine):
    load(engine, 10, "2024-25 Q1")
    load(engine, 11, "2024-25 Q2")
    publication.publish(
        engine, area="rotherham", period="2024-25 Q1", by="ada", override_reason=INCOMPLETE
    )
    status = api.publication_status(engine, area="rotherham")
    assert status["period"].tolist() == ["2024-25 Q2", "2024-25 Q1"]
    assert status["published"].tolist() == [False, True]
    assert status["published_at"].iloc[1] <= datetime.now(UTC)


def test_areas_are_compared_per_1000_people_providing_unpaid_care_for_a_count(engine):
    load(engine, 10, "2024-25 Q1")
    load(engine, 20, "2024-25 Q1", org="SOT-ASC")
    frame = api.compare_areas(engine, measure_id="known_carers", period="2024-25 Q1")
    # Census 2021: 26,313 people providing unpaid care in Rotherham, 18,138 in Southampton.
    assert frame["population"].tolist() == [26313, 18138]
    assert frame["per_1000"].tolist() == pytest.approx([10 / 26.313, 20 / 18.138])
