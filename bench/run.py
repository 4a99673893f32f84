"""Benchmark of the analysis stages (``make bench``): not a test.

For each N, a fresh process generates N synthetic events (bench/synthetic.py),
writes them as CSV, and times: read (pyarrow C reader, needed columns), locate
(canonical types, points), join (admin units), slice (periods), presence
(the default 25 km hexagon grid with its zones, then admin-2; each includes its own
slicing, kernel and evidence lists), axes. Peak RSS
is the process high-water mark after each stage. Every size runs ROUNDS times
(sizes interleaved); the table gives medians and every run's records → presence
time, and judges the targets on the slowest run. Results go to bench/results.md.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def calibration() -> float:
    """Seconds for a fixed numpy workload (scatter-adding 13M weights into 11.6M bins, the
    model's commonest operation), the best of three: how fast this machine is right now,
    to read the stage times against."""
    import numpy as np

    rng = np.random.default_rng(0)
    idx = rng.integers(0, 11_600_000, 13_000_000)
    w = rng.random(13_000_000)
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        np.bincount(idx, weights=w, minlength=11_600_000)
        best = min(best, time.perf_counter() - t)
    return best


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
    from sahelmap.pipeline import unit_points
    from sahelmap.presence import PresenceSettings, places_for, presence_tables

    geodata = read_geodata(ROOT / "geodata")
    gazetteer = build_gazetteer(geodata)
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
    grid = PresenceSettings()  # the default: 25 km equal-area hexagons
    places = stage("places", lambda: places_for(geodata.admin1, geodata.admin2, grid.cell_km))
    tables = stage("presence", lambda: presence_tables(ev, no_claims, periods, geodata.actors,
                                                       grid, places=places))
    admin = PresenceSettings(level="admin2")
    apres = stage("presence_admin2", lambda: presence_tables(
        ev, no_claims, periods, geodata.actors, admin, places=places)["presence"])
    moves = gpd.GeoDataFrame(columns=["movement_id", "actor", "date_start", "date_end",
                                      "origin_unit", "destination_unit", "size", "confidence",
                                      "kind"], geometry=[], crs="EPSG:4326")
    ax = stage("axes", lambda: axes(moves, tables["activity"], periods,
                                    unit_points(gazetteer), AxesSettings()))
    pres = tables["presence"]
    cells = pres[pres["unit_level"] == "cell"]
    return {"n": n, "csv_mb": round(size_mb, 1), "times": times, "rss_mb": rss,
            "calibration_s": calibration(),
            "grid_rows": len(pres), "grid_cells": int(cells["unit_id"].nunique()),
            "zones": len(tables["zones"]), "presence_rows": len(apres),
            "units": int(apres["unit_id"].nunique()), "axes": len(ax),
            "periods": len(periods)}


ROUNDS = 3  # each size is run this many times, in fresh processes, sizes interleaved
CORE = ["read", "locate", "join", "places", "presence"]


def main(argv: list[str]) -> int:
    if len(argv) > 1 and argv[1] == "--one":
        print(json.dumps(one(int(argv[2]))))
        return 0
    sizes = [int(a) for a in argv[1:]] or [100_000, 1_000_000]
    runs: dict[int, list[dict]] = {n: [] for n in sizes}
    for round_ in range(ROUNDS):
        for n in sizes:
            print(f"bench: {n:,} events, run {round_ + 1}/{ROUNDS} ...", file=sys.stderr,
                  flush=True)
            out = subprocess.run([sys.executable, __file__, "--one", str(n)],
                                 capture_output=True, text=True, check=True)
            runs[n].append(json.loads(out.stdout.strip().splitlines()[-1]))
    write([runs[n] for n in sizes])
    return 0


def _median(values) -> float:
    return statistics.median(values)


def core_time(run: dict) -> float:
    return sum(run["times"][s] for s in CORE)


def write(results: list[list[dict]]) -> None:
    """``results``: per size, its runs. Stage times are medians over the runs; the
    records → presence line also gives every run, and the targets are judged on the
    slowest."""
    stages = list(results[0][0]["times"])
    first = [r[0] for r in results]
    lines = ["# Benchmark results", "",
             f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
             f"{os.cpu_count()} cores, Python {platform.python_version()}; `make bench` "
             f"(bench/run.py). Each size runs {len(results[0])} times, each time in a fresh "
             "process, the sizes interleaved; stage times are the median of the runs, in wall "
             "seconds (on this virtual machine the same run varies by up to a fifth: memory a "
             "process touches for the first time is slow to back). Peak RSS is the highest "
             "process high-water mark of the runs, which includes generating the synthetic "
             "events and the admin-2 run. `places` builds the 25 km hexagon cover of the "
             "admin layer; `presence` is the default level (cells within 40 km of evidence, "
             "plus region-level rows, and the zones) and includes its own slicing, kernel and "
             "evidence lists; `presence_admin2` summarises the same cells per province "
             "(Burkina) or region (elsewhere).", "",
             "| stage | " + " | ".join(f"{r['n']:,} events" for r in first) + " |",
             "|---|" + "---|" * len(results)]
    for s in stages:
        lines.append(f"| {s} | " + " | ".join(
            f"{_median([x['times'][s] for x in runs]):.2f} s" for runs in results) + " |")
    lines.append("| **records → presence** (read + locate + join + places + presence) | "
                 + " | ".join(
                     f"**{_median([core_time(x) for x in runs]):.2f} s** "
                     f"({r['n'] / _median([core_time(x) for x in runs]):,.0f} events/s; runs: "
                     + ", ".join(f"{core_time(x):.2f}" for x in runs) + ")"
                     for runs, r in zip(results, first)) + " |")
    lines.append("| calibration (a fixed numpy workload, best of three; per run) | "
                 + " | ".join(", ".join(f"{x['calibration_s']:.3f} s" for x in runs)
                              for runs in results) + " |")
    lines.append("| peak RSS | " + " | ".join(
        f"{max(max(x['rss_mb'].values()) for x in runs):,.0f} MB" for runs in results) + " |")
    lines += ["", "| size | CSV | periods | grid presence rows (cells) | zone rows | "
              "admin-2 presence rows (units) | axes |", "|---|---|---|---|---|---|---|"]
    for r in first:
        lines.append(f"| {r['n']:,} | {r['csv_mb']} MB | {r['periods']} | "
                     f"{r['grid_rows']:,} ({r['grid_cells']:,}) | {r['zones']:,} | "
                     f"{r['presence_rows']:,} ({r['units']}) | {r['axes']:,} |")
    if len(results) >= 2:
        a, b = results[0], results[-1]
        ratio = _median([core_time(x) for x in b]) / _median([core_time(x) for x in a])
        slowest = max(core_time(x) for x in b)
        rss = max(max(x["rss_mb"].values()) for x in b)
        lines += ["", f"Scaling: {b[0]['n'] // a[0]['n']}x the events took {ratio:.1f}x the "
                      "time (target: at most 12x for 10x).", "",
                  f"Targets for {b[0]['n']:,} events: records → presence under 10 s in every "
                  f"run (slowest: {slowest:.2f} s, {'met' if slowest < 10 else 'NOT met'}) and "
                  f"under 4 GB peak RSS ({rss:,.0f} MB, {'met' if rss < 4096 else 'NOT met'})."]
    (HERE / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
