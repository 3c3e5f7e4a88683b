"""What the public view says: headlines, trend summaries, targets, themes and open data.

Pure functions of the published figures (the rows of ``public_measure_values``,
see ``measures.public``) and the configuration; nothing here reads the database.

Headlines compare a quarter with the same quarter a year earlier. A change is
reported only when it is clear from the published figures: for a percentage,
rate or mean, the earlier figure must lie outside the later one's 95%
confidence interval; for a count (published rounded to 5, with no interval)
the rounded figures must differ by more than rounding can explain (80 against
85 may be 82 against 83; 80 against 90 is at least 83 against 88). Otherwise,
or when either figure is hidden, the headline says "about the same".
"""

from __future__ import annotations

import calendar
import io
from dataclasses import dataclass

import pandas as pd

from carers_impact.periods import InvalidPeriod, Quarter
from measures.domain.areas import Area, Theme
from measures.domain.catalogue import POLARITY_WORDS, Catalogue, Measure
from measures.domain.disclosure import (
    MIN_DENOMINATOR,
    ROUNDING_BASE,
    SMALL_COUNT_MAX,
    display_value,
    make_csv_safe,
)
from measures.domain.targets import (
    CLOSE,
    NO_TARGET,
    NOT_ENOUGH_DATA,
    OFF_TRACK,
    ON_TRACK,
    Target,
    assess,
    parse_change,
    trajectory,
)

SUPPRESSED_NOTES = {
    "count": (
        f"fewer than {SMALL_COUNT_MAX + 1} carers (or a number that would reveal one); "
        "hidden to protect privacy"
    ),
    "other": (
        f"based on fewer than {MIN_DENOMINATOR} carers (or a figure that would reveal one); "
        "hidden to protect privacy"
    ),
}

ROUNDED_NOTES = {
    "count": f"rounded to the nearest {ROUNDING_BASE} to protect privacy",
    "percent": (
        f"worked out from numbers rounded to the nearest {ROUNDING_BASE} to protect privacy; "
        "the 95% confidence interval allows for the rounding"
    ),
    "rate": (
        f"worked out from the number of carers rounded to the nearest {ROUNDING_BASE} to "
        "protect privacy; the 95% confidence interval allows for the rounding"
    ),
    "mean": "",
}

PRIVACY_RULES = (
    f"Counts are rounded to the nearest {ROUNDING_BASE}.",
    f"A count of 1 to {SMALL_COUNT_MAX} is shown as `*` and hidden.",
    f"A percentage, rate or average based on fewer than {MIN_DENOMINATOR} carers is shown as "
    "`*` and hidden.",
    f"Percentages and rates are worked out from the numbers rounded to the nearest "
    f"{ROUNDING_BASE}, and their 95% confidence intervals allow for the rounding, so they "
    "cannot be used to work out the exact numbers.",
    "Where one group of a breakdown is hidden, the next smallest is hidden too, so the hidden "
    "figure cannot be worked out from the total. The same goes for a year and its quarters, "
    "for the same group under another breakdown or another measure, and for any figure that "
    "could be worked out from the rounded ones.",
    "Hidden figures are missing, never zero. Headlines say *about the same* when a figure "
    "needed for the comparison is hidden.",
)
"""How the public figures protect privacy, one sentence each (docs/disclosure.md in full)."""

STATUS_WORDS = {
    ON_TRACK: "On track: at or better than the planned progress towards the target",
    CLOSE: "Close: a little behind the planned progress, within the tolerance",
    OFF_TRACK: "Off track: behind the planned progress towards the target",
    NO_TARGET: "No target is set for this measure",
    NOT_ENOUGH_DATA: "Not enough published figures to judge it yet",
}


def suppressed_note(unit: str) -> str:
    """Why a figure shows as ``*``, in plain English."""
    return SUPPRESSED_NOTES["count" if unit == "count" else "other"]


def figure_note(unit: str, *, suppressed: bool) -> str:
    """Why a published figure is hidden or rounded (blank for a mean shown as it is)."""
    return suppressed_note(unit) if suppressed else ROUNDED_NOTES.get(unit, "")


