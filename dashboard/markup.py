"""Accessible HTML for the tables a screen reader must be able to read.

Real `<table>` markup with header cells, status shown as words in a coloured
tag (never colour alone), and sparklines as small SVG images with a text
alternative. Every piece of text is escaped (`dashboard.text.html`).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from urllib.parse import urlencode

import pandas as pd

from dashboard import format as fmt
from dashboard.text import html as escape

STATUS_CLASS = {
    "on track": "good",
    "close": "warn",
    "off track": "bad",
    "no target": "neutral",
    "not enough data": "neutral",
}
QUALITY_CLASS = {
    "received": "good",
    "late": "warn",
    "rejected": "bad",
    "missing": "bad",
    "not due": "neutral",
    "not expected": "blank",
}
ACTION_CLASS = {
    "done": "good",
    "on track": "good",
    "at risk": "warn",
    "overdue": "bad",
    "not started": "neutral",
}


def _text(value, default: str = "") -> str:
    """Escaped text of a cell, or the default where it is missing."""
    return default if fmt.missing(value) else escape(str(value))


def tag(text: str, kind: str) -> str:
    return f'<strong class="ci-tag ci-tag-{kind}">{escape(text)}</strong>'


def status_tag(status: str | None) -> str:
    key = "" if fmt.missing(status) else status
    return tag(fmt.status(key), STATUS_CLASS.get(key, "neutral"))


def sparkline(values: Sequence[float], *, unit: str, width: int = 100, height: int = 24) -> str:
    """A small line of the latest quarters, with a text alternative naming first and last."""
    points = [float(v) for v in values if not fmt.missing(v)]
    if len(points) < 2:
        return '<span class="ci-muted">Too few quarters</span>'
    low, high = min(points), max(points)
    span = (high - low) or 1.0
    pad = 3
    step = (width - 2 * pad) / (len(points) - 1)
    coords = [
        (pad + i * step, pad + (height - 2 * pad) * (1 - (v - low) / span))
        for i, v in enumerate(points)
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    label = (
        f"Trend over the last {len(points)} quarters: from {fmt.number(points[0], unit)} "
        f"to {fmt.number(points[-1], unit)}, lowest {fmt.number(low, unit)}, "
        f"highest {fmt.number(high, unit)}"
    )
    last_x, last_y = coords[-1]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
        f'<polyline fill="none" stroke="#1d70b8" stroke-width="2" points="{path}"/>'
        f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="3" fill="#0b0c0c"/></svg>'
    )
    # An image rather than inline SVG: Streamlit's HTML sanitiser keeps images, not SVG.
    source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return (
        f'<img class="ci-spark" src="{source}" width="{width}" height="{height}" '
        f'alt="{escape(label)}">'
    )


def _table(caption: str, header: Sequence[str], rows: Sequence[Sequence[str]], css: str) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            (f'<th scope="row">{cell}</th>' if i == 0 else f"<td>{cell}</td>")
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="ci-scroll"><table class="ci-table {css}">'
        f'<caption class="ci-caption">{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


# Making Data Count colours: blue improvement or pass, orange concern or fail, purple a
# neutral special cause, grey common cause or hit and miss. Darker than MDC's own so
# the icons keep 3:1 contrast on white; each icon also has a letter and a text alternative.
ICON_COLOURS = {"blue": "#1d70b8", "orange": "#b35000", "purple": "#4c2c92", "grey": "#505a5f"}
VARIATION_ICONS = {
    "common_cause": ("grey", ""),
    "special_cause_improvement": ("blue", ""),
    "special_cause_concern": ("orange", ""),
    "special_cause_neutral_high": ("purple", "H"),
    "special_cause_neutral_low": ("purple", "L"),
}
ASSURANCE_ICONS = {
    "consistently pass": ("blue", "P"),
    "consistently fail": ("orange", "F"),
    "hit and miss": ("grey", "?"),
}
ICON_SIZE = 32


def _svg_image(body: str, *, label: str, size: int = ICON_SIZE, css: str = "ci-icon") -> str:
    """An inline SVG as an image with a text alternative (Streamlit's sanitiser drops <svg>)."""
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 40 40">{body}</svg>'
    )
    source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return (
        f'<img class="{css}" src="{source}" width="{size}" height="{size}" '
        f'alt="{escape(label)}" title="{escape(label)}">'
    )


