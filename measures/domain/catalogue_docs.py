"""The measure definitions page (`docs/measures.md`), written from the catalogue.

`python -m measures.domain.catalogue_docs > docs/measures.md` rewrites it; a
test fails when the page and the catalogue disagree.
"""

from __future__ import annotations

from measures.domain.catalogue import POLARITY_WORDS, Catalogue, load_catalogue
from measures.domain.forecast import MIN_POINTS
from measures.domain.outlook import COMING_QUARTERS
from measures.domain.significance import ALPHA
from measures.domain.spc import LIMIT_WIDTH, XMR_RUN

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


JUDGED = f"""
## How every measure is judged

The scorecard and each measure's page judge every measure the same way
(`measures/domain/outlook.py`).

- **Status** compares the latest value with the trajectory: straight lines,
  in quarter steps, from the baseline to each target in turn (on track, close
  within the area's tolerance, off track).
- **Variation** (NHS England's Making Data Count): an XmR chart once there are
  12 quarters, limits at the mean -/+ {LIMIT_WIDTH} x the mean moving range.
  Special causes: a point outside the limits, {XMR_RUN} or more in a row on one
  side of the mean or rising or falling, 2 of 3 near a limit. Where the area
  configures a known process change for the measure (`changes`, see
  [Set up your partnership](setup.md)), the mean and limits are recalculated
  from it and the rules apply within each segment. A run of {XMR_RUN} or more
  on one side of the mean that lasts to the latest quarter, with no change
  configured, is reported as a sustained shift with a change suggested.
- **Assurance** asks whether the process, as it varies, will meet the
  trajectory's values for the coming {COMING_QUARTERS} quarters (the next target
  where there is no trajectory): consistently pass when every value is beyond
  the limits on the good side, consistently fail when every one is beyond them
  on the bad side, otherwise hit and miss. One sentence says what status and
  assurance mean together.
- **Changes** on the previous quarter, a year ago and the baseline are called
  better or worse only when significant at the {ALPHA:.0%} level: counts by the
  exact test of two Poisson counts (conditional binomial), rates by the same
  test of their numerators weighted by their populations, percentages by the
  two-proportion z-test, means by a z-test with standard errors from their 95%
  intervals, and a published baseline by whether it lies outside the latest
  value's interval. Otherwise the change is "no significant change" and shown
  in neutral.
- **Forecast**: an ordinary least-squares line through the quarters since the
  latest process change (all quarters when fewer than {MIN_POINTS} follow it),
  carried to the next target's quarter with a 95% prediction interval
  (t quantile with n - 2 degrees of freedom). The target is likely to be met
  when the whole interval meets it, unlikely when none of it does, and
  uncertain otherwise. It needs at least {MIN_POINTS} quarters.
"""


def catalogue_markdown(catalogue: Catalogue) -> str:
    lines = [
        INTRO,
        JUDGED,
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
