"""The scorecard page: one linked row per measure, MDC icons, filters, tested changes, downloads."""

from __future__ import annotations

import csv
import html
import io
import re

from dashboard import components
from dashboard import format as fmt
from measures import api
from tests.dashboard_data import as_user, dashboard_database, texts

PAGE = "views/scorecard.py"
DETAILS = "Changes, forecasts and what they mean"
database = dashboard_database("scorecard")
ROTHERHAM = api.areas()["rotherham"]


def tables(at) -> str:
    return "\n".join(h.proto.body for h in at.html)


def rows_of(at) -> list[str]:
    """The measure names of the scorecard table's rows, in order."""
    found = re.findall(r'<th scope="row"><a href="[^"]*" target="_self">([^<]*)</a>', tables(at))
    return [html.unescape(name) for name in found]


def test_each_measure_has_one_row_with_its_themes_as_tags():
    at = as_user("vera", PAGE)
    titles = [api.catalogue()[m].title for m in ROTHERHAM.measure_ids]
    assert rows_of(at) == titles  # 17 rows, not one per theme and measure
    assert "The Borough That Cares" in texts(at)
    page = tables(at)
    known = page[page.index(">Carers known to services</a>") :].split("</tr>")[0]
    for theme in ROTHERHAM.themes_for("known_carers"):
        assert f'<span class="ci-theme">{theme.title}</span>' in known


def test_the_summary_comes_first_with_latest_target_and_icons():
    at = as_user("vera", PAGE)
    header = re.findall(r'<th scope="col">([^<]*)</th>', tables(at))
    assert header[:6] == ["Measure", "Latest", "Target", "Variation", "Assurance", "Status"]
    page = tables(at)
    assert '<span class="ci-value">55</span>' in page  # 55 carers on the register in 2024-25 Q1
    # Five quarters are too few for control limits: the icons are blank and say why.
    assert 'alt="No variation icon: too few quarters for control limits"' in page
    assert 'alt="No assurance icon: too few quarters for control limits"' in page


def test_measure_names_link_to_their_page_with_the_area_and_a_chosen_quarter():
    at = as_user("vera", PAGE)
    assert '<a href="measure?area=rotherham&amp;measure=young_carers_known"' in tables(at)
    at.selectbox(key="picker_period").select("2023-24 Q4").run()
    assert (
        '<a href="measure?area=rotherham&amp;measure=young_carers_known&amp;period=2023-24+Q4"'
        in tables(at)
    )


def test_the_status_counts_filter_the_table():
    at = as_user("vera", PAGE)
    choice = at.radio(key="scorecard_status")
    labels = list(choice.options)
    assert labels[0] == f"All ({len(ROTHERHAM.measure_ids)})"
    counts = {label.rsplit(" (", 1)[0]: int(label.rsplit("(", 1)[1][:-1]) for label in labels}
    assert sum(v for k, v in counts.items() if k != "All") == len(ROTHERHAM.measure_ids)
    choice.set_value("no target").run()
    assert len(rows_of(at)) == counts["No target"] > 0
    assert f"{counts['No target']} of {len(ROTHERHAM.measure_ids)} measures, no target" in (
        tables(at)
    )


def test_a_theme_filters_the_table():
    at = as_user("vera", PAGE)
    theme = ROTHERHAM.theme("information-and-advice")
    at.selectbox(key="scorecard_theme").select(theme.id).run()
    assert rows_of(at) == [api.catalogue()[m].title for m in theme.measures]


def test_a_change_within_chance_is_not_called_better_and_is_not_coloured():
    at = as_user("vera", PAGE, view=DETAILS)
    page = tables(at)
    # 55 against 52 carers: an exact Poisson test gives p = 0.85.
    assert '<span class="ci-same">Up 3 (no significant change)</span>' in page
    assert "Up 3 (better)" not in page
    assert "Not enough data for a status or an assurance." in page


def test_the_area_and_quarter_come_from_the_url_so_a_view_can_be_shared():
    at = as_user("vera", PAGE, area="southampton", period="2024-25 Q1")
    assert at.selectbox(key="picker_area").value == "southampton"
    assert '<span class="ci-value">30</span>' in tables(at)


def test_choosing_a_quarter_updates_the_url_and_the_figures():
    at = as_user("vera", PAGE)
    assert at.query_params["area"] == "rotherham"
    assert "period" not in at.query_params  # the latest, whichever quarter that is
    assert at.selectbox(key="picker_period").value == "2024-25 Q1"
    at.selectbox(key="picker_period").select("2023-24 Q3").run()
    assert at.query_params["period"] == "2023-24 Q3"
    assert '<span class="ci-value">47</span>' in tables(at)
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


def test_the_download_has_one_row_per_measure_plain_headers_and_whole_counts():
    at = as_user("vera", PAGE)
    button = next(
        b for b in at.get("download_button") if b.proto.label == "Download the scorecard as CSV"
    )
    card = api.scorecard(api.open_engine(), area="rotherham", period="2024-25 Q1")
    text = components.csv_data(fmt.scorecard_download(card)).decode()
    reader = list(csv.DictReader(io.StringIO(text)))
    assert len(reader) == len(ROTHERHAM.measure_ids)
    assert all("_" not in h for h in reader[0])
    known = next(r for r in reader if r["Measure"] == "Carers known to services")
    assert known["Latest"] == "55" and known["Change on previous quarter"] == (
        "Up 3 (no significant change)"
    )
    assert button.proto.label == "Download the scorecard as CSV"