def _is_quarter(label: str) -> bool:
    try:
        Quarter.parse(label)
    except InvalidPeriod:
        return False
    return True


def published_quarters(figures: pd.DataFrame) -> list[str]:
    """The quarters among the figures, oldest first."""
    labels = {p for p in figures["period"].unique() if _is_quarter(p)}
    return [q.label for q in sorted(Quarter.parse(p) for p in labels)]


def describe_quarter(label: str) -> str:
    """`2024-25 Q1` -> `April to June 2024`."""
    quarter = Quarter.parse(label)
    first, last = quarter.start, quarter.end
    return f"{calendar.month_name[first.month]} to {calendar.month_name[last.month]} {last.year}"


# -- one measure -----------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One published figure of a measure: the whole area, one period."""

    period: str
    unit: str
    value: float | None
    lower_ci: float | None
    upper_ci: float | None
    suppressed: bool

    @property
    def text(self) -> str:
        return display_value(self.value, suppressed=self.suppressed, unit=self.unit)

    @property
    def interval_text(self) -> str:
        """`95% confidence interval 25.4% to 74.6%`, or blank."""
        if self.suppressed or self.lower_ci is None or self.upper_ci is None:
            return ""
        low = display_value(self.lower_ci, suppressed=False, unit=self.unit)
        high = display_value(self.upper_ci, suppressed=False, unit=self.unit)
        return f"95% confidence interval {low} to {high}"


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def quarterly_series(figures: pd.DataFrame, measure_id: str) -> list[Figure]:
    """A measure's whole-area figures for each published quarter, oldest first."""
    rows = figures[(figures["measure_id"] == measure_id) & (figures["breakdown"] == "all")]
    series = [
        Figure(
            period=r["period"],
            unit=r["unit"],
            value=_number(r["value"]),
            lower_ci=_number(r["lower_ci"]),
            upper_ci=_number(r["upper_ci"]),
            suppressed=bool(r["suppressed"]),
        )
        for r in rows.to_dict("records")
        if _is_quarter(r["period"])
    ]
    return sorted(series, key=lambda f: Quarter.parse(f.period))


def figure_for(series: list[Figure], period: str) -> Figure | None:
    return next((f for f in series if f.period == period), None)


@dataclass(frozen=True)
class Headline:
    """A plain-English sentence on how a measure changed over a year."""

    text: str
    direction: str  # rise, fall, same, or none (nothing to compare)
    judgement: str  # better, worse, or blank (no change, no comparison or neutral polarity)

    @property
    def judgement_text(self) -> str:
        if self.judgement == "better":
            return "This is an improvement."
        if self.judgement == "worse":
            return "This is a change for the worse."
        return ""


def headline(measure: Measure, series: list[Figure], *, period: str) -> Headline:
    """Compare a quarter with the same quarter a year earlier (see the module docstring)."""
    earlier_period = Quarter.parse(period).shift(-4).label
    latest, earlier = figure_for(series, period), figure_for(series, earlier_period)
    if latest is None:
        return Headline(f"{measure.title}: no published figure for {period}.", "none", "")
    if earlier is None:
        return Headline(
            f"{measure.title}: no published figure for {earlier_period} to compare with.",
            "none",
            "",
        )
    same = f"{measure.title}: about the same as a year ago."
    if latest.suppressed or earlier.suppressed:
        return Headline(
            f"{same} A figure is hidden to protect privacy, so no change can be shown.",
            "same",
            "",
        )
    if latest.value is None or earlier.value is None:
        return Headline(same, "same", "")
    if latest.unit == "count" or latest.lower_ci is None or latest.upper_ci is None:
        changed = abs(latest.value - earlier.value) > ROUNDING_BASE
    else:
        changed = not latest.lower_ci <= earlier.value <= latest.upper_ci
    if not changed:
        return Headline(same, "same", "")
    rise = latest.value > earlier.value
    judgement = ""
    if measure.polarity != "neutral":
        judgement = "better" if rise == (measure.polarity == "up") else "worse"
    text = measure.headline_rise if rise else measure.headline_fall
    return Headline(f"{text}.", "rise" if rise else "fall", judgement)


