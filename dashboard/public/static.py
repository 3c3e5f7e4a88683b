"""The static edition of the public view: plain, accessible HTML with no JavaScript.

`carers-impact export-public DIR` writes, from the published figures only:

    index.html                 the areas, each linking to its outcomes page
    <area>/index.html          the outcomes page for the latest published quarter
    <area>/charts/*.svg        each chart, drawn from the same Altair specification,
                               at a phone's width and a desktop's
    about.html, accessibility.html, open-data.html
    data/                      every area's open data, the dictionary, datapackage.json
    edition.json               when it was written, and the latest publication it holds

Every page is built from the same blocks as the Streamlit public view
(`dashboard.public.blocks` and `dashboard.public.content`), so the wording is
written once. A council can host the folder on its own website or a CDN.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from markdown_it import MarkdownIt

from carers_impact.errors import UserError
from dashboard.public import blocks, content
from dashboard.public.blocks import Outcomes
from dashboard.text import html as escape
from measures import public
from measures.public import Area, Catalogue

NARROW, WIDE = 340, 720
"""Chart widths in pixels: a 390 px phone (less the margins) and a desktop column."""
SITE_TITLE = "Carers' outcomes: published figures"
NAV = (
    ("Outcomes", "index.html"),
    (content.OPEN_DATA_TITLE, "open-data.html"),
    (content.METHODS_TITLE, "about.html"),
    ("Accessibility", "accessibility.html"),
)
_MARKDOWN = MarkdownIt("commonmark", {"html": False})

STYLE = """
*, *::before, *::after { box-sizing: border-box; }
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; background: #fff;
  margin: 0; line-height: 1.5; font-size: 1.0625rem; }
