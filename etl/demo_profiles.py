"""How each demo area's synthetic data behaves, as data.

Growth of known carers is set against each area's targets in `measures/areas/` so
that the demo shows every status: Rotherham and Southend grow faster than their
trajectories (on track), Southampton just under (close), Sandwell and Stockport
well under (off track). Survey levels start from each council's published ASCOF
2018-19 figures (data/reference/) and drift by the trends below.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from carers_impact.periods import Quarter
from carers_impact.settings import reference_dir
from measures.domain.areas import Area

RATE_END = Quarter(2025, 2)  # a profile's end values are reached at 2025-26 Q2
PUBLISHED = ("1D", "1I2", "3B", "3C", "3D2")  # ASCOF measures the survey starts from


@dataclass(frozen=True)
class AreaProfile:
    """How an area's demo data behaves; rates are per quarter unless said otherwise."""

    start: str  # first quarter with data
    rate: tuple[float, float]  # known carers as % of Census carers: at start, at 2025-26 Q2
    young_share: float  # share of known carers aged 0-17
    main_register: str  # organisation keeping the adult (or all-age) register
    young_register: str | None  # organisation keeping young carers; None: the main register
    services: str  # organisation sending assessments and breaks
    survey: str  # organisation sending outcome survey responses
    nhs: tuple[str, str, float] | None  # GP registers: organisation, first quarter, share
    ethnicity: tuple[float, ...]  # order of ETHNIC_GROUPS
    timely: tuple[float, float]  # assessments within 28 days: at start, at 2025-26 Q2
    assess_rate: float  # assessments per known adult carer
    break_rate: float  # carers with a break per known adult carer
    unplanned: tuple[float, float]  # share of breaks unplanned: at start, at 2025-26 Q2
    wellbeing_trend: float  # CRQoL points a year from the ASCOF 2018-19 level
    survey_trend: float  # percentage points a year on the survey's experience questions

    def along(self, pair: tuple[float, float], quarter: Quarter) -> float:
        """A straight line from the start quarter to 2025-26 Q2 (extended beyond)."""
        start = Quarter.parse(self.start).index
        share = (quarter.index - start) / (RATE_END.index - start)
        return pair[0] + (pair[1] - pair[0]) * share


@dataclass(frozen=True)
class AreaFacts:
    """Reference figures for one area: Census 2021 and published ASCOF 2018-19 levels."""

    prefix: str  # id prefix, e.g. ROT
    census_carers: int
    hours_mix: tuple[float, float, float]  # census 0-19, 20-49, 50+ hours
    localities: tuple[str, ...]
    ascof: dict[str, float]  # 1D, 1I2, 3B, 3C, 3D2


def area_facts(area: Area, folder: Path | None = None) -> AreaFacts:
    """Census 2021 and ASCOF 2018-19 figures for an area, from the reference data."""
    folder = folder or reference_dir()
    with open(folder / "census2021_unpaid_care_ltla.csv", encoding="utf-8") as f:
        census = next(r for r in csv.DictReader(f) if r["ltla21cd"] == area.la_code)
    with open(folder / "ascof_carers_published.csv", encoding="utf-8") as f:
        ascof = {
            r["ascof_code"]: float(r["value"])
            for r in csv.DictReader(f)
            if r["la_code"] == area.la_code
            and r["period"] == "2018-19"
            and r["breakdown"] == "Total"
            and r["ascof_code"] in PUBLISHED
        }
    hours = tuple(int(census[c]) for c in ("h_19_or_less", "h_20_49", "h_50_plus"))
    total = sum(hours)
    return AreaFacts(
        prefix=area.organisations[0].code.split("-")[0],
        census_carers=int(census["provides_unpaid_care_total"]),
        hours_mix=tuple(h / total for h in hours),  # type: ignore[arg-type]
        localities=area.localities,
        ascof=ascof,
    )


PROFILES: dict[str, AreaProfile] = {
    "rotherham": AreaProfile(
        start="2019-20 Q1",
        rate=(6.5, 11.6),
        young_share=0.075,
        main_register="ROT-ASC",
        young_register="ROT-CSC",
        services="ROT-ASC",
        survey="ROT-CC",
        nhs=("ROT-NHS", "2023-24 Q1", 0.35),
        ethnicity=(0.91, 0.015, 0.045, 0.01, 0.005, 0.015),
        timely=(0.80, 0.90),
        assess_rate=0.11,
        break_rate=0.06,
        unplanned=(0.05, 0.03),
        wellbeing_trend=-0.02,
        survey_trend=0.4,
    ),
    "southampton": AreaProfile(
        start="2019-20 Q1",
        rate=(8.0, 10.6),
        young_share=0.08,
        main_register="SOT-CC",
        young_register=None,
        services="SOT-ASC",
        survey="SOT-CC",
        nhs=None,
        ethnicity=(0.80, 0.03, 0.09, 0.04, 0.02, 0.02),
        timely=(0.72, 0.80),
        assess_rate=0.09,
        break_rate=0.05,
        unplanned=(0.06, 0.05),
        wellbeing_trend=0.05,
        survey_trend=0.6,
    ),
    "sandwell": AreaProfile(
        start="2021-22 Q1",
        rate=(5.5, 7.0),
        young_share=0.06,
        main_register="SAN-ASC",
        young_register="SAN-CSC",
        services="SAN-ASC",
        survey="SAN-CC",
        nhs=None,
        ethnicity=(0.60, 0.035, 0.24, 0.085, 0.02, 0.02),
        timely=(0.70, 0.74),
        assess_rate=0.08,
        break_rate=0.045,
        unplanned=(0.06, 0.065),
        wellbeing_trend=-0.03,
        survey_trend=-0.2,
    ),
    "southend": AreaProfile(
        start="2021-22 Q1",
        rate=(10.0, 13.3),
        young_share=0.07,
        main_register="SOS-CC",
        young_register=None,
        services="SOS-ASC",
        survey="SOS-CC",
        nhs=None,
        ethnicity=(0.86, 0.03, 0.05, 0.04, 0.01, 0.01),
        timely=(0.85, 0.92),
        assess_rate=0.12,
        break_rate=0.065,
        unplanned=(0.04, 0.03),
        wellbeing_trend=0.02,
        survey_trend=0.3,
    ),
    "stockport": AreaProfile(
        start="2022-23 Q1",
        rate=(6.5, 6.9),
        young_share=0.07,
        main_register="STO-CC",
        young_register=None,
        services="STO-ASC",
        survey="STO-CC",
        nhs=("STO-NHS", "2024-25 Q1", 0.30),
        ethnicity=(0.89, 0.02, 0.06, 0.01, 0.005, 0.015),
        timely=(0.75, 0.85),
        assess_rate=0.10,
        break_rate=0.055,
        unplanned=(0.05, 0.045),
        wellbeing_trend=-0.02,
        survey_trend=0.2,
    ),
}
