"""The public view's fixed pages as building blocks: methods, and the accessibility statement.

The wording lives here once; the Streamlit pages and the static edition both
render these blocks (see `dashboard.public.blocks`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from dashboard.public.blocks import Block, Heading, Html, Text, html_table
from measures import public
from measures.public import ROUNDING_BASE, Area, Catalogue

METHODS_TITLE = "About these figures"
ACCESSIBILITY_TITLE = "Accessibility statement"
STATEMENT_PREPARED = "1 December 2026"
"""When the accessibility statement was last reviewed against the tests it describes."""


def methods() -> list[Block]:
    """Where the figures come from, how they are worked out and protected, and how to read them."""
    return [
        Heading("Where the figures come from", 2),
        Text(
            "Each local partnership of the council, the NHS and the voluntary sector sends "
            "pseudonymised records every quarter: carers known to services, carers' "
            "assessments, breaks from caring, and carers' answers to an outcome survey. The "
            "measures are worked out from those records. A quarter appears here only once the "
            "partnership has checked and published it; until then it is provisional and not "
            "shown."
        ),
        Heading("How the measures are worked out", 2),
        Text(
            "Each carer is counted once, however many services know them. Counts such as "
            "*carers known to services* are taken from the register at the end of the "
            "quarter. Percentages and averages from the survey are worked out over the "
            "carers who answered that question. Each percentage, rate and average comes with "
            "a *95% confidence interval*: the range the true figure is likely to lie in, "
            "given how many carers it is based on. A whole year's figure is worked out from "
            "the year's records, not averaged from its quarters. The Open data page "
            "defines every measure."
        ),
        Heading("How privacy is protected", 2),
        Text("\n".join(f"- {rule}" for rule in public.PRIVACY_RULES)),
        Heading("How to read the headlines", 2),
        Text(
            "Each headline compares the chosen quarter with the same quarter a year earlier, "
            "so seasonal patterns do not mislead. Percentages and averages come from samples, "
            "so a change is reported only when the earlier figure lies outside this "
            "quarter's 95% confidence interval; otherwise the headline says *about the "
            "same*. Percentages and rates are worked out from numbers rounded to the nearest "
            f"{ROUNDING_BASE} and their intervals allow for the rounding, so a small group's "
            f"interval is wide. Counts are rounded to the nearest {ROUNDING_BASE}, so a change is "
            "reported only when the rounded figures differ by more than rounding alone "
            "could explain: 80 against 85 may be 82 against 83, and is *about the same*."
        ),
        Heading("Targets and progress", 2),
        Text(
            "A target is set from a baseline: a stated figure, such as a published national "
            "survey result, or the partnership's own figure for a past period. A target "
            "worked out from the partnership's own figure uses that figure as published "
            "here, so it is the same target everywhere it is shown. The chart's dashed line "
            "is the planned progress: a straight line from the baseline to each target in "
            "turn. *On track* means at or better than that line; *close* means a little "
            "behind it, within a tolerance; *off track* means further behind."
        ),
        Heading("Publication and revisions", 2),
        Text(
            "Each quarter shows when it was first published. If a correction arrives later, "
            "the quarter is published again and marked *revised*, with the date and the "
            "reason; figures never change silently. A quarter can be withdrawn, with a "
            "notice saying why."
        ),
    ]


def _contacts(areas: Iterable[Area]) -> str:
    lines = []
    for area in areas:
        if area.contact is None:
            continue
        line = f"- {area.name}: {area.contact.name}, [contact page]({area.contact.url})"
        if area.contact.email:
            line += f", [{area.contact.email}](mailto:{area.contact.email})"
        if area.contact.illustrative:
            line += " (illustrative: the council's general contact page)"
        lines.append(line)
    return "\n".join(lines)


def accessibility(areas: Iterable[Area]) -> list[Block]:
    """The accessibility statement, in the model GOV.UK publishes for public-sector websites."""
    contacts = _contacts(areas)
    return [
        Text(
            "This accessibility statement applies to the published figures on carers' "
            "outcomes: this website and its static edition. The local partnerships named on "
            "the Outcomes page publish it. We want as many people as possible to be able to "
            "use it. For example, that means you should be able to:\n\n"
            "- zoom in up to 400% without the text spilling off the screen\n"
            "- navigate the whole website using just a keyboard\n"
            "- listen to the whole website using a screen reader\n"
            "- read every chart as a written summary and as a table of its figures\n"
            "- download every figure as open data"
        ),
        Heading("How accessible this website is", 2),
        Text(
            "We know some parts of this website are not fully accessible:\n\n"
            "- the charts are pictures: their written summary and table give the same "
            "information, but the chart itself cannot be explored with a screen reader\n"
            "- the interactive website needs JavaScript; the static edition does not"
        ),
        Heading("Feedback and contact information", 2),
        Text(
            "If you need information on this website in a different format, such as "
            "accessible PDF, large print, easy read, audio recording or braille, or you find "
            "a problem not listed on this page, contact the partnership for your area:"
            + (f"\n\n{contacts}" if contacts else "")
        ),
        Heading("Enforcement procedure", 2),
        Text(
            "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the "
            "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility "
            "Regulations 2018 (the 'accessibility regulations'). If you are not happy with "
            "how we respond to your complaint, contact the "
            "[Equality Advisory and Support Service (EASS)](https://www.equalityadvisoryservice.com/)."
        ),
        Heading("Technical information about this website's accessibility", 2),
        Text(
            "The partnerships are committed to making their websites accessible, in "
            "accordance with the Public Sector Bodies (Websites and Mobile Applications) "
            "(No. 2) Accessibility Regulations 2018."
        ),
        Heading("Compliance status", 3),
        Text(
            "This website is partially compliant with the "
            "[Web Content Accessibility Guidelines version 2.2](https://www.w3.org/TR/WCAG22/) "
            "AA standard, due to the non-compliance listed below."
        ),
        Heading("Non-accessible content", 2),
        Text(
            "The content listed below is non-accessible for the following reasons.\n\n"
            "- A chart's lines and points are not described one by one to a screen reader "
            "(WCAG 1.1.1 Non-text content). Each chart has a written summary and a table of "
            "every figure it shows instead."
        ),
        Heading("What we're doing to improve accessibility", 2),
        Text(
            "Every page, of this website and of its static edition, is checked "
            "automatically with the axe accessibility engine at a phone's width (390 pixels) "
            "and a desktop's (1,400 pixels) whenever the software changes, and keyboard use "
            "is tested on every page."
        ),
        Heading("Preparation of this accessibility statement", 2),
        Text(
            f"This statement was prepared on {STATEMENT_PREPARED}. The website was last "
            "tested on that date, by automated checks of every page and by keyboard."
        ),
    ]


# -- open data -------------------------------------------------------------------------

OPEN_DATA_TITLE = "Open data"
PACKAGE_NOTE = (
    "The data package describes every file as a "
    "[Frictionless](https://specs.frictionlessdata.io/) table schema, so the files can be "
    "checked and loaded by standard tools. Areas are identified by their council's GSS code."
)


def open_data_summary(area: Area, table: pd.DataFrame, quarters: list[str]) -> Text:
    """What an area's open-data file holds."""
    return Text(
        f"Every published figure for {area.name}: {len(table):,} rows covering "
        f"{len(quarters)} published {'quarter' if len(quarters) == 1 else 'quarters'}"
        + (f" ({quarters[0]} to {quarters[-1]})" if quarters else "")
        + ", for the whole area and broken down by group. Figures are free to reuse under "
        "the Open Government Licence. Suppressed figures are blank with `suppressed` set "
        "to true: hidden, never zero."
    )


