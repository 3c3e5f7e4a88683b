"""The attacker on public figures: each attack works on figures published the old way
(percentages and intervals from exact counts) and finds nothing once disclosure control
has made the figures (SPEC section 7)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from measures.domain.attack import (
    BREAKDOWNS,
    INVERSION,
    MEASURES,
    TWINS,
    YEARS,
    attack,
    same_people_pairs,
)
from measures.domain.catalogue import load_catalogue
from measures.domain.disclosure import suppress
from measures.domain.public_figures import audit, public_view
from measures.domain.stats import wilson_interval

AREA = "rotherham"
QUARTER = "2024-25 Q1"


def exact_row(measure_id, unit, breakdown="all", value="all", *, x, n=None, period=QUARTER):
    """A stored figure: a count (x) or a percentage (x of n) with its exact interval."""
    row = {
        "measure_id": measure_id,
        "area": AREA,
        "period": period,
        "breakdown": breakdown,
        "breakdown_value": value,
        "unit": unit,
        "numerator": float(x),
        "denominator": np.nan if n is None else float(n),
        "value": float(x),
        "lower_ci": np.nan,
        "upper_ci": np.nan,
    }
    if n is not None:
        row["value"] = 100 * x / n
        row["lower_ci"], row["upper_ci"] = wilson_interval(x, n)
    return row


def old_way(rows: list[dict], *, hidden: set[tuple[str, str, str]] = frozenset()) -> pd.DataFrame:
    """Figures as published before: exact percentage and Wilson interval to one decimal
    place, counts rounded to 5, the `hidden` (measure, period, value) cells suppressed."""
    frame = pd.DataFrame(rows)
    percent = frame["unit"] == "percent"
    for column in ("value", "lower_ci", "upper_ci"):
        frame.loc[percent, column] = frame.loc[percent, column].round(1)
    counts = frame["unit"] == "count"
    frame.loc[counts, "value"] = np.floor(frame.loc[counts, "value"] / 5 + 0.5) * 5
    frame["suppressed"] = [
        (r.measure_id, r.period, r.breakdown_value) in hidden for r in frame.itertuples()
    ]
    frame.loc[frame["suppressed"], ["value", "lower_ci", "upper_ci"]] = np.nan
    return frame.drop(columns=["numerator", "denominator"])


def controlled(rows: list[dict]) -> pd.DataFrame:
    """The same figures through today's disclosure control (and its audit)."""
    frame = pd.DataFrame(rows)
    published = {p for p in frame["period"] if "Q" in p}
    return public_view(frame, catalogue=load_catalogue(), published=published)


def found(public: pd.DataFrame, rows: list[dict], attacks) -> set[tuple]:
    result = attack(
        public,
        census={AREA: 26313},
        same_people=same_people_pairs(pd.DataFrame(rows), public),
        attacks=attacks,
    )
    return {
        (r.measure_id, r.period, r.breakdown_value, r.count, r.recovered)
        for r in result.found.itertuples()
    }


def test_interval_inversion_finds_the_one_pair_of_counts_behind_a_percentage():
    rows = [exact_row("satisfied_pct", "percent", x=3, n=10)]
    public = old_way(rows)
    assert public[["value", "lower_ci", "upper_ci"]].iloc[0].tolist() == [30.0, 10.8, 60.3]
    assert ("satisfied_pct", QUARTER, "all", "numerator", 3.0) in found(public, rows, [INVERSION])


def test_a_percentage_from_rounded_counts_gives_back_only_the_rounded_counts():
    rows = [exact_row("satisfied_pct", "percent", x=3, n=10)]
    assert found(controlled(rows), rows, [INVERSION]) == set()


def year_and_quarters() -> list[dict]:
    """Unplanned breaks: Q2 has 5 breaks (1 unplanned), too few to publish."""
    counts = {"Q1": (2, 20), "Q2": (1, 5), "Q3": (3, 21), "Q4": (4, 23)}
    rows = [
        exact_row("unplanned_breaks_pct", "percent", x=x, n=n, period=f"2024-25 {q}")
        for q, (x, n) in counts.items()
    ]
    return [*rows, exact_row("unplanned_breaks_pct", "percent", x=10, n=69, period="2024-25")]


def test_a_hidden_quarter_is_its_year_minus_the_other_quarters():
    rows = year_and_quarters()
    public = old_way(rows, hidden={("unplanned_breaks_pct", "2024-25 Q2", "all")})
    recovered = found(public, rows, [INVERSION, YEARS])
    assert ("unplanned_breaks_pct", "2024-25 Q2", "all", "numerator", 1.0) in recovered
    assert ("unplanned_breaks_pct", "2024-25 Q2", "all", "denominator", 5.0) in recovered


def test_a_year_with_one_hidden_quarter_is_hidden_too_and_nothing_is_recovered():
    rows = year_and_quarters()
    public = controlled(rows)
    assert public.set_index("period")["suppressed"].to_dict() == {
        "2024-25 Q1": False,
        "2024-25 Q2": True,
        "2024-25 Q3": False,
        "2024-25 Q4": False,
        "2024-25": True,
    }
    assert found(public, rows, [INVERSION, YEARS]) == set()


def tight_breakdown() -> list[dict]:
    """Rounded, every cell's error points the same way as the total's: 1592 = 983+558+43+8."""
    cells = {"Female": 983, "Male": 558, "Not stated": 43, "Other": 8}
    return [
        exact_row("known_carers", "count", x=sum(cells.values())),
        *(exact_row("known_carers", "count", "sex", v, x=x) for v, x in cells.items()),
    ]