def _circle(colour: str, *, dashed: bool = False) -> str:
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    return f'<circle cx="20" cy="20" r="17" fill="#fff" stroke="{colour}" stroke-width="3"{dash}/>'


def _letter(text: str, colour: str, *, y: int = 26) -> str:
    return (
        f'<text x="20" y="{y}" text-anchor="middle" font-family="Arial, sans-serif" '
        f'font-size="16" font-weight="700" fill="{colour}">{escape(text)}</text>'
    )


def variation_icon(variation: str | None, *, direction: str = "", reason: str = "") -> str:
    """The Making Data Count variation icon; a blank one saying why where there is none."""
    if fmt.missing(variation) or variation not in VARIATION_ICONS:
        label = "No variation icon" + (f": {reason}" if reason else "")
        return _svg_image(_circle(ICON_COLOURS["grey"], dashed=True), label=label)
    name, letter = VARIATION_ICONS[variation]
    colour = ICON_COLOURS[name]
    if variation in ("special_cause_improvement", "special_cause_concern"):
        letter = {"high": "H", "low": "L"}.get(direction, "")
    if variation == "common_cause":
        dots = "".join(
            f'<circle cx="{x}" cy="{y}" r="2.2" fill="{colour}"/>'
            for x, y in ((10, 22), (15, 18), (20, 23), (25, 17), (30, 21))
        )
        body = _circle(colour) + dots
    else:
        rising = direction != "low"
        line = "9,28 15,25 21,22 27,16 31,12" if rising else "9,12 15,16 21,19 27,24 31,28"
        body = (
            _circle(colour)
            + f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.5" '
            'opacity="0.5"/>' + _letter(letter, colour)
        )
    return _svg_image(body, label=fmt.variation_label(variation, direction=direction))


def assurance_icon(assurance: str | None, *, reason: str = "") -> str:
    """The Making Data Count assurance icon; a blank one saying why where there is none."""
    if fmt.missing(assurance) or assurance not in ASSURANCE_ICONS:
        label = "No assurance icon" + (f": {reason}" if reason else "")
        return _svg_image(_circle(ICON_COLOURS["grey"], dashed=True), label=label)
    name, letter = ASSURANCE_ICONS[assurance]
    colour = ICON_COLOURS[name]
    target_line = (
        f'<line x1="8" y1="30" x2="32" y2="30" stroke="{colour}" stroke-width="1.5" '
        'stroke-dasharray="3 2"/>'
    )
    body = _circle(colour) + target_line + _letter(letter, colour, y=25)
    return _svg_image(body, label=f"Assurance: {fmt.ASSURANCE_SHORT[assurance]}")


def measure_link(row: dict, *, area: str, period: str | None) -> str:
    """The measure's name as a link to its page, carrying the area (and a chosen quarter)."""
    query = {"area": area, "measure": row["measure_id"]}
    if period:
        query["period"] = period
    return f'<a href="measure?{escape(urlencode(query))}" target="_self">{escape(row["title"])}</a>'


def theme_tags(titles) -> str:
    return " ".join(
        f'<span class="ci-theme">{escape(t)}</span>'
        for t in (titles if isinstance(titles, list) else [])
    )


SUMMARY_HEADER = ("Measure", "Latest", "Target", "Variation", "Assurance", "Status", "Trend")