def download_label(area: Area) -> str:
    return f"Download the published figures for {area.name} (CSV)"


DICTIONARY_LABEL = "Download the data dictionary (CSV)"
PACKAGE_LABEL = "Download the data package description (datapackage.json)"


def dictionary_intro() -> list[Block]:
    return [
        Heading("Data dictionary", 2),
        Text("What each column of the file holds, and what each measure means."),
    ]


def dictionary_tables(catalogue: Catalogue) -> list[Block]:
    """The columns and the public measures, as tables."""
    columns = public.column_dictionary().rename(
        columns={"column": "Column", "title": "Title", "meaning": "Meaning"}
    )
    measures = public.measure_dictionary(catalogue)
    measures["polarity"] = measures["polarity"] + ": " + measures.pop("polarity_meaning")
    measures = measures.drop(columns=["description"]).rename(
        columns={
            "id": "Measure id",
            "title": "Title",
            "definition": "Definition",
            "unit": "Unit",
            "polarity": "Polarity",
        }
    )
    return [
        Heading("Columns", 3),
        Html(html_table(columns, caption="Columns of the published figures", row_header="Column")),
        Heading("Measures", 3),
        Html(
            html_table(
                measures, caption="Measures in the published figures", row_header="Measure id"
            )
        ),
    ]
