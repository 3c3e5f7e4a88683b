"""95% confidence intervals for the stored measures (SPEC section 4).

Percentages get the Wilson score interval, which stays inside 0-100 and behaves
well for small denominators and for proportions near 0 or 1, where the simple
normal ("Wald") interval collapses to zero width or runs past the ends of the
scale. Means get the normal approximation, mean +/- z * sd / sqrt(n).

Every percentage measure is stored in percent, so interval bounds for
proportions are returned in percent (0-100) too. Missing inputs give missing
bounds (NaN); impossible inputs raise a specific ``ValueError`` subclass that
says which value is wrong. Only numpy and pandas are used, so the module is
cheap to import anywhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import pandas as pd

Z_95 = 1.959964
"""Two-sided 95% standard normal quantile, to six decimals."""
ROUNDING = 5
SHOWN_FROM = 10
PUBLISHED_DECIMALS = 1
"""Public counts are rounded to ROUNDING; a percentage is shown from a denominator of
SHOWN_FROM, to PUBLISHED_DECIMALS places (the rules are `measures.domain.disclosure`'s and
`measures.domain.public_figures`', which take these from here)."""


class InvalidIntervalInput(ValueError):
    """Base class: the figures given cannot describe real data."""


class InvalidProportion(InvalidIntervalInput):
    """A numerator or denominator is negative, infinite, or numerator > denominator."""


class InvalidMeanInput(InvalidIntervalInput):
    """A standard deviation or respondent count is negative or infinite."""


class MeanSummary(NamedTuple):
    """A mean with its 95% interval and the number of values behind it."""

    mean: float
    lower: float
    upper: float
    n: int


def _as_float_array(values: object) -> np.ndarray:
    """Any scalar, list, numpy array or pandas Series as a float array (NA -> NaN)."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        values = [values]
    elif not isinstance(values, np.ndarray | pd.Series | pd.Index | list | tuple):
        values = list(values)
    try:
        numeric = pd.to_numeric(pd.Series(values), errors="raise")
    except (TypeError, ValueError) as error:
        raise InvalidIntervalInput(f"expected numbers: {error}") from None
    return numeric.to_numpy(dtype="float64", na_value=np.nan)


def _check_z(z: float) -> None:
    if not (math.isfinite(z) and z > 0):
        raise InvalidIntervalInput(f"z must be a positive finite number, got {z!r}")


def wilson_bounds(
    numerators: Iterable[float] | np.ndarray | pd.Series,
    denominators: Iterable[float] | np.ndarray | pd.Series,
    *,
    z: float = Z_95,
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score bounds, in percent, for many proportions at once.

    A zero denominator or a missing numerator/denominator gives NaN bounds:
    there is no proportion to estimate. Counts need not be whole numbers, so
    weighted survey counts are accepted.
    """
    _check_z(z)
    x = _as_float_array(numerators)
    n = _as_float_array(denominators)
    if x.shape != n.shape:
        raise InvalidProportion(f"{x.size} numerators but {n.size} denominators: they must pair up")
    known = ~(np.isnan(x) | np.isnan(n))
    if np.isinf(x[known]).any() or np.isinf(n[known]).any():
        raise InvalidProportion("numerators and denominators must be finite")
    if (x[known] < 0).any() or (n[known] < 0).any():
        raise InvalidProportion("numerators and denominators cannot be negative")
    if (x[known] > n[known]).any():
        first = int(np.flatnonzero(known & (x > n))[0])
        raise InvalidProportion(
            f"numerator {x[first]:g} is larger than its denominator {n[first]:g} (position {first})"
        )

    usable = known & (n > 0)
    lower = np.full(x.shape, np.nan)
    upper = np.full(x.shape, np.nan)
    xs, ns = x[usable], n[usable]
    p = xs / ns
    z2 = z * z
    scale = 1.0 + z2 / ns
    centre = (p + z2 / (2.0 * ns)) / scale
    half = (z / scale) * np.sqrt(p * (1.0 - p) / ns + z2 / (4.0 * ns * ns))
    # The formula gives exactly 0 and 1 at the ends only in exact arithmetic;
    # clamp so that rounding can never put a bound on the wrong side of p.
    low = np.clip(np.minimum(centre - half, p), 0.0, 1.0)
    high = np.clip(np.maximum(centre + half, p), 0.0, 1.0)
    low[xs == 0] = 0.0
    high[xs == ns] = 1.0
    lower[usable] = 100.0 * low
    upper[usable] = 100.0 * high
    return lower, upper


def wilson_interval(
    numerator: float, denominator: float, *, z: float = Z_95
) -> tuple[float, float]:
    """Wilson score interval, in percent, for one proportion (0 denominator -> NaN)."""
    lower, upper = wilson_bounds([numerator], [denominator], z=z)
    return float(lower[0]), float(upper[0])


def mean_bounds(
    means: Iterable[float] | np.ndarray | pd.Series,
    sds: Iterable[float] | np.ndarray | pd.Series,
    ns: Iterable[float] | np.ndarray | pd.Series,
    *,
    z: float = Z_95,
) -> tuple[np.ndarray, np.ndarray]:
    """Normal-approximation bounds, mean +/- z * sd / sqrt(n), for many means.

    Fewer than two values give NaN: a single value has no sample standard
    deviation, and an interval of zero width would claim false certainty.
    """
    _check_z(z)
    mean = _as_float_array(means)
    sd = _as_float_array(sds)
    n = _as_float_array(ns)
    if not (mean.shape == sd.shape == n.shape):
        raise InvalidMeanInput("means, standard deviations and counts must pair up")
    if (sd[~np.isnan(sd)] < 0).any() or (n[~np.isnan(n)] < 0).any():
        raise InvalidMeanInput("standard deviations and counts cannot be negative")
    if np.isinf(sd).any() or np.isinf(n).any():
        raise InvalidMeanInput("standard deviations and counts must be finite")
    usable = ~(np.isnan(mean) | np.isnan(sd) | np.isnan(n)) & (n >= 2)
    lower = np.full(mean.shape, np.nan)
    upper = np.full(mean.shape, np.nan)
    margin = z * sd[usable] / np.sqrt(n[usable])
    lower[usable] = mean[usable] - margin
    upper[usable] = mean[usable] + margin
    return lower, upper


def mean_interval(mean: float, sd: float, n: float, *, z: float = Z_95) -> tuple[float, float]:
    """Normal-approximation interval for one mean; n < 2 gives (NaN, NaN)."""
    lower, upper = mean_bounds([mean], [sd], [n], z=z)
    return float(lower[0]), float(upper[0])


def summarise_mean(
    values: Iterable[float] | np.ndarray | pd.Series, *, z: float = Z_95
) -> MeanSummary:
    """Mean, 95% bounds and count of the non-missing values (sample sd, ddof=1).

    Missing values are respondents who did not answer, so they are left out
    of both the mean and n rather than counted as zero.
    """
    array = _as_float_array(values)
    if np.isinf(array).any():
        raise InvalidMeanInput("values must be finite")
    answered = array[~np.isnan(array)]
    n = int(answered.size)
    if n == 0:
        return MeanSummary(mean=math.nan, lower=math.nan, upper=math.nan, n=0)
    mean = float(answered.mean())
    if n < 2:
        return MeanSummary(mean=mean, lower=math.nan, upper=math.nan, n=n)
    sd = float(answered.std(ddof=1))
    lower, upper = mean_interval(mean, sd, n, z=z)
    return MeanSummary(mean=mean, lower=lower, upper=upper, n=n)


def rounded_interval(
    numerator: np.ndarray, denominator: np.ndarray, *, exact_denominator: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The 95% interval of a percentage published from counts rounded to 5, in percent.

    Wilson's interval taken over every pair of true counts the rounded ones
    could stand for (each within 2 of its rounded value, the denominator at
    least SHOWN_FROM, the numerator no larger), so that it still covers
    the true figure and tells no more than the rounded counts.
    `exact_denominator`: the denominator is public and exact (a census count).
    """
    x = np.asarray(numerator, dtype="float64")
    n = np.asarray(denominator, dtype="float64")
    spread = ROUNDING // 2
    low_x, high_x = np.maximum(x - spread, 0.0), x + spread
    low_n, high_n = n, n
    if not exact_denominator:
        low_n, high_n = np.maximum(n - spread, SHOWN_FROM), n + spread
    with np.errstate(invalid="ignore"):
        usable = ~(np.isnan(x) | np.isnan(n)) & (n > 0) & (x <= n)
    lower, upper = np.full(x.shape, np.nan), np.full(x.shape, np.nan)
    lower[usable] = wilson_bounds(low_x[usable], high_n[usable])[0]
    # Highest with the most in the numerator and the fewest in the denominator.
    upper[usable] = wilson_bounds(np.minimum(high_x, low_n)[usable], low_n[usable])[1]
    return lower, upper
