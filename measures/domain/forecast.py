"""Where the current trend leads: a straight-line forecast to a target's period.

Method: an ordinary least-squares line through the quarterly values since the
latest known process change (or the whole series), in quarter steps, carried
forward to the target's quarter, with a 95% prediction interval for the value
in that quarter:

    y0 +/- t(0.975, n - 2) * s * sqrt(1 + 1/n + (x0 - mean x)^2 / Sxx)

where s is the residual standard deviation (n - 2 degrees of freedom). The
target is `likely` to be met when the whole interval meets it (the right way
round for the measure's polarity), `unlikely` when none of it does, and
`uncertain` otherwise. A forecast needs at least MIN_POINTS quarters; it says
where the trend leads if nothing changes, not what will happen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from carers_impact.periods import Quarter

MIN_POINTS = 6
LIKELY, UNLIKELY, UNCERTAIN = "likely", "unlikely", "uncertain"
# Two-sided 95% quantiles of Student's t by degrees of freedom (1 to 30).
_T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


class TooFewForForecast(ValueError):
    """Fewer quarters than a trend can be fitted to with an interval."""


@dataclass(frozen=True)
class Forecast:
    period: str  # the quarter forecast
    value: float
    lower: float  # 95% prediction interval
    upper: float
    slope: float  # change a quarter
    first_period: str  # the first quarter the line is fitted to
    points: int
    target: float | None = None
    target_label: str = ""
    outlook: str | None = None  # LIKELY, UNLIKELY or UNCERTAIN to meet the target


def t_quantile(df: int) -> float:
    """Student's t 0.975 quantile: the table to 30 degrees of freedom, then an expansion."""
    if df < 1:
        raise ValueError("a t quantile needs at least one degree of freedom")
    if df <= len(_T_975):
        return _T_975[df - 1]
    z = 1.959964
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def forecast(series: pd.Series, *, to: str) -> Forecast:
    """The linear trend of `series` (quarter label -> value, oldest first) carried to `to`."""
    clean = series.dropna()
    n = len(clean)
    if n < MIN_POINTS:
        raise TooFewForForecast(
            f"A forecast needs at least {MIN_POINTS} quarters of data; there are {n}."
        )
    x = np.array([Quarter.parse(p).index for p in clean.index], dtype=float)
    y = clean.to_numpy(dtype=float)
    x_mean = x.mean()
    sxx = float(((x - x_mean) ** 2).sum())
    slope = float(((x - x_mean) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * x_mean)
    residuals = y - (intercept + slope * x)
    s = math.sqrt(float((residuals**2).sum()) / (n - 2))
    x0 = float(Quarter.parse(to).index)
    value = intercept + slope * x0
    half = t_quantile(n - 2) * s * math.sqrt(1 + 1 / n + (x0 - x_mean) ** 2 / sxx)
    return Forecast(
        period=Quarter.parse(to).label,
        value=value,
        lower=value - half,
        upper=value + half,
        slope=slope,
        first_period=str(clean.index[0]),
        points=n,
    )


def against_target(
    found: Forecast, *, target: float, label: str, polarity: str, tolerance: float = 1e-9
) -> Forecast:
    """The forecast with whether its interval says the target is likely to be met."""
    if polarity == "neutral":
        outlook = UNCERTAIN if found.lower <= target <= found.upper else UNLIKELY
    else:
        sign = 1 if polarity == "up" else -1
        worst = found.lower if sign == 1 else found.upper
        best = found.upper if sign == 1 else found.lower
        if sign * (worst - target) >= -tolerance:
            outlook = LIKELY
        elif sign * (best - target) < -tolerance:
            outlook = UNLIKELY
        else:
            outlook = UNCERTAIN
    return replace(found, target=target, target_label=label, outlook=outlook)
