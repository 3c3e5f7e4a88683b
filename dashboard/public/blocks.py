"""The public view's content as building blocks, drawn by Streamlit and by the static edition.

Each page's wording, tables and charts are made here once, from what
`measures.public` gives; `dashboard.public.common.render` lays the blocks out
with Streamlit and `dashboard.public.static` writes them as plain HTML. Nothing
here imports Streamlit.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import altair as alt
import pandas as pd

from carers_impact.periods import Quarter
from dashboard.public.charts import trend_chart
from dashboard.text import html as escape
from dashboard.text import plain
from measures import public
from measures.public import NO_TARGET, Area, Catalogue, Figure, Measure, ThemeGroup, figure_for

_SPEC_LOCK = threading.Lock()  # Altair's theme is global to the process


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 2 or 3: each page has its own h1
    anchor: str | None = None  # an id for in-page links; no visible link icon


@dataclass(frozen=True)
class Text:
    markdown: str


@dataclass(frozen=True)
class Html:
    html: str  # built here, every value escaped


@dataclass(frozen=True)
class Notice:
    markdown: str  # a withdrawal: shown as a warning


@dataclass(frozen=True)
class Chart:
    chart: alt.Chart
    name: str  # a file name for the static edition's SVG
    summary: str  # the text alternative, shown under the chart

    @cached_property
    def spec(self) -> dict:
        """The chart's Vega-Lite specification, data included, checked once and kept.

        Made as Streamlit makes it (Altair's theme "none": no default view size),
        so that a page drawing a block it has drawn before does no Altair work.
        """
        with _SPEC_LOCK, alt.theme.enable("none"):
            return self.chart.to_dict()


@dataclass(frozen=True)
class Details:
    summary: str
    body: tuple[Block, ...]


Block = Heading | Text | Html | Notice | Chart | Details


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


# -- the outcomes page -----------------------------------------------------------------


def theme_anchor(group: ThemeGroup) -> str:
    return f"theme-{group.theme.id}" if group.theme else "theme-other"


def theme_title(group: ThemeGroup) -> str:
    return group.theme.title if group.theme else "Other measures"


@dataclass(frozen=True)
class Outcomes:
    """What the outcomes page shows for one area and quarter."""

    area: Area
    quarter: str
    figures: pd.DataFrame
    publications: pd.DataFrame
    catalogue: Catalogue

    def intro(self) -> list[Block]:
        strategy = self.area.strategy
        blocks: list[Block] = [
            Text(
                f"How carers in {self.area.name} are doing, measure by measure, against the "
                f"partnership's strategy *{strategy.title}* ({strategy.period}). Showing "
                f"**{self.quarter}** ({public.describe_quarter(self.quarter)}), compared with "
                "the same quarter a year earlier. Only published figures are shown, and small "
                "numbers are hidden to protect privacy."
            )
        ]
        notes = self.publications.set_index("period", drop=False)
        if self.quarter in notes.index:
            blocks.append(Text(plain(public.publication_note(notes.loc[self.quarter].to_dict()))))
        for row in self.publications[self.publications["status"] == "withdrawn"].to_dict("records"):
            blocks.append(Notice(plain(public.publication_note(row))))
        blocks.append(Text(plain(public.next_publication(self.publications))))
        return blocks

    def publication_record(self) -> list[Block]:
        """Each quarter's publication dates and revisions, then the area's contact."""
        frame = public.publication_table(self.publications)
        blocks: list[Block] = [
            Details(
                "When each quarter was published",
                (
                    Html(
                        html_table(
                            frame,
                            caption=f"Publication record, {self.area.name}",
                            row_header="Quarter",
                        )
                    ),
                ),
            )
        ]
        contact = public.contact_text(self.area)
        if contact:
            blocks.append(Text(contact))
        return blocks

    def theme_index(self, groups: list[ThemeGroup]) -> Block:
        return Text(
            "**Themes of the strategy:**\n\n"
            + "\n".join(f"- [{theme_title(g)}](#{theme_anchor(g)})" for g in groups)
        )

    def groups(self) -> list[ThemeGroup]:
        return public.theme_groups(
            self.area, self.catalogue, with_figures=set(self.figures["measure_id"])
        )

    def blocks(self) -> list[Block]:
        """The whole page below its title and its area and quarter boxes."""
        groups = self.groups()
        blocks = [*self.intro(), *self.publication_record(), self.theme_index(groups)]
        shown: dict[str, str] = {}
        for group in groups:
            blocks.append(Heading(theme_title(group), 2, theme_anchor(group)))
            if group.theme:
                kind = group.theme.kind.capitalize()
                if group.theme.period:
                    kind += f" for {group.theme.period}"
                blocks.append(Text(f"*{kind}.* {group.theme.description}"))
            for measure in group.measures:
                series = public.quarterly_series(self.figures, measure.id)
                anchor = f"{theme_anchor(group)}-{measure.id}"
                if measure.id in shown:
                    blocks += self.measure_again(
                        measure, series, anchor=anchor, first=shown[measure.id]
                    )
                else:
                    shown[measure.id] = anchor
                    blocks += self.measure_in_full(measure, series, anchor=anchor)
        return blocks

    def value_line(self, series: list[Figure], measure: Measure) -> str:
        latest = figure_for(series, self.quarter)
        if latest is None:
            return f"No figure has been published for {self.quarter}."
        text = f"**{self.quarter}: {plain(latest.text)}**"
        if latest.suppressed:
            text += f" ({public.suppressed_note(measure.unit)})"
        elif latest.interval_text:
            text += f" ({latest.interval_text})"
        earlier_period = Quarter.parse(self.quarter).shift(-4).label
        earlier = figure_for(series, earlier_period)
        if earlier is not None:
            text += f". A year earlier, {earlier_period}: {plain(earlier.text)}"
            if earlier.suppressed:
                text += f" ({public.suppressed_note(measure.unit)})"
        return text + "."

    def table(self, series: list[Figure], measure: Measure) -> str:
        rows = []
        revised = public.revised_quarters(self.publications)
        for f in series:
            row = {"Quarter": f.period, "Value": f.text}
            if measure.unit != "count":
                row["95% confidence interval"] = (
                    "" if f.suppressed else f.interval_text.removeprefix("95% confidence interval ")
                )
            note = public.figure_note(measure.unit, suppressed=f.suppressed)
            notes = [note] if note else []
            if f.period in revised:
                notes.append(f"revised on {revised[f.period]}")
            row["Note"] = "; ".join(notes)
            rows.append(row)
        return html_table(
            pd.DataFrame(rows),
            caption=f"{measure.title}, {self.area.name}: each published quarter",
            row_header="Quarter",
            numeric=("Value",),
        )

    def measure_in_full(
        self, measure: Measure, series: list[Figure], *, anchor: str
    ) -> list[Block]:
        news = public.headline(measure, series, period=self.quarter)
        blocks: list[Block] = [
            Heading(measure.title, 3, anchor),
            Text(f"**{news.text}** {news.judgement_text}"),
            Text(self.value_line(series, measure)),
            Text(f"**What this measures.** {measure.description}"),
        ]
        target = public.target_summary(measure, self.area, self.figures, period=self.quarter)
        if target.status == NO_TARGET:
            blocks.append(Text(f"**Target.** {target.status_text}."))
        else:
            lines = " ".join(line for line in (target.baseline, *target.targets) if line)
            blocks.append(Text(f"**Target.** {lines} **Progress: {target.status_text}.**"))
        summary = public.trend_summary(measure, series)
        if not any(f.value is not None and not f.suppressed for f in series):
            blocks.append(
                Text(f"**No chart:** there is no figure that can be shown. {plain(summary)}")
            )
            return blocks
        line = None
        if target.status != NO_TARGET:
            line = public.target_line(measure, self.area, self.figures)
        chart = trend_chart(
            measure, series, area_name=self.area.name, description=summary, targets=line
        )
        blocks += [
            Chart(chart, name=anchor, summary=f"**Chart summary.** {plain(summary)}"),
            Details(f"Table of the figures: {measure.title}", (Html(self.table(series, measure)),)),
        ]
        return blocks

    def measure_again(
        self, measure: Measure, series: list[Figure], *, anchor: str, first: str
    ) -> list[Block]:
        news = public.headline(measure, series, period=self.quarter)
        return [
            Heading(measure.title, 3, anchor),
            Text(f"**{news.text}** {news.judgement_text}"),
            Text(self.value_line(series, measure)),
            Text(f"[Chart, target and table for {measure.title}](#{first})"),
        ]
