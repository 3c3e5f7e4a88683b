"""The public outcome view: what it shows, what it never shows, and how it reads.

The app runs against a copy of a database built through the real pipeline from
which every table but public_measure_values has been dropped, so any read of
the exact figures, submissions or records fails the tests.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from carers_impact import db
from carers_impact.periods import Quarter
from dashboard.public.charts import trend_chart
from measures import public
from measures.domain.area_files import load_areas
from measures.domain.catalogue import Catalogue, load_catalogue
from measures.domain.targets import NOT_ENOUGH_DATA, ON_TRACK
from measures.public import Figure
from tests.public_data import (
    AREA,
    INTERNAL_ONLY_IDS,
    INTERNAL_ONLY_TITLES,
    LATEST,
    PUBLISHED,
    UNPUBLISHED,
    YEAR_EARLIER,
    shared_public_fixture,
)

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "public_app.py")
PUBLIC_PAGES = (
    "public/outcomes.py",
    "public/open_data.py",
    "public/about.py",
    "public/accessibility.py",
)
CATALOGUE = load_catalogue()
ROTHERHAM = load_areas()[AREA]


# -- fixtures --------------------------------------------------------------------------


def _fresh_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return shared_public_fixture(tmp_path_factory)


@pytest.fixture(scope="module")
def app_env(data):
    """CARERS_DB_URL points at the database holding only the public table."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CARERS_DB_URL", data.public_url)
        _fresh_caches()
        yield data
        _fresh_caches()


def run_app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def outcomes(app_env) -> AppTest:
    return run_app()


@pytest.fixture(scope="module")
def open_data_page(app_env) -> AppTest:
    return run_app("public/open_data.py")


@pytest.fixture(scope="module")
def about_page(app_env) -> AppTest:
    return run_app("public/about.py")


@pytest.fixture(scope="module")
def figures(data):
    return public.read_figures(db.make_engine(data.public_url), area=AREA)


def page_text(at: AppTest) -> str:
    """Everything a visitor can read or download on the page, chart data included."""
    parts = [
        str(e.value)
        for kind in ("title", "header", "subheader", "markdown", "caption", "html", "text")
        for e in at.get(kind)
    ]
    parts += [e.label for e in at.expander]
    parts += [str(o) for s in at.selectbox for o in s.options]
    parts += [b.label for b in at.get("download_button")]
    for chart in at.get("vega_lite_chart"):
        parts.append(chart.proto.spec)
        parts += [chart_data(chart).to_csv(index=False)]
    return "\n".join(parts)


def chart_data(chart) -> pd.DataFrame:
    frames = [
        dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets
    ]
    return pd.concat(frames) if frames else pd.DataFrame()


def title_of(spec: dict) -> str:
    """A chart's title, wrapped into lines to fit a phone screen."""
    text = spec["title"]["text"]
    return " ".join(text) if isinstance(text, list) else text


def tables(at: AppTest) -> list[str]:
    return [h.value for h in at.html if "<table" in h.value]


def table_for(at: AppTest, title: str) -> str:
    found = [t for t in tables(at) if f"<caption>{title}, " in t.replace("&#x27;", "'")]
    assert len(found) == 1, title
    return found[0]


# -- pages, and nothing internal -------------------------------------------------------


def test_the_public_app_registers_only_public_pages(app_env):
    at = run_app()
    with pytest.raises(ValueError, match="Known pages") as refused:
        at.switch_page("app.py")  # the internal dashboard's entry point, beside this one
    known = re.search(r"Known pages: \[(.*)\]", str(refused.value))[1]
    registered = sorted(
        Path(p.strip(" '")).relative_to(ROOT / "dashboard") for p in known.split(",")
    )
    assert [str(p) for p in registered] == sorted(PUBLIC_PAGES)


def test_there_is_no_pages_folder_beside_the_public_entry_point():
    """Streamlit runs scripts in a `pages/` folder next to the entry point as pages.

    With such a folder, a fresh server answers `/upload` by running `pages/upload.py`
    before the public entry point (and its page list) ever runs, so an internal
    page would be served to the public. Internal pages belong elsewhere (`views/`).
    """
    assert not (ROOT / "dashboard" / "pages").exists()


