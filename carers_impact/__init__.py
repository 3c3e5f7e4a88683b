"""carers-impact: outcomes and impact measures for local carers' strategies."""

__version__ = "0.1.0"
