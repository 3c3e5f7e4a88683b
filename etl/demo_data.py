"""Deterministic demo extracts for the five demo areas, written as an inbox of CSV files.

The files are synthetic but shaped like real council extracts: a few thousand known
carers per area (scaled to each council's Census 2021 unpaid carers), growing
towards each area's targets at different speeds, with seasonality, noise and a dip
in the 2020 lockdown. Ids are pseudonyms such as ROT-C000123; nothing resembles a
name, a postcode or an NHS number. Not every organisation sends every extract:

- the adult or all-age carers register comes from adult social care (Rotherham,
  Sandwell) or from the carers' centre (Southampton, Southend, Stockport);
- young carers come from children's services in Rotherham and Sandwell;
- assessments and breaks come from adult social care, survey responses from the
  carers' centre, and GP carers registers from the NHS in Rotherham (from 2023-24)
  and Stockport (from 2024-25), overlapping the main register.

Some files are spelled the way council spreadsheets come out (a byte-order mark,
DD/MM/YYYY dates and headers like `Carer ID`, upper-case values, an extra column,
blank rows, file names like `Outcomes_STO-CC_2023-24Q1.csv`).

Deliberately faulty files, which validation must reject (each has a corrected
re-submission in `resubmissions/`):

- `carers_ROT-ASC_2021-22_Q3.csv`: 14 rows have the age band `25-65`, not `25-64`.
- `breaks_SOT-ASC_2022-23_Q1.csv`: 3 break_id values appear twice.
- `assessments_SAN-ASC_2022-23_Q2.csv`: 4 rows have date_completed in the previous quarter.
- `carers_SOS-CC_2024-25_Q1.csv`: has a `postcode` column (fake values like `XX1 1XX`).
- `outcomes_STO-CC_2024-25_Q3.csv`: 6 rows have qol_control `3` (items run 0 to 2).

One accepted file is later corrected: `assessments_ROT-ASC_2024-25_Q4.csv` was first
sent without the assessments completed after 14 March 2025; the full file is in
`resubmissions/`. Process the top folder first, then `resubmissions/`: the list
returned by `write_demo_extracts` is in that order.

Run `python -m etl.demo_data DEST` to write them.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from carers_impact.extracts import get_extract
from carers_impact.periods import Quarter
from etl import demo_records as rec
from etl.demo_profiles import PROFILES, AreaProfile, area_facts
from measures.domain.area_files import load_areas

RESUBMISSIONS = "resubmissions"
ASC_COLUMNS = (
    "carer_id",
    "date_identified",
    "age_band",
    "sex",
    "ethnic_group",
    "locality",
    "hours_band",
    "date_closed",
)
YOUNG_COLUMNS = (
    "carer_id",
    "date_identified",
    "age_band",
    "sex",
    "ethnic_group",
    "locality",
    "date_closed",
)
NHS_COLUMNS = ("carer_id", "date_identified", "age_band", "sex", "locality", "date_closed")


@dataclass(frozen=True)
class Style:
    """How an organisation's export spells things."""

    bom: bool = False
    crlf: bool = False
    day_first: bool = False  # DD/MM/YYYY
    title_headers: bool = False  # `Carer ID` for carer_id
    upper_values: bool = False  # categories in capitals
    extra_column: str | None = None  # an unexpected column (a warning, not an error)
    blank_rows: int = 0
    name: str = "{extract}_{org}_{fy}_Q{q}.csv"


@dataclass(frozen=True)
class StyleRule:
    org: str
    extracts: tuple[str, ...] | None  # None: every extract
    first: str
    last: str
    style: Style


STYLES = (
    StyleRule(
        "SAN-ASC",
        None,
        "2023-24 Q1",
        "2023-24 Q4",
        Style(bom=True, crlf=True, day_first=True, title_headers=True),
    ),
    StyleRule(
        "SOT-CC", ("carers",), "2021-22 Q1", "2021-22 Q2", Style(extra_column="referral_source")
    ),
    StyleRule("ROT-CSC", ("carers",), "2024-25 Q1", "2024-25 Q2", Style(upper_values=True)),
    StyleRule("SOS-CC", ("carers",), "2023-24 Q4", "2023-24 Q4", Style(crlf=True, blank_rows=2)),
    StyleRule(
        "STO-CC",
        ("outcomes",),
        "2023-24 Q1",
        "2023-24 Q1",
        Style(name="{Extract}_{org}_{fy}Q{q}.csv"),
    ),
    StyleRule(
        "SOS-ASC",
        ("breaks",),
        "2022-23 Q3",
        "2022-23 Q3",
        Style(name="{extract}_{org_lower}_{fy}_Q{q}.csv"),
    ),
    StyleRule(
        "ROT-NHS",
        ("carers",),
        "2024-25 Q1",
        "2024-25 Q1",
        Style(name="{extract}_{org}_{fy} Q{q}.csv"),
    ),
)


