"""Widgets the pages share: pickers remembered in the URL, CSV downloads, reports, styling."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import format as fmt
from dashboard.text import plain, plain_table
from measures import api

STYLE = Path(__file__).with_name("style.css")
REMEMBERED = "_remembered_{}"


def use_house_style() -> None:
    st.html(STYLE)


def picker(
    label: str,
    options: Sequence[str],
    *,
    param: str,
    default: str | None = None,
    format_func: Callable[[str], str] = str,
    help: str | None = None,
    default_in_url: bool = True,
) -> str:
    """A select box whose choice lives in the URL (`?param=value`), so the view can be shared.

    The choice comes from the URL if it names an option, else from a choice
    made earlier in this session (kept across pages), else the default. With
    `default_in_url=False` a default is left out of the URL and not kept, so
    "the latest quarter" stays the latest when a new one arrives.
    """
    options = list(options)
    key = f"picker_{param}"
    remembered = REMEMBERED.format(param)
    if st.query_params.get(param) in options:
        wanted, chosen = st.query_params[param], True
    elif st.session_state.get(remembered) in options:
        wanted, chosen = st.session_state[remembered], True
    else:
        wanted, chosen = (default if default in options else options[0]), False
    if st.session_state.get(key) != wanted:
        st.session_state[key] = wanted

    def remember() -> None:
        st.query_params[param] = st.session_state[key]
        st.session_state[remembered] = st.session_state[key]

    choice = st.selectbox(
        label, options, key=key, format_func=format_func, on_change=remember, help=help
    )
    if chosen:
        st.session_state[remembered] = choice
    if chosen or default_in_url:
        st.query_params[param] = choice
    elif param in st.query_params:
        del st.query_params[param]  # names no option: drop it rather than mislead
    return choice


def area_picker(*, default: str | None = None) -> api.Area:
    areas = api.areas()
    chosen = picker(
        "Area",
        list(areas),
        param="area",
        default=default,
        format_func=lambda a: areas[a].name,
        help="The local partnership whose strategy and figures to show",
    )
    return areas[chosen]


def period_picker(
    quarters: Sequence[str], *, label: str = "Quarter", area: str | None = None
) -> str:
    """A quarter from those with figures (newest first).

    With `area`, it opens on the area's latest complete quarter (every expected
    extract loaded) and says so when the chosen quarter is incomplete;
    otherwise on the latest.
    """
    from dashboard import data

    default = data.default_quarter(area) if area else quarters[0]
    chosen = picker(
        label,
        quarters,
        param="period",
        default=default,
        help="Show the figures as they stood at the end of this quarter",
        default_in_url=False,
    )
    if area:
        completeness_note(area, chosen, latest=quarters[0], default=default)
    return chosen


def completeness_note(area: str, period: str, *, latest: str, default: str | None) -> None:
    """Say when a quarter's expected extracts are not all loaded, and which measures it affects."""
    from dashboard import data

    found = data.completeness(area, [period])[period]
    if not found.complete:
        affected = data.affected_measures(found)
        st.warning(
            f"{period} is incomplete: {found.summary}. "
            + (f"Measures affected: {', '.join(affected)}." if affected else ""),
            icon=":material/warning:",
        )
    elif period == default and default != latest:
        st.caption(
            f"Showing {period}, the latest quarter with every expected extract loaded; "
            f"{latest} is still incomplete (choose it above to see it)."
        )


def default_area(user) -> str | None:
    """An uploader starts on the area of their first organisation."""
    if not user.organisations:
        return None
    for area in api.areas().values():
        if user.organisations[0] in area.organisation_codes:
            return area.id
    return None


def csv_data(frame: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV: lists joined with `; `, formula-like text made safe."""
    flat = frame.copy()
    for column in flat.columns:
        if flat[column].map(lambda v: isinstance(v, (list, tuple))).any():
            flat[column] = flat[column].map(
                lambda v: "; ".join(str(x) for x in v) if isinstance(v, (list, tuple)) else v
            )
    return api.make_csv_safe(flat).to_csv(index=False, lineterminator="\n").encode("utf-8")


def download_csv(frame: pd.DataFrame, *, filename: str, label: str = "Download as CSV") -> None:
    """A CSV download of exactly the data shown, with spreadsheet formulas made safe."""
    st.download_button(
        label,
        data=csv_data(frame),
        file_name=filename,
        mime="text/csv",
        key=f"download_{filename}",
        on_click="ignore",
        icon=":material/download:",
    )


def findings_table(report: dict) -> pd.DataFrame:
    """A report's findings, errors first, as the table a person fixes the file from."""
    rows = []
    for finding in sorted(report.get("findings", []), key=lambda f: f["severity"] != "error"):
        count = finding.get("count") or 0
        shown = finding.get("rows") or []
        first_rows = ", ".join(str(r) for r in shown)
        if count > len(shown):
            first_rows += ", ..."
        rows.append(
            {
                "Severity": finding["severity"].capitalize(),
                "Column": finding.get("column") or "(whole file)",
                "What to fix": finding["message"],
                "Rows failing": count or "",
                "First failing rows (header is row 1)": first_rows,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "Severity",
            "Column",
            "What to fix",
            "Rows failing",
            "First failing rows (header is row 1)",
        ],
    )


def show_report(report: dict, *, status: str | None = None, key: str = "report") -> None:
    """A validation report: the verdict in words, then every finding with its failing rows."""
    what = plain(
        " ".join(str(report.get(k)) for k in ("extract", "organisation", "period") if report.get(k))
    )
    name = plain(report.get("filename", "The file"))
    rows = report.get("row_count", 0)
    ok = report.get("ok", not any(f["severity"] == "error" for f in report.get("findings", [])))
    if status == "duplicate":
        st.info(f"{name}: identical to the file already loaded; nothing was changed.")
    elif status == "reinstated":
        st.success(f"{name}: identical to an earlier file, which is current again.")
    elif ok:
        st.success(f"{name}: accepted ({what}, {rows:,} rows). Its figures are now loaded.")
    else:
        st.error(
            f"{name}: rejected{f' ({what})' if what else ''}. Nothing from this file was "
            "loaded. Fix the errors below and submit it again."
        )
    table = findings_table(report)
    if len(table):
        st.table(plain_table(table), hide_index=True)
        download_csv(table, filename=f"{key}_findings.csv", label="Download the findings as CSV")


def flash(message: str | None = None) -> None:
    """Show a message kept over a rerun, or keep one for the next run."""
    if message is not None:
        st.session_state["_flash"] = message
        return
    kept = st.session_state.pop("_flash", None)
    if kept:
        st.success(plain(kept))


def when(value) -> str:
    return fmt.timestamp(value)
