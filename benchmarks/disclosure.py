"""What disclosure control hides, what each attack recovers, and what it costs, on a database.

Run on demand (not a test), on a built demo database:
`.venv/bin/python benchmarks/disclosure.py --db sqlite:////path/to/demo.db` (default:
CARERS_DB_URL). The database is only read (no upgrade), so a database built by an earlier
version shows that version's public table. Prints:

* the cells of the stored public table, and how many are suppressed (by unit);
* for each attack of `measures.domain.attack` (interval inversion alone, each other attack
  with it, then all together): what it tried, how many counts it recovered and how many
  of those are right (checked against the published snapshots), and its time;
* the public table made again from the same snapshots by today's rules
  (`public_view`), with the same attacks, and its time;
* what today's rules cost: how far published percentages are from the exact ones, and
  how much wider their intervals are.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from measures.domain import attack as attacks  # noqa: E402
from measures.domain.catalogue import load_catalogue  # noqa: E402
from measures.domain.public_figures import PUBLIC_COLUMNS, census_counts, public_view  # noqa: E402

SNAPSHOTS = (
    "SELECT v.measure_id, v.area, v.period, v.breakdown, v.breakdown_value, v.value, "
    "v.numerator, v.denominator, v.lower_ci, v.upper_ci FROM published_values v "
    "JOIN published_periods p ON p.publication_id = v.publication_id AND p.status = 'published'"
)


def read(engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    with engine.connect() as conn:
        public = pd.DataFrame(
            conn.execute(sa.text(f"SELECT {', '.join(PUBLIC_COLUMNS)} FROM public_measure_values"))
        )
        exact = pd.DataFrame(conn.execute(sa.text(SNAPSHOTS)))
    public["suppressed"] = public["suppressed"].astype(bool)
    numbers = ["value", "numerator", "denominator", "lower_ci", "upper_ci"]
    exact[numbers] = exact[numbers].astype("float64")
    public[numbers[:1] + numbers[3:]] = public[numbers[:1] + numbers[3:]].astype("float64")
    return public, exact


def truth(found: pd.DataFrame, exact: pd.DataFrame) -> np.ndarray:
    merged = found.merge(exact, on=attacks.KEY, how="left")
    return np.select(
        [
            merged["count"] == "numerator",
            merged["count"] == "denominator",
            merged["count"] == "others",
        ],
        [merged["numerator"], merged["denominator"], merged["denominator"] - merged["numerator"]],
        merged["value"],
    ).astype(float)


def report_attacks(public: pd.DataFrame, exact: pd.DataFrame) -> None:
    census = census_counts(exact)
    pairs = attacks.same_people_pairs(exact, public)
    units = public.groupby("unit")["suppressed"].agg(["size", "sum"])
    print(f"  cells {len(public)}, suppressed {int(public['suppressed'].sum())}")
    for unit, row in units.iterrows():
        print(f"    {unit:8s} {int(row['size']):6d} cells, {int(row['sum']):5d} suppressed")
    plans = [[attacks.INVERSION]] + [[attacks.INVERSION, a] for a in attacks.ATTACKS[1:]]
    for plan in [*plans, list(attacks.ATTACKS)]:
        started = time.perf_counter()
        result = attacks.attack(public, census=census, same_people=pairs, attacks=plan)
        took = time.perf_counter() - started
        found = result.found
        right = int(np.isclose(truth(found, exact), found["recovered"].astype(float)).sum())
        small = int(found["recovered"].astype(float).between(1, 7).sum())
        name = "all attacks together" if len(plan) > 2 else plan[-1]
        print(
            f"  {name:30s} tried {result.tried.get(plan[-1], 0):6d}  recovered {len(found):5d} "
            f"(right {right}, of 1 to 7: {small})  {took:.2f} s"
        )


def report_cost(public: pd.DataFrame, exact: pd.DataFrame) -> None:
    merged = public.merge(exact, on=attacks.KEY, suffixes=("", "_exact"))
    shown = merged[(merged["unit"] == "percent") & ~merged["suppressed"]]
    change = (shown["value"] - shown["value_exact"]).abs()
    width = shown["upper_ci"] - shown["lower_ci"]
    exact_width = shown["upper_ci_exact"] - shown["lower_ci_exact"]
    small = shown["denominator"] < 50
    print(
        f"  {len(shown)} percentages shown: mean change {change.mean():.2f} points "
        f"(largest {change.max():.1f}); interval {width.median():.1f} points wide (median) "
        f"against {exact_width.median():.1f} from the exact counts"
    )
    print(
        f"  denominators under 50 ({int(small.sum())}): mean change "
        f"{change[small].mean():.2f} points, median width {width[small].median():.1f} against "
        f"{exact_width[small].median():.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("CARERS_DB_URL", ""))
    args = parser.parse_args()
    engine = sa.create_engine(args.db)
    public, exact = read(engine)
    print("The stored public table:")
    report_attacks(public, exact)
    started = time.perf_counter()
    catalogue = load_catalogue()
    remade = pd.concat(
        [
            public_view(
                snapshot,
                catalogue=catalogue,
                published={p for p in snapshot["period"] if "Q" in p},
            )[PUBLIC_COLUMNS]
            for _, snapshot in exact.groupby("area")
        ],
        ignore_index=True,
    )
    print(
        f"\nMade again from the snapshots by today's rules ({time.perf_counter() - started:.1f} s):"
    )
    report_attacks(remade, exact)
    print("\nWhat today's rules cost:")
    report_cost(remade, exact)


if __name__ == "__main__":
    main()
