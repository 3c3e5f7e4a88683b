"""The public record of a publication: when each quarter was published, what is next, whom to ask.

Pure functions of the rows of ``public_periods`` (see ``measures.public``) and
the area's configuration.
"""

from __future__ import annotations

import pandas as pd

from carers_impact.periods import Quarter
from measures.domain.areas import Area
from measures.domain.public_text import _day, describe_quarter


def _present(value: object) -> bool:
    return value is not None and not pd.isna(value)


def publication_table(publications: pd.DataFrame) -> pd.DataFrame:
    """One row per quarter, newest first: first published, revised (when and why) or withdrawn."""
    rows = []
    ordered = sorted(
        publications.to_dict("records"), key=lambda r: Quarter.parse(r["period"]), reverse=True
    )
    for r in ordered:
        if r["status"] == "withdrawn":
            status = f"Withdrawn on {_day(r['withdrawn_at'])}: {r['withdrawal_notice']}"
        elif _present(r.get("revised_at")):
            status = f"Revised on {_day(r['revised_at'])}: {r['revision_reason']}"
        else:
            status = "As first published"
        rows.append(
            {
                "Quarter": r["period"],
                "First published": _day(r["first_published_at"]),
                "Status": status,
            }
        )
    return pd.DataFrame(rows, columns=["Quarter", "First published", "Status"])


def revised_quarters(publications: pd.DataFrame) -> dict[str, str]:
    """Quarter label -> the day it was revised, for quarters published again."""
    return {
        r["period"]: _day(r["revised_at"])
        for r in publications.to_dict("records")
        if r["status"] != "withdrawn" and _present(r.get("revised_at"))
    }


def next_publication(publications: pd.DataFrame) -> str:
    """When the next quarter is due, from how long after its end each quarter was published."""
    live = [r for r in publications.to_dict("records") if _present(r.get("first_published_at"))]
    if not live:
        return "No quarter has been published yet."
    latest = max(live, key=lambda r: Quarter.parse(r["period"]))
    following = Quarter.parse(latest["period"]).shift(1)
    lags = sorted(
        (
            pd.Timestamp(r["first_published_at"]).tz_convert(None)
            - pd.Timestamp(Quarter.parse(r["period"]).end)
        ).days
        for r in live
    )
    typical = lags[len(lags) // 2]
    due = pd.Timestamp(following.end) + pd.Timedelta(days=max(typical, 0))
    return (
        f"Next: the figures for {describe_quarter(following.label)} are due to be published "
        f"around {_day(due)}, once they have been checked (quarters have been published "
        f"about {max(typical, 0) // 7} weeks after they end)."
    )


def contact_text(area: Area) -> str:
    """Whom to ask about the figures or tell what could be better (Markdown), or blank."""
    contact = area.contact
    if contact is None:
        return ""
    text = (
        f"**Questions or feedback on these figures:** contact {contact.name} "
        f"through [its contact page]({contact.url})"
    )
    if contact.email:
        text += f" or by email at [{contact.email}](mailto:{contact.email})"
    text += "."
    if contact.feedback_url:
        text += f" Tell us what could be better on [the feedback page]({contact.feedback_url})."
    if contact.illustrative:
        text += " (Illustrative: the council's general contact page.)"
    return text
