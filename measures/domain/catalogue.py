"""The measure catalogue: what each measure means, as data (SPEC section 4).

The core measures live in ``catalogue.toml`` beside this module. Areas add
measures of their own in files of the same shape, passed as ``extra``; every
file is checked the same way, so a typo in a unit, polarity or breakdown stops
loading with an error that names the file, the measure and the field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from carers_impact.errors import UserError
from carers_impact.extracts import EXTRACTS

CORE_CATALOGUE = Path(__file__).with_name("catalogue.toml")

UNITS = ("count", "percent", "mean", "rate")
POLARITIES = ("up", "down", "neutral")
RBA_QUESTIONS = ("How much did we do?", "How well did we do it?", "Is anyone better off?")
BREAKDOWNS = (
    "age_band",
    "sex",
    "ethnic_group",
    "locality",
    "hours_band",
    "organisation",
    "break_type",
)
"""Every breakdown a measure may have, in display order."""

_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
_TEXT_FIELDS = (
    "title",
    "description",
    "definition",
    "theme",
    "rba_question",
    "headline_rise",
    "headline_fall",
)
_REQUIRED = (*_TEXT_FIELDS, "id", "unit", "polarity", "sources", "breakdowns", "public")
_OPTIONAL = ("ascof_code",)


POLARITY_WORDS = {
    "up": "higher is better",
    "down": "lower is better",
    "neutral": "neither higher nor lower is better",
}
"""What each polarity means, in words (capitalise for a label)."""


class CatalogueError(UserError, ValueError):
    """A catalogue file cannot be read or does not describe valid measures."""


class InvalidMeasure(CatalogueError):
    """One field of one measure is missing or not allowed; names both."""

    def __init__(self, measure_id: str, field: str, problem: str, *, source: Path | None = None):
        self.measure_id = measure_id
        self.field = field
        self.source = source
        where = f" in {source}" if source else ""
        super().__init__(f"measure {measure_id!r}{where}, field {field!r}: {problem}")


class DuplicateMeasure(CatalogueError):
    """Two measures share an id (core ids cannot be redefined by an area)."""


class UnknownMeasure(UserError, KeyError):
    """A measure id that is not in the catalogue."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown measure"


@dataclass(frozen=True)
class Measure:
    id: str
    title: str
    description: str  # what it counts and why it matters to carers
    definition: str  # how it is computed
    theme: str
    unit: str  # count, percent, mean or rate (per 100)
    polarity: str  # up = higher is better, down, neutral
    sources: tuple[str, ...]  # extract types the measure is computed from
    breakdowns: tuple[str, ...]
    public: bool
    rba_question: str
    headline_rise: str  # public headline when the measure went up
    headline_fall: str
    ascof_code: str | None = None