@pytest.mark.parametrize("page", [None, *PUBLIC_PAGES[1:]])
def test_no_page_offers_login_upload_editing_or_administration(app_env, page):
    at = run_app(page)
    for kind in (
        "file_uploader",
        "text_input",
        "text_area",
        "button",
        "checkbox",
        "toggle",
        "number_input",
        "date_input",
        "chat_input",
        "data_editor",
    ):
        assert not at.get(kind), kind
    text = page_text(at).lower()
    for word in ("sign in", "log in", "password", "upload", "publish this", "commentary"):
        assert word not in text


# -- the outcomes page ------------------------------------------------------------------


def test_only_published_quarters_can_be_chosen(outcomes):
    quarter = outcomes.selectbox(key="quarter")
    assert quarter.options == [LATEST, YEAR_EARLIER]
    assert quarter.value == LATEST
    assert outcomes.title[0].value == "Carers' outcomes in Rotherham"


def test_no_unpublished_quarter_or_internal_measure_reaches_any_page(
    outcomes, open_data_page, about_page
):
    for at in (outcomes, open_data_page, about_page):
        text = page_text(at)
        assert UNPUBLISHED not in text
        for title in INTERNAL_ONLY_TITLES:
            assert title not in text
        for measure_id in INTERNAL_ONLY_IDS:
            assert measure_id not in text


def test_measures_are_grouped_by_the_areas_strategy_themes(outcomes):
    assert [h.value for h in outcomes.header] == [t.title for t in ROTHERHAM.themes]
    first_theme = ROTHERHAM.themes[0]
    expected = [CATALOGUE[m].title for m in first_theme.measures if CATALOGUE[m].public]
    assert [s.value for s in outcomes.subheader][: len(expected)] == expected


def test_a_measure_has_a_headline_what_it_means_its_target_and_a_chart(outcomes):
    text = page_text(outcomes)
    known = CATALOGUE["known_carers"]
    assert "**More carers are known to services than a year ago.** This is an improvement." in text
    assert f"**What this measures.** {known.description}" in text
    assert "2025 target (by the end of 2024-25 Q4): 20% higher than the baseline." in text
    assert "2024-25 Q1: 45" in text and "2023-24 Q1: 25" in text
    specs = [json.loads(c.proto.spec) for c in outcomes.get("vega_lite_chart")]
    assert any(title_of(s) == known.title for s in specs)


def test_headlines_say_about_the_same_within_the_interval_or_when_hidden(outcomes):
    text = page_text(outcomes)
    # 0.1 a year earlier lies inside this year's interval of 0.1 to 0.2.
    assert (
        "Carers known per 100 people providing unpaid care: about the same as a year ago." in text
    )
    assert (
        "Young carers known to services: about the same as a year ago. A figure is hidden "
        "to protect privacy, so no change can be shown." in text
    )


def test_progress_against_a_target_is_given_in_words(outcomes):
    text = page_text(outcomes)
    assert "Baseline: 7.7 in 2018-19 (ASCOF 1D 2018-19, NHS Digital)." in text
    assert f"**Progress: {public.STATUS_WORDS[ON_TRACK]}.**" in text
    assert f"**Progress: {public.STATUS_WORDS[NOT_ENOUGH_DATA]}.**" in text


def test_suppressed_figures_show_a_star_and_why_never_zero(outcomes):
    table = table_for(outcomes, "Carers newly identified")
    assert '<th scope="row">2023-24 Q1</th><td class="number">*</td>' in table
    assert "fewer than 8 carers (or a number that would reveal one); hidden to protect" in table
    percent = table_for(outcomes, "Carers who find it easy to get information")
    assert '<th scope="row">2024-25 Q1</th><td class="number">*</td>' in percent
    assert "based on fewer than 10 carers" in percent
    # Young carers are hidden in every published quarter: no chart, the reason in words.
    text = page_text(outcomes)
    assert r"**2024-25 Q1: \*** (fewer than 8 carers" in text  # escaped: not emphasis
    assert not re.search(r"Q[1-4]: [1-7](?![\d.,%])", text)


