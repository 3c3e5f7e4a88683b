"""The open data as a Frictionless data package: `datapackage.json` with a table schema per file.

Pure: the descriptor is built from the catalogue, the areas and the column
definitions of the open data (``OPEN_DATA_COLUMNS``), so the schema, the data
dictionary and the files cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable

from measures.domain.areas import Area
from measures.domain.catalogue import Catalogue
from measures.domain.disclosure import UNITS
from measures.domain.public_text import OPEN_DATA_COLUMNS

DICTIONARY_FILE = "carers-outcomes-data-dictionary.csv"
LICENCE = {
    "name": "OGL-UK-3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "title": "Open Government Licence v3.0",
}
NUMBER_COLUMNS = ("value", "lower_ci", "upper_ci")
OPTIONAL_COLUMNS = (*NUMBER_COLUMNS, "note")
"""Columns that may be blank: hidden figures, counts' intervals, figures needing no note."""


def figures_file(area_id: str) -> str:
    """The open-data file of one area."""
    return f"carers-outcomes-{area_id}.csv"


def figures_schema(catalogue: Catalogue, areas: Iterable[Area]) -> dict:
    """The table schema of an area's open-data file."""
    constraints = {
        "area": {"enum": sorted(a.id for a in areas)},
        "area_code": {"pattern": r"E0[6-9][0-9]{6}"},
        "measure_id": {"enum": [m.id for m in catalogue.public()]},
        "unit": {"enum": sorted(UNITS)},
    }
    fields = []
    for name, (title, meaning) in OPEN_DATA_COLUMNS.items():
        field: dict = {"name": name, "title": title, "description": meaning, "type": "string"}
        if name in NUMBER_COLUMNS:
            field["type"] = "number"
        elif name == "suppressed":
            field |= {"type": "boolean", "trueValues": ["true"], "falseValues": ["false"]}
        if name in constraints:
            field["constraints"] = constraints[name]
        if name not in OPTIONAL_COLUMNS:
            field.setdefault("constraints", {})["required"] = True
        fields.append(field)
    return {
        "fields": fields,
        "missingValues": [""],
        "primaryKey": ["area", "period", "measure_id", "breakdown", "breakdown_value"],
    }


DICTIONARY_FIELDS = (
    ("kind", "Kind", "column (a column of the figures files) or measure"),
    ("id", "Id", "The column's name or the measure's id"),
    ("title", "Title", "A short title"),
    ("definition", "Definition", "What the column holds, or how the measure is worked out"),
    ("unit", "Unit", "A measure's unit; blank for a column"),
    (
        "polarity",
        "Polarity",
        "A measure's better direction (up, down or neutral); blank for a column",
    ),
)


def dictionary_schema() -> dict:
    return {
        "fields": [
            {"name": name, "title": title, "description": meaning, "type": "string"}
            for name, title, meaning in DICTIONARY_FIELDS
        ],
        "missingValues": [],
        "primaryKey": ["kind", "id"],
    }


def data_package(catalogue: Catalogue, areas: Iterable[Area]) -> dict:
    """The `datapackage.json` descriptor for every area's figures file and the dictionary."""
    areas = sorted(areas, key=lambda a: a.id)
    schema = figures_schema(catalogue, areas)
    resources = [
        {
            "name": f"carers-outcomes-{area.id}",
            "title": f"Published carers' outcome figures: {area.name} ({area.la_code})",
            "path": figures_file(area.id),
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": schema,
        }
        for area in areas
    ]
    resources.append(
        {
            "name": "carers-outcomes-data-dictionary",
            "title": "Data dictionary: every column and every public measure",
            "path": DICTIONARY_FILE,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": dictionary_schema(),
        }
    )
    return {
        "name": "carers-outcomes",
        "title": "Carers' outcomes: published figures",
        "description": (
            "Published, disclosure-controlled outcome measures of local carers' strategies "
            "in England, by quarter and financial year. Counts are rounded to the nearest 5; "
            "suppressed figures are blank, never zero."
        ),
        "licenses": [LICENCE],
        "resources": resources,
    }