def summary_table(
    rows: pd.DataFrame,
    *,
    caption: str,
    area: str,
    period: str | None,
    period_shown: str | None = None,
) -> str:
    """The Making Data Count summary: one row per measure, with its icons and status.

    `period` is a quarter chosen by the user (carried by the links); a measure's
    latest quarter is written beside its value only where it is not `period_shown`.
    """
    out = []
    for r in rows.to_dict("records"):
        unit = r["unit"]
        target = "–"
        if not fmt.missing(r["next_target"]):
            target = (
                f"{escape(fmt.number(r['next_target'], unit))}"
                f' <span class="ci-muted">by {escape(str(r["next_target_label"]))}</span>'
            )
        latest = f'<span class="ci-value">{escape(fmt.number(r["value"], unit))}</span>'
        if r["period"] != period_shown:  # a measure whose latest quarter is an earlier one
            latest += f' <span class="ci-muted">{_text(r["period"], "no data")}</span>'

        reason = "" if fmt.missing(r["spc_reason"]) else r["spc_reason"]
        chart_reason = "too few quarters for control limits" if r["chart"] == "run" else reason
        out.append(
            [
                measure_link(r, area=area, period=period)
                + f' <span class="ci-tags">{theme_tags(r["theme_titles"])}</span>',
                latest,
                target,
                variation_icon(
                    r["variation"], direction=r["variation_direction"] or "", reason=chart_reason
                ),
                assurance_icon(r["assurance"], reason=r["assurance_reason"] or ""),
                status_tag(r["status"]),
                sparkline(
                    r["sparkline"] if isinstance(r["sparkline"], list) else [],
                    unit=unit,
                    width=80,
                ),
            ]
        )
    return _table(caption, SUMMARY_HEADER, out, "ci-scorecard ci-summary")


DETAIL_HEADER = (
    "Measure",
    "Change on previous quarter",
    "Change on a year ago",
    "Change since baseline",
    "Forecast to the target",
    "What status and assurance mean together",
    "Story behind the curve (latest)",
)


def change_cell(difference, verdict, *, unit: str, since: str | None = None) -> str:
    """A change in words, coloured only when a test says it is better or worse."""
    text = escape(fmt.change(difference, unit, verdict=verdict))
    cell = f'<span class="ci-{fmt.verdict_class(verdict)}">{text}</span>'
    if since:
        cell += f'<br><span class="ci-muted">{escape(since)}</span>'
    return cell


def _latest_story(record: dict | None) -> str:
    if record is None:
        return '<span class="ci-muted">None yet</span>'
    partners = ", ".join(p["partner"] for p in record["partners"])
    return (
        f"{escape(record['story'])}"
        f'<br><span class="ci-muted">{escape(record["period"])}'
        + (f"; partners: {escape(partners)}" if partners else "")
        + "</span>"
    )


def detail_table(
    rows: pd.DataFrame,
    *,
    caption: str,
    area: str,
    period: str | None,
    stories: dict[str, dict] | None = None,
) -> str:
    """Changes tested for significance, the forecast and the story, one row per measure.

    `stories` maps a measure to its latest turn-the-curve record, if any.
    """
    stories = stories or {}
    out = []
    for r in rows.to_dict("records"):
        unit = r["unit"]
        baseline_since = None
        if not fmt.missing(r["baseline_value"]):
            baseline_since = (
                f"from {fmt.number(r['baseline_value'], unit)} in {r['baseline_period']}"
            )
        out.append(
            [
                measure_link(r, area=area, period=period),
                change_cell(r["change_on_previous"], r["previous_verdict"], unit=unit),
                change_cell(r["change_on_year"], r["year_verdict"], unit=unit),
                change_cell(
                    r["change_on_baseline"], r["baseline_verdict"], unit=unit, since=baseline_since
                ),
                escape(fmt.forecast_sentence(r, unit=unit)),
                escape(r["story"] or ""),
                _latest_story(stories.get(r["measure_id"])),
            ]
        )
    return _table(caption, DETAIL_HEADER, out, "ci-scorecard ci-detail")