def test_every_chart_has_a_title_description_text_summary_and_table(outcomes):
    charts = [json.loads(c.proto.spec) for c in outcomes.get("vega_lite_chart")]
    summaries = [m.value for m in outcomes.markdown if m.value.startswith("**Chart summary.**")]
    assert charts and len(charts) == len(summaries)
    for spec, summary in zip(charts, summaries, strict=True):
        assert spec["title"]["text"]
        assert re.sub(r"\\(.)", r"\1", summary).endswith(spec["description"])
    labels = [e.label for e in outcomes.expander]
    assert labels[0] == "When each quarter was published"
    assert len(labels[1:]) == len(charts)
    assert all(label.startswith("Table of the figures: ") for label in labels[1:])
    for table in tables(outcomes):
        assert "<caption>" in table and '<th scope="col">' in table


def test_chart_data_holds_only_published_public_figures(outcomes, figures):
    allowed = set(figures.loc[~figures["suppressed"], "value"].dropna())
    for chart in outcomes.get("vega_lite_chart"):
        frame = chart_data(chart)
        frame = frame[frame["series"] == "Published figure"]  # not the trajectory to a target
        assert set(frame["quarter"]) <= set(PUBLISHED)
        assert set(frame["value"].dropna()) <= allowed


def test_choosing_the_earlier_quarter_changes_the_headlines(app_env):
    at = run_app()
    at.selectbox(key="quarter").select(YEAR_EARLIER).run()
    text = page_text(at)
    assert "Carers known to services: no published figure for 2022-23 Q1 to compare with." in text
    assert f"**{YEAR_EARLIER}: 25**" in text


