"""Statistical process control, the stable Python API of SPEC 6: ``from measures.spc import xmr``.

The charts are computed in ``measures.domain.spc``; this module is the name
the specification promises.
"""

from measures.domain.spc import (
    EmptySeries,
    GapInSeries,
    InvalidTarget,
    NonNumericValues,
    SPCChart,
    SPCInputError,
    TooFewValues,
    UnknownChange,
    UnknownPolarity,
    assurance,
    run_chart,
    spc_chart,
    xmr,
)

__all__ = [
    "EmptySeries",
    "GapInSeries",
    "InvalidTarget",
    "NonNumericValues",
    "SPCChart",
    "SPCInputError",
    "TooFewValues",
    "UnknownChange",
    "UnknownPolarity",
    "assurance",
    "run_chart",
    "spc_chart",
    "xmr",
]
