"""Synthetic carers, assessments, breaks and survey responses for the demo areas.

A population of carers is simulated per area, quarter by quarter: carers are
identified (with seasonality and a dip in the 2020 lockdown), stay known for a
while and are closed. Each quarter's extracts are then drawn from it, so every
record is consistent with the register (nobody is assessed before they are known).

Randomness comes from numpy Generators keyed by (seed, area, stream, quarter), so
a quarter's records do not depend on which other quarters or areas are generated.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from carers_impact.extracts import (
    ASSESSMENT_OUTCOMES,
    BREAK_TYPES,
    ETHNIC_GROUPS,
    HOURS_BANDS,
    INFO_EASE,
    INVOLVED,
    QOL_ITEMS,
    SEXES,
)
from carers_impact.periods import Quarter
from etl.demo_profiles import AreaFacts, AreaProfile

EPOCH = np.datetime64("1970-01-01", "D")
NEVER = 10**6  # day number of "not closed"
SURVEY_BASE = Quarter(2018, 4)  # ASCOF 2018-19 levels hold at the end of 2018-19

ADULT_AGES = ("18-24", "25-64", "65+", "Unknown")
ADULT_AGE_MIX = (0.05, 0.60, 0.32, 0.03)
ADULT_SEX_MIX = (0.62, 0.345, 0.005, 0.03)  # order of SEXES
YOUNG_SEX_MIX = (0.55, 0.43, 0.01, 0.01)
YOUNG_HOURS_MIX = (0.60, 0.30, 0.10)
IDENTIFIED_SEASON = {1: 1.12, 2: 0.88, 3: 1.12, 4: 0.88}  # Carers Week (June), Rights Day (Nov)
ASSESSMENT_SEASON = {1: 1.0, 2: 0.95, 3: 0.93, 4: 1.12}
BREAK_SEASON = {1: 1.0, 2: 1.08, 3: 0.97, 4: 0.95}
LOCKDOWN = {Quarter(2020, 1): 0.55, Quarter(2020, 2): 0.8, Quarter(2020, 3): 0.92}
BREAKS_IN_LOCKDOWN = {Quarter(2020, 1): 0.3, Quarter(2020, 2): 0.6, Quarter(2020, 3): 0.8}
BREAK_MIX = (0.28, 0.22, 0.20, 0.20, 0.10)  # order of BREAK_TYPES


def stream(seed: int, area: str, name: str, quarter: Quarter | None = None) -> np.random.Generator:
    """An independent random stream for one area, purpose and quarter."""
    keys = [seed, zlib.crc32(area.encode()), zlib.crc32(name.encode())]
    return np.random.default_rng([*keys, quarter.index if quarter else 0])


def day(value) -> int:
    return int((np.datetime64(value, "D") - EPOCH).astype(int))


def to_dates(days: np.ndarray) -> pd.Series:
    """Day numbers to dates; NEVER becomes a blank."""
    arr = np.asarray(days, dtype="int64")
    out = (EPOCH + arr.clip(0, NEVER - 1)).astype("datetime64[s]")
    return pd.Series(np.where(arr >= NEVER, np.datetime64("NaT"), out), dtype="datetime64[s]")


def _span(quarter: Quarter) -> tuple[int, int]:
    """First day number and length in days of a quarter."""
    first = day(quarter.start)
    return first, day(quarter.end) - first + 1


# -- the population --------------------------------------------------------------------


def simulate_population(
    area: str, profile: AreaProfile, facts: AreaFacts, *, last: Quarter, seed: int
) -> pd.DataFrame:
    """Every carer known to the area from the profile's start to `last`, one row each."""
    start = Quarter.parse(profile.start)
    place = stream(seed, area, "localities")
    loc_mix = place.dirichlet(np.full(len(facts.localities), 6.0))
    hours = np.array(facts.hours_mix) * (0.7, 1.1, 1.5)
    common = {"loc_mix": loc_mix, "ethnic_mix": profile.ethnicity}
    groups = {  # adults stay known for years; young carers grow up and move on sooner
        False: _Group(
            stream(seed, area, "adults"),
            share=1 - profile.young_share,
            hazard=0.03,
            years_known=2.5,
            hours_mix=hours / hours.sum(),
            **common,
        ),
        True: _Group(
            stream(seed, area, "young"),
            share=profile.young_share,
            hazard=0.07,
            years_known=1.5,
            hours_mix=np.array(YOUNG_HOURS_MIX),
            **common,
        ),
    }
    for young, group in groups.items():
        target = facts.census_carers * profile.rate[0] / 100 * group.share
        group.add_stock(round(target), start, last, young=young, nhs=profile.nhs)
    for index in range(start.index, last.index + 1):
        quarter = Quarter.from_index(index)
        for young, group in groups.items():
            wanted = facts.census_carers * profile.along(profile.rate, quarter) / 100
            before = facts.census_carers * profile.along(profile.rate, quarter.previous()) / 100
            group.add_arrivals(
                quarter,
                last,
                wanted * group.share,
                before * group.share,
                young=young,
                nhs=profile.nhs,
            )
    frames = [b for _, g in sorted(groups.items()) for b in g.batches]
    order = sorted(range(len(frames)), key=lambda i: frames[i].attrs["order"])
    pop = pd.concat([frames[i] for i in order], ignore_index=True)
    pop.insert(0, "carer_id", [f"{facts.prefix}-C{n:06d}" for n in range(1, len(pop) + 1)])
    return pop


