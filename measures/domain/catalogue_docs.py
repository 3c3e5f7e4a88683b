"""The measure definitions page (`docs/measures.md`), written from the catalogue.

`python -m measures.domain.catalogue_docs > docs/measures.md` rewrites it; a
test fails when the page and the catalogue disagree.
"""

from __future__ import annotations

from measures.domain.catalogue import POLARITY_WORDS, Catalogue, load_catalogue

INTRO = """# Measure definitions

Written from `measures/domain/catalogue.toml`; do not edit by hand (run
`python -m measures.domain.catalogue_docs > docs/measures.md`). Every value is
computed for an area and a quarter (and for a financial year from the year's
rows; register measures use the year's Q4 snapshot), counting each carer once
across organisations, and stored with its numerator and denominator.
Percentages carry a 95% Wilson score interval, means a normal-approximation
interval; full-register counts have none. Public figures follow the disclosure
rules in `measures/disclosure.py`: counts of 1 to 7 shown as `*`, other counts
rounded to the nearest 5, percentages and means with a denominator under 10
shown as `*`, and a second cell hidden where one cell of a breakdown is.
"""


def catalogue_markdown(catalogue: Catalogue) -> str:
    lines = [
        INTRO,
        "| id | title | unit | polarity | public | question |",
        "|---|---|---|---|---|---|",
    ]
    for m in catalogue.values():
        lines.append(
            f"| `{m.id}` | {m.title} | {m.unit} | {POLARITY_WORDS[m.polarity]} | "
            f"{'yes' if m.public else 'no'} | {m.rba_question} |"
        )
    for m in catalogue.values():
        lines += [
            "",
            f"## {m.title} (`{m.id}`)",
            "",
            m.description,
            "",
            f"- **Definition**: {m.definition}",
            f"- **Theme**: {m.theme}; **unit**: {m.unit}; "
            f"**polarity**: {POLARITY_WORDS[m.polarity]}",
            f"- **Source extracts**: {', '.join(m.sources)}",
            f"- **Breakdowns**: {', '.join(m.breakdowns) or 'none'}",
            f"- **Public**: {'yes' if m.public else 'no (internal views only)'}",
            f"- **Answers**: {m.rba_question}",
        ]
        if m.ascof_code:
            lines.append(f"- **National comparator**: ASCOF {m.ascof_code}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(catalogue_markdown(load_catalogue()), end="")
