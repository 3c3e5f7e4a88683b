"""Area frameworks as configuration: the shipped areas, and the loader's checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from carers_impact.periods import Quarter
from measures.domain.area_files import AREAS_DIR, area_for_organisation, load_areas
from measures.domain.areas import (
    AreaConfigError,
    DuplicateOrganisation,
    UnknownOrganisation,
)
from tests.files import SPEC_MEASURE_IDS

CORE_MEASURES = SPEC_MEASURE_IDS
SPEC_AREAS = {  # SPEC section 10
    "rotherham": ("Rotherham", "E08000018", "ROT"),
    "southampton": ("Southampton", "E06000045", "SOT"),
    "sandwell": ("Sandwell", "E08000028", "SAN"),
    "southend": ("Southend-on-Sea", "E06000033", "SOS"),
    "stockport": ("Stockport", "E08000007", "STO"),
}


@pytest.fixture(scope="module")
def areas():
    return load_areas(known_measures=CORE_MEASURES)


# -- the shipped areas -----------------------------------------------------------------


def test_the_five_demo_areas_match_the_spec(areas):
    assert set(areas) == set(SPEC_AREAS)
    for area_id, (name, la_code, prefix) in SPEC_AREAS.items():
        area = areas[area_id]
        assert (area.name, area.la_code) == (name, la_code)
        codes = [org.code for org in area.organisations]
        assert codes == [f"{prefix}-{kind}" for kind in ("ASC", "CSC", "CC", "NHS")]
        assert all(org.description and org.area == area_id for org in area.organisations)


@pytest.mark.parametrize("area_id", sorted(SPEC_AREAS))
def test_every_core_measure_is_tracked_under_a_theme(areas, area_id):
    untracked = [m for m in CORE_MEASURES if not areas[area_id].themes_for(m)]
    assert untracked == []


@pytest.mark.parametrize(
    ("area_id", "kinds"),
    [
        ("rotherham", {"quality marker": 6, "area of focus": 3}),
        ("southampton", {"priority": 6}),
        ("sandwell", {"promise": 9}),
        ("southend", {"outcome for 2027": 8}),
        ("stockport", {"priority": 4}),
    ],
)
def test_each_framework_has_its_strategys_themes(areas, area_id, kinds):
    counted: dict[str, int] = {}
    for theme in areas[area_id].themes:
        counted[theme.kind] = counted.get(theme.kind, 0) + 1
    assert counted == kinds


def test_rotherhams_quality_markers_and_yearly_areas_of_focus(areas):
    rotherham = areas["rotherham"]
    markers = [t.title for t in rotherham.themes if t.kind == "quality marker"]
    assert markers == [
        "Awareness and culture",
        "Identification and recognition",
        "Information and advice",
        "Better conversations",
        "Support and services",
        "Carers as expert care partners",
    ]
    years = [t.period for t in rotherham.themes if t.kind == "area of focus"]
    assert years == ["2022-23", "2023-24", "2024-25"]


def test_rotherhams_actions_are_the_outputs_of_its_areas_of_focus(areas):
    rotherham = areas["rotherham"]
    assert {a.id for a in rotherham.actions} == {
        "meeting-place-map",
        "newsletters",
        "service-information-packs",
        "health-and-wellbeing-action-plan",
        "locality-network-meetings",
        "co-production-plan",
        "carer-friendly-communities-action-pack",
        "carer-empowerment-plan",
        "online-information-hub",
        "social-movement-launched",
    }
    assert all(rotherham.theme(a.theme).kind == "area of focus" for a in rotherham.actions)


def test_localities_are_the_real_ones(areas):
    assert areas["sandwell"].localities == (
        "Oldbury",
        "Rowley Regis",
        "Smethwick",
        "Tipton",
        "Wednesbury",
        "West Bromwich",
    )
    assert areas["southampton"].localities == ("Central", "East", "West")
    assert areas["southend"].localities == ("West", "West Central", "East Central", "East")


def test_targets_fall_due_in_2025_and_2027_unless_the_area_says_otherwise(areas):
    rotherham = areas["rotherham"].targets["known_carers"]
    assert [(t.label, t.period) for t in rotherham] == [
        ("2025", "2024-25 Q4"),
        ("2027", "2026-27 Q4"),
    ]
    stockport = areas["stockport"].targets["known_carers"]
    assert [(t.label, t.quarter) for t in stockport] == [
        ("2027", Quarter(2026, 4)),
        ("2029", Quarter(2028, 4)),
    ]


def test_baselines_are_stated_with_a_source_or_computed(areas):
    rotherham = areas["rotherham"]
    crqol = rotherham.baselines["crqol_score"]
    assert (crqol.period, crqol.value, crqol.computed) == ("2018-19", 7.7, False)
    assert "ASCOF 1D" in crqol.source
    known = rotherham.baselines["known_carers"]
    assert (known.period, known.value, known.computed) == ("2021-22 Q4", None, True)


def test_tolerance_defaults_to_five_percent_and_can_be_set_per_measure(areas):
    rotherham = areas["rotherham"]
    assert rotherham.tolerance("known_carers") == 0.05
    assert rotherham.tolerance("crqol_score") == pytest.approx(0.03)


def test_every_action_is_complete(areas):
    for area in areas.values():
        for action in area.actions:
            assert action.title and action.owner and action.due and action.measures
            assert area.theme(action.theme)


def test_each_file_says_its_theme_wording_is_summarised():
    for path in sorted(AREAS_DIR.glob("*.toml")):
        assert "summarised" in path.read_text(encoding="utf-8"), path.name


def test_organisations_are_found_ignoring_case(areas):
    assert area_for_organisation("rot-asc").id == "rotherham"
    assert area_for_organisation(" Sos-Cc ", areas).id == "southend"
    assert areas["southampton"].organisation("sot-nhs").code == "SOT-NHS"
    assert areas["stockport"].organisation_codes == ("STO-ASC", "STO-CSC", "STO-CC", "STO-NHS")


def test_an_unknown_organisation_is_an_error(areas):
    with pytest.raises(UnknownOrganisation, match="ROT-ASC"):
        area_for_organisation("XYZ-ASC", areas)
    with pytest.raises(UnknownOrganisation):
        areas["rotherham"].organisation("SOT-ASC")


# -- the loader's checks ---------------------------------------------------------------

MINIMAL = """
id = "{id}"
name = "Testshire"
la_code = "E06000099"
localities = ["North", "South"]