def test_rounded_cells_can_add_up_to_only_one_set_of_counts():
    rows = tight_breakdown()
    public = suppress(pd.DataFrame(rows))  # the rules alone, without the audit
    assert public["value"].tolist() == [1590, 985, 560, 45, 10]
    assert ("known_carers", QUARTER, "Other", "value", 8.0) in found(public, rows, [BREAKDOWNS])


def test_the_audit_hides_a_cell_of_a_breakdown_whose_rounding_gives_it_away():
    rows = tight_breakdown()
    public = controlled(rows)
    assert public.set_index("breakdown_value")["suppressed"].to_dict() == {
        "all": False,
        "Female": False,
        "Male": False,
        "Not stated": True,
        "Other": True,
    }
    assert found(public, rows, [BREAKDOWNS]) == set()


def register_and_assessed() -> list[dict]:
    """14 young carers, 3 of them assessed: the register count is published rounded (15)."""
    return [
        exact_row("known_carers", "count", "age_band", "0-17", x=14),
        exact_row("carers_assessed_12m", "percent", "age_band", "0-17", x=3, n=14),
    ]


def test_a_percentage_of_the_register_gives_away_the_rounded_register_count():
    rows = register_and_assessed()
    recovered = found(old_way(rows), rows, [INVERSION, MEASURES])
    assert ("known_carers", QUARTER, "0-17", "value", 14.0) in recovered


def test_a_percentage_of_the_register_from_rounded_counts_gives_nothing_away():
    rows = register_and_assessed()
    assert found(controlled(rows), rows, [INVERSION, MEASURES]) == set()


def test_young_carers_are_hidden_where_the_0_17_register_cell_is():
    rows = [
        exact_row("known_carers", "count", x=112),
        exact_row("known_carers", "count", "age_band", "0-17", x=12),
        exact_row("known_carers", "count", "age_band", "18-24", x=5),
        exact_row("known_carers", "count", "age_band", "25-64", x=95),
        exact_row("young_carers_known", "count", x=12),
    ]
    public = controlled(rows).set_index(["measure_id", "breakdown_value"])["suppressed"]
    assert public[("known_carers", "0-17")] and public[("young_carers_known", "all")]


def twin_cells() -> list[dict]:
    """Assessed carers: the 0-17 age band and the children's services are the same 20 people."""
    return [
        exact_row("carers_assessed_12m", "percent", x=40, n=100),
        exact_row("carers_assessed_12m", "percent", "age_band", "0-17", x=9, n=20),
        exact_row("carers_assessed_12m", "percent", "age_band", "18-24", x=2, n=8),
        exact_row("carers_assessed_12m", "percent", "age_band", "25-64", x=29, n=72),
        exact_row("carers_assessed_12m", "percent", "organisation", "ROT-CSC", x=9, n=20),
        exact_row("carers_assessed_12m", "percent", "organisation", "ROT-ASC", x=31, n=80),
    ]


def test_a_hidden_cell_shown_under_another_breakdown_is_recovered():
    rows = twin_cells()
    hidden = {("carers_assessed_12m", QUARTER, v) for v in ("0-17", "18-24")}
    recovered = found(old_way(rows, hidden=hidden), rows, [INVERSION, TWINS, BREAKDOWNS])
    assert ("carers_assessed_12m", QUARTER, "0-17", "numerator", 9.0) in recovered
    assert ("carers_assessed_12m", QUARTER, "18-24", "numerator", 2.0) in recovered


def test_a_cell_with_the_counts_of_a_hidden_cell_is_hidden_under_every_breakdown():
    rows = twin_cells()
    public = controlled(rows).set_index("breakdown_value")["suppressed"]
    assert public["0-17"] and public["18-24"] and public["ROT-CSC"] and public["ROT-ASC"]
    assert not public["all"] and not public["25-64"]
    assert audit(controlled(rows), pd.DataFrame(rows)).found.empty


small_counts = st.one_of(st.integers(0, 9), st.integers(10, 60), st.integers(61, 400))


@st.composite
def registers(draw) -> list[dict]:
    """Known carers by age band and by sex (each adding up to the total), with the share
    of each assessed, and the young carers."""
    ages = draw(st.lists(small_counts, min_size=2, max_size=4))
    total = sum(ages)
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=1, max_size=2)))
    sexes = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    rows = [exact_row("known_carers", "count", x=total)]
    for breakdown, cells in (("age_band", ages), ("sex", sexes)):
        for i, count in enumerate(cells):
            label = "0-17" if (breakdown, i) == ("age_band", 0) else f"{breakdown}-{i}"
            rows.append(exact_row("known_carers", "count", breakdown, label, x=count))
            if count:
                assessed = draw(st.integers(0, count))
                rows.append(
                    exact_row(
                        "carers_assessed_12m", "percent", breakdown, label, x=assessed, n=count
                    )
                )
    rows.append(exact_row("young_carers_known", "count", x=ages[0]))
    return rows


@given(registers())
def test_no_attack_recovers_anything_from_controlled_figures(rows):
    public = controlled(rows)
    assert audit(public, pd.DataFrame(rows)).found.empty
    counts = public.loc[(public["unit"] == "count") & ~public["suppressed"], "value"]
    assert not counts.between(1, 7).any() and (counts % 5 == 0).all()
