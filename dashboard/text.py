"""Text that came from a person or a file, shown as text: never as Markdown, never as HTML.

Streamlit renders Markdown (links, images, emphasis, code, LaTeX, colour and
emoji directives) in `st.markdown`, `st.write`, `st.caption`, alerts, titles,
expander, tab, button and widget labels, metrics, radio options and `st.table`
cells. A file name, a cell value, commentary or an account name shown there
goes through `plain`, which backslash-escapes every ASCII punctuation mark (and
puts an invisible word joiner inside web and email addresses, which GitHub
Markdown would otherwise link), so `[x](http://...)` shows as those characters
and links nowhere. `plain_table`
does the same to a table's text cells and headers. HTML the pages build
(`markup.py`) escapes with `html`. Select boxes, `st.text`, `st.code` and
`st.dataframe` show their text as it is and need neither.
"""

from __future__ import annotations

import html as _html
import re

import pandas as pd

_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")  # every ASCII punctuation mark


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA


# GitHub Markdown turns "www.x.org", "https://x.org" and "a@x.org" in plain text into
# links after escapes are undone, so an invisible word joiner breaks each pattern.
_WORD_JOINER = "\u2060"
_AUTOLINKS = (
    (re.compile(r"(?i)(www)(?=\.)"), rf"\1{_WORD_JOINER}"),
    (re.compile(r"(?i)(https?|ftp|mailto|xmpp)(?=:)"), rf"\1{_WORD_JOINER}"),
    (re.compile(r"@"), f"@{_WORD_JOINER}"),
)


def plain(value) -> str:
    """`value` as Markdown that shows exactly its characters (line breaks kept as breaks)."""
    if _missing(value):
        return ""
    text = str(value)
    for pattern, replacement in _AUTOLINKS:
        text = pattern.sub(replacement, text)
    escaped = _PUNCTUATION.sub(lambda m: "\\" + m[0], text)
    lines = [line.strip() for line in escaped.splitlines()]  # no indented code blocks
    return "  \n".join(lines)


def plain_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` for `st.table`: its text cells and column names through `plain`."""
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype == object or pd.api.types.is_string_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: v if _missing(v) else plain(v))
    shown.columns = [plain(c) for c in shown.columns]
    return shown


def html(value) -> str:
    """`value` escaped for HTML the pages build (text and attribute values alike)."""
    return "" if _missing(value) else _html.escape(str(value), quote=True)