def trend_summary(measure: Measure, series: list[Figure]) -> str:
    """A text alternative to the trend chart: span, first and last, highest and lowest."""
    if not series:
        return f"{measure.title}: no published figures yet."
    first, last = series[0], series[-1]
    if len(series) == 1:
        parts = [f"{measure.title}: one published quarter, {first.period}."]
    else:
        parts = [
            f"{measure.title}: {len(series)} published quarters from {first.period} "
            f"to {last.period}."
        ]
    shown = [f for f in series if not f.suppressed and f.value is not None]
    if len(series) > 1:
        parts.append(
            f"It was {first.text} in {first.period} and {last.text} in {last.period}."
            if not (first.suppressed or last.suppressed)
            else f"First figure: {first.text} in {first.period}; latest: {last.text} in "
            f"{last.period}."
        )
    elif shown:
        parts.append(f"It was {last.text}.")
    if len(shown) > 2:
        high = max(shown, key=lambda f: f.value)
        low = min(shown, key=lambda f: f.value)
        parts.append(f"Highest {high.text} in {high.period}; lowest {low.text} in {low.period}.")
    hidden = [f.period for f in series if f.suppressed]
    if hidden:
        parts.append(f"Shown as * in {', '.join(hidden)}: {suppressed_note(series[0].unit)}.")
    return " ".join(parts)


# -- targets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetSummary:
    baseline: str  # one sentence, or blank without a baseline
    targets: tuple[str, ...]  # one sentence per target
    status: str  # one of measures.domain.targets.STATUSES
    status_text: str


def _change_words(change: str, unit: str) -> str:
    parsed = parse_change(change)
    amount = abs(parsed.amount)
    number = f"{amount:g}"
    higher = "higher" if parsed.amount > 0 else "lower"
    if parsed.kind == "percent":
        return f"{number}% {higher} than"
    if unit == "count":
        return f"{number} {'more' if parsed.amount > 0 else 'fewer'} than"
    points = "percentage point" if unit == "percent" else "point"
    return f"{number} {points}{'' if amount == 1 else 's'} {higher} than"


def _target_name(target: Target) -> str:
    return f"{target.label} target" if target.label != target.period else "Target"


def target_summary(
    measure: Measure, area: Area, figures: pd.DataFrame, *, period: str
) -> TargetSummary:
    """The area's baseline and targets for a measure, and the status from published figures.

    A baseline computed from the data is used only when its period is published;
    otherwise relative targets are described but not resolved, and the status
    says progress cannot be judged yet.
    """
    unit = measure.unit
    rows = figures[(figures["measure_id"] == measure.id) & (figures["breakdown"] == "all")]
    public_values = {
        r["period"]: r["value"] for r in rows.to_dict("records") if not r["suppressed"]
    }
    baseline = area.baselines.get(measure.id)
    targets = area.targets.get(measure.id, ())
    result = assess(
        public_values,
        baseline=baseline,
        targets=targets,
        polarity=measure.polarity,  # type: ignore[arg-type]
        tolerance=area.tolerance(measure.id),
        latest_period=period,
        unit=unit,
    )
    baseline_text = ""
    if baseline is not None:
        if result.baseline_value is not None:
            value = display_value(result.baseline_value, suppressed=False, unit=unit)
            source = baseline.source or "published figure"
            baseline_text = f"Baseline: {value} in {baseline.period} ({source})."
        else:
            baseline_text = (
                f"Baseline: the figure for {baseline.period}, which is not published here."
            )
    lines = []
    for target, (_, resolved) in zip(
        sorted(targets, key=lambda t: t.quarter.index), result.targets, strict=True
    ):
        head = f"{_target_name(target)} (by the end of {target.quarter.label}): "
        if target.change is None:
            lines.append(head + display_value(resolved, suppressed=False, unit=unit) + ".")
            continue
        words = f"{_change_words(target.change, unit)} the baseline"
        if resolved is None:
            lines.append(head + words + ".")
        else:
            lines.append(
                f"{head}{words}, which is {display_value(resolved, suppressed=False, unit=unit)}."
            )
    return TargetSummary(
        baseline=baseline_text,
        targets=tuple(lines),
        status=result.status,
        status_text=STATUS_WORDS[result.status],
    )


