"""The public version of stored figures: published periods, public measures, disclosure control."""

from __future__ import annotations

import pandas as pd

from carers_impact.periods import InvalidPeriod, Quarter, parse_financial_year
from measures.domain.catalogue import Catalogue
from measures.domain.disclosure import suppress

PUBLIC_DECIMALS = 1
"""Public percentages, rates and means (and their intervals) are rounded to this."""


def is_public_period(label: str, published: set[str]) -> bool:
    """A quarter is public once published; a financial year once its Q4 is."""
    try:
        return Quarter.parse(label).label in published
    except InvalidPeriod:
        year = parse_financial_year(label)
        return Quarter(year, 4).label in published


def public_view(values: pd.DataFrame, *, catalogue: Catalogue, published: set[str]) -> pd.DataFrame:
    """Published periods and public measures only, with disclosure control applied."""
    public_ids = {m.id for m in catalogue.public()}
    keep = values["measure_id"].isin(public_ids) & values["period"].map(
        lambda p: is_public_period(p, published)
    ).astype(bool)
    frame = values[keep].copy()
    frame["unit"] = frame["measure_id"].map(lambda m: catalogue[m].unit)
    out = suppress(frame)
    rounded = out["unit"] != "count"
    for column in ("value", "lower_ci", "upper_ci"):
        out.loc[rounded, column] = out.loc[rounded, column].round(PUBLIC_DECIMALS)
    return out.reset_index(drop=True)


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
