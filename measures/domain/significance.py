"""Whether a change between two figures is real: a test before a change is called better or worse.

A change is "better" or "worse" only when it is statistically significant at
the 5% level, with a test suited to the figure:

* counts (a register, breaks, assessments): two Poisson counts compared by the
  exact conditional test (given their total, the later count is binomial with
  p = 1/2);
* rates (per 100 of a fixed population): the same test of their numerators,
  with p the later denominator's share of both;
* percentages with numerators and denominators: the two-proportion z-test;
* means, and percentages known only by their 95% intervals: a z-test of the
  difference, each standard error taken from its interval;
* a stated figure with no interval (a published baseline): significant when it
  lies outside the other figure's 95% interval.

Without what a test needs, the change is "not tested" and never coloured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from measures.domain.stats import Z_95

ALPHA = 0.05
BETTER, WORSE = "better", "worse"
HIGHER, LOWER = "higher", "lower"  # significant, for a measure with no better direction
NO_CHANGE = "no significant change"
NOT_TESTED = "not tested"


@dataclass(frozen=True)
class Figure:
    """One stored value with what its uncertainty is judged from (None where unknown)."""

    value: float
    numerator: float | None = None
    denominator: float | None = None
    lower_ci: float | None = None
    upper_ci: float | None = None

    @classmethod
    def from_row(cls, row) -> Figure | None:
        """A figure from a stored row (a mapping with value, numerator, ...), None without one."""
        if row is None or _missing(row.get("value")):
            return None
        return cls(
            value=float(row["value"]),
            **{
                k: None if _missing(row.get(k)) else float(row[k])
                for k in ("numerator", "denominator", "lower_ci", "upper_ci")
            },
        )

    @property
    def has_interval(self) -> bool:
        return self.lower_ci is not None and self.upper_ci is not None


@dataclass(frozen=True)
class Comparison:
    """A change from `earlier` to `later`: its size, the verdict and the test behind it."""

    difference: float
    verdict: str  # BETTER, WORSE, HIGHER, LOWER, NO_CHANGE or NOT_TESTED
    p_value: float | None
    method: str  # the test, in words

    @property
    def significant(self) -> bool:
        return self.verdict in (BETTER, WORSE, HIGHER, LOWER)


def compare(later: Figure, earlier: Figure, *, unit: str, polarity: str) -> Comparison:
    """Test the change from `earlier` to `later` and name it (see the module's docstring)."""
    difference = later.value - earlier.value
    p_value, method = _test(later, earlier, unit=unit)
    if p_value is None:
        return Comparison(difference, NOT_TESTED, None, method)
    if p_value >= ALPHA or difference == 0:
        return Comparison(difference, NO_CHANGE, p_value, method)
    if polarity == "neutral":
        verdict = HIGHER if difference > 0 else LOWER
    else:
        verdict = BETTER if (difference > 0) == (polarity == "up") else WORSE
    return Comparison(difference, verdict, p_value, method)


def _test(later: Figure, earlier: Figure, *, unit: str) -> tuple[float | None, str]:
    if unit == "count":
        a, b = later.value, earlier.value
        if a < 0 or b < 0:
            return None, "counts cannot be negative"
        return poisson_counts_p(a, b), "exact test of two Poisson counts"
    if unit == "rate" and _counts(later) and _counts(earlier):
        share = later.denominator / (later.denominator + earlier.denominator)
        return (
            binomial_p(round(later.numerator), round(later.numerator + earlier.numerator), share),
            "exact test of two Poisson rates",
        )
    if unit == "percent" and _counts(later) and _counts(earlier):
        return two_proportions_p(
            later.numerator, later.denominator, earlier.numerator, earlier.denominator
        ), "two-proportion z-test"
    if later.has_interval and earlier.has_interval:
        se = math.hypot(_standard_error(later), _standard_error(earlier))
        return _normal_p(later.value - earlier.value, se), "z-test from the 95% intervals"
    one = later if later.has_interval else earlier if earlier.has_interval else None
    if one is not None:
        other = earlier if one is later else later
        outside = not (one.lower_ci <= other.value <= one.upper_ci)
        return (0.0 if outside else 1.0), "whether the stated figure is outside the 95% interval"
    return None, "no interval or counts to test the change with"


def _counts(figure: Figure) -> bool:
    return (
        figure.numerator is not None
        and figure.denominator is not None
        and figure.denominator > 0
        and figure.numerator >= 0
    )


def _standard_error(figure: Figure) -> float:
    return (figure.upper_ci - figure.lower_ci) / (2 * Z_95)


def _normal_p(difference: float, se: float) -> float:
    if se <= 0:
        return 0.0 if difference else 1.0
    return math.erfc(abs(difference / se) / math.sqrt(2))


def two_proportions_p(x1: float, n1: float, x2: float, n2: float) -> float:
    """Two-sided p-value of the pooled two-proportion z-test."""
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return _normal_p(x1 / n1 - x2 / n2, se)


def poisson_counts_p(a: float, b: float) -> float:
    """Two-sided exact p-value that two Poisson counts share one rate (conditional on a + b)."""
    a, b = round(a), round(b)
    return binomial_p(a, a + b, 0.5)


def binomial_p(k: int, n: int, p: float) -> float:
    """Two-sided exact binomial p-value: the probability of outcomes no likelier than `k`."""
    if n == 0:
        return 1.0
    if p in (0.0, 1.0):
        return 1.0 if k == round(p * n) else 0.0
    ks = np.arange(n + 1)
    log_factorial = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, n + 1)))])
    log_pmf = (
        log_factorial[n]
        - log_factorial[ks]
        - log_factorial[n - ks]
        + ks * math.log(p)
        + (n - ks) * math.log1p(-p)
    )
    pmf = np.exp(log_pmf)
    observed = pmf[k]
    return float(min(1.0, pmf[pmf <= observed * (1 + 1e-7)].sum()))


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(value)
    except TypeError:
        return False
