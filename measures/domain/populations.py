"""Who or what each core measure counts, from an area's extract rows (SPEC section 4).

A measure's *population* is one row per unit counted (a carer, assessment,
break or survey response) with the period it counts in, its breakdown columns
and its contribution ``x``: 1 for a count, 0/1 for a percentage, the score for
a mean. :mod:`measures.domain.compute` turns populations into values.

Decisions the SPEC leaves open:

* A carer on several organisations' registers counts once. Their attributes
  (age band, sex, ...) come from their qualifying register row identified
  earliest, ties going to the lower organisation code. Missing attributes
  become "Not recorded".
* new_carers counts carers new to the partnership: the earliest date
  identified across their register rows falls inside the period.
* carers_assessed_12m counts an assessment by any organisation, and needs
  assessments data for all four quarters of its window: with fewer it would
  understate the share, so such quarters have no value.
* Assessments are distinct by assessment_id across the area (as the SPEC
  says); breaks and survey responses count every row.
* A year's register measures use its Q4 snapshot (new_carers: identified during
  the year); a year's other measures pool the rows of its quarters so far.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from functools import cached_property

import numpy as np
import pandas as pd

from carers_impact.extracts import EXTRACTS, QOL_ITEMS, is_numeric
from carers_impact.periods import Quarter

NOT_RECORDED = "Not recorded"
CARER_ATTRIBUTES = ("age_band", "sex", "ethnic_group", "locality", "hours_band")


def conform(extract: str, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """An extract's rows with every column present and typed: dates, whole numbers, text."""
    spec = EXTRACTS[extract]
    columns = ["organisation", "period", *spec.column_names]
    frame = pd.DataFrame(columns=columns) if frame is None else frame.copy()
    for name in columns:
        if name not in frame:
            frame[name] = pd.NA
    for column in spec.columns:
        values = frame[column.name]
        if column.kind == "date":
            frame[column.name] = pd.to_datetime(values)
        elif is_numeric(column):
            frame[column.name] = pd.to_numeric(values).astype("Int64")
        else:
            frame[column.name] = _text(values)
    for name in ("organisation", "period"):
        frame[name] = _text(frame[name])
    return frame[columns].reset_index(drop=True)


