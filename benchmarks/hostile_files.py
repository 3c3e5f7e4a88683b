"""Time and peak memory of `carers-impact etl run` on hostile files, against an empty inbox.

Run on demand (not a test): `.venv/bin/python benchmarks/hostile_files.py [--db URL]`.
Builds in a temporary folder (nothing is kept):

- an XLSX workbook of a few MB whose sheet unzips to about 2 GB;
- the same with a sheet of 96 MB, just inside the bound, which is read whole;
- a 2 MB CSV of one line: a million header columns;

then runs `carers-impact etl run` on an inbox holding each one, and on an empty
inbox (the start-up cost every run pays), under `/usr/bin/time -v`, against a
fresh database (SQLite by default), and prints wall time and peak memory of each.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "carers-impact"
SHEET_BYTES = 2 * 1024**3
ROW = b'<row><c t="inlineStr"><is><t>C0001</t></is></c><c t="inlineStr"><is><t>x</t></is></c></row>'


def build_xlsx(path: Path, sheet_bytes: int = SHEET_BYTES) -> None:
    """A real workbook whose first sheet is replaced by `sheet_bytes` of identical rows."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "carers"
    book.active.append(["carer_id", "date_identified", "age_band"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(buffer)
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in source.infolist():
            if info.filename != sheet:
                out.writestr(info.filename, source.read(info))
        head, end, tail = source.read(sheet).partition(b"</sheetData>")  # keeps the header row
        block = ROW * (8 * 1024 * 1024 // len(ROW))
        with out.open(sheet, "w", force_zip64=True) as member:
            member.write(head)
            for _ in range(sheet_bytes // len(block)):
                member.write(block)
            member.write(end + tail)


def build_one_line_csv(path: Path) -> None:
    """A million header columns on one line, about 2 MB."""
    path.write_bytes(b",".join([b"c"] * 1_000_000) + b"\n")


def run(inbox: Path, db_url: str) -> tuple[float, float, str]:
    """(wall seconds, peak memory MB, last line printed) of one `etl run`."""
    env = {**os.environ, "CARERS_DB_URL": db_url, "CARERS_INBOX_SETTLE_SECONDS": "0"}
    result = subprocess.run(
        ["/usr/bin/time", "-v", str(CLI), "etl", "run", "--inbox", str(inbox)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", result.stderr)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    parts = [float(p) for p in wall[1].split(":")]
    seconds = sum(p * 60**i for i, p in enumerate(reversed(parts)))
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    return seconds, int(peak[1]) / 1024, " | ".join(lines[1:3]) or lines[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db_url = args.db or f"sqlite:///{folder / 'bench.db'}"
        subprocess.run([str(CLI), "db-upgrade"], env={**os.environ, "CARERS_DB_URL": db_url},
                       check=True, capture_output=True)  # fmt: skip
        cases = {
            "empty inbox": None,
            "XLSX, sheet unzips to 2 GB": ("carers_ROT-ASC_2024-25_Q1.xlsx", build_xlsx),
            "XLSX, sheet unzips to 96 MB (in bounds)": (
                "carers_ROT-CSC_2024-25_Q1.xlsx",
                lambda path: build_xlsx(path, 96 * 1024**2),
            ),
            "CSV, one line of 1,000,000 columns": (
                "carers_ROT-CC_2024-25_Q1.csv",
                build_one_line_csv,
            ),
        }
        empty = None
        print(f"{'file':40} {'size':>9} {'wall':>8} {'peak':>9} {'vs empty':>9}  outcome")
        for label, case in cases.items():
            inbox = folder / re.sub(r"\W+", "_", label)
            inbox.mkdir()
            size = 0
            if case:
                name, build = case
                build(inbox / name)
                os.utime(inbox / name, (time.time() - 60,) * 2)
                size = (inbox / name).stat().st_size
            seconds, peak, outcome = run(inbox, db_url)
            empty = empty or seconds
            print(
                f"{label:40} {size / 1e6:7.1f}MB {seconds:7.1f}s {peak:7.0f}MB "
                f"{seconds / empty:8.2f}x  {outcome}"
            )
        if sys.stdout.isatty():
            print("(peak memory is the maximum resident set size of the `etl run` process)")


if __name__ == "__main__":
    main()
