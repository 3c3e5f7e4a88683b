"""Measure values for one area from its current extract rows (SPEC sections 4 and 8).

Pure pandas, no database: :mod:`measures.domain.populations` says who or what each
measure counts; here each breakdown of each measure is counted in one
vectorised pass over that population (integer codes and bincount), and every
value gets its numerator, denominator and 95% interval.

Breakdowns use only the columns the source extract has (as the catalogue
checks), so assessments, breaks and survey responses are not joined to the
register. Cells sum to the total (missing values are "Not recorded"), except
``organisation`` cells, where a carer counts under every organisation that
knows them, and ``break_type`` cells of carers_with_break, where a carer counts
under every type of break they had. Catalogue measures with no computation here
(an area's own measures) are skipped: their values come from elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from carers_impact.periods import Quarter, parse_financial_year
from measures.domain.catalogue import BREAKDOWNS, Catalogue, load_catalogue
from measures.domain.populations import NOT_RECORDED, Population, Populations, Records
from measures.domain.stats import mean_bounds, wilson_bounds

__all__ = [
    "COMPUTED_MEASURES",
    "RESULT_COLUMNS",
    "Records",
    "UnsupportedBreakdown",
    "compute_measures",
]

RESULT_COLUMNS = (
    "measure_id",
    "area",
    "period",
    "breakdown",
    "breakdown_value",
    "value",
    "numerator",
    "denominator",
    "lower_ci",
    "upper_ci",
)
ALL = "all"


class UnsupportedBreakdown(ValueError):
    """The catalogue asks for a breakdown this measure's computation cannot give."""


COMPUTED_MEASURES: tuple[str, ...] = (
    "known_carers",
    "new_carers",
    "young_carers_known",
    "identification_rate",
    "assessments_completed",
    "assessment_timeliness",
    "carers_assessed_12m",
    "carers_with_break",
    "respite_nights",
    "unplanned_breaks_pct",
    "crqol_score",
    "social_contact_pct",
    "time_for_self_pct",
    "satisfied_pct",
    "info_easy_pct",
    "involved_pct",
    "prepared_pct",
)
"""Measure ids this module computes (identification_rate derives from known_carers)."""


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and labels of a breakdown column; missing values are "Not recorded"."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, labels = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, labels = pd.factorize(values)
    labels = np.append(np.asarray(labels, dtype=object), NOT_RECORDED)
    return np.where(codes < 0, len(labels) - 1, codes).astype(np.int64), labels


Cells = dict[str, np.ndarray]
"""Output columns (period, breakdown, breakdown_value and the numbers) as arrays."""