class _Group:
    """Adults or young carers: a stock that is topped up each quarter and closes over time."""

    def __init__(self, rng, *, share, hazard, years_known, loc_mix, hours_mix, ethnic_mix):
        self.rng, self.share, self.hazard, self.years_known = rng, share, hazard, years_known
        self.mixes = (loc_mix, hours_mix, np.array(ethnic_mix) / sum(ethnic_mix))
        self.batches: list[pd.DataFrame] = []
        self.identified = np.empty(0, dtype="int64")
        self.closed = np.empty(0, dtype="int64")

    def alive_at_end(self, quarter: Quarter) -> int:
        end = day(quarter.end)
        return int(((self.identified <= end) & (self.closed > end)).sum())

    def add_stock(self, n, start, last, *, young, nhs) -> None:
        back = self.rng.exponential(self.years_known * 365, n).clip(1, 12 * 365).astype(int)
        identified = day(start.start) - back
        self._add(
            identified, start.index - 1, last, young=young, nhs=nhs, order=(start.index - 1, young)
        )

    def add_arrivals(self, quarter, last, wanted, before, *, young, nhs) -> None:
        alive = self.alive_at_end(quarter.previous())
        mean = self.hazard * alive + (wanted - before) + 0.5 * (before - alive)
        mean = max(mean, 0.3 * self.hazard * alive) * IDENTIFIED_SEASON[quarter.q]
        mean *= LOCKDOWN.get(quarter, 1.0) * self.rng.lognormal(0, 0.06)
        n = int(self.rng.poisson(mean))
        first, length = _span(quarter)
        identified = first + self.rng.integers(0, length, n)
        self._add(
            identified, quarter.index, last, young=young, nhs=nhs, order=(quarter.index, young)
        )

    def _add(self, identified, base, last, *, young, nhs, order) -> None:
        rng, n = self.rng, len(identified)
        loc_mix, hours_mix, ethnic_mix = self.mixes
        closes = base + rng.geometric(self.hazard, n)
        offsets = rng.random(n)
        closed = np.full(n, NEVER, dtype="int64")
        for i in np.flatnonzero(closes <= last.index):
            first, length = _span(Quarter.from_index(int(closes[i])))
            closed[i] = first + int(offsets[i] * length)
        if young:
            ages = np.full(n, "0-17", dtype=object)
            sexes = rng.choice(SEXES, n, p=YOUNG_SEX_MIX)
        else:
            ages = rng.choice(ADULT_AGES, n, p=ADULT_AGE_MIX)
            sexes = rng.choice(SEXES, n, p=ADULT_SEX_MIX)
        batch = pd.DataFrame(
            {
                "identified": np.asarray(identified, dtype="int64"),
                "closed": closed,
                "young": young,
                "age_band": ages,
                "sex": sexes,
                "ethnic_group": rng.choice(ETHNIC_GROUPS, n, p=ethnic_mix),
                "locality": rng.choice(len(loc_mix), n, p=loc_mix),
                "hours_band": rng.choice(HOURS_BANDS, n, p=hours_mix),
                "nhs": (rng.random(n) < nhs[2]) & (not young) if nhs else False,
            }
        )
        batch.attrs["order"] = order
        self.batches.append(batch)
        self.identified = np.concatenate([self.identified, batch.identified.to_numpy()])
        self.closed = np.concatenate([self.closed, closed])


def known_at_end(pop: pd.DataFrame, quarter: Quarter) -> pd.Series:
    """Carers on a register at the quarter end: identified by then and not closed by then."""
    end = day(quarter.end)
    return (pop.identified <= end) & (pop.closed > end)


