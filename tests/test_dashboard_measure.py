"""The measure page: series and targets, SPC, who is missed, comparisons, the story behind it."""

from __future__ import annotations

import json
from datetime import date

from carers_impact import db
from measures import api
from tests.dashboard_data import as_user, dashboard_database, texts

PAGE = "views/measure.py"
SPC = "Control chart (SPC)"
COMPARED = "Other areas and national"
STORY = "Story behind the curve"


database = dashboard_database("measure")


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def chart_titles(at) -> list[str]:
    return [spec.get("title") for spec in charts(at)]


def test_the_measure_from_the_url_is_shown_with_its_latest_value_and_baseline():
    at = as_user("vera", PAGE, area="rotherham", measure="known_carers")
    assert [t.value for t in at.title] == ["Carers known to services"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Latest (2024-25 Q1)"] == "55"
    assert metrics["Baseline (2021-22 Q4)"] == "–"  # that quarter is not in the data


def test_only_the_open_tab_is_built_and_the_tab_is_kept_in_the_url():
    at = as_user("vera", PAGE, area="rotherham", measure="known_carers")
    assert chart_titles(at) == ["Carers known to services, Rotherham"]
    at = as_user("vera", PAGE, area="rotherham", measure="known_carers", view=SPC)
    assert chart_titles(at) == ["Carers known to services: run chart"]
    assert at.query_params["view"] == SPC


def test_the_trend_chart_has_the_series_and_its_description():
    at = as_user("vera", PAGE, area="rotherham", measure="known_carers")
    trend = next(s for s in charts(at) if s.get("title") == "Carers known to services, Rotherham")
    assert "5 quarters from 2023-24 Q1 to 2024-25 Q1; latest value 55" in trend["description"]


def test_too_few_quarters_for_control_limits_gives_a_run_chart_and_says_why():
    at = as_user("vera", PAGE, area="rotherham", measure="known_carers", view=SPC)
    assert "Only 5 quarters of data: a control chart needs at least 12" in texts(at)
    assert "Carers known to services: run chart" in chart_titles(at)


def test_breakdowns_show_which_carers_are_reached():
    at = as_user("vera", PAGE, area="rotherham", measure="known_carers", view="Who is missed")
    by_age = next(s for s in charts(at) if str(s.get("title", "")).endswith("by age, 2024-25 Q1"))
    assert "0-17 6" in by_age["description"] and "25-64 49" in by_age["description"]
    assert any(str(t).startswith("Carers known to services by sex") for t in chart_titles(at))


def test_the_other_areas_are_the_comparator_and_the_page_says_how_many():
    at = as_user("vera", PAGE, area="rotherham", measure="known_carers", view=COMPARED)
    assert "The comparator is the 2 areas held in this dashboard" in texts(at)
    title = "Carers known to services per 1,000 people providing unpaid care, 2024-25 Q1"
    compared = next(s for s in charts(at) if s.get("title") == title)
    # Counts by the size of the area: 55 of Rotherham's 26,313 people providing unpaid care
    # (Census 2021) is 2.1 per 1,000, ahead of Southampton's 30 of 18,138 (1.7).
    assert "Rotherham (this area) 2.1" in compared["description"]
    assert "Southampton 1.7" in compared["description"]
    assert "compared per 1,000 people providing unpaid care (Census 2021)" in texts(at)


def test_a_percentage_is_compared_as_it_is():
    at = as_user("vera", PAGE, area="rotherham", measure="assessment_timeliness", view=COMPARED)
    assert "per 1,000" not in texts(at)


def test_a_survey_measure_is_compared_with_published_ascof_figures():
    assert "No values yet for this measure." in texts(
        as_user("vera", PAGE, area="rotherham", measure="crqol_score")
    )
    at = as_user("vera", PAGE, area="rotherham", measure="crqol_score", view=COMPARED)
    assert "ASCOF 1D" in texts(at)
    assert "every council published that year" in texts(at)
    table = at.table[0].value
    assert "7.7" in table.to_string()  # Rotherham's published 2018-19 score


def test_a_measure_without_ascof_figures_says_there_is_no_national_comparison():
    at = as_user("vera", PAGE, area="rotherham", measure="known_carers", view=COMPARED)
    assert "so there is no national comparison" in texts(at)


def test_the_definition_is_shown():
    at = as_user("vera", PAGE, area="rotherham", measure="known_carers", view="Definition")
    definition = api.catalogue()["known_carers"].definition
    assert definition in texts(at)


def test_empty_story_is_refused():
    at = as_user("vera", PAGE, area="rotherham", measure="young_carers_known", view=STORY)
    at.button(key="story_save").click().run()
    assert any("write something before saving" in e.value for e in at.error)


def test_story_text_is_shown_as_text_not_markup():
    at = as_user("vera", PAGE, area="rotherham", measure="respite_nights", view=STORY)
    at.text_area(key="story_text").input("<img src=x onerror=alert(1)> *bold*")
    at.text_area(key="story_partners").input("<b>Council</b>: <script>x</script>")
    at.button(key="story_save").click().run()
    at = as_user("vera", PAGE, area="rotherham", measure="respite_nights", view=STORY)
    story = next(h.proto.body for h in at.html if "ci-story" in h.proto.body)
    assert "<img" not in story and "&lt;img src=x" in story
    assert "<script>" not in story and "&lt;b&gt;Council&lt;/b&gt;" in story


def test_looking_back_at_an_earlier_quarter_caps_the_series():
    at = as_user(
        "vera", PAGE, area="rotherham", measure="known_carers", period="2023-24 Q2", view=SPC
    )
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Latest (2023-24 Q2)"] == "44"
    assert "Only 2 quarters of data" in texts(at)


def test_the_status_icons_and_one_sentence_are_shown_and_changes_are_tested():
    at = as_user("vera", PAGE, area="rotherham", measure="known_carers")
    page = texts(at)
    assert 'alt="No variation icon: too few quarters for control limits"' in page
    assert "Not enough data for a status or an assurance." in page  # no baseline value yet
    latest = next(m for m in at.metric if m.label.startswith("Latest"))
    # 55 against 52: within chance, so said so and not coloured.
    assert latest.proto.delta == "+3 (no significant change)"
    assert latest.proto.color == 2  # off


def test_the_figures_behind_the_chart_have_plain_headers():
    at = as_user("vera", PAGE, area="rotherham", measure="known_carers")
    table = at.dataframe[0].value
    assert list(table.columns)[:4] == ["Quarter", "Value", "Lower 95% limit", "Upper 95% limit"]
    assert str(table["Value"].dtype) == "Int64"


def test_a_viewer_records_the_story_behind_the_curve_and_its_event_is_drawn(database):
    at = as_user("vera", PAGE, area="rotherham", measure="young_carers_known", view=STORY)
    action = api.areas()["rotherham"].actions[0]
    at.selectbox(key="story_quarter").select("2024-25 Q1")
    at.text_area(key="story_text").input("Schools now refer young carers.")
    at.text_area(key="story_partners").input("Schools: refer young carers\nCSC: assesses them")
    at.text_area(key="story_works").input("A young carers' lead in every school.")
    at.multiselect(key="story_actions").select(action.id)
    at.text_input(key="story_event").input("Young carers' festival")
    at.date_input(key="story_event_date").set_value(date(2024, 6, 8))
    at.button(key="story_save").click().run()
    assert not at.error, [e.value for e in at.error]
    stored = api.stories(
        db.make_engine(database), area="rotherham", measure_id="young_carers_known"
    )
    assert stored["partners"].iloc[0] == [
        {"partner": "Schools", "role": "refer young carers"},
        {"partner": "CSC", "role": "assesses them"},
    ]
    at = as_user("vera", PAGE, area="rotherham", measure="young_carers_known", view=STORY)
    story = next(h.proto.body for h in at.html if "ci-story" in h.proto.body)
    assert (
        "Schools now refer young carers." in story
        and "<li>Schools: refer young carers</li>" in story
    )
    assert f"<li>{action.title}</li>" in story.replace("&#x27;", "'")
    at = as_user("vera", PAGE, area="rotherham", measure="young_carers_known")
    trend = next(
        s for s in charts(at) if s.get("title") == "Young carers known to services, Rotherham"
    )
    assert "events marked: 2024-25 Q1: Young carers' festival (08/06/2024)" in trend["description"]
    scorecard = as_user("vera", "views/scorecard.py", view="Changes, forecasts and what they mean")
    assert "Schools now refer young carers." in "".join(h.proto.body for h in scorecard.html)


def test_a_story_with_an_event_but_no_date_is_refused_with_what_to_fix():
    at = as_user("vera", PAGE, area="rotherham", measure="new_carers", view=STORY)
    at.text_area(key="story_text").input("More carers found at discharge.")
    at.text_input(key="story_event").input("Discharge project started")
    at.button(key="story_save").click().run()
    assert any("An event needs both what happened and its date" in e.value for e in at.error)


def test_the_spine_chart_shows_the_comparator_year_and_says_a_published_figure_is_not_judged():
    at = as_user("vera", PAGE, area="rotherham", measure="crqol_score", view=COMPARED)
    title = "ASCOF 1D, 2021-22: Rotherham among the 149 councils of England"
    spine = next(s for s in charts(at) if s.get("title") == title)
    alternative = (
        f"{title}: spine chart of the 149 councils of England in 2021-22: lowest 6.1, middle "
        "half from 6.9 to 7.4, median council 7.2, highest 8.4; Rotherham 7.5."
    )
    assert spine["description"] == alternative
    assert alternative in texts(at)  # the text alternative is on the page, not only in the chart
    assert "Rotherham among all councils of England, 2021-22" in texts(at)
    assert "than England" not in texts(at)  # the data have no England value; never called so
    assert "not judged Better, Similar or Worse than the median council (7.2" in texts(at)
    figures = at.table[-1].value
    assert list(figures["Figure"])[:5] == [
        "Lowest council",
        "25th percentile of councils",
        "Median council",
        "75th percentile of councils",
        "Highest council",
    ]
    assert figures["Value"].tolist()[-1] == "7.5"
