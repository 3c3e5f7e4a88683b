"""Text is text: hostile file names, values, commentary, reasons and names render as themselves.

Hostile strings go in where people and files put text (a file name, a column
name and a value of an extract, commentary, an action note, an account name, a
publication note, a withdrawal notice, a single sign-on address) and every
page is opened with AppTest. Every string of every element that Streamlit
renders as Markdown is parsed, and none may hold a link or image to the
attacker, emphasis, code, LaTeX, a colour directive or an address GitHub
Markdown would link; the HTML the pages build must hold the strings escaped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from carers_impact import accounts, db
from dashboard.text import plain
from etl.pipeline import submit
from measures import api
from tests.dashboard_data import (
    PASSWORD,
    as_user,
    database_copy,
    open_app,
    sign_in,
)
from tests.files import CARERS_HEADER, csv_bytes

PAYLOAD = (
    "[Sign in again](http://attacker/phish) ![t](http://attacker/t.png) "
    "<img src=x onerror=alert(1)> **bold** `tick` $x$ :red[warn] www.attacker.example"
)
NAME = "mal_ory_@www.attacker.example"  # a username may hold _ @ . (and single sign-on more)
PUBLIC_APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "public_app.py")
NOT_MARKDOWN = {"selectbox", "multiselect", "text", "code", "arrow_data_frame", "json"}
"""Elements that show their strings as they are (checked in a browser: dashboard/text.py)."""
ATTACKER_LITERALS = ("www.attacker", "http://attacker", "https://attacker", "@attacker")
_markdown = MarkdownIt("commonmark").enable("strikethrough")


def rendering_problems(source: str) -> list[str]:
    """What a Markdown string would render from the payload: links, images, emphasis, ..."""
    problems = []
    for block in _markdown.parse(source):
        tokens = block.children or []
        for i, token in enumerate(tokens):
            following = tokens[i + 1].content if i + 1 < len(tokens) else ""
            if token.type == "link_open" and "attacker" in str(token.attrGet("href")):
                problems.append("link")
            elif token.type == "image" and "attacker" in str(token.attrGet("src")):
                problems.append("image")
            elif token.type in ("strong_open", "em_open") and following == "bold":
                problems.append("emphasis")
            elif token.type == "code_inline" and "tick" in token.content:
                problems.append("code")
            elif token.type in ("html_inline", "html_block") and "onerror" in token.content:
                problems.append("html")
        text = "".join(t.content for t in tokens if t.type == "text")
        problems += [f"autolink {a}" for a in ATTACKER_LITERALS if a in text]
    if re.search(r"(?<!\\)\$x(?<!\\)\$", source):
        problems.append("latex")
    if re.search(r"(?<!\\):red(?<!\\)\[", source):
        problems.append("directive")
    return problems


def _strings(message) -> list[str]:
    found = []
    for field, value in message.ListFields():
        if field.type == field.TYPE_STRING:
            found += list(value) if field.is_repeated else [value]
        elif field.type == field.TYPE_MESSAGE:
            items = value if field.is_repeated else [value]
            for item in items:
                if hasattr(item, "ListFields"):
                    found += _strings(item)
    return found


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def problems_on_page(at: AppTest) -> dict[str, list[str]]:
    """Every rendering problem on the page, by the string that has it."""
    assert not at.exception, at.exception
    found: dict[str, list[str]] = {}
    for node in _nodes(at._tree):
        kind = getattr(node, "type", None)
        proto = getattr(node, "proto", None)
        if proto is None or kind in NOT_MARKDOWN:
            continue
        if kind == "html":
            body = proto.body
            for raw in ("<img src=x", 'href="http://attacker', 'src="http://attacker'):
                if raw in body:
                    found[body[:200]] = [f"raw html {raw}"]
            continue
        strings = _strings(proto)
        if kind == "table":
            frame = node.value
            strings += [str(c) for c in frame.columns]
            strings += [str(v) for v in frame.astype(str).to_numpy().ravel()]
        for text in strings:
            problems = rendering_problems(text)
            if problems:
                found[text[:200]] = problems
    return found


def test_the_checker_sees_every_kind_of_trouble():
    assert set(rendering_problems(PAYLOAD)) == {
        "link",
        "image",
        "emphasis",
        "code",
        "html",
        "latex",
        "directive",
        "autolink www.attacker",
    }
    assert rendering_problems(plain(PAYLOAD)) == []
    assert rendering_problems(plain(NAME)) == []


# -- the database, with hostile text wherever a person or a file puts some ------------


def hostile_database(folder: Path) -> tuple[str, list[int]]:
    """A dashboard database with PAYLOAD wherever people and files put text: (url, rejected)."""
    url = database_copy(folder)
    engine = db.make_engine(url)
    accounts.create_user(
        engine, NAME, password=PASSWORD, role="uploader", organisations=["ROT-ASC"]
    )
    bad_name = submit(engine, b"carer_id\nC1\n", filename=f"{PAYLOAD}.csv", submitted_by=NAME)
    assert bad_name.status == "rejected"
    row = ["C1", "2024-05-01", PAYLOAD, "Female", "", "20-49", "", "x"]
    bad_values = submit(
        engine,
        csv_bytes([*CARERS_HEADER, PAYLOAD], [row]),
        filename="carers_ROT-ASC_2024-25_Q2.csv",
        submitted_by=NAME,
    )
    assert bad_values.status == "rejected"
    api.add_comment(
        engine,
        area="rotherham",
        measure_id="known_carers",
        period="2024-25 Q1",
        text=PAYLOAD,
        author=NAME,
    )
    action = next(iter(api.areas()["rotherham"].actions)).id
    api.update_action(
        engine, area="rotherham", action_id=action, status="at risk", note=PAYLOAD, author=NAME
    )
    from etl import publication

    publication.publish(
        engine,
        area="rotherham",
        period="2023-24 Q1",
        by=NAME,
        reason=PAYLOAD,
        override_reason=PAYLOAD,
    )
    publication.publish(
        engine, area="rotherham", period="2023-24 Q2", by=NAME, override_reason=PAYLOAD
    )
    publication.withdraw(engine, area="rotherham", period="2023-24 Q2", by=NAME, notice=PAYLOAD)
    engine.dispose()
    return url, [bad_name.submission_id, bad_values.submission_id]


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    url, rejected = hostile_database(tmp_path_factory.mktemp("hostile_text"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CARERS_DB_URL", url)
        yield {"url": url, "rejected": rejected}


def _pick(at: AppTest, key: str, value) -> AppTest:
    at.selectbox(key=key).select(value).run()
    return at


PAGES = [
    ("views/scorecard.py", {}),
    *[
        ("views/measure.py", {"area": "rotherham", "measure": "known_carers", "view": tab})
        for tab in (
            "Trend and targets",
            "Control chart (SPC)",
            "Who is missed",
            "Other areas and national",
            "Story behind the curve",
            "Definition",
        )
    ],
    ("views/actions.py", {"area": "rotherham"}),
    ("views/upload.py", {}),
    ("views/quality.py", {"area": "rotherham"}),
    ("views/admin.py", {"section": "Accounts"}),
    ("views/admin.py", {"section": "Publishing", "area": "rotherham"}),
]


@pytest.mark.parametrize("username", ["ada", NAME])
@pytest.mark.parametrize(("page", "query"), PAGES, ids=lambda p: str(p))
def test_every_page_shows_hostile_text_as_text(database, username, page, query):
    at = as_user(username, page, **query)
    assert problems_on_page(at) == {}


def test_the_reports_of_hostile_files_show_as_text(database):
    at = as_user("ada", "views/upload.py")
    for submission in database["rejected"]:
        _pick(at, "history_report", submission)
        assert problems_on_page(at) == {}
    quality = as_user("ada", "views/quality.py", area="rotherham")
    quality.radio(key="quality_reports_which").set_value("All files").run()
    assert problems_on_page(quality) == {}


def test_the_accounts_and_publication_choices_show_as_text(database):
    at = as_user("ada", "views/admin.py", section="Accounts")
    _pick(at, "edit_user", NAME)
    assert problems_on_page(at) == {}
    publishing = as_user("ada", "views/admin.py", section="Publishing", area="rotherham")
    for quarter in ("2023-24 Q1", "2023-24 Q2"):
        _pick(publishing, "publish_quarter", quarter)
        assert problems_on_page(publishing) == {}


def test_a_hostile_single_sign_on_address_shows_as_text(database):
    from tests.test_dashboard_access import SSO_SECRETS

    at = open_app()
    at.secrets = SSO_SECRETS
    at.user = {"is_logged_in": True, "email": PAYLOAD}
    at.run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert problems_on_page(at) == {}


def test_a_wrong_password_for_a_hostile_name_shows_as_text(database):
    at = sign_in(open_app().run(), PAYLOAD, "wrong password!")
    assert problems_on_page(at) == {}


@pytest.mark.parametrize("page", ["outcomes.py", "open_data.py", "about.py", "accessibility.py"])
def test_the_public_pages_show_hostile_notices_as_text(database, page):
    at = AppTest.from_file(PUBLIC_APP, default_timeout=60)
    at.switch_page(f"public/{page}")
    at.query_params["area"] = "rotherham"
    at.run()
    assert problems_on_page(at) == {}
    if page == "outcomes.py":
        shown = " ".join(w.value for w in at.warning)
        assert "withdrawn" in shown  # the hostile notice is on the page, as text


def test_text_keeps_every_character_but_shows_no_markup():
    rendered = _markdown.renderInline(plain(PAYLOAD)).replace("\u2060", "")
    import html

    assert html.unescape(rendered) == PAYLOAD
    assert plain(None) == "" and plain(float("nan")) == ""


def test_a_table_for_st_table_has_its_text_cells_made_plain():
    from dashboard.text import plain_table

    frame = pd.DataFrame({"what": [PAYLOAD], "rows": [3]})
    shown = plain_table(frame)
    assert shown["what"][0] == plain(PAYLOAD) and shown["rows"][0] == 3