def _text(values: pd.Series) -> pd.Series:
    """Text as strings (missing stays missing); categories and Python strings stay as they are."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) == "string":
        return values
    return values.astype("str")


@dataclass(frozen=True)
class Records:
    """The current rows of every organisation of one area, one frame per extract type.

    Each frame has the extract's columns plus ``organisation`` and ``period``
    (the submission's quarter label, e.g. ``2024-25 Q1``).
    """

    carers: pd.DataFrame
    assessments: pd.DataFrame
    breaks: pd.DataFrame
    outcomes: pd.DataFrame

    @classmethod
    def empty(cls) -> Records:
        return cls.from_frames()

    @classmethod
    def from_frames(cls, **frames: pd.DataFrame) -> Records:
        """Records from frames with some of the columns; the others are added blank."""
        unknown = set(frames) - {f.name for f in fields(cls)}
        if unknown:
            raise TypeError(f"not extract types: {sorted(unknown)}")
        return cls(**{f.name: conform(f.name, frames.get(f.name)) for f in fields(cls)})


@dataclass(frozen=True)
class Population:
    """What one measure counts: a row per unit with its ``period``, ``key`` and ``x``."""

    frame: pd.DataFrame
    key: str  # rows sharing a key within a period (and breakdown cell) count once
    stat: str  # count, sum, percent or mean
    periods: tuple[str, ...] = ()  # periods with source data: a count there is 0, not missing


def _quarters(labels: pd.Series) -> np.ndarray:
    """Quarter index (Quarter.index) of each submission period label."""
    codes, uniques = pd.factorize(labels)
    return np.array([Quarter.parse(u).index for u in uniques], dtype=np.int64)[codes]


def _names(quarters: np.ndarray, attribute: str) -> np.ndarray:
    """The `label`, `fy_label`, `start` or `end` of each quarter index."""
    unique, position = np.unique(quarters, return_inverse=True)
    names = [getattr(Quarter.from_index(int(i)), attribute) for i in unique]
    if attribute in ("start", "end"):
        return np.array(names, dtype="datetime64[ns]")[position]
    return np.array(names, dtype=object)[position]


def _quarter_of(dates: pd.Series) -> pd.Series:
    """Quarter index of each date, vectorised."""
    month = dates.dt.month
    return (dates.dt.year - (month < 4)) * 4 + (month - 4) % 12 // 3


def _in_quarters_and_years(frame: pd.DataFrame) -> pd.DataFrame:
    """Each event row twice: under its quarter and under its financial year."""
    quarters = _quarters(frame["period"])
    both = pd.concat([frame, frame], ignore_index=True)
    both["_row"] = np.tile(np.arange(len(frame)), 2)
    both["period"] = pd.Categorical(
        np.concatenate([_names(quarters, "label"), _names(quarters, "fy_label")])
    )
    return both


def _on_several_registers(rows: pd.DataFrame) -> bool:
    """Whether any carer has more than one register row in a period."""
    period = rows["period"].cat.codes.to_numpy().astype(np.int64)
    carer = rows["carer"].to_numpy()
    span = int(carer.max()) + 1 if len(carer) else 1
    return bool(pd.Series(period * span + carer).duplicated().any())


def _resolve_carer_attributes(rows: pd.DataFrame) -> pd.DataFrame:
    """Give each carer, per period, the attributes of their earliest-identified row.

    Ties on the date go to the lower organisation code.
    """
    if not _on_several_registers(rows):
        return rows.reset_index(drop=True)  # nothing to resolve
    period = rows["period"].cat.codes.to_numpy()
    carer = rows["carer"].to_numpy()
    organisation = pd.factorize(rows["organisation"], sort=True)[0]
    order = np.lexsort((organisation, rows["date_identified"].to_numpy(), carer, period))
    ordered = rows.iloc[order].reset_index(drop=True)
    period, carer = period[order], carer[order]
    first = np.r_[True, (period[1:] != period[:-1]) | (carer[1:] != carer[:-1])]
    winner = np.maximum.accumulate(np.where(first, np.arange(len(ordered)), 0))
    for name in CARER_ATTRIBUTES:
        attribute = ordered[name].array  # categorical: missing stays missing ("Not recorded")
        ordered[name] = pd.Categorical.from_codes(attribute.codes[winner], attribute.categories)
    return ordered


_CATEGORIES = {
    "carers": ("organisation", *CARER_ATTRIBUTES),
    "assessments": ("organisation",),
    "breaks": ("organisation", "break_type", "planned"),
    "outcomes": ("organisation", "info_ease", "involved", "prepared_for_future"),
}
"""Text columns held as categories: cheap to copy, compare and group."""
_REGISTER_COLUMNS = (
    "carer",
    "organisation",
    "period",
    "date_identified",
    "date_closed",
    *CARER_ATTRIBUTES,
)


class Populations:
    """The population of every core measure, sharing intermediate frames between measures."""

    def __init__(self, records: Records, *, timeliness_days: int = 28):
        frames = {f.name: conform(f.name, getattr(records, f.name)) for f in fields(Records)}
        # One integer code per carer id across every extract, for fast joins and counting.
        codes = pd.factorize(pd.concat([f["carer_id"] for f in frames.values()]))[0]
        sizes = np.cumsum([0, *(len(f) for f in frames.values())])
        for i, frame in enumerate(frames.values()):
            frame["carer"] = codes[sizes[i] : sizes[i + 1]]
        for name, columns in _CATEGORIES.items():
            frames[name] = frames[name].astype({c: "category" for c in columns})
        self.records = Records(**frames)
        self.timeliness_days = timeliness_days

    # carers register

    @cached_property
    def snapshots(self) -> pd.DataFrame:
        """Register rows under their quarter, and Q4 rows again under their year."""
        carers = self.records.carers[list(_REGISTER_COLUMNS)]
        quarters = _quarters(carers["period"])
        q4 = np.flatnonzero(quarters % 4 == 3)
        rows = pd.concat([carers, carers.iloc[q4]], ignore_index=True)
        snapshot = np.concatenate([quarters, quarters[q4]])
        rows["snapshot"] = snapshot
        rows["period"] = pd.Categorical(
            np.concatenate([_names(quarters, "label"), _names(quarters[q4], "fy_label")])
        )
        rows["end"] = _names(snapshot, "end")
        # A quarter's window is the quarter; a year's is the year to its Q4 end.
        rows["start"] = np.concatenate(
            [_names(quarters, "start"), _names(quarters[q4] - 3, "start")]
        )
        return rows

    @cached_property
    def register_periods(self) -> tuple[str, ...]:
        return tuple(self.snapshots["period"].unique())

    @cached_property
    def known(self) -> pd.DataFrame:
        s = self.snapshots
        open_at_end = s["date_closed"].isna() | (s["date_closed"] > s["end"])
        return _resolve_carer_attributes(s[(s["date_identified"] <= s["end"]) & open_at_end])

    def _register_count(self, rows: pd.DataFrame) -> Population:
        return Population(rows.assign(x=1.0), "carer", "count", self.register_periods)

    def known_carers(self) -> Population:
        return self._register_count(self.known)

    def new_carers(self) -> Population:
        s = self.snapshots
        identified = s["date_identified"]
        first = identified  # earliest date identified across the carer's register rows
        if _on_several_registers(s):
            first = s.groupby(["period", "carer"], observed=True)["date_identified"].transform(
                "min"
            )
        in_period = (identified >= s["start"]) & (identified <= s["end"]) & (first >= s["start"])
        return self._register_count(_resolve_carer_attributes(s[in_period]))

    def young_carers_known(self) -> Population:
        return self._register_count(self.known[self.known["age_band"] == "0-17"])

    def carers_assessed_12m(self) -> Population:
        assessments = self.records.assessments
        done = (
            pd.DataFrame(
                {"carer": assessments["carer"], "q": _quarter_of(assessments["date_completed"])}
            )
            .dropna()
            .astype("int64")
            .drop_duplicates()
        )
        # An assessment completed in quarter q is within 12 months for snapshots q to q + 3.
        assessed = pd.concat(
            [pd.DataFrame({"carer": done["carer"], "snapshot": done["q"] + k}) for k in range(4)]
        ).drop_duplicates()
        covered = set(_quarters(assessments["period"]).tolist())
        full_window = [
            s for s in self.known["snapshot"].unique() if covered >= {s - k for k in range(4)}
        ]
        known = self.known[self.known["snapshot"].isin(full_window)]
        flagged = known.merge(assessed.assign(x=1.0), on=["carer", "snapshot"], how="left")
        return Population(flagged.assign(x=flagged["x"].fillna(0.0)), "carer", "percent")

    # assessments

    @cached_property
    def assessments(self) -> pd.DataFrame:
        """Sorted so that an id in two organisations' extracts is counted under the first."""
        return _in_quarters_and_years(self.records.assessments).sort_values(
            ["organisation", "assessment_id"], kind="stable"
        )

    def assessments_completed(self) -> Population:
        periods = tuple(self.assessments["period"].unique())
        return Population(self.assessments.assign(x=1.0), "assessment_id", "count", periods)

    def assessment_timeliness(self) -> Population:
        a = self.assessments[self.assessments["date_requested"].notna()]
        waited = (a["date_completed"] - a["date_requested"]).dt.days
        on_time = (waited <= self.timeliness_days).astype(float)
        return Population(a.assign(x=on_time), "assessment_id", "percent")

    # breaks

    @cached_property
    def breaks(self) -> pd.DataFrame:
        return _in_quarters_and_years(self.records.breaks)

    def carers_with_break(self) -> Population:
        periods = tuple(self.breaks["period"].unique())
        return Population(self.breaks.assign(x=1.0), "carer", "count", periods)

    def respite_nights(self) -> Population:
        b = self.breaks[self.breaks["nights"].notna()]
        return Population(b.assign(x=b["nights"].astype(float)), "_row", "sum")

    def unplanned_breaks_pct(self) -> Population:
        b = self.breaks[self.breaks["planned"].notna()]
        return Population(b.assign(x=(b["planned"] == "no").astype(float)), "_row", "percent")

    # outcomes survey

    @cached_property
    def outcomes(self) -> pd.DataFrame:
        return _in_quarters_and_years(self.records.outcomes)

    def crqol_score(self) -> Population:
        items = list(QOL_ITEMS)
        answered_all = self.outcomes[self.outcomes[items].notna().all(axis=1).to_numpy()]
        score = answered_all[items].sum(axis=1).astype(float)
        return Population(answered_all.assign(x=score), "_row", "mean")

    def _share(self, column: str, best: Iterable[object], *, excluded: str = "") -> Population:
        """Respondents answering `column` (other than `excluded`), x = 1 for a `best` answer."""
        o = self.outcomes
        answered = o[column].notna()
        if excluded:
            answered &= o[column] != excluded
        o = o[answered.to_numpy(dtype=bool)]
        return Population(o.assign(x=o[column].isin(list(best)).astype(float)), "_row", "percent")

    def social_contact_pct(self) -> Population:
        return self._share("qol_social", [2])

    def time_for_self_pct(self) -> Population:
        return self._share("qol_time_for_self", [2])

    def satisfied_pct(self) -> Population:
        return self._share("satisfaction", [1, 2])

    def info_easy_pct(self) -> Population:
        return self._share("info_ease", ["very easy", "fairly easy"], excluded="never tried")

    def involved_pct(self) -> Population:
        return self._share("involved", ["always", "usually"], excluded="no discussions")

    def prepared_pct(self) -> Population:
        return self._share("prepared_for_future", ["yes"])
