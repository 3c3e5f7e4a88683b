"""A measure beside published national figures (ASCOF, in the reference data)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from measures.domain.reference import UnknownLocalAuthority, ascof_benchmarks

BENCHMARK_COLUMNS = [
    "period",
    "ascof_code",
    "measure",
    "value",
    "comparator_median",
    "comparator_councils",
    "our_value",
    "our_lower_ci",
    "our_upper_ci",
    "compared",
]
BETTER, SIMILAR, WORSE = "Better", "Similar", "Worse"


def benchmarks(
    la_code: str, *, measure_id: str, years: pd.DataFrame, polarity: str = "up"
) -> pd.DataFrame:
    """Published ASCOF figures for the council and the median council, by year.

    `years` are the area's own financial-year values of the measure (period,
    value, lower_ci, upper_ci); where one covers a published year it is shown
    beside it as `our_value` with its 95% interval, and `compared` says, as
    Fingertips does, whether it is Better, Similar or Worse than the median
    council by that interval: Similar when the interval holds the median,
    otherwise better or worse by the measure's polarity. Empty when ASCOF
    publishes nothing matching the measure.
    """
    try:
        published = ascof_benchmarks(la_code)
    except UnknownLocalAuthority:
        return pd.DataFrame(columns=BENCHMARK_COLUMNS)
    rows = published[published["measure_id"] == measure_id].copy()
    for column, source in (
        ("our_value", "value"),
        ("our_lower_ci", "lower_ci"),
        ("our_upper_ci", "upper_ci"),
    ):
        own = (
            dict(zip(years["period"], years[source], strict=True))
            if len(years) and source in years
            else {}
        )
        rows[column] = rows["period"].map(own).astype(float)
    rows["compared"] = [
        compared_with(low, high, median, polarity=polarity)
        for low, high, median in zip(
            rows["our_lower_ci"], rows["our_upper_ci"], rows["comparator_median"], strict=True
        )
    ]
    return rows[BENCHMARK_COLUMNS].reset_index(drop=True)


def compared_with(lower, upper, comparator, *, polarity: str) -> str:
    """Better, Similar or Worse than a comparator by a 95% interval ("" without one)."""
    if any(pd.isna(v) for v in (lower, upper, comparator)):
        return ""
    if lower <= comparator <= upper:
        return SIMILAR
    if polarity == "neutral":
        return "Higher" if lower > comparator else "Lower"
    above = lower > comparator
    return BETTER if above == (polarity == "up") else WORSE


# A year published for fewer councils than this is a handful of areas, not England: of the
# 152 councils with social services responsibilities, ASCOF's carer survey years cover 149-151.
NATIONAL_MINIMUM = 100
MEDIAN_COUNCIL, ENGLAND = "median council", "England"


@dataclass(frozen=True)
class Spine:
    """Where one area sits among all councils of England in one published year.

    The distribution (min, quartiles by linear interpolation, median, max) is
    over the councils' published values; `comparator` is the England value
    where the data has one, else the median council, and `comparator_name`
    says which. The area's value is its own figure with a 95% interval where
    there is one for the year (`source` "own"), else its published value
    without an interval ("published"), which cannot be judged.
    """

    ascof_code: str
    period: str
    councils: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float
    comparator: float
    comparator_name: str
    value: float | None
    lower_ci: float | None
    upper_ci: float | None
    source: str
    compared: str


def spine(
    published: pd.DataFrame,
    *,
    la_code: str,
    years: pd.DataFrame,
    polarity: str = "up",
    england: dict[str, float] | None = None,
    national_minimum: int = NATIONAL_MINIMUM,
) -> Spine | None:
    """The spine for the latest year published for every council of England.

    `published` holds one measure's council figures (la_code, period, value,
    ascof_code); `years` the area's own yearly figures (period, value,
    lower_ci, upper_ci); `england` any England value by year. A year counts as
    national when at least `national_minimum` councils are published for it.
    The latest year
    with the area's own figure is preferred, else the latest national year.
    None when no year covers enough councils to be England's distribution.
    """
    counts = published.groupby("period")["la_code"].nunique()
    national = sorted(counts[counts >= national_minimum].index)
    if not national:
        return None
    own = years.dropna(subset=["value"]) if len(years) else years
    own_years = [p for p in national if len(own) and p in set(own["period"])]
    period = (own_years or national)[-1]
    values = published.loc[published["period"] == period, "value"].astype(float)
    quartiles = values.quantile([0.0, 0.25, 0.5, 0.75, 1.0]).tolist()
    national_value = (england or {}).get(period)
    comparator = quartiles[2] if national_value is None else float(national_value)
    name = MEDIAN_COUNCIL if national_value is None else ENGLAND
    value = lower = upper = None
    source = "published"
    if own_years:
        row = own[own["period"] == period].iloc[0]
        value, source = float(row["value"]), "own"
        lower, upper = (
            None if pd.isna(row.get(k)) else float(row[k]) for k in ("lower_ci", "upper_ci")
        )
    else:
        mine = published[(published["period"] == period) & (published["la_code"] == la_code)]
        if len(mine):
            value = float(mine["value"].iloc[0])
    return Spine(
        ascof_code=str(published["ascof_code"].iloc[0]),
        period=period,
        councils=int(counts[period]),
        minimum=quartiles[0],
        q1=quartiles[1],
        median=quartiles[2],
        q3=quartiles[3],
        maximum=quartiles[4],
        comparator=comparator,
        comparator_name=name,
        value=value,
        lower_ci=lower,
        upper_ci=upper,
        source=source,
        compared=compared_with(lower, upper, comparator, polarity=polarity),
    )