@dataclass(frozen=True)
class TargetLine:
    """What a chart draws for a measure's targets: the planned trajectory and each target."""

    trajectory: tuple[tuple[str, float], ...]  # (quarter, expected value), in quarter order
    targets: tuple[tuple[str, str, float], ...]  # (quarter, name, value), in order


def target_line(measure: Measure, area: Area, figures: pd.DataFrame) -> TargetLine | None:
    """The trajectory from the baseline to each target, as the target sentences state them.

    None when the measure has no target or its targets cannot be resolved from
    published figures (a computed baseline whose period is not published).
    """
    targets = area.targets.get(measure.id, ())
    baseline = area.baselines.get(measure.id)
    if not targets or baseline is None:
        return None
    rows = figures[(figures["measure_id"] == measure.id) & (figures["breakdown"] == "all")]
    public_values = {
        r["period"]: r["value"] for r in rows.to_dict("records") if not r["suppressed"]
    }
    result = assess(
        public_values,
        baseline=baseline,
        targets=targets,
        polarity=measure.polarity,  # type: ignore[arg-type]
        tolerance=area.tolerance(measure.id),
        unit=measure.unit,
    )
    resolved = [(period, value) for period, value in result.targets if value is not None]
    if result.baseline_value is None or len(resolved) != len(result.targets):
        return None
    line = trajectory(baseline.period, result.baseline_value, resolved)
    first, last = line.points[0][0], line.points[-1][0]
    expected = line.series(first, last)
    ordered = sorted(targets, key=lambda t: t.quarter.index)
    return TargetLine(
        trajectory=tuple((label, float(value)) for label, value in expected.items()),
        targets=tuple(
            (t.quarter.label, _target_name(t), float(value))
            for t, (_, value) in zip(ordered, resolved, strict=True)
        ),
    )


# -- themes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeGroup:
    """A strategy theme and the public measures that track it."""

    theme: Theme | None  # None: public measures the framework does not name
    measures: tuple[Measure, ...]


def theme_groups(area: Area, catalogue: Catalogue, *, with_figures: set[str]) -> list[ThemeGroup]:
    """The area's themes in framework order, each with its public measures."""
    public = {m.id: m for m in catalogue.public()}
    groups = [
        ThemeGroup(t, tuple(public[m] for m in t.measures if m in public)) for t in area.themes
    ]
    named = {m for t in area.themes for m in t.measures}
    others = tuple(m for m in catalogue.public() if m.id in with_figures and m.id not in named)
    if others:
        groups.append(ThemeGroup(None, others))
    return [g for g in groups if g.measures]


# -- open data -------------------------------------------------------------------------

OPEN_DATA_COLUMNS = {
    "area": ("Area", "Area identifier, e.g. rotherham."),
    "area_code": (
        "Area code",
        "The council's nine-character GSS code (Office for National Statistics), "
        "e.g. E08000018 for Rotherham.",
    ),
    "area_name": ("Area name", "The local partnership's name."),
    "period": (
        "Period",
        "A quarter of the UK financial year (2024-25 Q1 is April to June 2024) or a whole "
        "financial year (2024-25, April 2024 to March 2025).",
    ),
    "measure_id": ("Measure id", "Stable identifier of the measure; see the measure rows."),
    "measure_title": ("Measure", "The measure's title."),
    "breakdown": (
        "Breakdown",
        "How the figure is split: all (the whole area), age_band, sex, ethnic_group, "
        "locality, hours_band, organisation or break_type.",
    ),
    "breakdown_value": ("Group", "The group within the breakdown; all for the whole area."),
    "unit": (
        "Unit",
        "count (rounded to the nearest 5), percent, rate (per 100 people providing unpaid "
        "care) or mean.",
    ),
    "value": (
        "Value",
        "The published figure. Blank when suppressed: suppressed means hidden, never zero.",
    ),
    "lower_ci": (
        "Lower 95% confidence limit",
        "Blank for counts and suppressed figures. For a percentage or rate it is worked out "
        "from the rounded numbers and allows for the rounding.",
    ),
    "upper_ci": ("Upper 95% confidence limit", "As the lower limit."),
    "suppressed": (
        "Suppressed",
        f"true when the figure is hidden to protect privacy: a count of 1 to {SMALL_COUNT_MAX}, "
        f"a percentage, rate or mean based on fewer than {MIN_DENOMINATOR} carers, or a figure "
        "hidden so that one of those cannot be worked out from the others.",
    ),
    "note": ("Note", "Why the figure is hidden or rounded, in plain English."),
}


