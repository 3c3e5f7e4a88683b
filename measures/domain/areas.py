"""Areas as configuration: one TOML file per local partnership in `measures/areas/`.

Each file holds the area's organisations, localities, strategy framework (themes
and the measures that track them), baselines, targets and strategy actions. The
loader checks everything and names the file and field of any problem, so a
mistake in configuration stops the product at start-up, not in a chart.

The file's shape (see `rotherham.toml` for a full one)::

    id = "rotherham"                  # the file name without .toml
    name = "Rotherham"
    la_code = "E08000018"             # for Census 2021 and ASCOF reference data
    tolerance = "5%"                  # default for every measure (optional)
    localities = ["Rotherham North", ...]

    [strategy]                        # title, period, first, last, framework, source
    [[organisations]]                 # code (e.g. ROT-ASC), name, kind, description
    [[themes]]                        # id, kind, title, description, measures, period?

    [measures.known_carers]
    baseline = { period = "2021-22 Q4", computed = true }    # or value = 7.7, source = ...
    targets = [{ by = "2025", change = "+20%" }, { by = "2027", value = 3500 }]
    tolerance = "3%"                  # optional, this measure only
    changes = [{ period = "2023-24 Q1", reason = "GP practices' registers joined" }]

    [[actions]]                       # id, title, owner, due, status, theme, measures

Periods are quarters (`2024-25 Q4`) or financial years (`2024-25`); a target `by`
a year such as "2025" falls due at the end of that financial year (`2024-25 Q4`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from carers_impact.errors import UserError
from carers_impact.periods import Quarter
from measures.domain.targets import Baseline, Target

__all__ = [
    "ACTION_STATUSES",
    "ORGANISATION_KINDS",
    "Action",
    "Area",
    "AreaConfigError",
    "AreaFileErrors",
    "Baseline",
    "DuplicateOrganisation",
    "Organisation",
    "Strategy",
    "Target",
    "Theme",
    "UnknownOrganisation",
]

ACTION_STATUSES = ("not started", "on track", "at risk", "overdue", "done")
ORGANISATION_KINDS = ("adult social care", "children's services", "carers' centre", "NHS")


class AreaConfigError(UserError, ValueError):
    """A problem in an area's configuration file, naming the file and the field."""

    def __init__(self, file: str, field: str, problem: str):
        self.file, self.field, self.problem = file, field, problem
        super().__init__(f"{file}: {field}: {problem}")


class AreaFileErrors(AreaConfigError):
    """Several problems in area configuration; `errors` holds each one."""

    def __init__(self, errors: list[AreaConfigError]):
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.file, first.field, first.problem)
        self.args = ("\n".join(str(e) for e in self.errors),)

    def __str__(self) -> str:
        return self.args[0]


class DuplicateOrganisation(AreaConfigError):
    """An organisation code used twice, in one area or across areas."""


class UnknownOrganisation(UserError, LookupError):
    """An organisation code that belongs to no configured area."""


@dataclass(frozen=True)
class Organisation:
    code: str  # upper case, e.g. ROT-ASC
    name: str
    kind: str  # one of ORGANISATION_KINDS
    description: str
    area: str  # area id
    supplies: tuple[str, ...] = ()  # extract types it sends each quarter
    since: Quarter | None = None  # first quarter it sends them (default: the area's returns_from)

    def expected(self, quarter: Quarter, *, returns_from: Quarter | None) -> tuple[str, ...]:
        """The extracts this organisation is expected to send for a quarter."""
        first = self.since or returns_from
        return self.supplies if first is None or quarter >= first else ()


@dataclass(frozen=True)
class Theme:
    """A theme of the strategy's framework (priority, promise, quality marker, outcome...)."""

    id: str
    kind: str
    title: str
    description: str
    measures: tuple[str, ...]
    period: str | None = None  # a financial year, for themes tied to one year


@dataclass(frozen=True)
class Strategy:
    title: str
    period: str  # as the strategy names itself, e.g. "2022-25"
    first: Quarter
    last: Quarter
    framework: str  # one line on how the strategy is organised
    source: str = ""  # where the published strategy can be read


@dataclass(frozen=True)
class ProcessChange:
    """A known change in how a measure's process runs: SPC limits are recalculated from it."""

    period: str  # canonical quarter label, the first quarter of the new process
    reason: str


@dataclass(frozen=True)
class Contact:
    """Where a member of the public asks about, or comments on, an area's published figures."""

    name: str  # who answers, e.g. the council
    url: str  # a public contact page (https)
    email: str = ""
    feedback_url: str = ""  # a page for comments on the figures, if not the contact page
    illustrative: bool = False  # a generic page standing in until the area names its own


@dataclass(frozen=True)
class Action:
    id: str
    title: str
    owner: str  # an organisation code of the area, or a role
    due: str  # canonical period label
    status: str  # one of ACTION_STATUSES
    theme: str
    measures: tuple[str, ...]


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    la_code: str
    localities: tuple[str, ...]
    organisations: tuple[Organisation, ...]
    strategy: Strategy
    themes: tuple[Theme, ...]
    baselines: Mapping[str, Baseline]
    targets: Mapping[str, tuple[Target, ...]]
    tolerances: Mapping[str, float]
    default_tolerance: float
    actions: tuple[Action, ...]
    source: Path
    returns_from: Quarter | None = None  # first quarter of quarterly returns
    process_changes: Mapping[str, tuple[ProcessChange, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    contact: Contact | None = None  # the public view's contact and feedback route

    def expected_extracts(self, quarter: Quarter) -> tuple[tuple[str, str], ...]:
        """(organisation, extract) pairs the area's configuration expects for a quarter."""
        return tuple(
            (org.code, extract)
            for org in self.organisations
            for extract in org.expected(quarter, returns_from=self.returns_from)
        )

    @property
    def organisation_codes(self) -> tuple[str, ...]:
        return tuple(org.code for org in self.organisations)

    def organisation(self, code: str) -> Organisation:
        wanted = code.strip().upper()
        for org in self.organisations:
            if org.code == wanted:
                return org
        raise UnknownOrganisation(f"{code!r} is not an organisation of {self.name}")

    def theme(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(f"{theme_id!r} is not a theme of {self.name}")

    def themes_for(self, measure_id: str) -> tuple[Theme, ...]:
        return tuple(t for t in self.themes if measure_id in t.measures)

    def tolerance(self, measure_id: str) -> float:
        return self.tolerances.get(measure_id, self.default_tolerance)

    @property
    def measure_ids(self) -> tuple[str, ...]:
        """Every measure the area's framework tracks, in first-mentioned order."""
        seen = dict.fromkeys(m for t in self.themes for m in t.measures)
        seen.update(dict.fromkeys(self.baselines))
        seen.update(dict.fromkeys(self.targets))
        return tuple(seen)