def register_snapshot(
    pop: pd.DataFrame,
    quarter: Quarter,
    members: pd.Series,
    columns: tuple[str, ...],
    localities: tuple[str, ...],
) -> pd.DataFrame:
    """A register as at the quarter end: known carers, and those closed during the quarter."""
    first, end = day(quarter.start), day(quarter.end)
    rows = pop[members & (pop.identified <= end) & (pop.closed >= first)]
    closed = rows.closed.where(rows.closed <= end, NEVER).to_numpy()
    out = pd.DataFrame(
        {
            "carer_id": rows.carer_id.to_numpy(),
            "date_identified": to_dates(rows.identified.to_numpy()),
            "age_band": rows.age_band.to_numpy(),
            "sex": rows.sex.to_numpy(),
            "ethnic_group": rows.ethnic_group.to_numpy(),
            "locality": np.array(localities, dtype=object)[rows.locality.to_numpy()],
            "hours_band": rows.hours_band.to_numpy(),
            "date_closed": to_dates(closed),
        }
    )
    return out[list(columns)]


# -- records of one quarter ------------------------------------------------------------


def assessments(pop, quarter, profile: AreaProfile, rng, prefix: str) -> pd.DataFrame:
    """Carers' assessments and reviews completed in the quarter, by the adult services."""
    adults = pop[known_at_end(pop, quarter) & ~pop.young]
    first, length = _span(quarter)
    n = int(
        rng.poisson(
            profile.assess_rate
            * len(adults)
            * ASSESSMENT_SEASON[quarter.q]
            * LOCKDOWN.get(quarter, 1.0)
        )
    )
    recent = adults.identified >= first - 180
    n_new = min(int(recent.sum()), round(0.45 * n))
    n_review = min(int((~recent).sum()), n - n_new)
    chosen = pd.concat(
        [
            adults[recent].sample(n_new, random_state=rng),
            adults[~recent].sample(n_review, random_state=rng),
        ]
    )
    is_new = np.r_[np.ones(n_new, bool), np.zeros(n_review, bool)]
    lower = np.maximum(chosen.identified.to_numpy(), first)
    completed = lower + (rng.random(len(chosen)) * (first + length - lower)).astype(int)
    timely = rng.random(len(chosen)) < profile.along(profile.timely, quarter)
    delay = np.where(
        timely,
        rng.triangular(0, 12, 28, len(chosen)).round(),
        29 + rng.gamma(2.0, 14.0, len(chosen)).round(),
    ).astype(int)
    requested = np.where(rng.random(len(chosen)) < 0.04, NEVER, completed - delay)
    outcome = np.where(
        is_new,
        rng.choice(ASSESSMENT_OUTCOMES, len(chosen), p=(0.50, 0.35, 0.15)),
        rng.choice(ASSESSMENT_OUTCOMES, len(chosen), p=(0.65, 0.25, 0.10)),
    )
    out = pd.DataFrame(
        {
            "carer_id": chosen.carer_id.to_numpy(),
            "date_requested": requested,
            "date_completed": completed,
            "assessment_type": np.where(is_new, "new", "review"),
            "outcome": outcome,
        }
    ).sort_values(["date_completed", "carer_id"], kind="stable", ignore_index=True)
    return _finish(
        out, "assessment_id", f"{prefix}-A", quarter, ("date_requested", "date_completed")
    )


def breaks(pop, quarter, profile: AreaProfile, rng, prefix: str) -> pd.DataFrame:
    """Breaks from caring that started in the quarter."""
    adults = pop[known_at_end(pop, quarter) & ~pop.young]
    first, length = _span(quarter)
    n = int(
        rng.poisson(
            profile.break_rate
            * len(adults)
            * BREAK_SEASON[quarter.q]
            * BREAKS_IN_LOCKDOWN.get(quarter, 1.0)
        )
    )
    chosen = adults.sample(min(n, len(adults)), random_state=rng)
    chosen = pd.concat([chosen, chosen[rng.random(len(chosen)) < 0.15]])  # some take two
    size = len(chosen)
    unplanned = rng.random(size) < profile.along(profile.unplanned, quarter)
    kind = np.where(
        unplanned,
        rng.choice(BREAK_TYPES[:2], size, p=(0.4, 0.6)),
        rng.choice(BREAK_TYPES, size, p=BREAK_MIX),
    )
    lower = np.maximum(chosen.identified.to_numpy(), first)
    start = lower + (rng.random(size) * (first + length - lower)).astype(int)
    respite = 1 + rng.poisson(np.where(unplanned, 8, 5), size)
    nights = np.select(
        [
            kind == "residential respite",
            kind == "replacement care at home",
            kind == "direct payment",
            kind == "break grant",
        ],
        [respite.clip(1, 28), rng.poisson(1, size), rng.poisson(2, size), -1],
        default=0,
    )
    end = np.where(nights < 0, NEVER, start + nights.clip(0))
    out = pd.DataFrame(
        {
            "carer_id": chosen.carer_id.to_numpy(),
            "start_date": start,
            "end_date": end,
            "break_type": kind,
            "planned": np.where(unplanned, "no", "yes"),
            "nights": pd.array(np.where(nights < 0, 0, nights), dtype="Int64"),
        }
    )
    out.loc[nights < 0, "nights"] = pd.NA
    out = out.sort_values(["start_date", "carer_id"], kind="stable", ignore_index=True)
    return _finish(out, "break_id", f"{prefix}-B", quarter, ("start_date", "end_date"))


