"""The story behind the curve: turn-the-curve records checked, stored and read back."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from carers_impact import db
from measures.domain.area_files import load_areas
from measures.storage.stories import InvalidStory, add_story, read_stories

ROTHERHAM = load_areas()["rotherham"]
ACTION = ROTHERHAM.actions[0].id


def record(engine, **overrides) -> int:
    fields = {
        "area": ROTHERHAM,
        "measure_id": "known_carers",
        "period": "2024-25 Q1",
        "story": "GP registers joined the count.",
        "partners": [("Carers' centre", "runs the carers' groups"), ("ICB", "GP registers")],
        "what_works": "Asking at every GP appointment.",
        "actions": [ACTION],
        "event": "Carers' hub opened",
        "event_date": date(2024, 5, 13),
        "author": "vera",
    }
    return add_story(engine, **(fields | overrides))


def test_a_record_is_stored_whole_and_read_back_newest_quarter_first(engine):
    record(engine, period="2023-24 Q4", event="", event_date=None)
    record(engine)
    found = read_stories(engine, area="rotherham", measure_id="known_carers")
    assert list(found["period"]) == ["2024-25 Q1", "2023-24 Q4"]
    latest = found.iloc[0]
    assert latest["partners"][0] == {"partner": "Carers' centre", "role": "runs the carers' groups"}
    assert latest["actions"] == [ACTION]
    assert latest["event"] == "Carers' hub opened" and latest["event_date"] == date(2024, 5, 13)
    assert pd.isna(found.iloc[1]["event"])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"story": "  "}, "The story behind the curve: write something"),
        ({"partners": [("ICB", "")]}, "Partner 1: give the partner and their role"),
        ({"actions": ["no-such-action"]}, "no-such-action is not an action of Rotherham"),
        ({"event_date": None}, "An event needs both what happened and its date"),
        ({"event_date": date(2024, 7, 1)}, "01/07/2024 is not in 2024-25 Q1"),
        ({"period": "2024 Q1"}, "The quarter:"),
        ({"what_works": "x" * 5001}, "What works can be at most 5000 characters"),
    ],
    ids=[
        "no story",
        "partner without role",
        "unknown action",
        "event without date",
        "event outside the quarter",
        "bad quarter",
        "too long",
    ],
)
def test_an_incomplete_record_is_refused_and_nothing_is_stored(engine, overrides, message):
    with pytest.raises(InvalidStory, match=message):
        record(engine, **overrides)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(db.curve_stories)).scalar() == 0