def test_a_link_opens_the_area_and_quarter_it_names(app_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["area"] = "Rotherham"
    at.query_params["quarter"] = YEAR_EARLIER
    at.run()
    assert at.selectbox(key="quarter").value == YEAR_EARLIER
    assert f"Showing **{YEAR_EARLIER}** (April to June 2023)" in page_text(at)


def test_a_link_to_an_unpublished_quarter_shows_the_latest_published_one(app_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["quarter"] = UNPUBLISHED
    at.run()
    assert at.selectbox(key="quarter").value == LATEST
    assert UNPUBLISHED not in page_text(at)


# -- the open data page -----------------------------------------------------------------


def test_open_data_offers_the_figures_and_a_data_dictionary(open_data_page):
    labels = [b.label for b in open_data_page.get("download_button")]
    assert labels == [
        "Download the published figures for Rotherham (CSV)",
        "Download the data dictionary (CSV)",
        "Download the data package description (datapackage.json)",
    ]
    shown = tables(open_data_page)
    assert len(shown) == 2
    for column in public.OPEN_DATA_COLUMNS:
        assert f'<th scope="row">{column}</th>' in shown[0]
    for measure in CATALOGUE.public():
        assert f'<th scope="row">{measure.id}</th>' in shown[1]


def test_the_about_page_explains_method_privacy_targets_and_revisions(about_page):
    assert [h.value for h in about_page.header] == [
        "Where the figures come from",
        "How the measures are worked out",
        "How privacy is protected",
        "How to read the headlines",
        "Targets and progress",
        "Publication and revisions",
    ]
    text = page_text(about_page)
    assert "shown as `*` and hidden" in text
    assert "80 against 85 may be 82 against 83" in text


@pytest.fixture(scope="module")
def accessibility_page(app_env) -> AppTest:
    return run_app("public/accessibility.py")


def test_the_accessibility_statement_follows_the_gov_uk_model(accessibility_page):
    headings = [h.value for h in accessibility_page.header]
    for section in (
        "How accessible this website is",
        "Feedback and contact information",
        "Enforcement procedure",
        "Technical information about this website's accessibility",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ):
        assert section in headings
    assert [s.value for s in accessibility_page.subheader] == ["Compliance status"]
    text = page_text(accessibility_page)
    assert "Equality Advisory and Support Service" in text
    for area in load_areas().values():  # every area's contact route is named
        assert area.contact.url in text


def test_the_outcomes_page_says_when_each_quarter_was_published_and_whom_to_ask(outcomes):
    record = table_for(outcomes, "Publication record")
    for quarter in PUBLISHED:
        assert f'<th scope="row">{quarter}</th>' in record
    assert "As first published" in record
    text = re.sub(r"\\(.)", r"\1", page_text(outcomes))  # as read, without Markdown escapes
    assert "Next: the figures for July to September 2024 are due to be published around" in text
    assert f"({ROTHERHAM.contact.url})" in text


# -- reading only the public table ------------------------------------------------------


def test_the_app_runs_on_a_database_holding_only_the_public_table(data, outcomes):
    with sqlite3.connect(data.public_db) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    conn.close()
    assert sorted(names) == ["public_measure_values", "public_periods"]
    assert outcomes.get("vega_lite_chart")  # it drew charts from that table alone


def test_nothing_published_yet_says_so(tmp_path, monkeypatch):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    db.upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("CARERS_DB_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    _fresh_caches()
    try:
        at = run_app()
        assert [i.value for i in at.info] == ["No figures have been published yet."]
        assert at.title[0].value == "Carers' outcomes"
    finally:
        _fresh_caches()


def test_an_unreadable_database_gives_a_plain_message_not_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CARERS_DB_URL", f"sqlite:///{tmp_path / 'no_tables.db'}")
    _fresh_caches()
    try:
        at = run_app()
        assert [e.value for e in at.error] == [
            "The published figures are not available at the moment. Please try again later."
        ]
        assert "no such table" not in page_text(at)
    finally:
        _fresh_caches()


# -- measures.public: headlines, summaries, targets --------------------------------------


def fig(period: str, value: float | None, *, unit: str = "percent", ci: float = 0, hidden=False):
    return Figure(
        period=period,
        unit=unit,
        value=None if hidden else value,
        lower_ci=None if hidden or unit == "count" else value - ci,
        upper_ci=None if hidden or unit == "count" else value + ci,
        suppressed=hidden,
    )


@pytest.mark.parametrize(
    ("measure_id", "earlier", "latest", "direction", "judgement"),
    [
        ("satisfied_pct", 40.0, 50.0, "rise", "better"),
        ("satisfied_pct", 50.0, 40.0, "fall", "worse"),
        ("unplanned_breaks_pct", 5.0, 9.0, "rise", "worse"),  # lower is better
        ("unplanned_breaks_pct", 9.0, 5.0, "fall", "better"),
        ("satisfied_pct", 48.0, 50.0, "same", ""),  # inside 50 +/- 3
    ],
)
def test_headline_follows_the_interval_and_the_polarity(
    measure_id, earlier, latest, direction, judgement
):
    measure = CATALOGUE[measure_id]
    series = [fig("2023-24 Q2", earlier, ci=3), fig("2024-25 Q2", latest, ci=3)]
    news = public.headline(measure, series, period="2024-25 Q2")
    assert (news.direction, news.judgement) == (direction, judgement)
    if direction == "rise":
        assert news.text == measure.headline_rise + "."
    if direction == "same":
        assert news.text == f"{measure.title}: about the same as a year ago."


@pytest.mark.parametrize(("earlier", "later"), [(25, 25), (85, 80), (80, 85)])
def test_a_count_headline_sees_no_change_that_rounding_can_explain(earlier, later):
    """80 against 85 may be 82 against 83: not a change."""
    measure = CATALOGUE["carers_with_break"]
    series = [fig("2023-24 Q1", earlier, unit="count"), fig("2024-25 Q1", later, unit="count")]
    news = public.headline(measure, series, period="2024-25 Q1")
    assert news.direction == "same" and news.text.endswith("about the same as a year ago.")


def test_a_count_headline_reports_a_change_beyond_rounding():
    measure = CATALOGUE["known_carers"]
    more = [fig("2023-24 Q1", 25, unit="count"), fig("2024-25 Q1", 35, unit="count")]
    assert public.headline(measure, more, period="2024-25 Q1").text == (
        "More carers are known to services than a year ago."
    )


def test_a_hidden_figure_makes_the_headline_about_the_same():
    measure = CATALOGUE["new_carers"]
    series = [
        fig("2023-24 Q1", None, unit="count", hidden=True),
        fig("2024-25 Q1", 40, unit="count"),
    ]
    news = public.headline(measure, series, period="2024-25 Q1")
    assert news.direction == "same" and "hidden to protect privacy" in news.text


def test_the_headline_compares_with_the_same_quarter_a_year_earlier_only():
    measure = CATALOGUE["satisfied_pct"]
    series = [fig("2024-25 Q1", 10.0), fig("2024-25 Q2", 60.0)]  # the previous quarter is not it
    news = public.headline(measure, series, period="2024-25 Q2")
    assert news.direction == "none"
    assert news.text.endswith("no published figure for 2023-24 Q2 to compare with.")


def test_the_trend_summary_gives_first_last_extremes_and_hidden_quarters():
    measure = CATALOGUE["satisfied_pct"]
    quarters = [Quarter(2023, q).label for q in (1, 2, 3, 4)]
    series = [
        fig(quarters[0], 40.0),
        fig(quarters[1], 70.0),
        fig(quarters[2], None, hidden=True),
        fig(quarters[3], 30.0),
    ]
    summary = public.trend_summary(measure, series)
    assert "4 published quarters from 2023-24 Q1 to 2023-24 Q4" in summary
    assert "It was 40.0% in 2023-24 Q1 and 30.0% in 2023-24 Q4." in summary
    assert "Highest 70.0% in 2023-24 Q2; lowest 30.0% in 2023-24 Q4." in summary
    assert "Shown as * in 2023-24 Q3: based on fewer than 10 carers" in summary


def _figures(rows: list[tuple[str, str, float | None, bool]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "measure_id": m,
                "area": AREA,
                "period": p,
                "breakdown": "all",
                "breakdown_value": "all",
                "unit": CATALOGUE[m].unit,
                "value": v,
                "lower_ci": None,
                "upper_ci": None,
                "suppressed": s,
            }
            for m, p, v, s in rows
        ],
        columns=public.FIGURE_COLUMNS,
    )


def test_a_relative_target_is_resolved_only_from_a_published_baseline():
    unpublished = _figures([("known_carers", "2024-25 Q1", 3000.0, False)])
    summary = public.target_summary(
        CATALOGUE["known_carers"], ROTHERHAM, unpublished, period="2024-25 Q1"
    )
    assert summary.baseline == "Baseline: the figure for 2021-22 Q4, which is not published here."
    assert (
        summary.targets[0]
        == "2025 target (by the end of 2024-25 Q4): 20% higher than the baseline."
    )
    assert summary.status == NOT_ENOUGH_DATA
    published = _figures(
        [
            ("known_carers", "2021-22 Q4", 2500.0, False),
            ("known_carers", "2024-25 Q1", 3000.0, False),
        ]
    )
    summary = public.target_summary(
        CATALOGUE["known_carers"], ROTHERHAM, published, period="2024-25 Q1"
    )
    assert summary.targets[0].endswith("20% higher than the baseline, which is 3,000.")
    assert summary.status == ON_TRACK


# -- open data --------------------------------------------------------------------------


def test_the_csv_holds_published_public_disclosure_controlled_figures_only(figures):
    text = public.open_data_csv(figures, area=ROTHERHAM, catalogue=CATALOGUE)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and list(rows[0]) == list(public.OPEN_DATA_COLUMNS)
    assert {r["period"] for r in rows} == set(PUBLISHED)
    assert not {r["measure_id"] for r in rows} & set(INTERNAL_ONLY_IDS)
    for row in rows:
        if row["suppressed"] == "true":
            assert row["value"] == row["lower_ci"] == row["upper_ci"] == ""
        elif row["unit"] == "count":
            assert float(row["value"]) % 5 == 0 and not 1 <= float(row["value"]) <= 7
    young = [r for r in rows if r["measure_id"] == "young_carers_known" and r["breakdown"] == "all"]
    assert [r["suppressed"] for r in young] == ["true", "true"]


def test_csv_cells_that_a_spreadsheet_would_run_are_made_safe(figures):
    known = CATALOGUE["known_carers"]
    hostile = Catalogue([replace(known, title='=HYPERLINK("http://x","y")')])
    text = public.open_data_csv(figures, area=ROTHERHAM, catalogue=hostile)
    titles = {r["measure_title"] for r in csv.DictReader(io.StringIO(text))}
    assert titles == {'\'=HYPERLINK("http://x","y")'}


def test_the_data_dictionary_describes_every_column_and_public_measure():
    rows = list(csv.DictReader(io.StringIO(public.data_dictionary_csv(CATALOGUE))))
    assert list(rows[0]) == ["kind", "id", "title", "definition", "unit", "polarity"]
    assert [r["id"] for r in rows if r["kind"] == "column"] == list(public.OPEN_DATA_COLUMNS)
    measures = {r["id"]: r for r in rows if r["kind"] == "measure"}
    assert list(measures) == [m.id for m in CATALOGUE.public()]
    known = measures["known_carers"]
    assert (known["title"], known["unit"], known["polarity"]) == (
        "Carers known to services",
        "count",
        "up",
    )
    assert known["definition"] == CATALOGUE["known_carers"].definition


def test_the_trend_chart_is_titled_described_and_names_hidden_quarters():
    measure = CATALOGUE["new_carers"]
    series = [
        fig("2023-24 Q1", None, unit="count", hidden=True),
        fig("2024-25 Q1", 40, unit="count"),
    ]
    spec = trend_chart(measure, series, area_name="Rotherham", description="Summary.").to_dict()
    assert title_of(spec) == measure.title
    assert spec["description"] == "Summary."
    assert "* hidden to protect privacy (a gap in the line): 2023-24 Q1" in " ".join(
        spec["title"]["subtitle"]
    )


def test_the_chart_labels_financial_years_draws_targets_and_leaves_hidden_quarters_as_gaps():
    measure = CATALOGUE["known_carers"]
    quarters = [Quarter.from_index(Quarter(2019, 1).index + i).label for i in range(26)]
    series = [
        fig(q, None if i == 5 else 2000.0 + 30 * i, unit="count", hidden=i == 5)
        for i, q in enumerate(quarters)
    ]
    rows = [
        {
            "measure_id": measure.id,
            "area": AREA,
            "period": f.period,
            "breakdown": "all",
            "breakdown_value": "all",
            "unit": "count",
            "value": f.value,
            "lower_ci": None,
            "upper_ci": None,
            "suppressed": f.suppressed,
        }
        for f in series
    ]
    line = public.target_line(measure, ROTHERHAM, pd.DataFrame(rows))
    assert [(q, name) for q, name, _ in line.targets] == [
        ("2024-25 Q4", "2025 target"),
        ("2026-27 Q4", "2027 target"),
    ]
    spec = trend_chart(
        measure, series, area_name="Rotherham", description="Summary.", targets=line
    ).to_dict()
    layers = spec["layer"]
    x = layers[0]["encoding"]["x"]
    # One label a financial year, not 26 quarter labels side by side.
    assert x["type"] == "temporal" and len(x["axis"]["values"]) == 8
    assert x["axis"]["labelOverlap"] == "greedy"
    # The hidden quarter breaks the line rather than being joined over.
    assert layers[0]["mark"]["invalid"] == "break-paths-show-domains"
    legend = layers[0]["encoding"]["color"]
    assert legend["scale"]["domain"] == [
        "Published figure",
        "Planned progress to the target",
        "Target",
    ]
    datasets = list(spec["datasets"].values())
    planned = [
        r for d in datasets for r in d if r.get("series") == "Planned progress to the target"
    ]
    assert planned and "quarter" not in planned[0]  # future quarters are dates, not labels
    assert spec["usermeta"] == {"embedOptions": {"actions": False}}


def test_the_outcomes_blocks_are_built_once_per_version_of_the_figures(app_env, figures):
    from dashboard.public import common

    area = common.areas()[AREA]
    publications = public.read_publications(db.make_engine(app_env.public_url), area=AREA)
    quarter = public.published_quarters(figures)[-1]
    first = common.outcome_blocks(area, quarter, figures, publications)
    assert common.outcome_blocks(area, quarter, figures.copy(), publications.copy()) is first
    changed = figures.copy()
    changed.loc[changed.index[0], "value"] = changed["value"].max() + 5
    again = common.outcome_blocks(area, quarter, changed, publications)
    assert again is not first  # new figures: built again
