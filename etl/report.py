"""The validation report a person reads to fix a rejected file.

Every check (file name, reading, personal data, expectations) adds findings to
one Report; a file with any error finding is rejected as a whole.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

from carers_impact.errors import UserError

Severity = Literal["error", "warning"]
MAX_ROWS_SHOWN = 10


@dataclass
class Finding:
    """One failed check: what is wrong, where, and how many rows."""

    severity: Severity
    rule: str  # a short stable code, e.g. "required_column", "value_not_allowed"
    message: str  # plain English, says what to fix
    column: str | None = None
    count: int = 0  # failing rows; 0 for file-level findings
    rows: list[int] = field(default_factory=list)  # first file row numbers (header = 1)

    def to_text(self) -> str:
        where = f"column '{self.column}': " if self.column else ""
        text = f"{self.severity.upper()}: {where}{self.message}"
        if self.count:
            shown = ", ".join(str(r) for r in self.rows[:MAX_ROWS_SHOWN])
            more = "" if self.count <= len(self.rows[:MAX_ROWS_SHOWN]) else ", ..."
            noun = "row" if self.count == 1 else "rows"
            text += f" ({self.count} {noun}: {shown}{more})"
        return text


@dataclass
class Report:
    """Everything found in one file."""

    filename: str
    extract: str | None = None
    organisation: str | None = None
    period: str | None = None
    row_count: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def error(
        self,
        rule: str,
        message: str,
        *,
        column: str | None = None,
        count: int = 0,
        rows: list[int] | None = None,
    ) -> None:
        self.findings.append(
            Finding("error", rule, message, column, count, list(rows or [])[:MAX_ROWS_SHOWN])
        )

    def warn(
        self,
        rule: str,
        message: str,
        *,
        column: str | None = None,
        count: int = 0,
        rows: list[int] | None = None,
    ) -> None:
        self.findings.append(
            Finding("warning", rule, message, column, count, list(rows or [])[:MAX_ROWS_SHOWN])
        )

    def to_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        findings = [Finding(**f) for f in data.get("findings", [])]
        fields = {k: data.get(k) for k in ("filename", "extract", "organisation", "period")}
        return cls(**fields, row_count=data.get("row_count", 0), findings=findings)

    def to_text(self) -> str:
        what = " ".join(x for x in (self.extract, self.organisation, self.period) if x)
        verdict = "ACCEPTED" if self.ok else "REJECTED"
        lines = [
            f"{self.filename}: {verdict}" + (f" ({what}, {self.row_count} rows)" if what else "")
        ]
        if not self.ok:
            lines.append(
                "Nothing from this file was loaded. Fix the errors below and submit it again."
            )
        lines += [f"- {f.to_text()}" for f in self.errors + self.warnings]
        return "\n".join(lines)


class ExtractRejected(UserError):
    """A file that cannot be loaded; its report says why and what to fix."""

    def __init__(self, report: Report):
        self.report = report
        first = report.errors[0].to_text() if report.errors else "rejected"
        super().__init__(f"{report.filename}: {first}")
