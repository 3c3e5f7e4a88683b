"""The open data to standard: whole-number counts, GSS area codes, a valid Frictionless package."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from frictionless import Package

from carers_impact import db
from measures import public
from tests.public_data import AREA, shared_public_fixture

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"
CATALOGUE = public.load_catalogue()
AREAS = public.load_areas()


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    data = shared_public_fixture(tmp_path_factory)
    engine = db.make_engine(data.public_url)
    try:
        yield public.read_figures(engine, area=AREA)
    finally:
        engine.dispose()


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_counts_are_written_as_whole_numbers(figures):
    written = rows(public.open_data_csv(figures, area=AREAS[AREA], catalogue=CATALOGUE))
    counts = [r["value"] for r in written if r["unit"] == "count" and r["value"]]
    assert counts and all(v.isdigit() for v in counts), counts[:5]
    others = [r["value"] for r in written if r["unit"] == "percent" and r["value"]]
    assert others and all("." in v for v in others)


def test_every_area_has_its_councils_gss_code_from_the_census_reference():
    with (REFERENCE / "census2021_unpaid_care_ltla.csv").open(encoding="utf-8") as f:
        names = {r["ltla21cd"]: r["ltla21nm"] for r in csv.DictReader(f)}
    expected = {
        "rotherham": "E08000018",
        "southampton": "E06000045",
        "sandwell": "E08000028",
        "southend": "E06000033",
        "stockport": "E08000007",
    }
    assert {a.id: a.la_code for a in AREAS.values()} == expected
    for area in AREAS.values():
        assert names[area.la_code].startswith(area.name.split("-")[0]), area.id


def test_the_open_data_names_the_area_by_its_gss_code(figures):
    written = rows(public.open_data_csv(figures, area=AREAS[AREA], catalogue=CATALOGUE))
    assert {r["area_code"] for r in written} == {"E08000018"}


def write_package(folder: Path, figures) -> Path:
    (folder / public.figures_file(AREA)).write_text(
        public.open_data_csv(figures, area=AREAS[AREA], catalogue=CATALOGUE), encoding="utf-8"
    )
    (folder / public.DICTIONARY_FILE).write_text(
        public.data_dictionary_csv(CATALOGUE), encoding="utf-8"
    )
    descriptor = public.data_package(CATALOGUE, [AREAS[AREA]])
    path = folder / "datapackage.json"
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    return path


def test_the_data_package_validates_with_frictionless(figures, tmp_path):
    path = write_package(tmp_path, figures)
    report = Package(str(path)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert [t.stats["rows"] for t in report.tasks] == [
        len(figures),
        len(public.data_dictionary(CATALOGUE)),
    ]


def test_the_schema_describes_every_column_the_dictionary_does(figures, tmp_path):
    descriptor = json.loads(write_package(tmp_path, figures).read_text())
    fields = [f["name"] for f in descriptor["resources"][0]["schema"]["fields"]]
    dictionary = public.data_dictionary(CATALOGUE)
    assert fields == list(dictionary.loc[dictionary["kind"] == "column", "id"])


def test_a_file_that_breaks_its_schema_fails_the_check(figures, tmp_path):
    """The check has teeth: a figures file that breaks its schema is reported."""
    path = write_package(tmp_path, figures)
    data = tmp_path / public.figures_file(AREA)
    data.write_text(data.read_text().replace(",E08000018,", ",Rotherham,", 1))
    assert not Package(str(path)).validate().valid
