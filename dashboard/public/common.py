"""What every public page shares: the read-only data access, the area choice, tables, styles.

Pages read only through `measures.public`, which reads only the published,
disclosure-controlled figures and the configuration. Nothing here writes.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from dashboard.public import blocks
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
/* No chart toolbar (data, PNG, specification, full screen) and no heading link icons:
   each was a tab stop without a visible focus. Headings keep their ids for in-page links. */
[data-testid="stElementToolbar"], [data-testid="stHeaderActionElements"] {
  display: none !important;
}
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


def outcome_blocks(
    area: Area, quarter: str, figures: pd.DataFrame, publications: pd.DataFrame
) -> tuple[blocks.Block, ...]:
    """The Outcomes page's building blocks (texts, tables, charts) for an area and quarter.

    Built once for each version of the published figures and shared by every
    reader: working them out takes most of a page run's time, and they follow
    from the figures and the publication record alone.
    """
    version = f"{_fingerprint(figures)}-{_fingerprint(publications)}"
    return _outcome_blocks(area.id, quarter, version, area, figures, publications)


def _fingerprint(frame: pd.DataFrame) -> str:
    return f"{int(pd.util.hash_pandas_object(frame, index=False).sum()) % 2**64:016x}"


@st.cache_resource(ttl=REFRESH_SECONDS, max_entries=256, show_spinner=False)
def _outcome_blocks(
    area_id: str,
    quarter: str,
    version: str,
    _area: Area,
    _figures: pd.DataFrame,
    _publications: pd.DataFrame,
) -> tuple[blocks.Block, ...]:
    page = blocks.Outcomes(
        area=_area,
        quarter=quarter,
        figures=_figures,
        publications=_publications,
        catalogue=catalogue(),
    )
    return tuple(page.blocks())


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


html_table = blocks.html_table


def render(items: Sequence[blocks.Block]) -> None:
    """Lay out the public view's building blocks with Streamlit."""
    for block in items:
        if isinstance(block, blocks.Heading):
            draw = st.header if block.level == 2 else st.subheader
            draw(block.text, anchor=block.anchor or False)
        elif isinstance(block, blocks.Text):
            st.markdown(block.markdown)
        elif isinstance(block, blocks.Html):
            st.html(block.html)
        elif isinstance(block, blocks.Notice):
            st.warning(block.markdown)
        elif isinstance(block, blocks.Chart):
            # A copy: Streamlit moves the data out of the specification it is given.
            st.vega_lite_chart(spec=copy.deepcopy(block.spec), width="stretch", theme=None)
            st.markdown(block.summary)
        elif isinstance(block, blocks.Details):
            with st.expander(block.summary):
                render(block.body)


def footer() -> None:
    # Own markup rather than st.caption, whose grey text (#828180 on white, 3.9:1)
    # falls short of the 4.5:1 contrast WCAG AA asks of body text.
    st.html(f'<p class="public-footer">{escape(blocks.FOOTER)}</p>')