def quality_table(matrix: pd.DataFrame, *, caption: str) -> str:
    """Organisation and extract down, quarters across, each cell a state in words."""
    periods = list(dict.fromkeys(matrix["period"]))
    rows = []
    for (org, extract), group in matrix.groupby(["organisation", "extract"], sort=False):
        states = dict(zip(group["period"], group["state"], strict=True))
        ids = dict(zip(group["period"], group["submission_id"], strict=True))
        cells = [f"{escape(org)} {escape(extract)}"]
        for period in periods:
            state = states.get(period, "not expected")
            text = "–" if state == "not expected" else state.capitalize()
            title = f"{org} {extract} {period}: {state}"
            if not fmt.missing(ids.get(period)):
                title += f" (submission {int(ids[period])})"
            cells.append(
                f'<span title="{escape(title)}">{tag(text, QUALITY_CLASS.get(state, "neutral"))}'
                "</span>"
            )
        rows.append(cells)
    return _table(caption, ["Organisation and extract", *periods], rows, "ci-quality")


def actions_table(frame: pd.DataFrame, *, caption: str) -> str:
    rows = []
    for r in frame.to_dict("records"):
        status = tag(r["status"].capitalize(), ACTION_CLASS.get(r["status"], "neutral"))
        if r["past_due"]:
            status += '<br><span class="ci-bad">Past its due quarter</span>'
        if not fmt.missing(r["updated_by"]):
            update = (
                f"{_text(r['last_note'] or None, '(no note)')}<br>"
                f'<span class="ci-muted">{_text(r["updated_by"])}, '
                f"{escape(fmt.timestamp(r['updated_at']))}</span>"
            )
        else:
            update = '<span class="ci-muted">Status as configured; no update yet</span>'
        rows.append(
            [
                escape(r["title"]),
                escape(r["theme_title"]),
                escape(r["owner"]),
                escape(r["due"]),
                status,
                "<br>".join(escape(t) for t in r["measure_titles"]),
                update,
            ]
        )
    header = ["Action", "Theme", "Owner", "Due", "Status", "Measures it serves", "Latest update"]
    return _table(caption, header, rows, "ci-actions")


def comment(text: str, *, author: str, written_at, period: str) -> str:
    return (
        '<article class="ci-comment">'
        f'<p class="ci-muted">{escape(period)}: {escape(author)}, '
        f"{escape(fmt.timestamp(written_at))}</p>"
        f'<p class="ci-comment-text">{escape(text)}</p></article>'
    )


def curve_story(record: dict, *, action_titles: dict[str, str]) -> str:
    """One turn-the-curve record: story, partners and roles, what works, action plan, event."""
    partners = "".join(
        f"<li>{escape(p['partner'])}: {escape(p['role'])}</li>" for p in record["partners"]
    )
    actions = "".join(f"<li>{escape(action_titles.get(a, a))}</li>" for a in record["actions"])
    parts = [
        '<article class="ci-comment ci-story">',
        f'<p class="ci-muted">{escape(record["period"])}: {escape(record["author"])}, '
        f"{escape(fmt.timestamp(record['written_at']))}</p>",
        f'<p><strong>Story behind the curve.</strong> <span class="ci-comment-text">'
        f"{escape(record['story'])}</span></p>",
    ]
    if partners:
        parts.append(f"<p><strong>Partners with a role to play</strong></p><ul>{partners}</ul>")
    if record["what_works"]:
        parts.append(
            f'<p><strong>What works.</strong> <span class="ci-comment-text">'
            f"{escape(record['what_works'])}</span></p>"
        )
    if actions:
        parts.append(f"<p><strong>Action plan</strong></p><ul>{actions}</ul>")
    if not fmt.missing(record.get("event")) and record.get("event"):
        parts.append(
            f"<p><strong>Event.</strong> {escape(record['event'])} "
            f"({record['event_date']:%d/%m/%Y})</p>"
        )
    parts.append("</article>")
    return "".join(parts)
