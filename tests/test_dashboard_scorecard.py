"""The scorecard page: themes, values, changes, status in words, URL-remembered pickers."""

from __future__ import annotations

from measures import api
from tests.dashboard_data import as_user, dashboard_database, texts

PAGE = "views/scorecard.py"
database = dashboard_database("scorecard")


def tables(at) -> str:
    return "\n".join(h.proto.body for h in at.html)


def test_measures_are_grouped_under_the_area_s_own_themes():
    at = as_user("vera", PAGE)
    shown = [s.value for s in at.header]
    assert shown == [t.title for t in api.areas()["rotherham"].themes]
    assert "The Borough That Cares" in texts(at)


def test_each_measure_shows_its_latest_value_change_status_trend_and_variation():
    at = as_user("vera", PAGE)
    html = tables(at)
    assert "Carers known to services" in html
    assert '<span class="ci-value">55</span>' in html  # 55 carers on the register in 2024-25 Q1
    assert "Up 3 (better)" in html  # from 52 the quarter before
    assert "Not enough data" in html  # the baseline quarter (2021-22 Q4) has no data here
    assert "Trend over the last 5 quarters: from 40 to 55" in html
    assert "Run chart: too few quarters for control limits" in html


def test_the_area_and_quarter_come_from_the_url_so_a_view_can_be_shared():
    at = as_user("vera", PAGE, area="southampton", period="2024-25 Q1")
    assert at.selectbox(key="picker_area").value == "southampton"
    assert at.header[0].value == api.areas()["southampton"].themes[0].title
    assert '<span class="ci-value">30</span>' in tables(at)


def test_choosing_a_quarter_updates_the_url_and_the_figures():
    at = as_user("vera", PAGE)
    assert at.query_params["area"] == "rotherham"
    assert "period" not in at.query_params  # the latest, whichever quarter that is
    assert at.selectbox(key="picker_period").value == "2024-25 Q1"
    at.selectbox(key="picker_period").select("2023-24 Q3").run()
    assert at.query_params["period"] == "2023-24 Q3"
    html = tables(at)
    assert '<span class="ci-value">47</span>' in html and "Up 3 (better)" in html
    assert "Figures as at 2023-24 Q3 (provisional" in texts(at)


def test_an_unknown_area_in_the_url_falls_back_to_the_first_area():
    at = as_user("vera", PAGE, area="atlantis")
    assert not at.exception
    assert at.query_params["area"] == "rotherham"


def test_an_area_without_figures_says_so():
    at = as_user("vera", PAGE, area="stockport")
    assert "There are no figures for Stockport yet" in texts(at)


def test_an_uploader_starts_on_the_area_of_their_organisation():
    at = as_user("uma", PAGE)
    assert at.selectbox(key="picker_area").value == "rotherham"


def test_the_status_summary_counts_each_measure_once():
    at = as_user("vera", PAGE)
    counts = {m.label: int(m.value) for m in at.metric}
    assert sum(counts.values()) == len(api.areas()["rotherham"].measure_ids)


def test_the_measure_link_carries_the_area_the_measure_and_a_chosen_quarter():
    at = as_user("vera", PAGE)
    at.selectbox(key="scorecard_open_measure").select("young_carers_known").run()
    link = at.get("page_link")[0].proto
    assert link.page == "measure"
    assert link.query_string == "area=rotherham&measure=young_carers_known"
    at.selectbox(key="picker_period").select("2023-24 Q4").run()
    link = at.get("page_link")[0].proto
    assert link.query_string == "area=rotherham&measure=young_carers_known&period=2023-24+Q4"


def test_the_scorecard_can_be_downloaded():
    at = as_user("vera", PAGE)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download the scorecard as CSV" in labels
