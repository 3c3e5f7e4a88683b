"""The demo extracts: deterministic, within budget, clean where meant and faulty where meant.

Most tests generate one area for a quarter or two; the SPEC 3.3 rules are checked
here cheaply with pandas, independently of the validation suites.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import etl.demo_data as demo_data
from carers_impact.extracts import get_extract
from carers_impact.periods import Quarter
from etl import demo_records
from etl.demo_data import (
    FAULTS,
    LATE_CORRECTIONS,
    RESUBMISSIONS,
    plan_demo,
    write_demo_extracts,
)
from etl.demo_profiles import PROFILES, area_facts
from etl.naming import parse_file_name
from measures.domain.area_files import area_for_organisation, load_areas
from measures.domain.targets import CLOSE, OFF_TRACK, ON_TRACK, assess

SMALL = {"areas": ["rotherham"], "first": "2023-24 Q4", "last": "2024-25 Q1"}
PERSONAL = re.compile(
    r"^(name|first_name|surname|address|postcode|nhs_number|date_of_birth|dob|email|phone|"
    r"telephone)$"
)
NHS_LIKE = re.compile(r"^\d{3} ?\d{3} ?\d{4}$")


@pytest.fixture(scope="module")
def areas():
    return load_areas()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    dest = tmp_path_factory.mktemp("demo")
    return dest, write_demo_extracts(dest, **SMALL)


# -- reading and checking a file as SPEC 3.3 says --------------------------------------


def read_csv(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df.columns = [re.sub(r"[\s-]+", "_", c.strip().lower()) for c in df.columns]
    return df[(df != "").any(axis=1)].reset_index(drop=True)  # fully blank rows are ignored


def to_dates(values: pd.Series) -> pd.Series:
    text = values.where(values != "")
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    return iso.fillna(pd.to_datetime(text, format="%d/%m/%Y", errors="coerce"))


def is_valid_nhs_number(text: str) -> bool:
    digits = [int(d) for d in text if d.isdigit()]
    check = 11 - sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    return check != 10 and (check % 11) == digits[9]


def problems(path: Path, areas) -> list[str]:
    """What validation would reject in a file, found the simple way."""
    ident = parse_file_name(path.name)
    spec, quarter = get_extract(ident.extract), ident.quarter
    localities = area_for_organisation(ident.organisation, areas).localities
    df = read_csv(path)
    found = [f"personal data column {c}" for c in df.columns if PERSONAL.match(c)]
    found += [f"missing {c.name}" for c in spec.columns if c.required and c.name not in df]
    if spec.key in df and df[spec.key].duplicated().any():
        found.append(f"duplicate {spec.key}")
    dates: dict[str, pd.Series] = {}
    for col in (c for c in spec.columns if c.name in df):
        values = df[col.name].str.strip()
        blank = values == ""
        if col.required and not col.nullable and blank.any():
            found.append(f"blank {col.name}")
        if col.kind == "id" and (values.str.len() > 64).any():
            found.append(f"long {col.name}")
        if col.kind == "category":
            allowed = {v.lower() for v in col.values}
            if (~blank & ~values.str.lower().isin(allowed)).any():
                found.append(f"value not allowed in {col.name}")
        if col.kind == "integer" and (~blank & ~values.str.fullmatch(r"\d+")).any():
            found.append(f"not a whole number in {col.name}")
        if col.kind == "date":
            dates[col.name] = to_dates(values)
            if (~blank & dates[col.name].isna()).any():
                found.append(f"unreadable date in {col.name}")
            after_end = dates[col.name] > pd.Timestamp(quarter.end)
            before_start = dates[col.name] < pd.Timestamp(quarter.start)
            if col.in_period and after_end.any():
                found.append(f"{col.name} after the quarter end")
            if col.in_period == "quarter" and before_start.any():
                found.append(f"{col.name} before the quarter")
    for earlier, later in spec.date_rules:
        if earlier in dates and later in dates and (dates[earlier] > dates[later]).any():
            found.append(f"{earlier} after {later}")
    if "locality" in df and (~df.locality.isin(("", *localities))).any():
        found.append("unknown locality")
    if any(NHS_LIKE.match(v) and is_valid_nhs_number(v) for v in df.to_numpy().ravel()):
        found.append("an NHS number")
    return found


# -- determinism -----------------------------------------------------------------------


def test_the_same_seed_gives_byte_identical_files(small, tmp_path):
    dest, paths = small
    again = write_demo_extracts(tmp_path, **SMALL)
    assert [p.relative_to(tmp_path) for p in again] == [p.relative_to(dest) for p in paths]
    for first, second in zip(paths, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_another_seed_gives_other_data(small, tmp_path):
    _, paths = small
    other = write_demo_extracts(tmp_path, **SMALL, seed=7)
    assert paths[0].read_bytes() != other[0].read_bytes()


def test_a_quarter_is_the_same_whatever_range_is_generated(small, tmp_path):
    dest, _ = small
    alone = write_demo_extracts(
        tmp_path, areas=["rotherham"], first="2024-25 Q1", last="2024-25 Q1"
    )
    for path in alone:
        assert path.read_bytes() == (dest / path.relative_to(tmp_path)).read_bytes(), path.name


# -- names, order and budget -----------------------------------------------------------


def test_every_file_name_parses_and_belongs_to_its_area(small, areas):
    dest, paths = small
    assert sorted(paths) == sorted(p for p in dest.rglob("*") if p.is_file())
    for path in paths:
        ident = parse_file_name(path.name)
        assert area_for_organisation(ident.organisation, areas).id == "rotherham"
        assert Quarter(2023, 4) <= ident.quarter <= Quarter(2024, 1)


def test_spellings_vary_as_council_spreadsheets_do():
    names = [f.name for f in plan_demo()]
    assert "Outcomes_STO-CC_2023-24Q1.csv" in names
    assert "breaks_sos-asc_2022-23_Q3.csv" in names
    assert "carers_ROT-NHS_2024-25 Q1.csv" in names


def test_re_submissions_come_after_every_first_submission():
    plan = plan_demo()
    flags = [f.resubmission for f in plan]
    assert flags == sorted(flags)
    assert all(f.path.parts[0] == RESUBMISSIONS for f in plan if f.resubmission)


def test_the_whole_demo_keeps_to_the_file_budget():
    plan = plan_demo()
    assert 400 <= len(plan) <= 500
    assert len({f.path for f in plan}) == len(plan)
    assert {f.area for f in plan} == set(PROFILES)


def test_the_whole_demo_keeps_to_the_row_budget(tmp_path, areas):
    # Rotherham is the largest area (the longest history and the most carers), so
    # five times its rows bound the whole demo without generating all of it.
    plan = plan_demo()

    def size(area_id: str) -> float:
        carers = area_facts(areas[area_id]).census_carers * PROFILES[area_id].rate[1] / 100
        return carers * sum(f.area == area_id for f in plan)

    assert max(PROFILES, key=size) == "rotherham"
    paths = write_demo_extracts(tmp_path, areas=["rotherham"])
    rows = sum(p.read_bytes().count(b"\n") - 1 for p in paths)
    assert 50_000 <= rows <= 600_000 / 5


# -- clean files -----------------------------------------------------------------------


def test_clean_files_follow_the_extract_rules(small, areas):
    _, paths = small
    for path in paths:
        assert problems(path, areas) == [], path.name


@pytest.mark.parametrize(
    ("area", "quarter", "name"),
    [
        ("sandwell", "2023-24 Q1", "carers_SAN-ASC_2023-24_Q1.csv"),
        ("sandwell", "2023-24 Q1", "assessments_SAN-ASC_2023-24_Q1.csv"),
        ("southampton", "2021-22 Q1", "carers_SOT-CC_2021-22_Q1.csv"),
        ("southend", "2023-24 Q4", "carers_SOS-CC_2023-24_Q4.csv"),
        ("stockport", "2023-24 Q1", "Outcomes_STO-CC_2023-24Q1.csv"),
    ],
)
def test_files_spelled_differently_still_follow_the_rules(tmp_path, areas, area, quarter, name):
    write_demo_extracts(tmp_path, areas=[area], first=quarter, last=quarter)
    assert problems(tmp_path / name, areas) == []


def test_excel_style_exports_have_a_bom_day_first_dates_and_spaced_headers(tmp_path):
    write_demo_extracts(tmp_path, areas=["sandwell"], first="2023-24 Q2", last="2023-24 Q2")
    raw = (tmp_path / "carers_SAN-ASC_2023-24_Q2.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfCarer ID,Date Identified,Age Band")
    assert b"\r\n" in raw
    assert re.search(rb"\n[A-Z]+-C\d{6},\d{2}/\d{2}/\d{4},", raw)


def test_ids_are_pseudonyms_that_resemble_nothing_personal(small):
    _, paths = small
    patterns = {
        "carer_id": r"ROT-C\d{6}",
        "assessment_id": r"ROT-A\d{2}Q\d-\d{5}",
        "break_id": r"ROT-B\d{2}Q\d-\d{5}",
        "response_id": r"ROT-S\d{2}Q\d-\d{5}",
    }
    for path in paths:
        df = read_csv(path)
        for column, pattern in patterns.items():
            if column in df:
                present = df[column][df[column] != ""]
                assert present.str.fullmatch(pattern).all(), (path.name, column)


def test_a_carer_can_be_on_two_registers_with_the_same_id(small):
    dest, _ = small
    asc = set(read_csv(dest / "carers_ROT-ASC_2024-25_Q1.csv").carer_id)
    nhs = set(read_csv(dest / "carers_ROT-NHS_2024-25 Q1.csv").carer_id)
    young = read_csv(dest / "carers_ROT-CSC_2024-25_Q1.csv")
    assert nhs and nhs <= asc
    assert (young.age_band == "0-17").all() and not set(young.carer_id) & asc


def test_records_are_consistent_with_the_register(small):
    dest, _ = small
    register = read_csv(dest / "carers_ROT-ASC_2024-25_Q1.csv")
    known = register[register.date_closed == ""].carer_id
    assessed = read_csv(dest / "assessments_ROT-ASC_2024-25_Q1.csv")
    breaks = read_csv(dest / "breaks_ROT-ASC_2024-25_Q1.csv")
    assert assessed.carer_id.isin(known).all()
    assert breaks.carer_id.isin(known).all()
    closed = register[register.date_closed != ""]
    assert 0 < len(closed) < len(register) * 0.1  # a few carers closed in the quarter


def test_sizes_and_proportions_are_realistic(small, areas):
    dest, _ = small
    census = area_facts(areas["rotherham"]).census_carers
    register = read_csv(dest / "carers_ROT-ASC_2024-25_Q1.csv")
    assert 0.05 * census <= len(register) <= 0.15 * census
    assert 0.55 <= (register.sex == "Female").mean() <= 0.7
    assessed = read_csv(dest / "assessments_ROT-ASC_2024-25_Q1.csv")
    asked = assessed[assessed.date_requested != ""]
    waited = to_dates(asked.date_completed) - to_dates(asked.date_requested)
    assert (waited.dt.days <= 28).mean() > 0.6  # most within 28 days
    breaks = read_csv(dest / "breaks_ROT-ASC_2024-25_Q1.csv")
    assert 0 < (breaks.planned == "no").mean() < 0.1  # a few per cent unplanned
    survey = read_csv(dest / "outcomes_ROT-CC_2024-25_Q1.csv")
    items = survey[list(demo_records.QOL_ITEMS)]
    complete = items[(items != "").all(axis=1)].astype(int)
    assert 6.5 <= complete.sum(axis=1).mean() <= 8.5  # CRQoL as ASCOF 1D
    assert (items == "").to_numpy().any()  # occasional blank items
    assert {"never tried"} <= set(survey.info_ease)
    assert {"no discussions"} <= set(survey.involved)


# -- deliberately faulty files ---------------------------------------------------------


def test_the_docstring_lists_every_faulty_and_corrected_file():
    for item in (*FAULTS, *LATE_CORRECTIONS):
        assert f"`{item.file_name}`" in demo_data.__doc__


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.kind)
def test_each_faulty_file_has_its_fault_and_a_clean_resubmission(tmp_path, areas, fault):
    write_demo_extracts(tmp_path, areas=[fault.area], first=fault.quarter, last=fault.quarter)
    faulty = tmp_path / fault.file_name
    corrected = tmp_path / RESUBMISSIONS / fault.file_name
    bad, good = read_csv(faulty), read_csv(corrected)
    start = pd.Timestamp(Quarter.parse(fault.quarter).start)
    wrong = {
        "age_band": lambda df: int((df.get("age_band") == "25-65").sum()),
        "duplicate_id": lambda df: int(df.break_id.duplicated().sum()),
        "date_outside_quarter": lambda df: int((to_dates(df.date_completed) < start).sum()),
        "qol_value": lambda df: int((df.qol_control == "3").sum()),
        "postcode": lambda df: int(
            "postcode" in df and df.postcode.str.fullmatch(r"XX\d \dXX").all()
        ),
    }[fault.kind]
    assert wrong(bad) == max(fault.count, 1)
    assert wrong(good) == 0
    assert len(bad) == len(good)
    assert problems(faulty, areas) != []
    assert problems(corrected, areas) == []
    others = [p for p in tmp_path.glob("*.csv") if p.name != fault.file_name]
    assert others and all(problems(p, areas) == [] for p in others)


def test_an_accepted_file_is_later_corrected_in_full(tmp_path, areas):
    late = LATE_CORRECTIONS[0]
    write_demo_extracts(tmp_path, areas=[late.area], first=late.quarter, last=late.quarter)
    first = read_csv(tmp_path / late.file_name)
    full = read_csv(tmp_path / RESUBMISSIONS / late.file_name)
    cut = pd.Timestamp(late.cut_off)
    assert problems(tmp_path / late.file_name, areas) == []
    assert (to_dates(first.date_completed) <= cut).all()
    assert (to_dates(full.date_completed) > cut).any()
    assert first.equals(full[to_dates(full.date_completed) <= cut].reset_index(drop=True))


# -- growth against the areas' targets -------------------------------------------------


@pytest.mark.parametrize(
    ("area_id", "verdict"),
    [
        ("rotherham", ON_TRACK),
        ("southend", ON_TRACK),
        ("southampton", CLOSE),
        ("sandwell", OFF_TRACK),
        ("stockport", OFF_TRACK),
    ],
)
def test_known_carers_grow_towards_the_targets_at_different_speeds(areas, area_id, verdict):
    area = areas[area_id]
    last = Quarter(2025, 2)
    pop = demo_records.simulate_population(
        area_id, PROFILES[area_id], area_facts(area), last=last, seed=2024
    )
    baseline = area.baselines["known_carers"]
    known = {
        q.label: int(demo_records.known_at_end(pop, q).sum()) for q in (baseline.quarter, last)
    }
    result = assess(
        known,
        baseline=baseline,
        targets=area.targets["known_carers"],
        polarity="up",
        tolerance=area.tolerance("known_carers"),
    )
    assert result.status == verdict
