"""Measures at national scale: recompute for 150 areas, and the scorecard query at that size.

Run on demand (not a test), after `make demo` (it reads the demo database's rows):
    .venv/bin/python benchmarks/scale.py [--areas 150] [--source-db URL] [--db URL]

Each of the five demo areas' current rows (26 quarters, 2019-20 Q1 to 2025-26
Q2) stands in for 30 areas: the script computes and stores the measures of
150 areas into a fresh database (SQLite by default, or --db), then times the
scorecard for one area: the stored-values query and the scorecard built from it.
Aims: the scorecard under 200 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from carers_impact import db  # noqa: E402
from measures.domain.area_files import load_areas  # noqa: E402
from measures.domain.catalogue import load_catalogue  # noqa: E402
from measures.domain.compute import compute_measures  # noqa: E402
from measures.domain.reference import census_unpaid_carers  # noqa: E402
from measures.domain.scorecard import build_scorecard  # noqa: E402
from measures.storage import values as store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--areas", type=int, default=150)
    parser.add_argument("--source-db", default=f"sqlite:///{ROOT / 'data' / 'carers_impact.db'}")
    parser.add_argument("--db", help="where to store the values (default: a fresh SQLite file)")
    args = parser.parse_args()

    source = db.make_engine(args.source_db)
    areas = load_areas()
    started = time.perf_counter()
    records = {a: store.load_records(source, a) for a in areas}
    rows = sum(
        len(r.carers) + len(r.assessments) + len(r.breaks) + len(r.outcomes)
        for r in records.values()
    )
    if not rows:
        sys.exit(f"No rows in {args.source_db}: run `make demo` first")
    print(
        f"read {rows:,} current rows of {len(areas)} areas in {time.perf_counter() - started:.1f} s"
    )

    with tempfile.TemporaryDirectory() as tmp:
        target = db.make_engine(args.db or f"sqlite:///{Path(tmp) / 'scale.db'}")
        db.upgrade(target)
        names = list(areas)
        compute_s = write_s = 0.0
        stored = 0
        for i in range(args.areas):
            real = areas[names[i % len(names)]]
            area_id = f"area{i:03d}"
            t0 = time.perf_counter()
            values = compute_measures(
                records[real.id], area=area_id, census_carers=census_unpaid_carers(real.la_code)
            )
            t1 = time.perf_counter()
            stored += store.write_area(target, area_id, values)
            compute_s += t1 - t0
            write_s += time.perf_counter() - t1
        print(
            f"recompute {args.areas} areas: {compute_s + write_s:.1f} s "
            f"({compute_s:.1f} s computing, {write_s:.1f} s storing; "
            f"{(compute_s + write_s) / args.areas:.2f} s an area), {stored:,} values stored"
        )

        catalogue = load_catalogue()
        framework = areas["rotherham"]
        timings = []
        for i in range(20):
            t0 = time.perf_counter()
            values = store.read_values(
                target, area=f"area{(i * 7) % args.areas:03d}", breakdown="all"
            )
            t1 = time.perf_counter()
            build_scorecard(values, area=framework, catalogue=catalogue)
            timings.append((t1 - t0, time.perf_counter() - t1))
        query = statistics.median(t[0] for t in timings) * 1000
        build = statistics.median(t[1] for t in timings) * 1000
        print(
            f"scorecard at {args.areas} areas: query {query:.0f} ms + build {build:.0f} ms "
            f"= {query + build:.0f} ms median of 20 (aim < 200 ms; "
            f"{(query + build) / 200:.2f}x the aim)"
        )


if __name__ == "__main__":
    main()