.skip { position: absolute; left: -9999px; }
.skip:focus { position: static; display: inline-block; padding: 0.5rem; background: #ffdd00; }
header, main, footer { max-width: 48rem; margin: 0 auto; padding: 0 1rem; }
header { border-bottom: 4px solid #1d4f91; padding-top: 0.5rem; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem;
  padding: 0; margin: 0.5rem 0; }
a { color: #1d4f91; text-underline-offset: 0.15em; }
a:visited { color: #4c2c92; }
a:focus-visible, summary:focus-visible {
  outline: 3px solid #ffdd00; outline-offset: 0; background: #ffdd00; color: #0b0c0c;
  box-shadow: 0 4px 0 #0b0c0c; }
h1 { font-size: 2rem; line-height: 1.2; }
h2 { font-size: 1.5rem; margin-top: 2.5rem; }
h3 { font-size: 1.2rem; margin-top: 2rem; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; display: block; }
details { margin: 0.5rem 0 1rem; }
summary { cursor: pointer; color: #1d4f91; text-decoration: underline; }
.notice { border-left: 6px solid #d4351c; padding: 0.5rem 1rem; margin: 1rem 0; }
.public-table { border-collapse: collapse; margin: 0.25rem 0 1rem; width: 100%; }
.public-table caption { text-align: left; font-weight: 700; padding: 0.25rem 0; }
.public-table th, .public-table td { border: 1px solid #b1b4b6; padding: 0.35rem 0.6rem;
  text-align: left; vertical-align: top; overflow-wrap: anywhere; }
.public-table thead th { background: #f3f2f1; }
.public-table td.number { text-align: right; font-variant-numeric: tabular-nums; }
.public-footer { color: #505a5f; font-size: 0.9rem; border-top: 1px solid #b1b4b6;
  padding-top: 0.75rem; margin-top: 1.5rem; }
"""


class NothingPublished(UserError, RuntimeError):
    """There are no published figures to write a static edition from."""


@dataclass
class _Page:
    """One HTML page being written: where it sits, and the charts it drew."""

    folder: Path
    root: str  # the relative path back to the edition's top folder
    charts: int = 0


def markdown(text: str) -> str:
    """The pages' Markdown as HTML (raw HTML in it is escaped, never passed through)."""
    return _MARKDOWN.render(text)


def _svg(chart, width: int) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.properties(width=width).to_json())


def render(items: Sequence[blocks.Block], page: _Page) -> str:
    """The blocks as HTML; each chart written beside the page as two SVG files."""
    parts = []
    for block in items:
        if isinstance(block, blocks.Heading):
            anchor = f' id="{escape(block.anchor)}"' if block.anchor else ""
            parts.append(f"<h{block.level}{anchor}>{escape(block.text)}</h{block.level}>")
        elif isinstance(block, blocks.Text):
            parts.append(markdown(block.markdown))
        elif isinstance(block, blocks.Html):
            parts.append(block.html)
        elif isinstance(block, blocks.Notice):
            parts.append(f'<div class="notice" role="note">{markdown(block.markdown)}</div>')
        elif isinstance(block, blocks.Chart):
            parts.append(_figure(block, page))
        elif isinstance(block, blocks.Details):
            parts.append(
                f"<details><summary>{escape(block.summary)}</summary>"
                f"{render(block.body, page)}</details>"
            )
    return "\n".join(parts)


def _figure(block: blocks.Chart, page: _Page) -> str:
    charts = page.folder / "charts"
    charts.mkdir(exist_ok=True)
    name = block.name
    (charts / f"{name}-narrow.svg").write_text(_svg(block.chart, NARROW), encoding="utf-8")
    (charts / f"{name}-wide.svg").write_text(_svg(block.chart, WIDE), encoding="utf-8")
    page.charts += 1
    title = block.spec["title"]["text"]
    title = " ".join(title) if isinstance(title, list) else title
    return (
        "<figure>"
        f'<picture><source media="(max-width: 640px)" srcset="charts/{name}-narrow.svg">'
        f'<img src="charts/{name}-wide.svg" alt="Chart: {escape(title)}. '
        'Its summary and a table of its figures follow."></picture>'
        f"<figcaption>{markdown(block.summary)}</figcaption></figure>"
    )


def document(title: str, body: str, *, root: str, current: str) -> str:
    links = "".join(
        f'<li><a href="{root}{href}"{" aria-current=page" if href == current else ""}>'
        f"{escape(name)}</a></li>"
        for name, href in NAV
    )
    return (
        '<!doctype html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}: {escape(SITE_TITLE)}</title>\n"
        f'<link rel="stylesheet" href="{root}style.css">\n</head>\n<body>\n'
        '<a class="skip" href="#main">Skip to main content</a>\n'
        f"<header><p><strong>{escape(SITE_TITLE)}</strong></p>"
        f'<nav aria-label="Pages"><ul>{links}</ul></nav></header>\n'
        f'<main id="main">\n<h1>{escape(title)}</h1>\n{body}\n</main>\n'
        f'<footer><p class="public-footer">{escape(blocks.FOOTER)}</p></footer>\n'
        "</body>\n</html>\n"
    )


@dataclass(frozen=True)
class Edition:
    """What an export wrote."""

    folder: Path
    areas: tuple[str, ...]
    pages: int
    charts: int
    latest_publication: str


def _area_page(area: Area, figures: pd.DataFrame, publications, catalogue, folder: Path):
    quarter = public.published_quarters(figures)[-1]
    page = _Page(folder / area.id, root="../")
    page.folder.mkdir()
    outcomes = Outcomes(
        area=area,
        quarter=quarter,
        figures=figures,
        publications=publications,
        catalogue=catalogue,
    )
    html = document(
        f"Carers' outcomes in {area.name}",
        render(outcomes.blocks(), page),
        root="../",
        current="index.html",
    )
    (page.folder / "index.html").write_text(html, encoding="utf-8")
    return page.charts


def _latest_publication(publications: list[pd.DataFrame]) -> str:
    moments = [
        stamp
        for frame in publications
        for column in ("published_at", "revised_at", "withdrawn_at")
        for stamp in frame[column].dropna()
    ]
    return max(moments).isoformat() if moments else ""


def export(engine, folder: Path, *, catalogue: Catalogue | None = None) -> Edition:
    """Write the static edition into `folder`, replacing what was there only when complete.

    The edition is written beside the folder and swapped in at the end, so a reader
    never sees half an edition and a failure leaves the previous one in place.
    """
    catalogue = catalogue or public.load_catalogue()
    configured = public.load_areas()
    areas = [configured[i] for i in public.public_area_ids(engine) if i in configured]
    areas.sort(key=lambda a: a.name)
    if not areas:
        raise NothingPublished("no figures have been published yet: nothing to export")
    folder = folder.resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        edition = _write(engine, work, areas, catalogue)
        old = folder.with_name(f".{folder.name}-old")
        if old.exists():
            shutil.rmtree(old)
        if folder.exists():
            folder.rename(old)
        work.rename(folder)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Edition(folder, edition.areas, edition.pages, edition.charts, edition.latest_publication)


def _write(engine, work: Path, areas: list[Area], catalogue: Catalogue) -> Edition:
    (work / "style.css").write_text(STYLE.lstrip(), encoding="utf-8")
    data = work / "data"
    data.mkdir()
    charts = 0
    all_publications = []
    summaries: list[blocks.Block] = []
    for area in areas:
        figures = public.read_figures(engine, area=area.id)
        publications = public.read_publications(engine, area=area.id)
        all_publications.append(publications)
        table = public.open_data(figures, area=area, catalogue=catalogue)
        (data / public.figures_file(area.id)).write_text(
            public.open_data_csv(figures, area=area, catalogue=catalogue), encoding="utf-8"
        )
        quarters = public.published_quarters(figures)
        summaries += [
            blocks.Heading(area.name, 3),
            content.open_data_summary(area, table, quarters),
            blocks.Text(f"[{content.download_label(area)}](data/{public.figures_file(area.id)})"),
        ]
        if quarters:
            charts += _area_page(area, figures, publications, catalogue, work)
    (data / public.DICTIONARY_FILE).write_text(
        public.data_dictionary_csv(catalogue), encoding="utf-8"
    )
    (data / "datapackage.json").write_text(
        json.dumps(public.data_package(catalogue, areas), indent=2), encoding="utf-8"
    )
    top = _Page(work, root="")
    with_pages = [a for a in areas if (work / a.id).exists()]
    index = blocks.Text(
        "Published figures on how carers are doing, for each local partnership:\n\n"
        + "\n".join(f"- [{a.name}]({a.id}/index.html)" for a in with_pages)
    )
    pages = {
        "index.html": ("Carers' outcomes", [index]),
        "open-data.html": (
            content.OPEN_DATA_TITLE,
            [
                blocks.Heading("Published figures", 2),
                *summaries,
                *content.dictionary_intro(),
                blocks.Text(
                    f"[{content.DICTIONARY_LABEL}](data/{public.DICTIONARY_FILE})\n\n"
                    f"[{content.PACKAGE_LABEL}](data/datapackage.json)"
                ),
                blocks.Text(content.PACKAGE_NOTE),
                *content.dictionary_tables(catalogue),
            ],
        ),
        "about.html": (content.METHODS_TITLE, content.methods()),
        "accessibility.html": (content.ACCESSIBILITY_TITLE, content.accessibility(areas)),
    }
    for name, (title, items) in pages.items():
        html = document(title, render(items, top), root="", current=name)
        (work / name).write_text(html, encoding="utf-8")
    latest = _latest_publication(all_publications)
    (work / "edition.json").write_text(
        json.dumps(
            {
                "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "latest_publication": latest,
                "areas": [a.id for a in with_pages],
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return Edition(
        work, tuple(a.id for a in with_pages), len(pages) + len(with_pages), charts, latest
    )
