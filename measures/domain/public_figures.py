"""The public version of stored figures: published periods, public measures, disclosure control.

:func:`public_view` is the one way stored (exact) values become public ones:
publishing stores its result, and the disclosure check attacks it. It applies
the rules of :mod:`measures.domain.disclosure`, then audits the result with
every attack of :mod:`measures.domain.attack`; a cell the attacks can work out
(say four rounded cells whose rounding errors all point the same way as their
rounded total) is protected by hiding the smallest shown cell beside it, and
the audit runs again, until the attacks recover nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carers_impact.periods import InvalidPeriod, Quarter, parse_financial_year
from measures.domain.attack import KEY, Attack, attack, same_people_pairs
from measures.domain.catalogue import Catalogue
from measures.domain.disclosure import suppress
from measures.domain.relations import positions_of
from measures.domain.stats import PUBLISHED_DECIMALS

PUBLIC_DECIMALS = PUBLISHED_DECIMALS
"""Public percentages, rates and means (and their intervals) are rounded to this."""
MAX_AUDITS = 20


def is_public_period(label: str, published: set[str]) -> bool:
    """A quarter is public once published; a financial year once its Q4 is."""
    try:
        return Quarter.parse(label).label in published
    except InvalidPeriod:
        year = parse_financial_year(label)
        return Quarter(year, 4).label in published


def census_counts(values: pd.DataFrame) -> dict[str, float]:
    """Each area's census denominator of identification_rate (public reference data)."""
    rates = values[(values["measure_id"] == "identification_rate") & values["denominator"].notna()]
    return rates.groupby("area")["denominator"].first().to_dict()


def audit(public: pd.DataFrame, exact: pd.DataFrame) -> Attack:
    """Every attack on a public table, by a reader who knows the census and, at worst,
    which cells hold the same people (taken from the exact figures behind it)."""
    return attack(public, census=census_counts(exact), same_people=same_people_pairs(exact, public))


TRIED_WORDS = {
    "interval inversion": "percentages and rates inverted from their intervals",
    "total minus shown siblings": "totals against the cells of their breakdowns",
    "year minus quarters": "years against their quarters (sums, and Q4 snapshots)",
    "measure against measure": "cells against the same people under another measure",
    "same cell in two breakdowns": "pairs of cells that may hold the same people",
}
COUNT_WORDS = {
    "value": "the count is",
    "numerator": "the numerator is",
    "denominator": "the denominator is",
    "others": "the denominator minus the numerator is",
}
LISTED = 40


def disclosure_report(result: Attack, *, cells: int, suppressed: int) -> str:
    """What the attacks tried and found, in plain text, one line each."""
    lines = [f"{cells} public cells, {suppressed} of them suppressed.", "Tried:"]
    lines += [f"  {name}: {count} {TRIED_WORDS[name]}" for name, count in result.tried.items()]
    found = result.found
    if found.empty:
        lines.append("Found: nothing can be worked out.")
        return "\n".join(lines)
    lines.append(f"Found {len(found)} counts that can be worked out:")
    for r in found.head(LISTED).itertuples():
        cell = "" if r.breakdown == "all" else f" {r.breakdown}={r.breakdown_value}"
        lines.append(
            f"  {r.measure_id} {r.area} {r.period}{cell}: {COUNT_WORDS[r.count]} {r.recovered:.0f}"
        )
    if len(found) > LISTED:
        lines.append(f"  ... and {len(found) - LISTED} more")
    return "\n".join(lines)


def _publicly_rounded(public: pd.DataFrame) -> pd.DataFrame:
    rounded = public["unit"] != "count"
    for column in ("value", "lower_ci", "upper_ci"):
        public.loc[rounded, column] = public.loc[rounded, column].round(PUBLIC_DECIMALS)
    return public


def _to_hide(frame: pd.DataFrame, public: pd.DataFrame, found: pd.DataFrame) -> np.ndarray:
    """For each breakdown with a recovered cell, its smallest shown cell (else the cells found)."""
    shown = ~public["suppressed"].to_numpy(dtype=bool)
    size = frame["value"].where(frame["unit"] == "count", frame["denominator"]).to_numpy(float)
    group = ["measure_id", "area", "period", "breakdown"]
    hit = found[found["breakdown"] != "all"][group].drop_duplicates()
    cells = frame.reset_index(drop=True).assign(
        _size=size, _shown=shown, _row=np.arange(len(frame))
    )
    candidates = cells[cells["_shown"] & (cells["breakdown"] != "all")].merge(hit, on=group)
    chosen = (
        candidates.assign(_zero=candidates["_size"] == 0)
        .sort_values(["_zero", "_size", "breakdown_value"])
        .drop_duplicates(group)["_row"]
        .to_numpy(dtype=int)
    )
    hide = np.zeros(len(frame), dtype=bool)
    hide[chosen] = True
    if not hide.any():
        rows = positions_of(frame.reset_index(drop=True), found[KEY])
        hide[rows[rows >= 0]] = True
    return hide


def public_view(values: pd.DataFrame, *, catalogue: Catalogue, published: set[str]) -> pd.DataFrame:
    """Published periods and public measures only, with disclosure control applied and audited."""
    public_ids = {m.id for m in catalogue.public()}
    keep = values["measure_id"].isin(public_ids) & values["period"].map(
        lambda p: is_public_period(p, published)
    ).astype(bool)
    frame = values[keep].copy().reset_index(drop=True)
    frame["unit"] = frame["measure_id"].map(lambda m: catalogue[m].unit)
    hide = np.zeros(len(frame), dtype=bool)
    for _ in range(MAX_AUDITS):
        public = _publicly_rounded(suppress(frame, hide=hide))
        found = audit(public, frame).found
        if found.empty:
            break
        hide |= _to_hide(frame, public, found)
    return public


PUBLIC_COLUMNS = [
    "measure_id",
    "area",
    "period",
    "breakdown",
    "breakdown_value",
    "unit",
    "value",
    "lower_ci",
    "upper_ci",
    "suppressed",
]