def _cells(population: Population, breakdowns: Iterable[str], *, measure_id: str) -> Cells:
    """Numerator, denominator and value with its interval, for the total and each breakdown cell.

    Works on integer codes: within a cell, units sharing a key count once (the first row).
    """
    frame = population.frame
    period_codes, labels = pd.factorize(frame["period"])
    seen = set(labels)
    periods = np.array([*labels, *(p for p in population.periods if p not in seen)], dtype=object)
    key_codes = pd.factorize(frame[population.key])[0].astype(np.int64)
    key_span = int(key_codes.max()) + 1 if len(key_codes) else 1
    # A row alone with its key in its period is first in every cell it falls in;
    # only the rest (a carer on two registers, say) are deduplicated cell by cell.
    shared = pd.Series(period_codes.astype(np.int64) * key_span + key_codes).duplicated(keep=False)
    shared = shared.to_numpy()
    x = frame["x"].to_numpy(dtype=float)
    pieces: list[Cells] = []
    for breakdown in (ALL, *breakdowns):
        if breakdown == ALL:
            value_codes, values = (
                np.zeros(len(frame), dtype=np.int64),
                np.array([ALL], dtype=object),
            )
        elif breakdown in frame:
            value_codes, values = _codes(frame[breakdown])
        else:
            raise UnsupportedBreakdown(f"{measure_id} cannot be broken down by {breakdown}")
        group = period_codes.astype(np.int64) * len(values) + value_codes
        first = ~shared
        first[shared] = (
            ~pd.Series(group[shared] * key_span + key_codes[shared]).duplicated().to_numpy()
        )
        size = len(periods) * len(values)
        n = np.bincount(group[first], minlength=size)
        keep = n > 0
        if breakdown == ALL and population.stat == "count":
            keep[np.isin(periods, population.periods)] = True  # nothing counted: 0
        cell = np.flatnonzero(keep)
        pieces.append(
            {
                "period": periods[cell // len(values)],
                "breakdown": np.full(len(cell), breakdown, dtype=object),
                "breakdown_value": values[cell % len(values)],
                "numerator": np.bincount(group[first], weights=x[first], minlength=size)[cell],
                "n": n[cell].astype(float),
                "squares": np.bincount(group[first], weights=x[first] ** 2, minlength=size)[cell],
            }
        )
    cells = {name: np.concatenate([p[name] for p in pieces]) for name in pieces[0]}
    numerator, n = cells.pop("numerator"), cells.pop("n")
    squares = cells.pop("squares")
    nothing = np.full(len(n), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        if population.stat in ("count", "sum"):
            value, denominator, lower, upper = numerator, nothing, nothing, nothing
        elif population.stat == "percent":
            value, denominator = numerator / n * 100.0, n
            lower, upper = wilson_bounds(numerator, denominator)
        else:
            value, denominator = numerator / n, n
            variance = np.clip((squares - n * value**2) / (n - 1), 0.0, None)
            lower, upper = mean_bounds(value, np.where(n >= 2, np.sqrt(variance), np.nan), n)
    return {
        **cells,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "lower_ci": lower,
        "upper_ci": upper,
    }


def _identification_rate(known: Cells, census_carers: int | None) -> Cells:
    """Known carers per 100 people providing unpaid care (Census 2021), Wilson interval."""
    numerator = known["numerator"]
    rate = {**known, "value": np.full(len(numerator), np.nan)}
    rate["denominator"] = rate["lower_ci"] = rate["upper_ci"] = rate["value"]
    if census_carers is not None:
        rate["denominator"] = np.full(len(numerator), float(census_carers))
        rate["value"] = numerator / census_carers * 100.0
        within = numerator <= census_carers  # more known than the census: no interval
        lower, upper = wilson_bounds(np.where(within, numerator, np.nan), rate["denominator"])
        rate["lower_ci"], rate["upper_ci"] = lower, upper
    return rate


def _requested_periods(periods: Iterable[str | Quarter]) -> set[str]:
    """Canonical labels of the quarters (`2024-25 Q1`) and years (`2024-25`) asked for."""
    labels = set()
    for period in periods:
        if isinstance(period, Quarter):
            labels.add(period.label)
        elif "q" in str(period).lower():
            labels.add(Quarter.parse(str(period)).label)
        else:
            labels.add(Quarter(parse_financial_year(str(period)), 1).fy_label)
    return labels


def _period_order(label: str) -> int:
    """Chronological order, each year after its Q4."""
    if "Q" in label:
        return Quarter.parse(label).index * 2
    return Quarter(parse_financial_year(label), 4).index * 2 + 1


def compute_measures(
    records: Records,
    *,
    area: str,
    census_carers: int | None = None,
    timeliness_days: int = 28,
    periods: Iterable[str | Quarter] | None = None,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Every computable catalogue measure for every quarter and financial year with data.

    ``census_carers`` is the area's Census 2021 count of people providing unpaid
    care (identification_rate is missing without it); ``periods`` limits the
    output to those quarter or year labels, while every row still feeds the
    windows (carers_assessed_12m looks back four quarters). Rows come in
    catalogue order, then period (each year after its Q4), then breakdown.
    """
    if census_carers is not None and census_carers <= 0:
        raise ValueError(f"census_carers must be a positive count, not {census_carers!r}")
    catalogue = catalogue if catalogue is not None else load_catalogue()
    populations = Populations(records, timeliness_days=timeliness_days)
    pieces: list[Cells] = []
    for measure in catalogue.values():
        if measure.id == "identification_rate":
            known = _cells(populations.known_carers(), (), measure_id=measure.id)
            cells = _identification_rate(known, census_carers)
        elif measure.id in COMPUTED_MEASURES:
            population = getattr(populations, measure.id)()
            cells = _cells(population, measure.breakdowns, measure_id=measure.id)
        else:
            continue
        count = len(cells["period"])
        pieces.append({**cells, "measure_id": np.full(count, measure.id, dtype=object)})
        pieces[-1]["_order"] = np.full(count, len(pieces))
    if not pieces:
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in RESULT_COLUMNS})
    result = pd.DataFrame({name: np.concatenate([p[name] for p in pieces]) for name in pieces[0]})
    result["area"] = area
    if periods is not None:
        result = result[result["period"].isin(_requested_periods(periods))]
    breakdown_order = {b: i for i, b in enumerate((ALL, *BREAKDOWNS))}
    order = {label: _period_order(label) for label in result["period"].unique()}
    result = result.assign(
        _period=result["period"].map(order),
        _breakdown=result["breakdown"].map(breakdown_order),
        _last=result["breakdown_value"] == NOT_RECORDED,
    ).sort_values(["_order", "_period", "_breakdown", "_last", "breakdown_value"], kind="stable")
    result = result[list(RESULT_COLUMNS)].reset_index(drop=True)
    return result.astype({c: _dtype(c) for c in RESULT_COLUMNS})


def _dtype(column: str) -> str:
    return "float64" if RESULT_COLUMNS.index(column) >= RESULT_COLUMNS.index("value") else "str"