class Catalogue(Mapping[str, Measure]):
    """Measures by id, in catalogue order (core measures first, then each extra file's)."""

    def __init__(self, measures: Iterable[Measure]):
        self._measures: dict[str, Measure] = {}
        for measure in measures:
            if measure.id in self._measures:
                raise DuplicateMeasure(f"measure id {measure.id!r} is defined twice")
            self._measures[measure.id] = measure

    def __getitem__(self, measure_id: str) -> Measure:
        try:
            return self._measures[measure_id]
        except KeyError:
            raise UnknownMeasure(
                f"{measure_id!r} is not in the measure catalogue; known ids: "
                f"{', '.join(self._measures)}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._measures)

    def __len__(self) -> int:
        return len(self._measures)

    def __repr__(self) -> str:
        return f"Catalogue({list(self._measures)})"

    def public(self) -> list[Measure]:
        """The measures shown on the public view."""
        return [m for m in self._measures.values() if m.public]


def load_catalogue(
    path: str | Path | None = None, *, extra: Iterable[str | Path] = ()
) -> Catalogue:
    """Read and check ``path`` (default: the core catalogue), then each ``extra`` file."""
    files = [Path(path) if path is not None else CORE_CATALOGUE, *(Path(p) for p in extra)]
    measures: list[Measure] = []
    seen: dict[str, Path] = {}
    for file in files:
        for measure in read_measures(file):
            if measure.id in seen:
                raise DuplicateMeasure(
                    f"measure id {measure.id!r} in {file} is already defined in {seen[measure.id]}"
                )
            seen[measure.id] = file
            measures.append(measure)
    return Catalogue(measures)


def read_measures(path: Path) -> list[Measure]:
    """The measures of one catalogue file, each checked."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise CatalogueError(f"catalogue file {path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"catalogue file {path} is not valid TOML: {error}") from None
    unknown_top = set(data) - {"measure"}
    if unknown_top:
        raise CatalogueError(
            f"catalogue file {path}: unexpected top-level keys {sorted(unknown_top)}; "
            "write each measure as a [[measure]] table"
        )
    entries = data.get("measure", [])
    if not isinstance(entries, list):
        raise CatalogueError(f"catalogue file {path}: write each measure as a [[measure]] table")
    return [parse_measure(entry, source=path) for entry in entries]


def parse_measure(entry: Mapping[str, object], *, source: Path | None = None) -> Measure:
    """One measure from its table, checked field by field."""
    measure_id = entry.get("id")
    if not isinstance(measure_id, str) or not _ID_RE.match(measure_id):
        raise InvalidMeasure(
            str(measure_id),
            "id",
            "must be lower case letters, digits and underscores, starting with a letter",
            source=source,
        )

    def invalid(field: str, problem: str) -> InvalidMeasure:
        return InvalidMeasure(measure_id, field, problem, source=source)

    for field in _REQUIRED:
        if field not in entry:
            raise invalid(field, "is required")
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise invalid(unknown[0], f"is not a catalogue field; fields are {', '.join(_REQUIRED)}")
    for field in _TEXT_FIELDS:
        if not isinstance(entry[field], str) or not entry[field].strip():
            raise invalid(field, "must be non-empty text")

    _check_choice(entry["unit"], UNITS, invalid("unit", f"{entry['unit']!r} is not one of {UNITS}"))
    _check_choice(
        entry["polarity"],
        POLARITIES,
        invalid("polarity", f"{entry['polarity']!r} is not one of {POLARITIES}"),
    )
    _check_choice(
        entry["rba_question"],
        RBA_QUESTIONS,
        invalid("rba_question", f"{entry['rba_question']!r} is not one of {RBA_QUESTIONS}"),
    )
    if not isinstance(entry["public"], bool):
        raise invalid("public", "must be true or false")

    sources = _string_list(entry["sources"], invalid("sources", "must be a list of extract types"))
    if not sources:
        raise invalid("sources", "must name at least one extract type")
    for name in sources:
        _check_choice(
            name, tuple(EXTRACTS), invalid("sources", f"{name!r} is not one of {tuple(EXTRACTS)}")
        )

    breakdowns = _string_list(entry["breakdowns"], invalid("breakdowns", "must be a list"))
    available = {"organisation"} | {c for s in sources for c in EXTRACTS[s].column_names}
    for name in breakdowns:
        _check_choice(
            name, BREAKDOWNS, invalid("breakdowns", f"{name!r} is not one of {BREAKDOWNS}")
        )
        if name not in available:
            raise invalid(
                "breakdowns", f"{name!r} is not a column of its sources ({', '.join(sources)})"
            )
    if len(set(breakdowns)) != len(breakdowns):
        raise invalid("breakdowns", "lists a breakdown twice")

    ascof_code = entry.get("ascof_code")
    if ascof_code is not None and (not isinstance(ascof_code, str) or not ascof_code.strip()):
        raise invalid("ascof_code", "must be text such as '1D'")

    return Measure(
        id=measure_id,
        title=entry["title"].strip(),
        description=" ".join(entry["description"].split()),
        definition=" ".join(entry["definition"].split()),
        theme=entry["theme"].strip(),
        unit=entry["unit"],
        polarity=entry["polarity"],
        sources=tuple(sources),
        breakdowns=tuple(breakdowns),
        public=entry["public"],
        rba_question=entry["rba_question"],
        headline_rise=entry["headline_rise"].strip(),
        headline_fall=entry["headline_fall"].strip(),
        ascof_code=ascof_code,
    )


def _check_choice(value: object, allowed: tuple[str, ...], error: InvalidMeasure) -> None:
    if value not in allowed:
        raise error


def _string_list(value: object, error: InvalidMeasure) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise error
    return list(value)
