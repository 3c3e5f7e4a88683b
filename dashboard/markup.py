"""Accessible HTML for the tables a screen reader must be able to read.

Real `<table>` markup with header cells, status shown as words in a coloured
tag (never colour alone), and sparklines as small SVG images with a text
alternative. Every piece of text is escaped (`dashboard.text.html`).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

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


def sparkline(values: Sequence[float], *, unit: str, width: int = 120, height: int = 30) -> str:
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


SCORECARD_HEADER = (
    "Measure",
    "Latest",
    "Change on previous quarter",
    "Change since baseline",
    "2025 target",
    "2027 target",
    "Status",
    "Trend",
    "Variation (SPC)",
)


def scorecard_table(rows: pd.DataFrame, *, caption: str) -> str:
    """One theme's measures: value, changes, targets, status, sparkline and SPC in words."""
    out = []
    for r in rows.to_dict("records"):
        unit, polarity = r["unit"], r["polarity"]
        measure = (
            f"{escape(r['title'])}"
            f'<br><span class="ci-muted">{escape(fmt.POLARITY_WORDS[polarity])}</span>'
        )
        ci = fmt.interval(r["lower_ci"], r["upper_ci"], unit)
        latest = (
            f'<span class="ci-value">{escape(fmt.number(r["value"], unit))}</span>'
            f'<br><span class="ci-muted">{_text(r["period"], "no data")}'
            f"{'; ' + escape(ci) if ci else ''}</span>"
        )
        previous = (
            f'<span class="ci-{fmt.change_direction(r["change_on_previous"], polarity)}">'
            f"{escape(fmt.change(r['change_on_previous'], unit, polarity))}</span>"
        )
        baseline = (
            f'<span class="ci-{fmt.change_direction(r["change_on_baseline"], polarity)}">'
            f"{escape(fmt.change(r['change_on_baseline'], unit, polarity))}</span>"
        )
        if not fmt.missing(r["baseline_period"]) and not fmt.missing(r["baseline_value"]):
            baseline += (
                f'<br><span class="ci-muted">from {escape(fmt.number(r["baseline_value"], unit))}'
                f" in {_text(r['baseline_period'])}</span>"
            )
        status = status_tag(r["status"])
        if not fmt.missing(r["expected"]):
            status += (
                f'<br><span class="ci-muted">trajectory {escape(fmt.number(r["expected"], unit))}'
                "</span>"
            )
        chart = None if fmt.missing(r["chart"]) else r["chart"]
        variation = escape(fmt.variation(r["variation"], chart=chart))
        if not fmt.missing(r["assurance"]):
            variation += (
                f'<br><span class="ci-muted">{escape(fmt.assurance(r["assurance"]))}</span>'
            )
        out.append(
            [
                measure,
                latest,
                previous,
                baseline,
                escape(fmt.number(r["target_2025"], unit)),
                escape(fmt.number(r["target_2027"], unit)),
                status,
                sparkline(r["sparkline"] if isinstance(r["sparkline"], list) else [], unit=unit),
                variation,
            ]
        )
    return _table(caption, SCORECARD_HEADER, out, "ci-scorecard")


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
