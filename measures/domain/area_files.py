"""Reading and checking the area files (`measures/areas/<id>.toml`) into `Area`s.

Every problem raises an `AreaConfigError` naming the file and the field, e.g.
`rotherham.toml: measures.known_carers.targets[0].change: ...`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from carers_impact import settings
from carers_impact.extracts import EXTRACTS
from carers_impact.periods import InvalidPeriod, Quarter
from measures.domain.areas import (
    ACTION_STATUSES,
    ORGANISATION_KINDS,
    Action,
    Area,
    AreaConfigError,
    AreaFileErrors,
    Contact,
    DuplicateOrganisation,
    Organisation,
    ProcessChange,
    Strategy,
    Theme,
    UnknownOrganisation,
)
from measures.domain.targets import (
    DEFAULT_TOLERANCE,
    BadTargetChange,
    Baseline,
    Target,
    parse_change,
    parse_period,
)

AREAS_DIR = Path(__file__).resolve().parent.parent / "areas"
"""The demo areas' files, shipped with the product."""

_ORG_CODE_RE = re.compile(r"^[A-Z0-9]{2,6}-[A-Z0-9]{2,6}$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LA_CODE_RE = re.compile(r"^E0[6-9]\d{6}$")
_TOP_KEYS = {
    "id",
    "name",
    "la_code",
    "tolerance",
    "localities",
    "returns_from",
    "strategy",
    "organisations",
    "themes",
    "measures",
    "actions",
    "contact",
}
_CONTACT_KEYS = {"name", "url", "email", "feedback_url", "illustrative"}
_URL_RE = re.compile(r"^https://[^\s/]+\.[^\s]+$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_STRATEGY_KEYS = {"title", "period", "first", "last", "framework", "source"}
_ORG_KEYS = {"code", "name", "kind", "description", "supplies", "since"}
_THEME_KEYS = {"id", "kind", "title", "description", "measures", "period"}
_MEASURE_KEYS = {"baseline", "targets", "tolerance", "changes"}
_CHANGE_KEYS = {"period", "reason"}
_BASELINE_KEYS = {"period", "value", "computed", "source"}
_TARGET_KEYS = {"by", "value", "change"}
_ACTION_KEYS = {"id", "title", "owner", "due", "status", "theme", "measures"}


class _AreaReader:
    def __init__(self, path: Path, known: frozenset[str] | None):
        self.path, self.file, self.known = path, path.name, known

    def fail(self, field: str, problem: str) -> AreaConfigError:
        return AreaConfigError(self.file, field, problem)

    def attempt(self, part: Callable[[], Any], default: Any = None) -> Any:
        """Read one part of the file, noting its error and going on, so that every
        mistake in the file is reported at once rather than the first alone."""
        try:
            return part()
        except AreaConfigError as error:
            self.errors.append(error)
            return default

    def read(self) -> Area:
        self.errors: list[AreaConfigError] = []
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise self.fail("(file)", f"not valid TOML: {exc}") from None
        attempt = self.attempt
        attempt(lambda: self.keys(data, _TOP_KEYS, ""))
        area_id = attempt(lambda: self.text(data, "id"), self.path.stem)
        if area_id != self.path.stem:
            self.errors.append(
                self.fail("id", f"{area_id!r} must match the file name {self.path.stem!r}")
            )
        la_code = attempt(lambda: self.la_code(data), "")
        default_tol = attempt(
            lambda: self.tolerance(data.get("tolerance", DEFAULT_TOLERANCE), "tolerance"),
            DEFAULT_TOLERANCE,
        )
        localities = attempt(lambda: self.localities(data), ())
        orgs = tuple(
            org
            for i, table in enumerate(attempt(lambda: self.tables(data, "organisations"), []))
            if (org := attempt(lambda i=i, t=table: self.organisation(t, i, area_id)))
        )
        if not orgs and not any(e.field.startswith("organisations") for e in self.errors):
            self.errors.append(self.fail("organisations", "list at least one [[organisations]]"))
        codes = attempt(
            lambda: self.unique(
                [o.code for o in orgs], "organisations.code", DuplicateOrganisation
            ),
            {o.code for o in orgs},
        )
        themes = tuple(
            theme
            for i, table in enumerate(attempt(lambda: self.tables(data, "themes"), []))
            if (theme := attempt(lambda i=i, t=table: self.theme(t, i)))
        )
        theme_ids = attempt(
            lambda: self.unique([t.id for t in themes], "themes.id"), {t.id for t in themes}
        )
        baselines, targets, tolerances, changes = attempt(
            lambda: self.measures(data.get("measures", {})), ({}, {}, {}, {})
        )
        actions = tuple(
            action
            for i, table in enumerate(attempt(lambda: self.tables(data, "actions"), []))
            if (action := attempt(lambda i=i, t=table: self.action(t, i, codes, theme_ids)))
        )
        attempt(lambda: self.unique([a.id for a in actions], "actions.id"))
        strategy = attempt(lambda: self.strategy(data.get("strategy")))
        name = attempt(lambda: self.text(data, "name"), "")
        returns_from = attempt(
            lambda: (
                self.quarter(self.text(data, "returns_from"), "returns_from")
                if "returns_from" in data
                else None
            )
        )
        contact = attempt(lambda: self.contact(data.get("contact")))
        if self.errors:
            raise AreaFileErrors(self.errors)
        return Area(
            id=area_id,
            name=name,
            la_code=la_code,
            localities=localities,
            organisations=orgs,
            strategy=strategy,
            themes=themes,
            baselines=MappingProxyType(baselines),
            targets=MappingProxyType(targets),
            tolerances=MappingProxyType(tolerances),
            default_tolerance=default_tol,
            actions=actions,
            source=self.path,
            returns_from=returns_from,
            process_changes=MappingProxyType(changes),
            contact=contact,
        )

    def la_code(self, data: dict) -> str:
        la_code = self.text(data, "la_code")
        if not _LA_CODE_RE.match(la_code):
            raise self.fail("la_code", f"{la_code!r} is not an English local authority code")
        return la_code

    def localities(self, data: dict) -> tuple[str, ...]:
        localities = self.strings(data, "localities", "localities")
        if not localities:
            raise self.fail("localities", "list at least one locality")
        return localities

    # -- sections

    def strategy(self, table: Any) -> Strategy:
        if not isinstance(table, dict):
            raise self.fail("strategy", "a [strategy] table is required")
        self.keys(table, _STRATEGY_KEYS, "strategy")
        first = self.quarter(self.text(table, "first", "strategy.first"), "strategy.first")
        last = self.quarter(self.text(table, "last", "strategy.last"), "strategy.last")
        if last < first:
            raise self.fail("strategy.last", f"{last} is before strategy.first {first}")
        return Strategy(
            title=self.text(table, "title", "strategy.title"),
            period=self.text(table, "period", "strategy.period"),
            first=first,
            last=last,
            framework=self.text(table, "framework", "strategy.framework"),
            source=self.text(table, "source", "strategy.source", required=False),
        )

    def contact(self, table: Any) -> Contact | None:
        """The optional [contact] table: name and url required, email and feedback_url optional."""
        if table is None:
            return None
        if not isinstance(table, dict):
            raise self.fail("contact", "write it as a [contact] table")
        self.keys(table, _CONTACT_KEYS, "contact")
        for key in ("url", "feedback_url"):
            value = self.text(table, key, f"contact.{key}", required=key == "url")
            if value and not _URL_RE.match(value):
                raise self.fail(f"contact.{key}", f"{value!r}: give a full https:// address")
        email = self.text(table, "email", "contact.email", required=False)
        if email and not _EMAIL_RE.match(email):
            raise self.fail("contact.email", f"{email!r} is not an email address")
        illustrative = table.get("illustrative", False)
        if not isinstance(illustrative, bool):
            raise self.fail("contact.illustrative", "write true or false")
        return Contact(
            name=self.text(table, "name", "contact.name"),
            url=table["url"],
            email=email,
            feedback_url=table.get("feedback_url", ""),
            illustrative=illustrative,
        )

    def organisation(self, table: dict, i: int, area_id: str) -> Organisation:
        where = f"organisations[{i}]"
        self.keys(table, _ORG_KEYS, where)
        code = self.text(table, "code", f"{where}.code").strip().upper()
        if not _ORG_CODE_RE.match(code):
            raise self.fail(f"{where}.code", f"{code!r} should look like ROT-ASC")
        kind = self.text(table, "kind", f"{where}.kind")
        if kind not in ORGANISATION_KINDS:
            raise self.fail(f"{where}.kind", f"{kind!r}: use one of {ORGANISATION_KINDS}")
        supplies = self.strings(table, "supplies", f"{where}.supplies")
        unknown = [e for e in supplies if e not in EXTRACTS]
        if unknown:
            raise self.fail(
                f"{where}.supplies",
                f"{', '.join(map(repr, unknown))}: extracts are {', '.join(EXTRACTS)}",
            )
        since = None
        if "since" in table:
            since = self.quarter(self.text(table, "since", f"{where}.since"), f"{where}.since")
        return Organisation(
            code,
            self.text(table, "name", f"{where}.name"),
            kind,
            self.text(table, "description", f"{where}.description"),
            area_id,
            supplies=supplies,
            since=since,
        )

    def theme(self, table: dict, i: int) -> Theme:
        where = f"themes[{i}]"
        self.keys(table, _THEME_KEYS, where)
        theme_id = self.identifier(table, "id", f"{where}.id")
        period = None
        if "period" in table:
            period = self.period(self.text(table, "period", f"{where}.period"), f"{where}.period")
        # A wrong measure is reported, and the theme kept, so actions naming it still check.
        measures = self.attempt(lambda: self.measure_list(table, f"{where}.measures"), ())
        if not measures and not any(e.field == f"{where}.measures" for e in self.errors):
            raise self.fail(f"{where}.measures", "list the measures that track this theme")
        return Theme(
            theme_id,
            self.text(table, "kind", f"{where}.kind"),
            self.text(table, "title", f"{where}.title"),
            self.text(table, "description", f"{where}.description"),
            measures,
            period,
        )

    def measures(self, section: Any) -> tuple[dict, dict, dict, dict]:
        if not isinstance(section, dict):
            raise self.fail("measures", "must be a table of [measures.<measure id>] tables")
        baselines: dict[str, Baseline] = {}
        targets: dict[str, tuple[Target, ...]] = {}
        tolerances: dict[str, float] = {}
        changes: dict[str, tuple[ProcessChange, ...]] = {}
        for measure_id, table in section.items():
            self.attempt(
                lambda m=measure_id, t=table: self.measure(
                    m, t, baselines, targets, tolerances, changes
                )
            )
        return baselines, targets, tolerances, changes

    def measure(
        self,
        measure_id: str,
        table: Any,
        baselines: dict,
        targets: dict,
        tolerances: dict,
        changes: dict,
    ) -> None:
        where = f"measures.{measure_id}"
        self.check_measure(measure_id, where)
        if not isinstance(table, dict):
            raise self.fail(where, "must be a table")
        self.keys(table, _MEASURE_KEYS, where)
        baseline = self.baseline(table.get("baseline"), f"{where}.baseline")
        if baseline is not None:
            baselines[measure_id] = baseline
        if "tolerance" in table:
            tolerances[measure_id] = self.tolerance(table["tolerance"], f"{where}.tolerance")
        if "changes" in table:
            changes[measure_id] = self.process_changes(table["changes"], f"{where}.changes")
        raw_targets = table.get("targets", [])
        if not isinstance(raw_targets, list):
            raise self.fail(f"{where}.targets", "must be a list of {by = ..., ...} tables")
        found = tuple(self.target(t, f"{where}.targets[{i}]") for i, t in enumerate(raw_targets))
        if found:
            if baseline is None:
                raise self.fail(f"{where}.baseline", "targets need a baseline to start from")
            previous = baseline.quarter
            for i, target in enumerate(found):
                if target.quarter <= previous:
                    raise self.fail(
                        f"{where}.targets[{i}].by",
                        f"{target.period} must come after {previous.label} "
                        "(the baseline or the previous target)",
                    )
                previous = target.quarter
            targets[measure_id] = found

    def process_changes(self, raw: Any, where: str) -> tuple[ProcessChange, ...]:
        """Known process changes, in time order, each a quarter and the reason for it."""
        if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
            raise self.fail(where, 'must be a list of {period = "2023-24 Q1", reason = "..."}')
        found = []
        for i, table in enumerate(raw):
            field = f"{where}[{i}]"
            self.keys(table, _CHANGE_KEYS, field)
            quarter = self.quarter(self.text(table, "period", f"{field}.period"), f"{field}.period")
            reason = self.text(table, "reason", f"{field}.reason")
            found.append(ProcessChange(quarter.label, reason))
        periods = [c.period for c in found]
        if len(set(periods)) != len(periods):
            raise self.fail(where, "names the same quarter twice")
        return tuple(sorted(found, key=lambda c: Quarter.parse(c.period)))

    def baseline(self, table: Any, where: str) -> Baseline | None:
        if table is None:
            return None
        if not isinstance(table, dict):
            raise self.fail(where, "must be a table {period = ..., value = ... or computed = true}")
        self.keys(table, _BASELINE_KEYS, where)
        period = self.period(self.text(table, "period", f"{where}.period"), f"{where}.period")
        computed = table.get("computed", False)
        if not isinstance(computed, bool):
            raise self.fail(f"{where}.computed", "must be true or false")
        value = table.get("value")
        if value is not None and not self.is_number(value):
            raise self.fail(f"{where}.value", f"{value!r} is not a number")
        if computed == (value is not None):
            raise self.fail(where, "give either a stated value or computed = true, not both")
        return Baseline(
            period,
            None if value is None else float(value),
            computed,
            self.text(table, "source", f"{where}.source", required=False),
        )

    def target(self, table: Any, where: str) -> Target:
        if not isinstance(table, dict):
            raise self.fail(where, "must be a table {by = ..., value = ... or change = ...}")
        self.keys(table, _TARGET_KEYS, where)
        by = table.get("by")
        if isinstance(by, int):
            by = str(by)
        if not isinstance(by, str):
            raise self.fail(f"{where}.by", 'give the period, e.g. "2025" or "2026-27 Q4"')
        period = self.period(by, f"{where}.by")
        value, change = table.get("value"), table.get("change")
        if (value is None) == (change is None):
            raise self.fail(where, 'give either value = ... or change = "+20%", not both')
        if value is not None and not self.is_number(value):
            raise self.fail(f"{where}.value", f"{value!r} is not a number")
        if change is not None:
            try:
                parse_change(str(change))
            except BadTargetChange as exc:
                raise self.fail(f"{where}.change", str(exc)) from None
        label = by.strip() if re.fullmatch(r"\s*\d{4}\s*", by) else period
        return Target(
            period,
            None if value is None else float(value),
            None if change is None else str(change),
            label,
        )

    def action(self, table: dict, i: int, codes: set[str], themes: set[str]) -> Action:
        where = f"actions[{i}]"
        self.keys(table, _ACTION_KEYS, where)
        owner = self.text(table, "owner", f"{where}.owner").strip()
        if _ORG_CODE_RE.match(owner.upper()):
            owner = owner.upper()
            if owner not in codes:
                raise self.fail(f"{where}.owner", f"{owner} is not an organisation of this area")
        status = self.text(table, "status", f"{where}.status")
        if status not in ACTION_STATUSES:
            raise self.fail(f"{where}.status", f"{status!r}: use one of {ACTION_STATUSES}")
        theme = self.text(table, "theme", f"{where}.theme")
        if theme not in themes:
            raise self.fail(f"{where}.theme", f"{theme!r} is not a theme of this area")
        due = self.period(self.text(table, "due", f"{where}.due"), f"{where}.due")
        return Action(
            self.identifier(table, "id", f"{where}.id"),
            self.text(table, "title", f"{where}.title"),
            owner,
            due,
            status,
            theme,
            self.measure_list(table, f"{where}.measures"),
        )

    # -- fields

    def unique(self, values: list[str], field: str, error=AreaConfigError) -> set[str]:
        for value in values:
            if values.count(value) > 1:
                raise error(self.file, field, f"{value!r} is used twice")
        return set(values)

    def keys(self, table: dict, allowed: set[str], where: str) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            field = f"{where}.{unknown[0]}" if where else unknown[0]
            raise self.fail(field, f"unknown setting; expected one of {', '.join(sorted(allowed))}")

    def tables(self, data: dict, key: str) -> list[dict]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, f"write it as [[{key}]] tables")
        return value

    def text(
        self, table: dict, key: str, field: str | None = None, *, required: bool = True
    ) -> str:
        value = table.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field or key, "a non-empty text value is required")
        return value

    def identifier(self, table: dict, key: str, field: str) -> str:
        value = self.text(table, key, field)
        if not _ID_RE.match(value):
            raise self.fail(field, f"{value!r}: use lower-case letters, digits, - and _")
        return value

    def strings(self, table: dict, key: str, field: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(field, "must be a list of text values")
        if len(set(value)) != len(value):
            raise self.fail(field, "lists a value twice")
        return tuple(value)

    def measure_list(self, table: dict, field: str) -> tuple[str, ...]:
        measures = self.strings(table, "measures", field)
        for measure_id in measures:
            self.check_measure(measure_id, field)
        return measures

    def check_measure(self, measure_id: str, field: str) -> None:
        if self.known is not None and measure_id not in self.known:
            raise AreaConfigError(
                self.file, field, f"{measure_id!r} is not a measure in the catalogue"
            )
        if not re.fullmatch(r"[a-z][a-z0-9_]*", measure_id):
            raise AreaConfigError(self.file, field, f"{measure_id!r} is not a measure id")

    def period(self, text: str, field: str) -> str:
        try:
            return parse_period(text)
        except InvalidPeriod as exc:
            raise self.fail(field, str(exc)) from None

    def quarter(self, text: str, field: str) -> Quarter:
        try:
            return Quarter.parse(text)
        except InvalidPeriod as exc:
            raise self.fail(field, str(exc)) from None

    def tolerance(self, raw: Any, field: str) -> float:
        value: float | None = None
        if isinstance(raw, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*%\s*", raw):
            value = float(raw.strip().rstrip("%")) / 100
        elif self.is_number(raw):
            value = float(raw)
        if value is None or not 0 <= value < 1:
            raise self.fail(field, f'{raw!r}: write a share such as 0.05 or "5%"')
        return value

    @staticmethod
    def is_number(value: Any) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool)


def read_area_file(path: Path, known_measures: frozenset[str] | None = None) -> Area:
    """One area file, checked; with `known_measures`, measure ids must be among them."""
    return _AreaReader(path, known_measures).read()


def areas_dir() -> Path:
    """The folder of area files: the setting CARERS_AREAS_DIR, else the shipped demo areas."""
    configured = settings.get("CARERS_AREAS_DIR")
    return Path(configured) if configured else AREAS_DIR


def check_area_files(
    folder: Path | str | None = None, *, known_measures: Iterable[str] | None = None
) -> tuple[dict[str, Area], list[AreaConfigError]]:
    """Every area file of the folder read and checked: the areas that are sound, and every
    error found in any file (each naming the file and the field).

    Measure ids must be in the catalogue (`known_measures`, by default the core one).
    """
    directory = Path(folder) if folder is not None else areas_dir()
    files = sorted(directory.glob("*.toml"))
    if not files:
        return {}, [AreaConfigError(str(directory), "(folder)", "no area files (*.toml) found")]
    if known_measures is None:
        from measures.domain.catalogue import load_catalogue

        known_measures = load_catalogue()
    known = frozenset(known_measures)
    areas: dict[str, Area] = {}
    errors: list[AreaConfigError] = []
    owners: dict[str, str] = {}
    for path in files:
        try:
            area = read_area_file(path, known)
        except AreaFileErrors as found:
            errors.extend(found.errors)
            continue
        except AreaConfigError as error:
            errors.append(error)
            continue
        clashes = [org.code for org in area.organisations if org.code in owners]
        for code in clashes:
            errors.append(
                DuplicateOrganisation(
                    path.name,
                    "organisations.code",
                    f"{code} is already an organisation of {owners[code]}",
                )
            )
        if clashes:
            continue
        owners.update({org.code: area.id for org in area.organisations})
        areas[area.id] = area
    return areas, errors


def load_areas(
    folder: Path | str | None = None, *, known_measures: Iterable[str] | None = None
) -> dict[str, Area]:
    """Every `*.toml` area file in the folder (default: `areas_dir()`), checked, by id.

    Raises the first error found (with all of them in `AreaFileErrors.errors`
    when a file has several); `check_area_files` lists them all.
    """
    areas, errors = check_area_files(folder, known_measures=known_measures)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise AreaFileErrors(errors)
    return areas


@lru_cache(maxsize=4)
def _areas_in(folder: Path) -> dict[str, Area]:
    return load_areas(folder)


def configured_areas() -> dict[str, Area]:
    """The areas of `areas_dir()`, read once per process and folder."""
    return _areas_in(areas_dir())


def area_for_organisation(code: str, areas: Mapping[str, Area] | None = None) -> Area:
    """The area an organisation belongs to (codes are matched ignoring case)."""
    wanted = code.strip().upper()
    for area in (areas if areas is not None else configured_areas()).values():
        if any(org.code == wanted for org in area.organisations):
            return area
    raise UnknownOrganisation(
        f"{code!r} is not an organisation of any configured area; "
        "organisation codes look like ROT-ASC"
    )
