"""Validate an extract's rows with its stored Great Expectations suite (SPEC 3.4).

Every failed expectation becomes one error finding on the report: its rule,
column, how many rows fail, the first failing file row numbers, and the plain
English message from the suite. Great Expectations is imported on first use
only (it takes seconds); one ephemeral context serves the whole process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from carers_impact.extracts import Extract, get_extract
from carers_impact.periods import Quarter
from etl.normalise import ROW, normalise, to_typed
from etl.report import MAX_ROWS_SHOWN, Report
from etl.suites import (
    ISO_DATE_PATTERN,
    LOCALITIES_PARAMETER,
    as_date_column,
    load_suite,
)

if TYPE_CHECKING:
    import great_expectations as gx

__all__ = ["SuiteFailedToRun", "batch_frame", "to_typed", "validate_frame"]

MAX_EXAMPLES = 3
MAX_EXAMPLE_LENGTH = 40

# Row numbers come back in one list per expectation (a named index with
# exclude_unexpected_values) instead of one dict per failing row, which Great
# Expectations builds row by row and which takes tens of seconds on a large file.
RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": MAX_ROWS_SHOWN,
    "unexpected_index_column_names": [ROW],
    "exclude_unexpected_values": True,
}


RULE_ORDER = (
    "required_column",
    "required_value",
    "id_format",
    "duplicate_id",
    "value_not_allowed",
    "whole_number",
    "date_format",
    "date_outside_quarter",
    "date_after_quarter_end",
    "date_order",
)


class SuiteFailedToRun(RuntimeError):
    """An expectation raised inside Great Expectations: a fault here, not in the file."""


def validate_frame(
    frame: pd.DataFrame,
    *,
    extract: Extract | str,
    quarter: Quarter | str,
    report: Report,
    localities: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Normalise the rows, check them against the extract's suite and report each failure.

    Returns the normalised frame; the file may be loaded only if ``report.ok``.
    Without ``localities`` the locality column is not checked against a list.
    """
    extract = get_extract(extract) if isinstance(extract, str) else extract
    quarter = Quarter.parse(quarter) if isinstance(quarter, str) else quarter
    normalised = normalise(frame, extract=extract, localities=localities)
    if ROW not in normalised.columns:
        normalised[ROW] = np.arange(2, len(normalised) + 2)

    batch = batch_frame(normalised, extract=extract)
    suite = _runnable_suite(extract, batch, localities=localities)
    parameters: dict[str, Any] = {
        # Datetimes, not strings: Great Expectations turns a string into a date,
        # which it cannot compare with a datetime column.
        "quarter_start": datetime.combine(quarter.start, datetime.min.time()),
        "quarter_end": datetime.combine(quarter.end, datetime.min.time()),
        LOCALITIES_PARAMETER: list(localities or []),
    }
    definition = _batch_definition()
    # One validation at a time per process: Great Expectations shares state
    # between runs of a context, so two threads (two uploads in the dashboard)
    # would read each other's batch.
    with _validation_lock:
        # The validator takes the batch itself: fetching it first as well would
        # fingerprint (hash) the whole frame twice.
        from great_expectations.validator.v1_validator import Validator

        validator = Validator(
            definition, result_format=RESULT_FORMAT, batch_parameters={"dataframe": batch}
        )
        result = validator.validate_expectation_suite(suite, expectation_parameters=parameters)
    placeholders = {
        "quarter": quarter.label,
        "quarter_start": _uk_date(quarter.start),
        "quarter_end": _uk_date(quarter.end),
        "localities": ", ".join(localities or []),
    }
    for outcome in result.results:
        _raise_if_crashed(outcome)
    failed = [outcome for outcome in result.results if not outcome.success]
    for outcome in sorted(failed, key=lambda o: _reading_order(o, extract)):
        _add_finding(report, outcome, frame, normalised[ROW], placeholders)
    return normalised


def _reading_order(outcome: Any, extract: Extract) -> tuple[int, int]:
    """Findings column by column, as the file reads, and the basic rules first."""
    meta = outcome.expectation_config.meta or {}
    names = extract.column_names
    column = meta.get("column")
    rule = meta.get("rule")
    return (
        names.index(column) if column in names else len(names),
        RULE_ORDER.index(rule) if rule in RULE_ORDER else len(RULE_ORDER),
    )


def batch_frame(frame: pd.DataFrame, *, extract: Extract) -> pd.DataFrame:
    """The suite's input: indexed by ``_row``, every optional column, dates also as datetimes."""
    # Text columns go in as object arrays, which pandas 3 stores as Arrow strings:
    # Great Expectations checks those several times faster than Python objects.
    index = pd.Index(frame[ROW].to_numpy(dtype=np.int64), name=ROW)
    columns: dict[str, Any] = {}
    for column in extract.columns:
        if column.name in frame.columns and column.kind == "category":
            # A handful of distinct values: checked, and fingerprinted by Great
            # Expectations, once per value rather than once per row.
            columns[column.name] = pd.Categorical(frame[column.name].to_numpy(dtype=object))
        elif column.name in frame.columns:
            columns[column.name] = frame[column.name].to_numpy(dtype=object)
        elif not column.required:
            columns[column.name] = np.full(len(frame), None, dtype=object)
    for column in extract.columns:
        if column.kind == "date" and column.name in columns:
            columns[as_date_column(column.name)] = _as_dates(columns[column.name])
    return pd.DataFrame(columns, index=index)


