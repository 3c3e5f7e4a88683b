"""UK financial-year quarters: parsing, dates and ordering (SPEC section 2)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from carers_impact.errors import UserError

_QUARTER_RE = re.compile(
    r"^\s*(?P<start>\d{4})\s*[-/]\s*(?P<end>\d{2})\s*[ _]?\s*Q(?P<q>[1-4])\s*$",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"^\s*(?P<start>\d{4})\s*[-/]\s*(?P<end>\d{2})\s*$")


class InvalidPeriod(UserError, ValueError):
    """A period that is not a financial-year quarter such as `2024-25 Q1`."""


@dataclass(frozen=True, order=True)
class Quarter:
    """A quarter of a UK financial year: `Quarter(2024, 1)` is `2024-25 Q1` (Apr-Jun 2024)."""

    year: int  # calendar year in which the financial year starts
    q: int

    def __post_init__(self) -> None:
        if self.q not in (1, 2, 3, 4):
            raise InvalidPeriod(f"Quarter must be 1 to 4, not {self.q}")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Parse `2024-25 Q1`, `2024-25_Q1`, `2024-25Q1` or `2024/25 Q1`."""
        match = _QUARTER_RE.match(str(text))
        if not match:
            raise InvalidPeriod(
                f"{text!r} is not a quarter; write it like '2024-25 Q1' "
                "(financial year, then Q1 to Q4)"
            )
        start = int(match["start"])
        if int(match["end"]) != (start + 1) % 100:
            raise InvalidPeriod(
                f"{text!r}: a financial year runs over two consecutive years, "
                f"e.g. '{start}-{(start + 1) % 100:02d}'"
            )
        return cls(start, int(match["q"]))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        """The quarter that contains a date."""
        if day.month >= 4:
            return cls(day.year, (day.month - 4) // 3 + 1)
        return cls(day.year - 1, 4)

    @property
    def label(self) -> str:
        return f"{self.fy_label} Q{self.q}"

    @property
    def fy_label(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}"

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.q - 1)
        if month > 12:
            return date(self.year + 1, month - 12, 1)
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    @property
    def index(self) -> int:
        """A running number: consecutive quarters differ by one."""
        return self.year * 4 + self.q - 1

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        return cls(index // 4, index % 4 + 1)

    def next(self) -> Quarter:
        return Quarter.from_index(self.index + 1)

    def previous(self) -> Quarter:
        return Quarter.from_index(self.index - 1)

    def shift(self, quarters: int) -> Quarter:
        return Quarter.from_index(self.index + quarters)

    def __str__(self) -> str:
        return self.label


def quarter_range(first: Quarter, last: Quarter) -> list[Quarter]:
    """Every quarter from first to last, inclusive."""
    return [Quarter.from_index(i) for i in range(first.index, last.index + 1)]


def parse_financial_year(text: str) -> int:
    """`2024-25` -> 2024."""
    match = _YEAR_RE.match(str(text))
    if not match or int(match["end"]) != (int(match["start"]) + 1) % 100:
        raise InvalidPeriod(f"{text!r} is not a financial year; write it like '2024-25'")
    return int(match["start"])
