"""The measure catalogue: the core measures of SPEC 4, and the checks on every catalogue file."""

from __future__ import annotations

import dataclasses
import json

import pytest

from measures.domain.catalogue import (
    BREAKDOWNS,
    CORE_CATALOGUE,
    RBA_QUESTIONS,
    CatalogueError,
    DuplicateMeasure,
    InvalidMeasure,
    UnknownMeasure,
    load_catalogue,
)
from tests.files import SPEC_MEASURE_IDS

SPEC_IDS = list(SPEC_MEASURE_IDS)


def area_measure(**changes: object) -> dict[str, object]:
    """A valid area measure, changed as given (None removes a field)."""
    measure: dict[str, object] = {
        "id": "carers_in_work_pct",
        "title": "Carers in paid work",
        "description": "The share of known carers who are in paid work.",
        "definition": "% of known carers recorded as in paid work.",
        "theme": "Carers' wellbeing and experience",
        "unit": "percent",
        "polarity": "up",
        "sources": ["carers"],
        "breakdowns": ["age_band", "organisation"],
        "public": False,
        "rba_question": "Is anyone better off?",
        "headline_rise": "More carers are in paid work than a year ago",
        "headline_fall": "Fewer carers are in paid work than a year ago",
    }
    measure.update(changes)
    return {key: value for key, value in measure.items() if value is not None}


def write_catalogue(path, *measures: dict[str, object]):
    """A catalogue file holding the given measures (JSON strings and lists are valid TOML)."""
    lines = []
    for measure in measures:
        lines.append("[[measure]]")
        for key, value in measure.items():
            text = ("true" if value else "false") if isinstance(value, bool) else json.dumps(value)
            lines.append(f"{key} = {text}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_core_catalogue_holds_the_spec_measures_in_order():
    assert list(load_catalogue()) == SPEC_IDS


def test_core_catalogue_is_package_data_beside_the_module():
    assert CORE_CATALOGUE.name == "catalogue.toml"
    assert CORE_CATALOGUE.parent.name == "domain"
    assert CORE_CATALOGUE.is_file()


def test_polarity_follows_the_spec_table():
    catalogue = load_catalogue()
    assert {m.id for m in catalogue.values() if m.polarity == "down"} == {"unplanned_breaks_pct"}
    assert all(m.polarity == "up" for m in catalogue.values() if m.id != "unplanned_breaks_pct")


def test_units_match_what_each_measure_counts():
    units = {m.id: m.unit for m in load_catalogue().values()}
    assert units["identification_rate"] == "rate"
    assert units["crqol_score"] == "mean"
    assert {i for i, u in units.items() if u == "count"} == {
        "known_carers",
        "new_carers",
        "young_carers_known",
        "assessments_completed",
        "carers_with_break",
        "respite_nights",
    }
    assert all(u == "percent" for i, u in units.items() if i.endswith("_pct"))


def test_ascof_codes_match_the_national_measures():
    codes = {m.id: m.ascof_code for m in load_catalogue().values() if m.ascof_code}
    assert codes == {
        "crqol_score": "1D",
        "social_contact_pct": "1I2",
        "satisfied_pct": "3B",
        "info_easy_pct": "3D2",
        "involved_pct": "3C",
    }


def test_every_measure_has_plain_english_for_the_public():
    themes = {
        "Identification",
        "Assessment and support",
        "Breaks from caring",
        "Carers' wellbeing and experience",
    }
    for measure in load_catalogue().values():
        assert measure.theme in themes, measure.id
        assert measure.rba_question in RBA_QUESTIONS, measure.id
        assert len(measure.description) > 60, measure.id
        assert measure.headline_rise != measure.headline_fall, measure.id
        assert "\n" not in measure.description, measure.id


def test_breakdowns_are_only_columns_the_sources_have():
    catalogue = load_catalogue()
    assert catalogue["known_carers"].breakdowns == (
        "age_band",
        "sex",
        "ethnic_group",
        "locality",
        "hours_band",
        "organisation",
    )
    assert catalogue["carers_with_break"].breakdowns == ("organisation", "break_type")
    assert catalogue["crqol_score"].breakdowns == ("organisation",)
    assert catalogue["identification_rate"].breakdowns == ()
    assert catalogue["carers_assessed_12m"].sources == ("carers", "assessments")
    for measure in catalogue.values():
        assert set(measure.breakdowns) <= set(BREAKDOWNS)


def test_measures_are_frozen():
    measure = load_catalogue()["known_carers"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        measure.polarity = "down"  # type: ignore[misc]


def test_unknown_measure_id_names_the_known_ones():
    with pytest.raises(UnknownMeasure, match="known_carers"):
        load_catalogue()["known_carer"]


def test_an_area_file_adds_measures_after_the_core_ones(tmp_path):
    extra = write_catalogue(tmp_path / "rotherham.toml", area_measure())
    catalogue = load_catalogue(extra=[extra])
    assert list(catalogue)[-1] == "carers_in_work_pct"
    assert list(catalogue)[: len(SPEC_IDS)] == SPEC_IDS
    assert catalogue["carers_in_work_pct"].breakdowns == ("age_band", "organisation")
    assert catalogue["carers_in_work_pct"].public is False


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("unit", "percentage"),
        ("polarity", "higher"),
        ("breakdowns", ["age_band", "postcode"]),
        ("sources", ["carers", "referrals"]),
        ("rba_question", "Did it work?"),
        ("public", "yes"),
        ("title", ""),
    ],
)
def test_invalid_field_is_named_with_its_measure(tmp_path, field, bad):
    extra = write_catalogue(tmp_path / "area.toml", area_measure(**{field: bad}))
    with pytest.raises(InvalidMeasure) as raised:
        load_catalogue(extra=[extra])
    assert raised.value.measure_id == "carers_in_work_pct"
    assert raised.value.field == field
    assert "carers_in_work_pct" in str(raised.value)
    assert str(extra) in str(raised.value)