@dataclass(frozen=True)
class Fault:
    """A deliberately faulty file; its corrected version goes to `resubmissions/`."""

    area: str
    org: str
    extract: str
    quarter: str
    kind: str  # age_band, duplicate_id, date_outside_quarter, postcode, qol_value
    count: int  # rows affected

    @property
    def file_name(self) -> str:
        q = Quarter.parse(self.quarter)
        return f"{self.extract}_{self.org}_{q.fy_label}_Q{q.q}.csv"


FAULTS = (
    Fault("rotherham", "ROT-ASC", "carers", "2021-22 Q3", "age_band", 14),
    Fault("southampton", "SOT-ASC", "breaks", "2022-23 Q1", "duplicate_id", 3),
    Fault("sandwell", "SAN-ASC", "assessments", "2022-23 Q2", "date_outside_quarter", 4),
    Fault("southend", "SOS-CC", "carers", "2024-25 Q1", "postcode", 0),
    Fault("stockport", "STO-CC", "outcomes", "2024-25 Q3", "qol_value", 6),
)


@dataclass(frozen=True)
class LateCorrection:
    """An accepted file sent again later in full: first without records after `cut_off`."""

    area: str
    org: str
    extract: str
    quarter: str
    cut_off: str  # last date_completed in the first submission

    @property
    def file_name(self) -> str:
        q = Quarter.parse(self.quarter)
        return f"{self.extract}_{self.org}_{q.fy_label}_Q{q.q}.csv"


LATE_CORRECTIONS = (
    LateCorrection("rotherham", "ROT-ASC", "assessments", "2024-25 Q4", "2025-03-14"),
)


@dataclass(frozen=True)
class DemoFile:
    """One file of the demo inbox, before its content is generated."""

    area: str
    org: str
    extract: str
    quarter: Quarter
    name: str
    resubmission: bool = False  # goes to resubmissions/, after the first round
    fault: Fault | None = None  # what is wrong with a faulty first submission
    cut_off: str | None = None  # a first submission missing records after this date

    @property
    def path(self) -> Path:
        return Path(RESUBMISSIONS, self.name) if self.resubmission else Path(self.name)


def plan_demo(
    areas: Iterable[str] | None = None, *, first: str = "2019-20 Q1", last: str = "2025-26 Q2"
) -> list[DemoFile]:
    """Every file of the demo, in the order to submit them: first round, then re-submissions."""
    chosen = list(areas) if areas is not None else list(PROFILES)
    for area_id in chosen:
        if area_id not in PROFILES:
            raise ValueError(f"{area_id!r} is not a demo area; use one of {', '.join(PROFILES)}")
    first_q, last_q = Quarter.parse(first), Quarter.parse(last)
    if last_q < first_q:
        raise ValueError(f"the last quarter {last_q} is before the first {first_q}")
    files: list[DemoFile] = []
    for area_id in chosen:
        profile = PROFILES[area_id]
        start = max(first_q, Quarter.parse(profile.start))
        for index in range(start.index, last_q.index + 1):
            quarter = Quarter.from_index(index)
            for org, extract in _sendings(profile, quarter):
                name = _file_name(_style(org, extract, quarter), extract, org, quarter)
                key = (area_id, org, extract, quarter.label)
                fault = next(
                    (f for f in FAULTS if (f.area, f.org, f.extract, f.quarter) == key), None
                )
                late = next(
                    (c for c in LATE_CORRECTIONS if (c.area, c.org, c.extract, c.quarter) == key),
                    None,
                )
                files.append(
                    DemoFile(
                        area_id,
                        org,
                        extract,
                        quarter,
                        name,
                        fault=fault,
                        cut_off=late.cut_off if late else None,
                    )
                )
                if fault or late:
                    files.append(DemoFile(area_id, org, extract, quarter, name, resubmission=True))
    return sorted(files, key=lambda f: (f.resubmission, f.quarter, f.name))


def write_demo_extracts(
    dest: Path,
    *,
    areas: Iterable[str] | None = None,
    first: str = "2019-20 Q1",
    last: str = "2025-26 Q2",
    seed: int = 2024,
) -> list[Path]:
    """Write the demo inbox to `dest`; returns the files in the order to submit them."""
    dest = Path(dest)
    plan = plan_demo(areas, first=first, last=last)
    configured = load_areas()
    (dest / RESUBMISSIONS).mkdir(parents=True, exist_ok=True)
    for area_id in dict.fromkeys(f.area for f in plan):
        profile, facts = PROFILES[area_id], area_facts(configured[area_id])
        pop = rec.simulate_population(area_id, profile, facts, last=Quarter.parse(last), seed=seed)
        for file in (f for f in plan if f.area == area_id):
            rng = rec.stream(seed, area_id, f"{file.org}/{file.extract}", file.quarter)
            df = _records(pop, file.quarter, file.org, file.extract, profile, facts, rng)
            if file.fault:
                df = inject(file.fault, df, file.quarter, rng)
            elif file.cut_off:
                df = df[df.date_completed <= pd.Timestamp(file.cut_off)].reset_index(drop=True)
            style = _style(file.org, file.extract, file.quarter)
            (dest / file.path).write_bytes(render(df, file.extract, style))
    return [dest / f.path for f in plan]


