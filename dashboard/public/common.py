"""What every public page shares: the read-only data access, the area choice, tables, styles.

Pages read only through `measures.public`, which reads only the published,
disclosure-controlled figures and the configuration. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from dashboard.text import html as escape
from measures import public
from measures.public import Area, Catalogue, load_areas, load_catalogue

REFRESH_SECONDS = 300
"""Published figures change only when a quarter is published or recomputed."""

STYLE = """
<style>
.public-table { border-collapse: collapse; margin: 0.25rem 0 1rem; width: 100%; }
.public-table caption { text-align: left; font-weight: 600; padding: 0.25rem 0; color: #31333f; }
.public-table th, .public-table td {
  border: 1px solid #b1b4b6; padding: 0.35rem 0.6rem; text-align: left; vertical-align: top;
}
.public-table thead th { background: #f3f2f1; }
.public-footer { color: #505a5f; font-size: 0.9rem; border-top: 1px solid #b1b4b6;
  padding-top: 0.75rem; margin-top: 1.5rem; }
.public-table td.number { text-align: right; font-variant-numeric: tabular-nums; }
a:focus-visible, button:focus-visible, summary:focus-visible, [tabindex]:focus-visible {
  outline: 3px solid #ffdd00; outline-offset: 1px; box-shadow: 0 0 0 5px #0b0c0c;
}
</style>
"""


UNAVAILABLE = "The published figures are not available at the moment. Please try again later."


FiguresUnavailable = public.FiguresUnavailable


@st.cache_resource
def engine():
    """A connection pool for CARERS_DB_URL; the public server points it at the read-only role."""
    return public.connect()


@st.cache_resource
def catalogue() -> Catalogue:
    return load_catalogue()


@st.cache_resource
def areas() -> dict[str, Area]:
    return load_areas()


@st.cache_data(ttl=REFRESH_SECONDS, show_spinner=False)
def _area_ids() -> list[str]:
    return public.public_area_ids(engine())


@st.cache_data(ttl=REFRESH_SECONDS, show_spinner=False)
def figures(area_id: str) -> pd.DataFrame:
    return public.read_figures(engine(), area=area_id)


@st.cache_data(ttl=REFRESH_SECONDS, show_spinner=False)
def _publications(area_id: str) -> pd.DataFrame:
    return public.read_publications(engine(), area=area_id)


def publications(area: Area) -> pd.DataFrame:
    """When each quarter was published, revised or withdrawn (the page stops if unreadable)."""
    try:
        return _publications(area.id)
    except FiguresUnavailable:
        st.error(UNAVAILABLE)
        st.stop()


def area_figures(area: Area) -> pd.DataFrame:
    """An area's published figures, or a plain message (and the page stops) if unreadable."""
    try:
        return figures(area.id)
    except FiguresUnavailable:
        st.error(UNAVAILABLE)
        st.stop()


def published_areas() -> list[Area]:
    configured = areas()
    found = [configured[i] for i in _area_ids() if i in configured]
    return sorted(found, key=lambda a: a.name)


def choose_area() -> Area | None:
    """The area select box, or None if nothing is published.

    The choice is kept in the address (`?area=Rotherham`), so a link opens the same view.
    """
    try:
        available = published_areas()
    except FiguresUnavailable:
        st.error(UNAVAILABLE)
        return None
    if not available:
        st.info("No figures have been published yet.")
        return None
    by_name = {a.name: a for a in available}
    chosen = st.selectbox("Area", list(by_name), key="area", bind="query-params")
    return by_name[chosen]


def page_title(name: str) -> str:
    """The browser tab's title: the page, then the site."""
    return f"{name}: carers' outcomes, published figures"


def apply_style() -> None:
    st.html(STYLE)


def html_table(
    frame: pd.DataFrame,
    *,
    caption: str,
    row_header: str | None = None,
    numeric: Sequence[str] = (),
) -> str:
    """A real HTML table with a caption and column (and row) headers, for screen readers.

    `row_header` names the column whose cells head their rows.
    """
    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in frame.columns)
    body = []
    for record in frame.to_dict("records"):
        cells = []
        for column, value in record.items():
            text = escape("" if value is None or pd.isna(value) else str(value))
            if column == row_header:
                cells.append(f'<th scope="row">{text}</th>')
            elif column in numeric:
                cells.append(f'<td class="number">{text}</td>')
            else:
                cells.append(f"<td>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<table class="public-table"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


FOOTER = (
    "Published figures only. Counts are rounded to the nearest 5; a count of 1 to 7, "
    "or a percentage or average based on fewer than 10 carers, is shown as * and "
    "hidden to protect privacy. Hidden figures are missing, never zero."
)


def footer() -> None:
    # Own markup rather than st.caption, whose grey text (#828180 on white, 3.9:1)
    # falls short of the 4.5:1 contrast WCAG AA asks of body text.
    st.html(f'<p class="public-footer">{escape(FOOTER)}</p>')