def test_breakdown_the_source_does_not_have_is_rejected(tmp_path):
    survey = area_measure(sources=["outcomes"], breakdowns=["age_band"])
    extra = write_catalogue(tmp_path / "area.toml", survey)
    with pytest.raises(InvalidMeasure, match="not a column of its sources") as raised:
        load_catalogue(extra=[extra])
    assert raised.value.field == "breakdowns"


def test_missing_field_is_named(tmp_path):
    extra = write_catalogue(tmp_path / "area.toml", area_measure(polarity=None))
    with pytest.raises(InvalidMeasure, match="is required") as raised:
        load_catalogue(extra=[extra])
    assert raised.value.field == "polarity"


def test_misspelt_field_is_rejected_not_ignored(tmp_path):
    extra = write_catalogue(tmp_path / "area.toml", area_measure(polarty="up"))
    with pytest.raises(InvalidMeasure) as raised:
        load_catalogue(extra=[extra])
    assert raised.value.field == "polarty"


def test_measure_id_must_be_a_stable_identifier(tmp_path):
    extra = write_catalogue(tmp_path / "area.toml", area_measure(id="Carers in work"))
    with pytest.raises(InvalidMeasure) as raised:
        load_catalogue(extra=[extra])
    assert raised.value.field == "id"


def test_an_area_cannot_redefine_a_core_measure(tmp_path):
    extra = write_catalogue(tmp_path / "area.toml", area_measure(id="known_carers"))
    with pytest.raises(DuplicateMeasure, match="known_carers"):
        load_catalogue(extra=[extra])


def test_the_same_id_twice_in_one_file_is_rejected(tmp_path):
    path = write_catalogue(tmp_path / "area.toml", area_measure(), area_measure())
    with pytest.raises(DuplicateMeasure):
        load_catalogue(path)


def test_a_file_that_is_not_toml_says_which_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[[measure]\nid = \n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"broken\.toml"):
        load_catalogue(extra=[path])


def test_a_missing_file_is_a_catalogue_error(tmp_path):
    with pytest.raises(CatalogueError, match="does not exist"):
        load_catalogue(tmp_path / "nowhere.toml")