def _sendings(profile: AreaProfile, quarter: Quarter) -> list[tuple[str, str]]:
    """Which organisation sends which extract for a quarter."""
    sent = [(profile.main_register, "carers")]
    if profile.young_register:
        sent.append((profile.young_register, "carers"))
    if profile.nhs and quarter >= Quarter.parse(profile.nhs[1]):
        sent.append((profile.nhs[0], "carers"))
    sent += [
        (profile.services, "assessments"),
        (profile.services, "breaks"),
        (profile.survey, "outcomes"),
    ]
    return sent


def _records(pop, quarter, org, extract, profile, facts, rng) -> pd.DataFrame:
    if extract == "assessments":
        return rec.assessments(pop, quarter, profile, rng, facts.prefix)
    if extract == "breaks":
        return rec.breaks(pop, quarter, profile, rng, facts.prefix)
    if extract == "outcomes":
        return rec.outcomes(pop, quarter, profile, facts, rng)
    if org == profile.young_register:
        return rec.register_snapshot(pop, quarter, pop.young, YOUNG_COLUMNS, facts.localities)
    if profile.nhs and org == profile.nhs[0]:
        return rec.register_snapshot(pop, quarter, pop.nhs, NHS_COLUMNS, facts.localities)
    members = ~pop.young if profile.young_register else pd.Series(True, index=pop.index)
    return rec.register_snapshot(pop, quarter, members, ASC_COLUMNS, facts.localities)


def inject(fault: Fault, df: pd.DataFrame, quarter: Quarter, rng) -> pd.DataFrame:
    """The faulty version of a clean extract."""
    bad = df.copy()
    if fault.kind == "postcode":
        digits = rng.integers(1, 10, len(bad))
        bad.insert(2, "postcode", [f"XX{d} {d}XX" for d in digits])
        return bad
    if fault.kind == "age_band":
        rows = np.flatnonzero(bad.age_band.to_numpy() == "25-64")
        bad.loc[rng.choice(rows, fault.count, replace=False), "age_band"] = "25-65"
    elif fault.kind == "duplicate_id":
        rows = rng.choice(np.arange(0, len(bad) - 1, 2), fault.count, replace=False)
        bad.loc[rows + 1, "break_id"] = bad.break_id.to_numpy()[rows]  # each copied once
    elif fault.kind == "date_outside_quarter":
        rows = rng.choice(len(bad), fault.count, replace=False)
        moved = pd.Timestamp(quarter.start) - pd.to_timedelta(
            rng.integers(1, 20, fault.count), unit="D"
        )
        bad.loc[rows, "date_completed"] = moved
        bad.loc[rows, "date_requested"] = moved - pd.Timedelta(days=7)
    elif fault.kind == "qol_value":
        rows = rng.choice(len(bad), fault.count, replace=False)
        bad.loc[rows, "qol_control"] = "3"
    return bad


def render(df: pd.DataFrame, extract: str, style: Style) -> bytes:
    """CSV bytes of an extract, spelled as the organisation's export spells it."""
    spec = get_extract(extract)
    out = df.copy()
    for column in out.columns:
        kind = spec.column(column).kind if column in spec.column_names else "string"
        if kind == "date":
            out[column] = out[column].dt.strftime("%d/%m/%Y" if style.day_first else "%Y-%m-%d")
        elif kind == "category" and style.upper_values:
            out[column] = out[column].str.upper()
    if style.extra_column:
        sources = np.array(["GP", "Self", "Hospital", "Social care", "School"])
        out[style.extra_column] = sources[np.arange(len(out)) % len(sources)]
    if style.title_headers:
        out.columns = [
            " ".join("ID" if w == "id" else w.capitalize() for w in c.split("_"))
            for c in out.columns
        ]
    newline = "\r\n" if style.crlf else "\n"
    text = out.to_csv(index=False, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    text += ("," * (len(out.columns) - 1) + newline) * style.blank_rows
    return text.encode("utf-8-sig" if style.bom else "utf-8")


def _style(org: str, extract: str, quarter: Quarter) -> Style:
    for rule in STYLES:
        if (
            rule.org == org
            and (rule.extracts is None or extract in rule.extracts)
            and Quarter.parse(rule.first) <= quarter <= Quarter.parse(rule.last)
        ):
            return rule.style
    return Style()


def _file_name(style: Style, extract: str, org: str, quarter: Quarter) -> str:
    return style.name.format(
        extract=extract,
        Extract=extract.capitalize(),
        org=org,
        org_lower=org.lower(),
        fy=quarter.fy_label,
        q=quarter.q,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m etl.demo_data", description=__doc__.split("\n")[0]
    )
    parser.add_argument("dest", type=Path, help="folder to write the demo inbox to")
    parser.add_argument("--area", action="append", dest="areas", help="only this area (repeat)")
    parser.add_argument("--first", default="2019-20 Q1")
    parser.add_argument("--last", default="2025-26 Q2")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    paths = write_demo_extracts(
        args.dest, areas=args.areas, first=args.first, last=args.last, seed=args.seed
    )
    rows = sum(max(p.read_bytes().count(b"\n") - 1, 0) for p in paths)
    print(f"Wrote {len(paths)} files ({rows} rows) to {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
