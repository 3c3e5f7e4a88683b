"""How published figures relate to one another: the sums and identities that hold between them.

Disclosure control must respect every relation a reader could use to work a
hidden or rounded figure out from others, and the attacker
(:mod:`measures.domain.attack`) uses the same relations, so both read them
from here. Each relation is an identity between the true counts behind the
figures (a count's value; a percentage's numerator ``x`` and denominator
``n``; a rate's numerator):

* **breakdowns**: the cells of a breakdown add up to the whole-area figure,
  except where one unit can fall in several cells: a carer known to two
  organisations counts under each (``organisation`` of carer measures), a
  carer with two kinds of break under each (``break_type`` of carers_with_break);
* **years and quarters**: a year of a pooled measure (rows of its quarters:
  assessments, breaks, survey responses) adds up its four quarters; a year of
  a register measure is its Q4 snapshot, the same people as Q4;
* **the same people under two measures**: young_carers_known is the 0-17 cell
  of known_carers; identification_rate's numerator is known_carers; each cell
  of carers_assessed_12m has the same cell of known_carers as its denominator.

Everything works on row positions of one measures table, vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ALL = "all"
POOLED_MEASURES = frozenset(
    {
        "assessments_completed",
        "assessment_timeliness",
        "respite_nights",
        "unplanned_breaks_pct",
        "crqol_score",
        "social_contact_pct",
        "time_for_self_pct",
        "satisfied_pct",
        "info_easy_pct",
        "involved_pct",
        "prepared_pct",
    }
)
"""A year's figure pools the rows of its quarters: its counts are the sums of theirs."""
SNAPSHOT_MEASURES = frozenset(
    {"known_carers", "young_carers_known", "identification_rate", "carers_assessed_12m"}
)
"""A year's figure is its Q4 snapshot: the same people as Q4."""
CARER_MEASURES = frozenset(
    {"known_carers", "new_carers", "young_carers_known", "carers_assessed_12m", "carers_with_break"}
)
"""Measures counting carers once each, whatever organisations or kinds of break they have."""


@dataclass(frozen=True)
class Link:
    """A cell of one measure holding the same people as a cell of another.

    `part_a` / `part_b` say which count: ``x`` (a count's value, a
    percentage's or rate's numerator) or ``n`` (a denominator). A blank
    breakdown means "every cell": cell for cell under the same breakdown.
    """

    measure_a: str
    part_a: str
    measure_b: str
    part_b: str
    breakdown_a: str = ""
    value_a: str = ""
    breakdown_b: str = ""
    value_b: str = ""
    both_ways: bool = True  # a hidden cell on either side hides the other


LINKS = (
    Link("young_carers_known", "x", "known_carers", "x", ALL, ALL, "age_band", "0-17"),
    Link("identification_rate", "x", "known_carers", "x", ALL, ALL, ALL, ALL),
    # A hidden register cell must not be shown as a denominator; a percentage
    # hidden for its own reasons leaves the register count alone.
    Link("carers_assessed_12m", "n", "known_carers", "x", both_ways=False),
)


def is_quarter(periods: pd.Series) -> np.ndarray:
    return periods.astype(str).str.contains("Q", regex=False).to_numpy(dtype=bool)


def financial_year(periods: pd.Series) -> np.ndarray:
    """`2024-25 Q3` and `2024-25` -> `2024-25`."""
    return periods.astype(str).str.slice(0, 7).to_numpy(dtype=object)


def partitions(measure_id: str, breakdown: str) -> bool:
    """Whether the cells of this breakdown add up to the whole-area figure."""
    if measure_id in CARER_MEASURES:
        return breakdown not in ("organisation", "break_type")
    return True


def _index(frame: pd.DataFrame, columns: list[str]) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(frame[columns].astype(str))


def positions_of(frame: pd.DataFrame, keys: pd.DataFrame) -> np.ndarray:
    """Row positions in `frame` of each row of `keys` (same key columns); -1 where absent."""
    columns = list(keys.columns)
    return _index(frame, columns).get_indexer(_index(keys, columns))


