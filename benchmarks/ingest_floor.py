"""End-to-end ingest of a large `carers` extract against a floor measured in the same run.

Run on demand (not a test):
    .venv/bin/python benchmarks/ingest_floor.py [ROWS] [--db URL]

The product: `carers-impact etl run` on one file (read, personal-data guard,
Great Expectations validation, load in one transaction, recompute of the
area's measures), in a child process. The floor: plain `pandas.read_csv` plus
a bulk insert of the same rows into the same database (COPY on PostgreSQL,
executemany on SQLite), also in a child process. Prints wall time, peak memory
and the ratio. Aims: at most 1.5x the floor, peak memory under 1.5 GB.

Then the same two inside a process that is already running, as in the
scheduler or a dashboard replica: the floor's read and insert, and one inbox
pass (read, guard, validate, load, recompute) with Great Expectations already
started; neither counts Python start-up or imports.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.etl_carers import FILENAME, write_extract  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")

FLOOR = r"""
import sys, time
import pandas as pd
import sqlalchemy as sa
from carers_impact import db

path, url = sys.argv[1], sys.argv[2]
engine = db.make_engine(url)
started = time.perf_counter()
frame = pd.read_csv(path, dtype=str, keep_default_na=False)
rows = list(zip(*(frame[c].tolist() for c in frame.columns)))
meta = sa.MetaData()
table = sa.Table("floor_rows", meta, *(sa.Column(f"c{i}", sa.Text) for i in range(frame.shape[1])))
meta.drop_all(engine)
meta.create_all(engine)
with engine.begin() as conn:
    db.bulk_insert(conn, table, rows)
print(f"{time.perf_counter() - started:.3f}")
"""

WARM = r"""
import sys, time
from pathlib import Path
from carers_impact import db
from etl import validate
from etl.inbox import process_inbox
from measures.storage.values import recompute_area

inbox, url = Path(sys.argv[1]), sys.argv[2]
engine = db.make_engine(url)
db.upgrade(engine)
validate._batch_definition()  # already started in a running scheduler or dashboard
started = time.perf_counter()
run = process_inbox(engine, inbox, on_loaded=recompute_area)
assert [r.status for _, r in run.results] == ["accepted"], run.summary()
print(f"{time.perf_counter() - started:.3f}")
"""


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """(wall seconds, peak MB, exit code, stdout) of a child process; peak from GNU time."""
    started = time.perf_counter()
    wrapper = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    done = subprocess.run(wrapper + command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    peak = float(done.stderr.strip().splitlines()[-1]) / 1024 if wrapper else float("nan")
    if done.returncode:
        print(done.stdout[-1500:], done.stderr[-1500:])
    return wall, peak, done.returncode, done.stdout


def fresh_database(url: str | None, folder: Path, name: str) -> str:
    if url is None:
        return f"sqlite:///{folder / name}.db"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS bench_{name} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA bench_{name}")
    engine.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3Dbench_{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--db", help="a PostgreSQL URL (default: fresh SQLite files)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inbox = folder / "inbox"
        inbox.mkdir()
        path = inbox / FILENAME
        write_extract(path, args.rows)
        processed_copy = folder / FILENAME  # `etl run` files the inbox's copy away
        shutil.copy(path, processed_copy)
        kind = "postgresql" if args.db else "sqlite"
        print(f"{args.rows:,} rows, {path.stat().st_size / 1e6:.0f} MB, {kind}")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "CARERS_MAX_FILE_MB": "2000"}

        floor_url = fresh_database(args.db, folder, "floor")
        floor = timed([PYTHON, "-c", FLOOR, str(path), floor_url], env)
        product_url = fresh_database(args.db, folder, "product")
        product = timed(
            [str(ROOT / ".venv" / "bin" / "carers-impact"), "etl", "run", "--inbox", str(inbox)],
            {**env, "CARERS_DB_URL": product_url},
        )
        print(f"floor (read_csv + bulk insert): {floor[0]:6.1f} s, peak {floor[1]:6.0f} MB")
        print(
            f"carers-impact etl run:          {product[0]:6.1f} s, peak {product[1]:6.0f} MB"
            f"  (exit {product[2]})"
        )
        print(
            f"ratio: {product[0] / floor[0]:.2f}x the floor (aim <= 1.5x); "
            f"peak memory {product[1] / 1024:.2f} GB (aim < 1.5 GB)"
        )
        # In a process that is already running (the scheduler, a dashboard
        # replica): no Python start-up or imports on either side.
        floor_inside = float(floor[3].split()[-1])
        warm_inbox = folder / "warm"
        warm_inbox.mkdir()
        shutil.copy(processed_copy, warm_inbox / FILENAME)
        warm_url = fresh_database(args.db, folder, "warm")
        warm = timed([PYTHON, "-c", WARM, str(warm_inbox), warm_url], env)
        warm_inside = float(warm[3].split()[-1])
        print(
            f"in a running process: floor {floor_inside:.1f} s, pipeline {warm_inside:.1f} s, "
            f"ratio {warm_inside / floor_inside:.2f}x"
        )
        if args.db:
            for name in ("floor", "product", "warm"):
                fresh_database(args.db, folder, name)  # leave empty schemas behind, not data


if __name__ == "__main__":
    main()
