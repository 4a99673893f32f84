"""Benchmark of the analysis stages (``make bench``): not a test.

For each N, a fresh process generates N synthetic events (bench/synthetic.py),
writes them as CSV, and times: read (pyarrow C reader, needed columns), locate
(canonical types, points), join (admin units), slice (periods), presence
(admin level and a 0.25-degree grid; includes its own slicing), axes. Peak RSS
is the process high-water mark after each stage. Results go to bench/results.md.
"""

from __future__ import annotations

import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(n: int) -> dict:
    sys.path.insert(0, str(HERE))
    import geopandas as gpd
    import pandas as pd
    import pyarrow.csv as pacsv

    import synthetic
    from sahelmap import read_geodata
    from sahelmap.axes import AxesSettings, axes
    from sahelmap.gazetteer import build_gazetteer
    from sahelmap.join import join_admin
    from sahelmap.periods import make_periods, slice_records
    from sahelmap.pipeline import split_units, unit_points
    from sahelmap.presence import PresenceSettings, presence

    geodata = read_geodata(ROOT / "geodata")
    places = build_gazetteer(geodata)
    raw = synthetic.events(n, geodata.admin1, geodata.admin2)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        raw.to_csv(path, index=False)
        size_mb = path.stat().st_size / 1e6
        del raw
        times, rss = {}, {}

        def stage(name, fn):
            t = time.perf_counter()
            out = fn()
            times[name] = time.perf_counter() - t
            rss[name] = rss_mb()
            return out

        cols = ["event_id", "date_start", "date_end", "actor", "opponent", "event_type",
                "latitude", "longitude", "location_precision", "confidence"]
        table = stage("read", lambda: pacsv.read_csv(
            path, convert_options=pacsv.ConvertOptions(include_columns=cols)).to_pandas())

    def locate():
        ev = table.assign(actor_candidates="")
        for c in ("actor", "opponent", "event_type", "location_precision", "confidence"):
            ev[c] = ev[c].fillna("").astype("category")
        return gpd.GeoDataFrame(ev, geometry=gpd.points_from_xy(ev["longitude"], ev["latitude"]),
                                crs="EPSG:4326")

    ev = stage("locate", locate)
    ev = stage("join", lambda: join_admin(ev, geodata.admin1, geodata.admin2))
    periods = make_periods("2012-01-01", "2025-12-31", "month")
    stage("slice", lambda: slice_records(ev["date_start"], ev["date_end"], periods))
    no_claims = pd.DataFrame(columns=["claim_id", "date_start", "date_end", "actor", "status",
                                      "confidence", "admin1_id", "admin2_id",
                                      "location_precision", "latitude", "longitude"])
    admin = PresenceSettings(level="admin2")
    pres = stage("presence", lambda: presence(ev, no_claims, periods, geodata.actors, admin,
                                              split_units=split_units(geodata)))
    grid = PresenceSettings(level="grid", grid_size=0.25)
    gpres = stage("presence_grid", lambda: presence(ev, no_claims, periods, geodata.actors, grid))
    moves = gpd.GeoDataFrame(columns=["movement_id", "actor", "date_start", "date_end",
                                      "origin", "destination", "origin_location_precision",
                                      "destination_location_precision", "size", "confidence"],
                             geometry=[], crs="EPSG:4326")
    ax = stage("axes", lambda: axes(moves, pres, periods, unit_points(admin, places),
                                    AxesSettings()))
    return {"n": n, "csv_mb": round(size_mb, 1), "times": times, "rss_mb": rss,
            "presence_rows": len(pres), "grid_rows": len(gpres), "grid_cells": int(gpres["unit_id"].nunique()),
            "axes": len(ax), "periods": len(periods),
            "units": int(pres["unit_id"].nunique())}


def main(argv: list[str]) -> int:
    if len(argv) > 1 and argv[1] == "--one":
        print(json.dumps(one(int(argv[2]))))
        return 0
    sizes = [int(a) for a in argv[1:]] or [100_000, 1_000_000]
    results = []
    for n in sizes:
        print(f"bench: {n:,} events ...", file=sys.stderr, flush=True)
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True,
                             text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    write(results)
    return 0


def write(results: list[dict]) -> None:
    stages = list(results[0]["times"])
    core = ["read", "locate", "join", "presence"]
    lines = ["# Benchmark results", "",
             f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
             f"Python {platform.python_version()}; `make bench` (bench/run.py). "
             "Each size runs in a fresh process; times are wall seconds; peak RSS is the "
             "process high-water mark, which includes generating the synthetic events and "
             "the grid run. `presence` is at the admin-2 leaf level (Burkina provinces, "
             "admin-1 elsewhere) and includes its own slicing and evidence lists; "
             "`presence_grid` uses 0.25-degree cells.", "",
             "| stage | " + " | ".join(f"{r['n']:,} events" for r in results) + " |",
             "|---|" + "---|" * len(results)]
    for s in stages:
        lines.append(f"| {s} | " + " | ".join(f"{r['times'][s]:.2f} s" for r in results) + " |")
    tot = [sum(r["times"][s] for s in core) for r in results]
    lines.append("| **records → presence** (read + locate + join + presence) | "
                 + " | ".join(f"**{t:.2f} s** ({r['n'] / t:,.0f} events/s)"
                              for t, r in zip(tot, results)) + " |")
    lines.append("| peak RSS | " + " | ".join(f"{max(r['rss_mb'].values()):,.0f} MB"
                                            for r in results) + " |")
    lines += ["", "| size | CSV | periods | presence rows (units) | grid rows (cells) | axes |",
              "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['n']:,} | {r['csv_mb']} MB | {r['periods']} | "
                     f"{r['presence_rows']:,} ({r['units']}) | {r['grid_rows']:,} "
                     f"({r['grid_cells']:,}) | {r['axes']:,} |")
    if len(results) >= 2:
        a, b = results[0], results[-1]
        ratio = (sum(b["times"][s] for s in core) / sum(a["times"][s] for s in core))
        lines += ["", f"Scaling: {b['n'] // a['n']}x the events took {ratio:.1f}x the time "
                      "(target: at most 12x for 10x). Targets for 1M events: records → presence "
                      "under 10 s and under 4 GB peak RSS."]
    (HERE / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