[strategy]
title = "Caring in Testshire"
period = "2024-27"
first = "2024-25 Q1"
last = "2026-27 Q4"
framework = "Two priorities"

[[organisations]]
code = "{prefix}-asc"
name = "Testshire Council"
kind = "adult social care"
description = "Adult social care"

[[themes]]
id = "being-known"
kind = "priority"
title = "Carers are known"
description = "More carers are identified"
measures = ["known_carers"]

[measures.known_carers]
baseline = {{ period = "2023-24 Q4", computed = true }}
targets = [{{ by = "2025", change = "+20%" }}, {{ by = "2027", value = 3500 }}]

[[actions]]
id = "gp-registers"
title = "GP carers registers"
owner = "{prefix}-ASC"
due = "2025-26 Q2"
status = "on track"
theme = "being-known"
measures = ["known_carers"]
"""


def write_area(
    folder: Path, text: str | None = None, *, id: str = "testshire", prefix: str = "TST"
) -> Path:
    path = folder / f"{id}.toml"
    path.write_text(
        text if text is not None else MINIMAL.format(id=id, prefix=prefix), encoding="utf-8"
    )
    return path


def broken(folder: Path, old: str, new: str) -> Path:
    text = MINIMAL.format(id="testshire", prefix="TST")
    assert old in text
    return write_area(folder, text.replace(old, new, 1))


def test_a_minimal_area_loads(tmp_path):
    write_area(tmp_path)
    area = load_areas(tmp_path)["testshire"]
    assert area.organisations[0].code == "TST-ASC"  # stored upper case
    assert area.actions[0].owner == "TST-ASC"
    assert [t.resolve(1000) for t in area.targets["known_carers"]] == [1200, 3500]
    assert area.measure_ids == ("known_carers",)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('by = "2025"', 'by = "2025-26 Q5"', "measures.known_carers.targets[0].by"),
        ('period = "2023-24 Q4"', 'period = "Q4 2023"', "measures.known_carers.baseline.period"),
        ('change = "+20%"', 'change = "+20 percent"', "measures.known_carers.targets[0].change"),
        ('due = "2025-26 Q2"', 'due = "next spring"', "actions[0].due"),
        ('first = "2024-25 Q1"', 'first = "2024 Q1"', "strategy.first"),
        ('status = "on track"', 'status = "green"', "actions[0].status"),
        ('owner = "TST-ASC"', 'owner = "TST-XYZ"', "actions[0].owner"),
        ('theme = "being-known"', 'theme = "being-seen"', "actions[0].theme"),
        ('kind = "adult social care"', 'kind = "council"', "organisations[0].kind"),
        ("computed = true", "computed = true, value = 2", "measures.known_carers.baseline"),
        ('by = "2025"', 'by = "2023"', "measures.known_carers.targets[0].by"),
        ('la_code = "E06000099"', 'la_code = "W06000001"', "la_code"),
        ("targets = [", "targest = [", "measures.known_carers.targest"),
        ('id = "testshire"', 'id = "elsewhere"', "id"),
    ],
    ids=[
        "bad target period",
        "bad baseline period",
        "unparseable change",
        "bad due period",
        "bad strategy period",
        "unknown status",
        "owner not of the area",
        "unknown theme",
        "unknown organisation kind",
        "stated and computed",
        "target before baseline",
        "not an English council",
        "misspelt setting",
        "id not the file name",
    ],
)
def test_mistakes_are_reported_with_the_file_and_field(tmp_path, old, new, field):
    broken(tmp_path, old, new)
    with pytest.raises(AreaConfigError) as caught:
        load_areas(tmp_path)
    assert caught.value.file == "testshire.toml"
    assert caught.value.field == field
    assert str(caught.value).startswith(f"testshire.toml: {field}: ")


def test_an_action_may_be_owned_by_a_role(tmp_path):
    broken(tmp_path, 'owner = "TST-ASC"', 'owner = "Carers partnership board"')
    assert load_areas(tmp_path)["testshire"].actions[0].owner == "Carers partnership board"


def test_a_misspelt_measure_id_is_an_error_not_silently_dropped(tmp_path):
    broken(
        tmp_path,
        'measures = ["known_carers"]\n\n[measures',
        'measures = ["known_carer"]\n\n[measures',
    )
    with pytest.raises(AreaConfigError) as caught:
        load_areas(tmp_path)  # checked against the core catalogue by default
    assert (caught.value.file, caught.value.field) == ("testshire.toml", "themes[0].measures")
    assert "'known_carer'" in str(caught.value)


def test_an_organisation_code_may_belong_to_one_area_only(tmp_path):
    write_area(tmp_path, id="testshire", prefix="TST")
    write_area(tmp_path, id="otherton", prefix="tst")  # same code, other case
    with pytest.raises(DuplicateOrganisation) as caught:
        load_areas(tmp_path)
    assert "TST-ASC is already an organisation of otherton" in str(caught.value)
    assert caught.value.file == "testshire.toml"


def test_a_file_that_is_not_toml_is_reported(tmp_path):
    write_area(tmp_path, "id = 'testshire'\nname = ")
    with pytest.raises(AreaConfigError, match=r"testshire\.toml: \(file\): not valid TOML"):
        load_areas(tmp_path)


def test_a_folder_without_areas_is_an_error(tmp_path):
    with pytest.raises(AreaConfigError, match="no area files"):
        load_areas(tmp_path)


def test_an_organisation_code_may_appear_once_in_an_area(tmp_path):
    text = MINIMAL.format(id="testshire", prefix="TST")
    second = text[text.index("[[organisations]]") : text.index("[[themes]]")]
    write_area(tmp_path, text.replace(second, second + second, 1))
    with pytest.raises(DuplicateOrganisation) as caught:
        load_areas(tmp_path)
    assert (caught.value.file, caught.value.field) == ("testshire.toml", "organisations.code")


# -- process changes (SPC limits recalculated from a known cause) ---------------------

WITH_CHANGES = 'targets = [{ by = "2025"'
CHANGES_LINE = 'changes = [{{ period = "2024-25 Q2", reason = "GP registers joined" }}]\n'


def with_changes(folder: Path, changes: str) -> Path:
    text = MINIMAL.replace("[[actions]]", changes + "\n[[actions]]", 1)
    return write_area(folder, text.format(id="testshire", prefix="TST"))


def test_a_measure_s_process_changes_are_read_in_time_order(tmp_path):
    with_changes(
        tmp_path,
        'changes = [{{ period = "2025-26 Q1", reason = "New register" }}, '
        '{{ period = "2024/25 Q2", reason = "GP registers joined" }}]',
    )
    changes = load_areas(tmp_path)["testshire"].process_changes["known_carers"]
    assert [(c.period, c.reason) for c in changes] == [
        ("2024-25 Q2", "GP registers joined"),
        ("2025-26 Q1", "New register"),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ('changes = "2024-25 Q2"', "measures.known_carers.changes", "must be a list"),
        (
            'changes = [{{ period = "2024 Q2", reason = "x" }}]',
            "measures.known_carers.changes[0].period",
            "not a quarter",
        ),
        (
            'changes = [{{ period = "2024-25 Q2" }}]',
            "measures.known_carers.changes[0].reason",
            "non-empty text",
        ),
        (
            'changes = [{{ period = "2024-25 Q2", reason = "x", why = "y" }}]',
            "measures.known_carers.changes[0].why",
            "unknown setting",
        ),
        (
            'changes = [{{ period = "2024-25 Q2", reason = "x" }}, '
            '{{ period = "2024-25 Q2", reason = "y" }}]',
            "measures.known_carers.changes",
            "same quarter twice",
        ),
    ],
    ids=["not a list", "not a quarter", "no reason", "unknown key", "twice"],
)
def test_a_bad_process_change_is_named_with_its_file_and_field(tmp_path, changes, field, problem):
    with_changes(tmp_path, changes)
    with pytest.raises(AreaConfigError) as caught:
        load_areas(tmp_path)
    assert caught.value.field == field
    assert problem in str(caught.value)


# -- the contact and feedback route ----------------------------------------------------

CONTACT = """
[contact]
name = "Testshire Council"
url = "https://www.testshire.gov.uk/contact"
email = "carers@testshire.gov.uk"
feedback_url = "https://www.testshire.gov.uk/feedback"
"""


def test_a_contact_section_is_optional_and_read_whole(tmp_path):
    write_area(tmp_path)
    assert load_areas(tmp_path)["testshire"].contact is None
    write_area(tmp_path, MINIMAL.format(id="testshire", prefix="TST") + CONTACT)
    contact = load_areas(tmp_path)["testshire"].contact
    assert contact.name == "Testshire Council"
    assert contact.url == "https://www.testshire.gov.uk/contact"
    assert contact.email == "carers@testshire.gov.uk"
    assert contact.feedback_url == "https://www.testshire.gov.uk/feedback"
    assert contact.illustrative is False


def test_every_shipped_area_names_a_contact_page(areas):
    for area in areas.values():
        assert area.contact is not None and area.contact.url.startswith("https://"), area.id


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('url = "https://www.testshire.gov.uk/contact"', 'url = "www.testshire.gov.uk"', "url"),
        ('email = "carers@testshire.gov.uk"', 'email = "carers"', "email"),
        ('name = "Testshire Council"\nurl', "url", "name"),
        ('feedback_url = "https', 'feedback_url = "http', "feedback_url"),
        ("feedback_url", "feedback_page", "feedback_page"),
    ],
    ids=["no scheme", "not an address", "no name", "not https", "misspelt setting"],
)
def test_contact_mistakes_name_the_file_and_field(tmp_path, old, new, field):
    assert old in CONTACT
    write_area(tmp_path, MINIMAL.format(id="testshire", prefix="TST") + CONTACT.replace(old, new))
    with pytest.raises(AreaConfigError) as caught:
        load_areas(tmp_path)
    assert caught.value.file == "testshire.toml"
    assert caught.value.field == f"contact.{field}"
