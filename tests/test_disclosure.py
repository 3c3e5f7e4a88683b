"""Disclosure control: what the public may see (SPEC section 7)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from measures.domain.disclosure import (
    DisclosureInputError,
    display_value,
    make_csv_safe,
    safe_csv_cell,
    suppress,
)
from measures.domain.stats import wilson_interval

NUMERIC = ["value", "numerator", "denominator", "lower_ci", "upper_ci"]


def row(
    breakdown_value: str = "all",
    value: float | None = None,
    *,
    breakdown: str | None = None,
    measure_id: str = "known_carers",
    unit: str = "count",
    numerator: float | None = None,
    denominator: float | None = None,
    lower_ci: float | None = None,
    upper_ci: float | None = None,
    area: str = "rotherham",
    period: str = "2024-25 Q1",
) -> dict:
    if breakdown is None:
        breakdown = "all" if breakdown_value == "all" else "age_band"
    return {
        "measure_id": measure_id,
        "area": area,
        "period": period,
        "breakdown": breakdown,
        "breakdown_value": breakdown_value,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "lower_ci": lower_ci,
        "upper_ci": upper_ci,
        "unit": unit,
    }


def table(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    frame[NUMERIC] = frame[NUMERIC].astype("float64")
    return frame


def percent_row(breakdown_value: str, numerator: int, denominator: int, **kw) -> dict:
    return row(
        breakdown_value,
        100 * numerator / denominator,
        measure_id=kw.pop("measure_id", "satisfied_pct"),
        unit=kw.pop("unit", "percent"),
        numerator=numerator,
        denominator=denominator,
        lower_ci=1.0,
        upper_ci=99.0,
        **kw,
    )


def public_value(frame: pd.DataFrame, breakdown_value: str) -> float:
    return frame.loc[frame["breakdown_value"] == breakdown_value, "value"].item()


def is_hidden(frame: pd.DataFrame, breakdown_value: str) -> bool:
    return bool(frame.loc[frame["breakdown_value"] == breakdown_value, "suppressed"].item())


# --- counts -----------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 5, 7])
def test_a_count_of_one_to_seven_is_suppressed(count):
    public = suppress(table(row("all", count)))
    assert public["suppressed"].item()
    assert math.isnan(public["value"].item())


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, 0), (8, 10), (9, 10), (10, 10), (12, 10), (13, 15), (1002, 1000), (26313, 26315)],
)
def test_other_counts_are_rounded_to_the_nearest_five(count, shown):
    public = suppress(table(row("all", count)))
    assert not public["suppressed"].item()
    assert public["value"].item() == shown


@pytest.mark.parametrize(("count", "shown"), [(12.5, 15), (17.5, 20), (12.4, 10)])
def test_rounding_takes_halves_up(count, shown):
    assert suppress(table(row("all", count)))["value"].item() == shown


def test_a_count_gets_no_interval_in_public():
    public = suppress(table(row("all", 120, lower_ci=100, upper_ci=140)))
    assert public[["lower_ci", "upper_ci"]].isna().all(axis=None)


def test_a_missing_count_stays_missing_and_is_not_marked_suppressed():
    public = suppress(table(row("all", None)))
    assert math.isnan(public["value"].item())
    assert not public["suppressed"].item()


# --- percentages, rates and means ---------------------------------------------


def test_a_percentage_with_denominator_nine_is_suppressed():
    public = suppress(table(percent_row("all", 4, 9)))
    assert public["suppressed"].item()
    assert public[NUMERIC].isna().all(axis=None)


def test_a_percentage_with_denominator_ten_is_shown_from_the_rounded_counts():
    public = suppress(table(percent_row("all", 4, 10)))
    assert not public["suppressed"].item()
    assert public["value"].item() == 50.0  # 5 of 10: each count rounded to the nearest 5
    low, high = public[["lower_ci", "upper_ci"]].iloc[0].tolist()
    # Wilson's interval over every count the rounded ones stand for: 3-7 of 10-12.
    assert (low, high) == pytest.approx((wilson_interval(3, 12)[0], wilson_interval(7, 10)[1]))
    assert low < 40.0 < high


def test_a_percentage_interval_covers_every_count_the_rounded_ones_stand_for():
    public = suppress(table(percent_row("all", 250, 1000)))
    low, high = public[["lower_ci", "upper_ci"]].iloc[0].tolist()
    for x, n in itertools.product(range(248, 253), range(998, 1003)):
        exact_low, exact_high = wilson_interval(x, n)
        assert low <= exact_low + 1e-9 and exact_high <= high + 1e-9


def test_a_percentage_with_a_small_numerator_is_shown_once_the_denominator_is_ten():
    public = suppress(table(percent_row("all", 3, 40)))
    assert public["value"].item() == 12.5  # 5 of 40
    assert public["lower_ci"].item() < 7.5 < public["upper_ci"].item()


def test_a_rate_is_worked_out_from_the_rounded_count():
    rate = row("all", 100 * 3052 / 26313, measure_id="identification_rate", unit="rate")
    rate |= {"numerator": 3052, "denominator": 26313}
    public = suppress(table(rate))
    assert public["value"].item() == pytest.approx(100 * 3050 / 26313)


def test_a_percentage_never_publishes_its_numerator_or_denominator():
    public = suppress(table(percent_row("all", 250, 1000)))
    assert public[["numerator", "denominator"]].isna().all(axis=None)


def test_a_percentage_with_unknown_denominator_is_suppressed():
    public = suppress(table(row("all", 50.0, unit="percent", numerator=5)))
    assert public["suppressed"].item()


@pytest.mark.parametrize(("respondents", "hidden"), [(9, True), (10, False)])
def test_a_mean_from_fewer_than_ten_respondents_is_suppressed(respondents, hidden):
    mean = row("all", 8.2, measure_id="crqol_score", unit="mean", denominator=respondents)
    assert suppress(table(mean))["suppressed"].item() is hidden


def test_a_rate_per_hundred_follows_the_percentage_rule():
    rate = row("all", 11.6, measure_id="identification_rate", unit="rate", numerator=3050)
    rate["denominator"] = 26313
    public = suppress(table(rate))
    assert not public["suppressed"].item()
    assert public["value"].item() == pytest.approx(100 * 3050 / 26313)
    assert public[["numerator", "denominator"]].isna().all(axis=None)


# --- secondary suppression ------------------------------------------------------


def test_one_small_cell_takes_the_next_smallest_with_it():
    public = suppress(
        table(
            row("all", 120),
            row("0-17", 3),
            row("25-64", 50),
            row("65+", 67),
        )
    )
    assert is_hidden(public, "0-17")
    assert is_hidden(public, "25-64")
    assert not is_hidden(public, "65+")
    assert not is_hidden(public, "all")
    assert public_value(public, "all") == 120


def test_next_smallest_skips_zero_cells():
    public = suppress(table(row("all", 73), row("0-17", 3), row("18-24", 0), row("25-64", 70)))
    assert is_hidden(public, "25-64")
    assert public_value(public, "18-24") == 0


def test_ties_for_next_smallest_go_to_the_first_breakdown_value():
    public = suppress(table(row("all", 43), row("0-17", 3), row("65+", 20), row("25-64", 20)))
    assert is_hidden(public, "25-64")
    assert not is_hidden(public, "65+")


def test_two_small_cells_need_no_secondary_suppression():
    public = suppress(table(row("all", 108), row("0-17", 3), row("18-24", 5), row("25-64", 100)))
    assert public["suppressed"].tolist() == [False, True, True, False]


def test_secondary_suppression_applies_without_a_total_row():
    public = suppress(table(row("0-17", 3), row("25-64", 50)))
    assert public["suppressed"].all()


def test_a_lone_suppressed_cell_takes_the_published_total_with_it():
    public = suppress(table(row("all", 40), row("Unknown", 4, breakdown="hours_band")))
    assert public["suppressed"].all()


def test_breakdowns_sharing_a_total_are_protected_separately():
    public = suppress(
        table(
            row("all", 100),
            row("0-17", 2),
            row("18-64", 41),
            row("65+", 57),
            row("Female", 60, breakdown="sex"),
            row("Male", 40, breakdown="sex"),
        )
    )
    assert public["suppressed"].tolist() == [False, True, True, False, False, False]


def test_a_cell_with_the_same_count_as_a_hidden_cell_under_another_breakdown_is_hidden():
    # 40 carers aged 18-64 and 40 men may be the same people: showing the men
    # would show the hidden age band.
    public = suppress(
        table(
            row("all", 100),
            row("0-17", 2),
            row("18-64", 40),
            row("65+", 58),
            row("Female", 60, breakdown="sex"),
            row("Male", 40, breakdown="sex"),
        )
    )
    assert public["suppressed"].tolist() == [False, True, True, False, True, True]


def test_groups_are_separate_for_each_area_and_period():
    public = suppress(
        table(
            row("0-17", 3),
            row("25-64", 50),
            row("0-17", 30, period="2024-25 Q2"),
            row("25-64", 50, period="2024-25 Q2"),
        )
    )
    assert public["suppressed"].tolist() == [True, True, False, False]


def test_percentage_cells_are_ranked_by_denominator():
    public = suppress(
        table(
            percent_row("all", 60, 120),
            percent_row("0-17", 1, 5),
            percent_row("18-64", 30, 40),
            percent_row("65+", 29, 75),
        )
    )
    assert public["suppressed"].tolist() == [False, True, True, False]


# --- the public frame as a whole --------------------------------------------------


def test_a_suppressed_row_is_missing_in_every_number_never_zero():
    public = suppress(table(percent_row("0-17", 3, 8), percent_row("25-64", 20, 50)))
    assert public["suppressed"].all()
    assert public[NUMERIC].isna().all(axis=None)
    assert not (public[NUMERIC] == 0).any(axis=None)


def test_suppress_keeps_rows_index_and_other_columns():
    frame = table(row("all", 120), row("0-17", 3), row("25-64", 117))
    frame.index = [10, 20, 30]
    frame["title"] = "Known carers"
    public = suppress(frame)
    assert list(public.index) == [10, 20, 30]
    assert list(public.columns) == [*frame.columns, "suppressed"]
    assert public["suppressed"].dtype == bool
    assert (public["title"] == "Known carers").all()


def test_suppress_leaves_its_input_alone():
    frame = table(row("all", 120), row("0-17", 3), row("25-64", 117))
    before = frame.copy(deep=True)
    suppress(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_suppress_accepts_whole_number_columns():
    frame = pd.DataFrame([row("all", 12)]).astype({"value": "int64"})
    assert suppress(frame)["value"].item() == 10


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="unit"), "lacks columns"),
        (lambda f: f.assign(unit="people"), "unit must be one of"),
        (lambda f: f.assign(value=-5.0), "negative"),
        (lambda f: pd.concat([f, f]), "more than one row"),
        (lambda f: f.assign(area=None), "missing values"),
        (lambda f: f.assign(value="lots"), "numeric"),
    ],
)
def test_tables_that_cannot_be_made_safe_are_refused(change, message):
    with pytest.raises(DisclosureInputError, match=message):
        suppress(change(table(row("all", 12))))


# --- display and CSV ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "suppressed", "unit", "text"),
    [
        (float("nan"), True, "count", "*"),
        (None, False, "percent", ""),
        (float("nan"), False, "mean", ""),
        (1235.0, False, "count", "1,235"),
        (0.0, False, "count", "0"),
        (45.25, False, "percent", "45.2%"),
        (11.62, False, "rate", "11.6"),
        (8.06, False, "mean", "8.1"),
    ],
)
def test_display_value(value, suppressed, unit, text):
    assert display_value(value, suppressed=suppressed, unit=unit) == text


def test_display_value_refuses_an_unknown_unit():
    with pytest.raises(DisclosureInputError):
        display_value(1.0, suppressed=False, unit="people")


@pytest.mark.parametrize("text", ["=1+1", "+44 20", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_a_spreadsheet_would_run_is_quoted(text):
    assert safe_csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Rotherham", "", -5, -2.5, None, 0])
def test_other_cells_are_unchanged(value):
    assert safe_csv_cell(value) is value


def test_make_csv_safe_escapes_text_columns_but_keeps_negative_numbers():
    frame = pd.DataFrame(
        {
            "locality": ["=HYPERLINK(1)", "North", None],
            "change": [-5, 3, 0],
            "band": pd.Categorical(["@x", "y", "y"]),
            "note": pd.Series(["-5", "ok", "+1"], dtype=object),
        }
    )
    before = frame.copy(deep=True)
    safe = make_csv_safe(frame)
    assert safe["locality"].tolist()[:2] == ["'=HYPERLINK(1)", "North"]
    assert pd.isna(safe["locality"].iloc[2])
    assert safe["change"].tolist() == [-5, 3, 0]
    assert safe["change"].dtype == frame["change"].dtype
    assert safe["band"].tolist() == ["'@x", "y", "y"]
    assert safe["note"].tolist() == ["'-5", "ok", "'+1"]
    pd.testing.assert_frame_equal(frame, before)


# --- properties ----------------------------------------------------------------

cell_counts = st.one_of(
    st.just(0),
    st.integers(min_value=1, max_value=7),
    st.integers(min_value=8, max_value=40),
    st.integers(min_value=41, max_value=5000),
)


def split(draw, total: int) -> list[int]:
    """Another breakdown of the same total, into 1-5 cells."""
    cuts = draw(st.lists(st.integers(0, total), max_size=4))
    edges = [0, *sorted(cuts), total]
    return [high - low for low, high in itertools.pairwise(edges)]


@st.composite
def count_tables(draw) -> pd.DataFrame:
    """Groups of count cells, each breakdown summing to its group's total."""
    rows = []
    for period in draw(st.lists(st.sampled_from(["Q1", "Q2", "Q3"]), unique=True, min_size=1)):
        first = draw(st.lists(cell_counts, min_size=1, max_size=6))
        total = sum(first)
        breakdowns = {"age_band": first}
        if draw(st.booleans()):
            breakdowns["sex"] = split(draw, total)
        if draw(st.booleans()):
            rows.append(row("all", total, period=period))
        for breakdown, cells in breakdowns.items():
            rows.extend(
                row(f"{breakdown}-{i}", count, breakdown=breakdown, period=period)
                for i, count in enumerate(cells)
            )
    return table(*draw(st.permutations(rows)))


