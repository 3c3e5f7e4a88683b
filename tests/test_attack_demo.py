"""The attacks on the public table of the full demo database recover nothing (SPEC section 7).

The demo is built through the real pipeline and published as a partnership
would (quarters published weeks after they end, late corrections published
again), so its public table is every figure the public view and the open data
show. Every attack of `measures.domain.attack` runs on it, with the exact
published snapshots telling the attacker, at worst, which cells hold the same
people.
"""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from carers_impact import db
from etl.demo import build_demo
from measures import public as public_door
from measures.domain.attack import ATTACKS, attack, same_people_pairs


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("full-demo")
    engine = db.make_engine(f"sqlite:///{folder / 'demo.db'}")
    db.upgrade(engine)
    build_demo(engine, inbox=folder / "inbox")
    yield engine
    engine.dispose()


def published_snapshots(engine) -> pd.DataFrame:
    """The exact figures behind the public table: each published quarter's current snapshot."""
    query = sa.text(
        "SELECT v.measure_id, v.area, v.period, v.breakdown, v.breakdown_value, v.value, "
        "v.numerator, v.denominator FROM published_values v JOIN published_periods p "
        "ON p.publication_id = v.publication_id AND p.status = 'published'"
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all())
    return frame.astype({c: "float64" for c in ("value", "numerator", "denominator")})


def test_no_attack_recovers_anything_from_the_demo_public_table(demo):
    areas = public_door.public_area_ids(demo)
    public = pd.concat(
        [public_door.read_figures(demo, area=area) for area in areas], ignore_index=True
    )
    exact = published_snapshots(demo)
    rates = exact[exact["measure_id"] == "identification_rate"]
    census = rates.groupby("area")["denominator"].first().to_dict()
    result = attack(public, census=census, same_people=same_people_pairs(exact, public))

    assert len(areas) == 5 and len(public) > 10_000
    assert set(result.tried) == set(ATTACKS) and min(result.tried.values()) > 0
    shown = result.found.drop(columns="why").head(20).to_string()
    assert result.found.empty, f"{len(result.found)} counts recovered, e.g.\n{shown}"
