"""Benchmark of the analysis stages and of the user's path (``make bench``): not a test.

For each N, a fresh process generates N synthetic events (bench/synthetic.py),
writes them as CSV, and times: read (pyarrow C reader, needed columns), locate
(canonical types, points), join (admin units), slice (periods), presence
(the default 25 km hexagon grid with its zones, then admin-2; each includes its own
slicing, kernel and evidence lists), axes. Peak RSS
is the process high-water mark after each stage. Every size runs ROUNDS times
(sizes interleaved); the table gives medians and every run's records → presence
time, and judges the targets on the slowest run. Then, once per size, the user's path:
a generated ACLED export through ``sahelmap validate``, ``build``, ``site`` and ``gpkg``,
each in its own process (:func:`user_path`). Results go to bench/results.md.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
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


WRAP = ("import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter(); r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
        "stderr=subprocess.PIPE, text=True)\n"
        "print(json.dumps({'rc': r.returncode, 'err': r.stderr[-2000:], "
        "'s': time.perf_counter() - t, "
        "'rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))")
USER_STAGES = ("validate", "build", "site", "gpkg")


def _tree_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 1e6


def user_path(n: int) -> dict:
    """The user's path, each step a ``sahelmap`` command in its own process as `make` runs
    it: a generated ACLED-2023 export of ``n`` rows validated, built into tables (kept
    private, so the events are published to the site and GeoPackage), the site, the
    GeoPackage; :data:`ROUNDS` times. Each step's median wall time and highest peak RSS
    of its process tree."""
    sys.path.insert(0, str(HERE))
    import synthetic
    from sahelmap import read_geodata

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        export = tmp / "acled.csv"
        synthetic.acled_export(n, read_geodata(ROOT / "geodata")).to_csv(export, index=False)
        os.sync()  # the export's own writing is not the user's path: not charged to validate
        result = {"n": n, "export_mb": export.stat().st_size / 1e6, "steps": {}, "totals": []}
        runs: dict[str, list[dict]] = {name: [] for name in USER_STAGES}
        for round_ in range(ROUNDS):  # each round from scratch, the steps back to back
            out = tmp / f"maps{round_}"
            for name, cmd in _user_steps(export, out).items():
                run = subprocess.run([sys.executable, "-c", WRAP, *cmd], capture_output=True,
                                     text=True, check=True, cwd=ROOT)
                step = json.loads(run.stdout.strip().splitlines()[-1])
                if step["rc"] not in (0, 1) or (name != "validate" and step["rc"]):
                    raise SystemExit(f"bench: {name} failed: {step['err']}")
                runs[name].append(step)
            result["totals"].append(sum(runs[k][-1]["s"] for k in ("build", "site", "gpkg")))
            if round_ < ROUNDS - 1:
                shutil.rmtree(out)  # the last round's outputs are measured below
        result["steps"] = {name: {"s": _median([r["s"] for r in rs]),
                                  "rss_mb": max(r["rss_mb"] for r in rs)}
                           for name, rs in runs.items()}
        data = [p.stat().st_size for p in (out / "data").glob("*.js")]
        result.update(copies_mb=_tree_mb(out / ".sahelmap"),
                      tables_mb=sum((out / f).stat().st_size for f in
                                    ("events.csv", "presence.csv", "zones.csv")) / 1e6,
                      site_mb=_tree_mb(out / "data") + _tree_mb(out / "assets")
                      + sum(p.stat().st_size for p in out.glob("*.html")) / 1e6,
                      largest_data_mb=max(data) / 1e6 if data else 0.0,
                      gpkg_mb=(out / "sahelmap.gpkg").stat().st_size / 1e6)
    return result


def _user_steps(export: Path, out: Path) -> dict[str, list[str]]:
    cli = [sys.executable, "-m", "sahelmap.cli", "-q"]
    return {"validate": [*cli, "validate", str(export)],
            "build": [*cli, "build", "--include-restricted", "--out", str(out), str(export)],
            "site": [*cli, "site", "--tables", str(out), "--out", str(out)],
            "gpkg": [*cli, "gpkg", "--tables", str(out), "-o", str(out / "sahelmap.gpkg")]}


ROUNDS = 3  # each size is run this many times, in fresh processes, sizes interleaved
CORE = ["read", "locate", "join", "places", "presence"]


def main(argv: list[str]) -> int:
    if len(argv) > 1 and argv[1] == "--one":
        print(json.dumps(one(int(argv[2]))))
        return 0
    if len(argv) > 1 and argv[1] == "--user":
        print(json.dumps(user_path(int(argv[2]))))
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
    user = []
    for n in sizes:
        print(f"bench: the user's path at {n:,} ACLED rows ...", file=sys.stderr, flush=True)
        out = subprocess.run([sys.executable, __file__, "--user", str(n)],
                             capture_output=True, text=True, check=True)
        user.append(json.loads(out.stdout.strip().splitlines()[-1]))
    write([runs[n] for n in sizes], user)
    return 0


def _median(values) -> float:
    return statistics.median(values)


def core_time(run: dict) -> float:
    return sum(run["times"][s] for s in CORE)


def user_lines(user: list[dict]) -> list[str]:
    """The user's path table and its targets (issue 10)."""
    lines = ["", "## The user's path: an ACLED export to tables, site and GeoPackage", "",
             "Each step is the `sahelmap` command `make` would run, in its own process, on a "
             "generated ACLED-2023 export (bench/synthetic.py: real Sahel towns, 2012-2025, "
             "multi-line notes, a few rows an importer must flag); `build` keeps the events "
             "private (`--include-restricted`) so the site and the GeoPackage carry all of them. "
             f"{ROUNDS} rounds per size, each from scratch with the steps back to back (as "
             "`make` runs them, so a step also pays for the disk writing its predecessor left "
             "behind); a step's time is the median of its rounds in wall seconds, its memory "
             "the highest peak RSS of its processes in any round.", "",
             "| step | " + " | ".join(f"{u['n']:,} rows ({u['export_mb']:.0f} MB)" for u in user)
             + " |", "|---|" + "---|" * len(user)]
    for name in USER_STAGES:
        lines.append(f"| {name} | " + " | ".join(
            f"{u['steps'][name]['s']:.1f} s, {u['steps'][name]['rss_mb']:,.0f} MB"
            for u in user) + " |")
    total = [sum(u["steps"][k]["s"] for k in ("build", "site", "gpkg")) for u in user]
    peak = [max(u["steps"][k]["rss_mb"] for k in ("build", "site", "gpkg")) for u in user]
    lines.append("| **build + site + gpkg** | " + " | ".join(
        f"**{t:.1f} s** (rounds: {', '.join(f'{x:.1f}' for x in u.get('totals', []))}), "
        f"peak {p:,.0f} MB" for t, p, u in zip(total, peak, user)) + " |")
    lines.append("| outputs | " + " | ".join(
        f"tables {u['tables_mb']:.0f} MB (their columnar copies "
        f"{u.get('copies_mb', 0):.0f} MB), site {u['site_mb']:.0f} MB (largest period data "
        f"{u['largest_data_mb']:.2f} MB), GeoPackage {u['gpkg_mb']:.0f} MB" for u in user) + " |")
    if len(user) >= 2:
        big, small = user[-1], user[0]
        ratio = total[-1] / total[0]
        v = big["steps"]["validate"]
        lines += ["", f"Targets for {big['n']:,} rows (issue 10): validate under 6 s and 2 GB "
                      f"({v['s']:.1f} s, {v['rss_mb']:,.0f} MB: "
                      f"{'met' if v['s'] < 6 and v['rss_mb'] < 2048 else 'NOT met'}); "
                      f"build + site + gpkg under 40 s ({total[-1]:.1f} s: "
                      f"{'met' if total[-1] < 40 else 'NOT met'}) and 3 GB ({peak[-1]:,.0f} MB: "
                      f"{'met' if peak[-1] < 3072 else 'NOT met'}); site under 15 s "
                      f"({big['steps']['site']['s']:.1f} s: "
                      f"{'met' if big['steps']['site']['s'] < 15 else 'NOT met'}); every period's "
                      f"data under 2 MB (largest {big['largest_data_mb']:.2f} MB: "
                      f"{'met' if big['largest_data_mb'] < 2 else 'NOT met'}); GeoPackage under "
                      f"200 MB and 10 s ({big['gpkg_mb']:.0f} MB, {big['steps']['gpkg']['s']:.1f} s: "
                      f"{'met' if big['gpkg_mb'] < 200 and big['steps']['gpkg']['s'] < 10 else 'NOT met'}); "
                      f"{big['n'] // small['n']}x the rows took {ratio:.1f}x the time (target at "
                      f"most 12x: {'met' if ratio <= 12 else 'NOT met'})."]
    return lines


def write(results: list[list[dict]], user: list[dict] | None = None) -> None:
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
    lines += user_lines(user) if user else []
    (HERE / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