@st.composite
def percent_tables(draw) -> pd.DataFrame:
    """Groups of percentage cells whose numerators and denominators add up."""
    rows = []
    for period in draw(st.lists(st.sampled_from(["Q1", "Q2", "Q3"]), unique=True, min_size=1)):
        denominators = draw(st.lists(st.integers(1, 200), min_size=1, max_size=6))
        numerators = [draw(st.integers(0, d)) for d in denominators]
        if draw(st.booleans()):
            rows.append(percent_row("all", sum(numerators), sum(denominators), period=period))
        rows.extend(
            percent_row(f"band-{i}", x, n, period=period)
            for i, (x, n) in enumerate(zip(numerators, denominators, strict=True))
        )
    return table(*draw(st.permutations(rows)))


def assert_no_lone_hidden_cell(public: pd.DataFrame) -> None:
    """With a published total, a group shows no hidden cell or at least two."""
    is_total = public["breakdown"] == "all"
    totals = public[is_total].set_index(["measure_id", "area", "period"])["suppressed"]
    for key, group in public[~is_total].groupby(["measure_id", "area", "period", "breakdown"]):
        hidden = int(group["suppressed"].sum())
        total_published = key[:3] in totals.index and not totals.loc[key[:3]]
        if total_published or len(group) > 1:
            assert hidden != 1, f"{key}: a lone suppressed cell can be recovered"