def outcomes(pop, quarter, profile: AreaProfile, facts: AreaFacts, rng) -> pd.DataFrame:
    """Outcome survey responses received in the quarter (adult carers)."""
    adults = pop[known_at_end(pop, quarter) & ~pop.young]
    first, length = _span(quarter)
    n = int(rng.poisson(0.07 * len(adults) * LOCKDOWN.get(quarter, 1.0)))
    years = (quarter.index - SURVEY_BASE.index) / 4
    crqol = facts.ascof["1D"] + profile.wellbeing_trend * years
    shift = profile.survey_trend * years / 100

    mean = np.clip(crqol / 12, 0.3, 0.9)
    wellbeing = rng.beta(mean * 8, (1 - mean) * 8, n)
    spread = mean * (1 - mean) / 9  # variance of the Beta above
    social = np.sqrt(max(facts.ascof["1I2"] / 100 + shift - spread, 0.01))
    others = (crqol / 2 - social) / 5
    chance = {item: others for item in QOL_ITEMS} | {"qol_social": social}
    chance["qol_time_for_self"] = np.sqrt(max(0.25 + shift - spread, 0.01))
    out = pd.DataFrame(
        {
            "carer_id": np.where(
                rng.random(n) < 0.75,
                adults.carer_id.sample(n, replace=n > len(adults), random_state=rng).to_numpy(),
                "",
            ),
            "response_date": first + rng.integers(0, length, n),
        }
    )
    for item, p in chance.items():
        score = rng.binomial(2, np.clip(wellbeing + p - mean, 0.02, 0.98)).astype(str)
        out[item] = np.where(rng.random(n) < 0.025, "", score)

    satisfied = np.clip(facts.ascof["3B"] / 100 + shift, 0.05, 0.95)
    weights = np.r_[
        0.45 * satisfied,
        0.55 * satisfied,
        (1 - satisfied) * np.array([0.35, 0.25, 0.17, 0.12, 0.11]),
    ]
    out["satisfaction"] = np.where(
        rng.random(n) < 0.12, "", rng.choice([str(i) for i in range(1, 8)], n, p=weights)
    )
    easy = np.clip(facts.ascof["3D2"] / 100 + shift, 0.05, 0.95)
    ease_mix = np.r_[
        0.86 * easy * np.array([0.4, 0.6]), 0.86 * (1 - easy) * np.array([0.6, 0.4]), 0.14
    ]
    out["info_ease"] = _answers(rng, n, INFO_EASE, ease_mix, blank=0.05)
    involved = np.clip(facts.ascof["3C"] / 100 + shift, 0.05, 0.95)
    inv_mix = np.r_[
        0.9 * involved * np.array([0.55, 0.45]), 0.9 * (1 - involved) * np.array([0.7, 0.3]), 0.1
    ]
    out["involved"] = _answers(rng, n, INVOLVED, inv_mix, blank=0.05)
    prepared = np.clip(0.45 + shift, 0.05, 0.95)
    out["prepared_for_future"] = _answers(
        rng, n, ("yes", "no"), (prepared, 1 - prepared), blank=0.08
    )
    out = out.sort_values(["response_date"], kind="stable", ignore_index=True)
    return _finish(out, "response_id", f"{facts.prefix}-S", quarter, ("response_date",))


def _answers(rng, n, values, mix, *, blank: float) -> np.ndarray:
    mix = np.asarray(mix, dtype=float)
    picked = rng.choice(values, n, p=mix / mix.sum())
    return np.where(rng.random(n) < blank, "", picked)


def _finish(
    df: pd.DataFrame, key: str, prefix: str, quarter: Quarter, date_columns: tuple[str, ...]
) -> pd.DataFrame:
    """Number the rows (ids like ROT-A24Q1-00001) and turn day numbers into dates."""
    code = f"{prefix}{quarter.year % 100:02d}Q{quarter.q}-"
    df.insert(0, key, [f"{code}{i:05d}" for i in range(1, len(df) + 1)])
    for column in date_columns:
        df[column] = to_dates(df[column].to_numpy())
    return df
