"""Published reference figures: Census 2021 unpaid carers and ASCOF carer measures (SPEC 9).

The files live in the reference folder (``CARERS_REFERENCE_DIR``, by default
the project's ``data/reference/``); ``SOURCES.md`` there says where each comes
from. They are small, so each is read once per folder and kept.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from carers_impact.errors import UserError
from carers_impact.settings import reference_dir
from measures.domain.catalogue import load_catalogue

CENSUS_FILE = "census2021_unpaid_care_ltla.csv"
ASCOF_FILE = "ascof_carers_published.csv"
ASCOF_COLUMNS = (
    "measure_id",
    "ascof_code",
    "measure",
    "period",
    "breakdown",
    "value",
    "comparator_median",
    "comparator_councils",
)


class UnknownLocalAuthority(UserError, LookupError):
    """A local authority code that the reference file does not hold."""

    def __init__(self, la_code: str, file: Path, hint: str):
        self.la_code = la_code
        self.file = file
        super().__init__(f"{la_code!r} is not in {file.name}: {hint}")

    def __str__(self) -> str:
        return str(self.args[0])


def _folder(folder: Path | str | None) -> Path:
    return Path(folder) if folder is not None else reference_dir()


@lru_cache(maxsize=8)
def _census(folder: Path) -> pd.DataFrame:
    frame = pd.read_csv(folder / CENSUS_FILE, dtype={"ltla21cd": "str", "ltla21nm": "str"})
    return frame.set_index("ltla21cd")


@lru_cache(maxsize=8)
def _ascof(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / ASCOF_FILE, dtype={"period": "str", "ascof_code": "str"})


def census_unpaid_carers(la_code: str, *, folder: Path | str | None = None) -> int:
    """People providing unpaid care in a lower-tier local authority (Census 2021, TS039)."""
    census = _census(_folder(folder))
    code = la_code.strip().upper()
    if code not in census.index:
        raise UnknownLocalAuthority(
            la_code,
            _folder(folder) / CENSUS_FILE,
            "use a 2021 lower-tier local authority code of England or Wales, "
            "e.g. E08000018 for Rotherham",
        )
    return int(census.at[code, "provides_unpaid_care_total"])


def ascof_benchmarks(
    la_code: str, *, breakdown: str = "Total", folder: Path | str | None = None
) -> pd.DataFrame:
    """A council's published ASCOF carer measures beside the median council.

    One row per published measure and year: the council's ``value``, the
    median over every council published for that measure, year and breakdown
    (``comparator_median``) and how many councils that median covers
    (``comparator_councils``: all English councils for 1D and 3D2, only the
    five demo areas for the other 2018-19 measures, so say so when showing
    it). ``measure_id`` is the catalogue measure the ASCOF code matches, or
    missing where none does.
    """
    ascof = _ascof(_folder(folder))
    code = la_code.strip().upper()
    if code not in set(ascof["la_code"]):
        raise UnknownLocalAuthority(
            la_code,
            _folder(folder) / ASCOF_FILE,
            "ASCOF is published for councils with social services responsibilities "
            "(county, unitary, metropolitan and London borough councils)",
        )
    rows = ascof[(ascof["breakdown"] == breakdown) & (ascof["la_code"] != ENGLAND_CODE)]
    keys = ["ascof_code", "measure", "period", "breakdown"]
    comparators = rows.groupby(keys, as_index=False).agg(
        comparator_median=("value", "median"), comparator_councils=("la_code", "nunique")
    )
    council = rows[rows["la_code"] == code][[*keys, "value"]]
    result = council.merge(comparators, on=keys, how="left")
    by_code = {m.ascof_code: m.id for m in load_catalogue().values() if m.ascof_code}
    result.insert(0, "measure_id", result["ascof_code"].map(by_code).astype("str"))
    return (
        result.sort_values(["ascof_code", "measure", "period"], kind="stable")
        .reset_index(drop=True)
        .loc[:, list(ASCOF_COLUMNS)]
    )


ENGLAND_CODE = "E92000001"


def ascof_councils(
    ascof_code: str, *, breakdown: str = "Total", folder: Path | str | None = None
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Every council's published figure for one ASCOF measure, and England's by year.

    The councils' rows (la_code, la_name, period, value, ascof_code) leave out
    any England row (``E92000001``), whose values come back by year instead:
    an empty dict when the file publishes none.
    """
    ascof = _ascof(_folder(folder))
    rows = ascof[(ascof["ascof_code"] == ascof_code) & (ascof["breakdown"] == breakdown)]
    england = rows[rows["la_code"] == ENGLAND_CODE]
    councils = rows[rows["la_code"] != ENGLAND_CODE]
    columns = ["la_code", "la_name", "period", "value", "ascof_code"]
    return (
        councils.loc[:, columns].reset_index(drop=True),
        dict(zip(england["period"], england["value"].astype(float), strict=True)),
    )
