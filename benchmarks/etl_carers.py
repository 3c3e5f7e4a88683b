"""Time and peak memory of `carers-impact etl run` on one large `carers` extract.

Run on demand (not a test): `.venv/bin/python benchmarks/etl_carers.py [ROWS] [--db URL]`.
Writes a synthetic carers extract of ROWS rows (default 100,000) into a fresh
inbox, runs `carers-impact etl run` on it in a child process against a fresh
database (SQLite by default), and prints wall time, peak memory and the time
of each stage measured in-process on the same file.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from carers_impact.extracts import (  # noqa: E402
    AGE_BANDS,
    CARERS,
    ETHNIC_GROUPS,
    HOURS_BANDS,
    SEXES,
)

FILENAME = "carers_ROT-ASC_2024-25_Q4.csv"


def write_extract(path: Path, rows: int, *, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2015-04-01")
    identified = start + rng.integers(0, 3650, rows).astype("timedelta64[D]")
    frame = pd.DataFrame(
        {
            "Carer ID": [f"ROT-B{i:08d}" for i in range(rows)],
            "Date Identified": pd.to_datetime(identified).strftime("%d/%m/%Y"),
            "Age Band": rng.choice(AGE_BANDS, rows),
            "Sex": rng.choice(SEXES, rows),
            "Ethnic Group": rng.choice(ETHNIC_GROUPS, rows),
            "Locality": "",
            "Hours Band": rng.choice(HOURS_BANDS, rows),
            "Date Closed": "",
        }
    )
    frame.to_csv(path, index=False)


def stages(path: Path, url: str) -> dict[str, float]:
    """Each step of the pipeline timed separately, in this process."""
    from carers_impact import db
    from etl import load
    from etl.guard import check_personal_data
    from etl.pipeline import identify
    from etl.read import read_table, select_extract_columns
    from etl.validate import to_typed, validate_frame
    from measures.storage.values import keep_loaded_rows, recompute_area

    engine = db.make_engine(url)
    db.upgrade(engine)
    content = path.read_bytes()
    times: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        times[name] = now - mark
        mark = now

    report, key = identify(path.name)
    raw = read_table(content, filename=path.name, extract=CARERS, report=report)
    lap("read")
    check_personal_data(raw, report=report)
    lap("personal-data guard")
    frame = select_extract_columns(raw, extract=CARERS, report=report)
    frame = validate_frame(frame, extract=CARERS, quarter=key.period, report=report)
    lap("validate (incl. Great Expectations start-up)")
    assert report.ok, report.to_text()
    rows = to_typed(frame, extract=CARERS)
    sid, _ = load.load_accepted(
        engine,
        key=key,
        frame=rows,
        filename=path.name,
        content=content,
        report=report,
        submitted_by="bench",
        source="cli",
    )
    lap("load")
    # As the pipeline does: the rows just loaded go to the recompute from memory.
    keep_loaded_rows(
        engine, submission_id=sid, extract="carers", sha256=load.sha256(content), rows=rows
    )
    recompute_area(engine, key.area)
    lap("recompute")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        path = inbox / FILENAME
        write_extract(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        url = args.db or f"sqlite:///{tmp_path / 'bench.db'}"
        env = {**os.environ, "CARERS_DB_URL": url, "CARERS_MAX_FILE_MB": "1000"}
        started = time.perf_counter()
        done = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "carers-impact"), "etl", "run", "--inbox", str(inbox)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"carers extract: {args.rows:,} rows, {size_mb:.1f} MB; database {url.split(':')[0]}")
        print(
            f"etl run: exit {done.returncode}, {wall:.1f} s wall, peak memory {peak_mb:.0f} MB, "
            f"{args.rows / wall:,.0f} rows/s"
        )
        if done.returncode:
            print(done.stdout[-2000:], done.stderr[-2000:])
        fresh = args.db or f"sqlite:///{tmp_path / 'stages.db'}"
        if args.db:
            print("(stage timings skipped: they need a fresh database)")
            return
        path2 = tmp_path / FILENAME
        write_extract(path2, args.rows)
        times = stages(path2, fresh)
        total = sum(times.values())
        for name, seconds in times.items():
            print(f"  {name:<45} {seconds:6.2f} s  {seconds / total:5.0%}")


if __name__ == "__main__":
    main()