def link_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """Pairs of rows holding the same people: columns a, part_a, b, part_b, both_ways.

    Covers the measure links (:data:`LINKS`) and, for register measures, each
    year row against its Q4 row.
    """
    pieces = []
    measure = frame["measure_id"].to_numpy(dtype=object)
    for link in LINKS:
        side_a = np.flatnonzero(measure == link.measure_a)
        keys = frame.iloc[side_a][["area", "period", "breakdown", "breakdown_value"]].copy()
        if link.breakdown_a:
            chosen = (keys["breakdown"] == link.breakdown_a) & (
                keys["breakdown_value"] == link.value_a
            )
            side_a, keys = side_a[chosen.to_numpy()], keys[chosen]
            keys = keys.assign(breakdown=link.breakdown_b, breakdown_value=link.value_b)
        keys.insert(0, "measure_id", link.measure_b)
        side_b = positions_of(frame, keys)
        found = side_b >= 0
        pieces.append(
            pd.DataFrame(
                {
                    "a": side_a[found],
                    "part_a": link.part_a,
                    "b": side_b[found],
                    "part_b": link.part_b,
                    "both_ways": link.both_ways,
                }
            )
        )
    years = np.flatnonzero(np.isin(measure, list(SNAPSHOT_MEASURES)) & ~is_quarter(frame["period"]))
    keys = frame.iloc[years][["measure_id", "area", "period", "breakdown", "breakdown_value"]]
    keys = keys.assign(period=keys["period"].astype(str) + " Q4")
    q4 = positions_of(frame, keys)
    for part in ("x", "n"):
        pieces.append(
            pd.DataFrame(
                {"a": years[q4 >= 0], "part_a": part, "b": q4[q4 >= 0], "part_b": part}
            ).assign(both_ways=True)
        )
    return pd.concat(pieces, ignore_index=True)


@dataclass(frozen=True)
class Groups:
    """Rows in groups with a total: `group` per row (-1: none), `total` position per group."""

    group: np.ndarray  # group id of each row that is a part, -1 otherwise
    total: np.ndarray  # for each group id, the row position of its total (-1: none published)
    partition: np.ndarray  # for each group id, whether the parts add up to the total


def breakdown_groups(frame: pd.DataFrame) -> Groups:
    """The cells of each breakdown (measure, area, period, breakdown) under their whole-area row."""
    breakdown = frame["breakdown"].astype(str).str.strip().str.lower()
    is_total = breakdown.isin(["all", "total"]).to_numpy(dtype=bool)
    parts = frame[~is_total]
    codes, uniques = pd.factorize(
        pd.MultiIndex.from_frame(parts[["measure_id", "area", "period", "breakdown"]].astype(str))
    )
    group = np.full(len(frame), -1, dtype=np.int64)
    group[~is_total] = codes
    heads = pd.DataFrame(list(uniques), columns=["measure_id", "area", "period", "breakdown"])
    total = np.array([], dtype=np.int64)
    if len(heads):
        total = positions_of(frame, heads.assign(breakdown=ALL, breakdown_value=ALL))
    partition = np.array(
        [partitions(m, b) for m, b in zip(heads["measure_id"], heads["breakdown"], strict=True)],
        dtype=bool,
    )
    return Groups(group, np.asarray(total, dtype=np.int64), partition)


def period_groups(frame: pd.DataFrame) -> Groups:
    """The quarters of each year of a pooled measure (same cell) under the year's row.

    Only years whose four quarters are all in the table: a year with a quarter
    not (yet) published is no sum of what is shown.
    """
    measure = frame["measure_id"].astype(str)
    quarter = is_quarter(frame["period"])
    pooled = measure.isin(POOLED_MEASURES).to_numpy(dtype=bool)
    year = financial_year(frame["period"])
    cell = frame[["measure_id", "area", "breakdown", "breakdown_value"]].astype(str)
    keys = cell.assign(year=year)
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(keys[pooled & quarter]))
    group = np.full(len(frame), -1, dtype=np.int64)
    group[pooled & quarter] = codes
    heads = pd.DataFrame(
        list(uniques), columns=["measure_id", "area", "breakdown", "breakdown_value", "period"]
    )
    total = positions_of(frame, heads) if len(heads) else np.array([], dtype=np.int64)
    # Four quarters of the measure and area published (any cell): the year is their sum.
    whole = frame.assign(year=year)[quarter & pooled]
    counted = whole.groupby(["measure_id", "area", "year"])["period"].nunique()
    complete = heads.set_index(["measure_id", "area", "period"]).index.map(
        lambda k: counted.get(k, 0) == 4
    )
    total = np.where(np.asarray(complete, dtype=bool), total, -1)
    return Groups(group, np.asarray(total, dtype=np.int64), np.ones(len(heads), dtype=bool))