@given(count_tables())
def test_no_public_count_is_between_one_and_seven(frame):
    shown = suppress(frame)["value"].dropna()
    assert not shown.between(1, 7).any()


@given(count_tables())
def test_every_shown_count_is_a_multiple_of_five(frame):
    shown = suppress(frame)["value"].dropna()
    assert (shown % 5 == 0).all()


@given(count_tables())
def test_no_suppressed_count_can_be_recovered_from_total_and_siblings(frame):
    assert_no_lone_hidden_cell(suppress(frame))


@given(percent_tables())
def test_no_suppressed_percentage_can_be_recovered_from_total_and_siblings(frame):
    public = suppress(frame)
    assert_no_lone_hidden_cell(public)
    shown = ~public["suppressed"]
    assert (frame.loc[shown, "denominator"] >= 10).all()


@given(st.one_of(count_tables(), percent_tables()))
def test_suppressed_is_missing_never_zero_and_input_is_unchanged(frame):
    before = frame.copy(deep=True)
    public = suppress(frame)
    pd.testing.assert_frame_equal(frame, before)
    hidden = public["suppressed"].to_numpy()
    assert public.loc[hidden, NUMERIC].isna().all(axis=None)
    assert public.loc[~hidden, "value"].notna().all()
    small = frame["unit"].eq("count") & frame["value"].between(1, 7)
    assert public.loc[small, "suppressed"].all()
    assert np.array_equal(public.index, frame.index)