def open_data(figures: pd.DataFrame, *, area: Area, catalogue: Catalogue) -> pd.DataFrame:
    """An area's published figures as an open-data table (columns of OPEN_DATA_COLUMNS)."""
    public = {m.id for m in catalogue.public()}
    frame = figures[figures["measure_id"].isin(public)].copy()
    frame["area_code"] = area.la_code
    frame["area_name"] = area.name
    frame["measure_title"] = frame["measure_id"].map(lambda m: catalogue[m].title)
    frame.loc[frame["suppressed"], ["value", "lower_ci", "upper_ci"]] = float("nan")
    frame["note"] = [
        figure_note(u, suppressed=bool(h))
        for u, h in zip(frame["unit"], frame["suppressed"], strict=True)
    ]
    # Counts are whole numbers: 505, never 505.0 (the column holds decimals for other units).
    counts = frame["unit"] == "count"
    frame["value"] = pd.Series(
        [
            None if pd.isna(v) else int(v) if is_count else float(v)
            for v, is_count in zip(frame["value"], counts, strict=True)
        ],
        index=frame.index,
        dtype=object,
    )
    frame["suppressed"] = frame["suppressed"].map({True: "true", False: "false"})
    return frame[list(OPEN_DATA_COLUMNS)].reset_index(drop=True)


def _csv(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    safe = make_csv_safe(frame)
    for column in frame.columns:  # numbers need no escaping, and counts stay whole numbers
        cells = frame[column].dropna()
        if len(cells) and all(isinstance(v, int | float) for v in cells):
            safe[column] = frame[column]
    safe.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def open_data_csv(figures: pd.DataFrame, *, area: Area, catalogue: Catalogue) -> str:
    """The open-data table as CSV, every text cell safe to open in a spreadsheet."""
    return _csv(open_data(figures, area=area, catalogue=catalogue))


def column_dictionary() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"column": column, "title": title, "meaning": meaning}
            for column, (title, meaning) in OPEN_DATA_COLUMNS.items()
        ]
    )


def measure_dictionary(catalogue: Catalogue) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": m.id,
                "title": m.title,
                "definition": m.definition,
                "description": m.description,
                "unit": m.unit,
                "polarity": m.polarity,
                "polarity_meaning": POLARITY_WORDS[m.polarity],
            }
            for m in catalogue.public()
        ]
    )


def data_dictionary(catalogue: Catalogue) -> pd.DataFrame:
    """One table describing every column and every public measure of the open data."""
    columns = column_dictionary().rename(columns={"column": "id", "meaning": "definition"})
    columns.insert(0, "kind", "column")
    measures = measure_dictionary(catalogue).drop(columns=["description", "polarity_meaning"])
    measures.insert(0, "kind", "measure")
    return pd.concat([columns, measures], ignore_index=True)[
        ["kind", "id", "title", "definition", "unit", "polarity"]
    ].fillna("")


def data_dictionary_csv(catalogue: Catalogue) -> str:
    return _csv(data_dictionary(catalogue))


def _day(moment) -> str:
    stamp = pd.Timestamp(moment)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    local = stamp.tz_convert("Europe/London")
    return f"{local.day} {calendar.month_name[local.month]} {local.year}"


def publication_note(row: dict) -> str:
    """`Published on 3 March 2026. Revised on 2 April 2026: <reason>.` for one quarter."""
    if row["status"] == "withdrawn":
        return (
            f"The figures for {row['period']} were withdrawn on {_day(row['withdrawn_at'])}: "
            f"{row['withdrawal_notice']}"
        )
    text = f"{row['period']} was published on {_day(row['first_published_at'])}."
    if row.get("revised_at") is not None and not pd.isna(row["revised_at"]):
        text += f" Revised on {_day(row['revised_at'])}: {row['revision_reason']}"
    return text