def _as_dates(values: np.ndarray) -> np.ndarray:
    """Valid ISO dates as datetime64[ns]; anything else NaT (the format rule reports it)."""
    codes, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    texts = pd.Series(distinct, dtype=object).map(str)
    valid = texts.str.match(ISO_DATE_PATTERN)
    parsed = pd.to_datetime(texts.where(valid), format="%Y-%m-%d", errors="coerce")
    # nanoseconds: Great Expectations compares only that resolution column-wide
    parsed = parsed.to_numpy(dtype="datetime64[ns]")
    return np.append(parsed, np.datetime64("NaT", "ns"))[codes]


def _runnable_suite(
    extract: Extract, batch: pd.DataFrame, *, localities: Sequence[str] | None
) -> gx.ExpectationSuite:
    """The stored suite, less checks on columns the file lacks (their absence is the finding)."""
    suite = load_suite(extract.name)
    for expectation in list(suite.expectations):
        kwargs = expectation.configuration.kwargs
        if expectation.expectation_type == "expect_column_to_exist":
            continue
        columns = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
        missing = any(c not in batch.columns for c in columns)
        unset = kwargs.get("value_set") == {"$PARAMETER": LOCALITIES_PARAMETER} and not localities
        if missing or unset:
            suite.expectations.remove(expectation)
    return suite


def _raise_if_crashed(outcome: Any) -> None:
    info = outcome.exception_info or {}
    failures = [info] if "raised_exception" in info else list(info.values())
    for failure in failures:
        if isinstance(failure, dict) and failure.get("raised_exception"):
            raise SuiteFailedToRun(
                f"{outcome.expectation_config.type} on "
                f"{outcome.expectation_config.meta.get('column')}: "
                f"{failure.get('exception_message')}"
            )


def _add_finding(
    report: Report,
    outcome: Any,
    frame: pd.DataFrame,
    file_rows: pd.Series,
    placeholders: dict[str, str],
) -> None:
    config = outcome.expectation_config
    meta = config.meta or {}
    rule = meta.get("rule", config.type)
    column = meta.get("column", config.kwargs.get("column"))
    if any(f.rule == rule and f.column == column for f in report.errors):
        return  # already reported, e.g. a missing column found by the reader
    message = meta.get("message", f"{column} failed {config.type}")
    for key, value in placeholders.items():
        message = message.replace("{" + key + "}", value)
    result = outcome.result or {}
    rows = _failing_rows(result)
    if meta.get("show_values") and rows and column in frame.columns:
        message = _with_examples(message, frame[column][file_rows.isin(rows).to_numpy()])
    report.error(
        rule, message, column=column, count=int(result.get("unexpected_count") or 0), rows=rows
    )


def _failing_rows(result: dict[str, Any]) -> list[int]:
    rows: list[int] = []
    for entry in result.get("partial_unexpected_index_list") or []:
        value = entry.get(ROW) if isinstance(entry, dict) else entry
        rows.extend(value if isinstance(value, list) else [value])
        if len(rows) >= MAX_ROWS_SHOWN:
            break
    return [int(r) for r in rows[:MAX_ROWS_SHOWN]]


def _with_examples(message: str, values: pd.Series) -> str:
    """The message and a few of the failing values, as written in the file."""
    examples = list(dict.fromkeys(values.dropna().astype(str)))[:MAX_EXAMPLES]
    if not examples:
        return message
    quoted = ", ".join(repr(_shorten(v)) for v in examples)
    return f"{message} Found: {quoted}."


def _shorten(text: str) -> str:
    if len(text) <= MAX_EXAMPLE_LENGTH:
        return text
    return text[: MAX_EXAMPLE_LENGTH - 3] + "..."


def _uk_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


_lock = threading.Lock()
_validation_lock = threading.Lock()
_batch_definitions: list[Any] = []


def prepare_in_background() -> None:
    """Start Great Expectations on a thread (seconds of imports) while the caller reads files.

    The first validation then waits only for what is left of the start-up.
    """
    threading.Thread(target=_batch_definition, name="prepare-validation", daemon=True).start()


def _batch_definition() -> Any:
    """One ephemeral context, pandas data source and whole-dataframe batch per process."""
    with _lock:
        if not _batch_definitions:
            os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
            import great_expectations as gx
            from great_expectations.data_context.types.base import (
                DataContextConfig,
                InMemoryStoreBackendDefaults,
                ProgressBarsConfig,
            )

            context = gx.get_context(
                mode="ephemeral",
                project_config=DataContextConfig(
                    store_backend_defaults=InMemoryStoreBackendDefaults(),
                    analytics_enabled=False,
                    progress_bars=ProgressBarsConfig(globally=False),
                ),
            )
            asset = context.data_sources.add_pandas("extracts").add_dataframe_asset("extract")
            _batch_definitions.append(asset.add_batch_definition_whole_dataframe("whole file"))
        return _batch_definitions[0]
