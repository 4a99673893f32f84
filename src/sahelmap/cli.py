"""The sahelmap command line: parses arguments, calls the library, prints.

Every user mistake ends as one line per problem on stderr and a non-zero exit
(2 for unusable input or arguments, 1 for invalid records); never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from . import __version__
from ._arrays import map_codes
from ._errors import InputError, SahelmapError
from .export import write_csv
from .gazetteer import build_gazetteer
from .geocode import match_names
from .geodata import Geodata, read_geodata
from .admin import with_boundaries
from .boundaries import AdminSource, read_boundaries
from .config import admin_sources, read_config, settings_from
from .export import write_table
from .periods import FREQUENCIES
from .pipeline import analyse, locate
from .units import unit_geometries, unknown_units
from .periods import LABEL_PATTERN as PERIOD_LABEL
from .presence import LEVELS
from .imports import licence, publishable
from .problems import LIMIT, listing, report_frame
from .tables import read_tables
from .progress import Progress
from .records import Records, read_records

EXIT_INVALID = 1
EXIT_USAGE = 2


def default_geodata() -> Path:
    """``$SAHELMAP_GEODATA``, else the ``geodata/`` folder of this source tree."""
    env = os.environ.get("SAHELMAP_GEODATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "geodata"


_UI = Progress()  # stage lines and counters on stderr; main() sets it from -q


def _err(msg: str) -> None:
    _UI.line(msg)


def _say(msg: str) -> None:
    _UI.say(msg)


def _count(what: str, done: int, total: int) -> None:
    _UI.count(what, done, total)


def _load(args: argparse.Namespace) -> Geodata:
    """The reference data, with the user's boundaries (--admin, [[admin]]) in place of
    the built-in units of the countries they cover."""
    geodata = read_geodata(Path(args.geodata))
    sources, seen = [], set()
    for source in [*_admin_config(args), *_admin_flags(args)]:
        key = (Path(source.file).resolve(), source.layer)
        if key not in seen:  # a file in the config and on the command line is read once
            seen.add(key)
            sources.append(source)
    if not sources:
        return geodata
    joins = not getattr(args, "tables", None)  # tables read back were joined already
    sets = [read_boundaries(source, coverage=joins) for source in sources]
    for got in sets:
        for note in got.notes:
            _err(f"sahelmap: admin: {note}")
        levels = ", ".join(str(v) for v in sorted(set(got.units["level"])))
        _say(f"admin: {got.source.file}: {len(got.units)} level-{levels} units ({got.schema}) "
             f"for {', '.join(sorted(set(got.units['country'])))}")
    return with_boundaries(geodata, sets)


def _admin_flags(args: argparse.Namespace) -> list[AdminSource]:
    """``--admin FILE`` or ``--admin FILE:LAYER`` (a layer of a GeoPackage)."""
    out = []
    for value in getattr(args, "admin", None) or []:
        cuts = [i for i, c in enumerate(value) if c == ":" and Path(value[:i]).is_file()]
        if Path(value).exists() or not cuts:
            out.append(AdminSource(value))
        else:  # the first prefix that is a file: a layer name may hold ':'
            out.append(AdminSource(value[:cuts[0]], layer=value[cuts[0] + 1:]))
    return out


def _admin_config(args: argparse.Namespace) -> list[AdminSource]:
    """The ``[[admin]]`` tables of ``--config`` where the command takes one, else of
    ./sahelmap.toml (boundaries are the project's: build, site, gpkg and figure must
    agree on them), files relative to the config file's folder."""
    given = getattr(args, "config", None)
    path = given or ("sahelmap.toml" if Path("sahelmap.toml").is_file() else None)
    if not path:
        return []
    return admin_sources(read_config(path), Path(path))


def _read(args: argparse.Namespace, geodata: Geodata, paths: list[str], *,
          geocoded: bool = False) -> Records:
    """Read records, print their first problems and the import summaries, and write
    every problem to --report unless the command adds its geocoding to it
    (``geocoded``: it calls :func:`_write_report` itself once it has them)."""
    records = read_records(paths, geodata.actors, progress=_count)
    for line in listing(records.problems, str, _report_path(args)):
        _err(line)
    for report in records.imports:
        _err(f"sahelmap: import: {report.summary()}")
    if not geocoded:
        _write_report(args, records)
    return records


def _report_path(args: argparse.Namespace) -> str | None:
    return getattr(args, "report", None)


def _write_report(args: argparse.Namespace, records: Records,
                  geocoded: pd.DataFrame | None = None) -> None:
    """Every problem (and import summary, and geocoding finding) into --report, if given."""
    path = _report_path(args)
    if path:
        frame = report_frame(records.problems, records.imports, geocoded)
        write_csv(frame, path)
        _say(f"report: {len(frame)} row(s) written to {path}")


def _geocoded_line(row) -> str:
    return (f"{row.file}:{row.line}: {row.place_name or row.record_id!s} — {row.status}: "
            f"{row.resolution}" + (f" [{row.candidates}]" if row.candidates else ""))


def _summary(records: Records) -> str:
    return (f"{len(records.events)} events, {len(records.claims)} claims, "
            f"{len(records.movements)} movements valid; {len(records.rejected)} rows rejected")


def _errors(records: Records) -> int:
    return sum(p.level == "error" for p in records.problems)


def cmd_validate(args: argparse.Namespace) -> int:
    geodata = _load(args)
    records = _read(args, geodata, args.paths)
    n = _errors(records)
    print(_summary(records) + (f"; {n} problem(s)" if n else "; no problems"))
    return EXIT_INVALID if n else 0


def cmd_geocode(args: argparse.Namespace) -> int:
    geodata = _load(args)
    records = _read(args, geodata, args.paths, geocoded=True)
    out = locate(records, geodata)
    _write_report(args, records, out["report"])
    for kind in ("events", "claims"):
        frame = out[kind]
        counts = frame["geocode_method"].value_counts().sort_index()
        print(f"{kind}: {len(frame)} ({', '.join(f'{k} {v}' for k, v in counts.items()) or 'none'})")
    moves = out["movements"]
    print(f"movements: {len(moves)} ({int(moves.geometry.notna().sum())} with both ends located)")
    for line in listing(out["report"], _geocoded_line, _report_path(args)):
        print(line)
    if args.output:
        outdir = Path(args.output)
        for kind in ("events", "claims", "movements"):
            write_csv(out[kind], outdir / f"{kind}.csv", sort_by=[f"{kind[:-1]}_id"])
        print(f"located records written to {outdir}/")
    return EXIT_INVALID if _errors(records) else 0


def cmd_place(args: argparse.Namespace) -> int:
    from ._names import name_key

    geodata = _load(args)
    places = build_gazetteer(geodata)
    query = pd.DataFrame({"key": [name_key(args.name)], "country": [args.country or ""],
                          "admin1_key": [name_key(args.admin1 or "")], "want": [""]})
    match = match_names(query, places).iloc[0]
    if not match["candidates"]:
        print(f"{args.name!r}: no place matches; check the spelling or add it to "
              "geodata/places_curated.csv")
        return EXIT_INVALID
    info = places.set_index("place_id")
    print(f"{args.name!r}: {match['status']} ({match['method'] or 'several'} match)")
    for pid in match["candidates"].split("|"):
        p = info.loc[pid]
        where = ("no coordinates" if pd.isna(p["latitude"])
                 else f"{p['latitude']:.4f}, {p['longitude']:.4f}")
        print(f"  {pid}  {p['name']}  [{p['kind']}; {p['admin1_name'] or '?'}, {p['country']}]  "
              f"{where}  precision {p['location_precision']}")
        if p["alt_names"]:
            print(f"      also: {p['alt_names'].replace('|', ', ')}")
        print(f"      source: {p['source']}")
        if p["notes"]:
            print(f"      notes: {p['notes']}")
    return 0 if match["status"] == "matched" else EXIT_INVALID


def _analysis(args: argparse.Namespace, sensitivity: bool = False):
    """Read, locate and analyse records with settings from the config file and flags."""
    config_path = args.config or ("sahelmap.toml" if Path("sahelmap.toml").is_file() else None)
    data = read_config(config_path) if config_path else {}
    ps, axs, spec = settings_from(data, str(config_path or "flags"), period=args.period,
                                  start=args.start, end=args.end, level=args.level,
                                  half_life_days=args.half_life, cell_km=args.cell_km,
                                  kernel_km=args.kernel_km,
                                  infer=False if args.no_inferred else None)
    geodata = _load(args)
    paths = args.paths or _default_records(args)
    _say(f"reading {len(paths)} records file(s)")
    records = _read(args, geodata, paths)
    _say(_summary(records))
    places = build_gazetteer(geodata)
    located = locate(records, geodata, places)
    _say(f"presence by {ps.level}, {spec.freq if not spec.windows else 'windows'}, "
                    f"half-life {ps.half_life_days:g} days")
    result = analyse(located, geodata, places, presence_settings=ps, axes_settings=axs,
                     period_spec=spec, sensitivity=sensitivity,
                     progress=_count)
    return geodata, ps, result


def _default_records(args: argparse.Namespace) -> list[str]:
    paths = sorted(str(p) for p in (Path(args.geodata) / "records").glob("*.csv"))
    if not paths:
        raise InputError("no records files given and none in geodata/records; "
                         "pass PATH... of records CSV files")
    return paths


def _write_output(frame, path: str) -> None:
    try:
        write_table(frame, path)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def cmd_presence(args: argparse.Namespace) -> int:
    geodata, ps, result = _analysis(args)
    pres = result["presence"]
    counts = pres[pres["status"] != "none"].groupby("status").size()
    print(f"{len(pres)} unit-period-group rows over {len(result['periods'])} periods; "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if args.output:
        frame = pres
        if Path(args.output).suffix.lower() in (".geojson", ".parquet"):
            geoms = unit_geometries(geodata, pres["unit_id"])
            frame = geoms[["unit_id", "geometry"]].merge(pres, on="unit_id", how="right")
            frame = frame[[c for c in frame.columns if c != "geometry"] + ["geometry"]]
        _write_output(frame, args.output)
        print(f"written to {args.output}")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from .sensitivity import RANGES, summary

    args.no_inferred = True
    geodata, ps, result = _analysis(args, sensitivity=True)
    runs = result["runs"]
    info = summary(result["presence"])
    print(f"{len(runs.columns) - 5} runs besides the settings' own, over "
          + ", ".join(f"{k} {lo:g}..{hi:g}" for k, (lo, hi) in RANGES.items()))
    if info:
        print(f"{info['rows']} statuses above none: {info['all_runs']:.0%} hold in every run, "
              f"{info['unstable']:.0%} in fewer than three quarters of them")
    if args.output:
        _write_output(runs, args.output)
        print(f"written to {args.output}")
    return 0


def cmd_axes(args: argparse.Namespace) -> int:
    _, _, result = _analysis(args)
    ax = result["axes"]
    print(f"{len(ax)} axes: {int((ax['kind'] == 'declared').sum())} declared, "
          f"{int((ax['kind'] == 'inferred').sum())} inferred")
    if args.output:
        _write_output(ax, args.output)
        print(f"written to {args.output}")
    return 0


def _write_records(out: dict, outdir: Path, include_restricted: bool,
                   report_path: str | None = None) -> pd.DataFrame:
    """events, claims, movements, geocode_report and datasets; events of datasets whose
    licence forbids publishing are left out (and said, their geocoding findings printed:
    the first ones, all in ``report_path``) unless ``include_restricted``.
    Returns the geocode report as written."""
    events, report = out["events"], out["report"]
    allowed = pd.Series(map_codes(events["dataset"], publishable, False),
                        index=events.index).astype(bool)
    if include_restricted:
        allowed[:] = True
    if not allowed.all():
        held = events.loc[~allowed, "dataset"].value_counts()
        for dataset, n in held.items():
            _say(f"{n} {dataset} events are used for presence and axes but not "
                 f"published ({licence(dataset)}); --include-restricted makes a "
                 "private build with them")
        hidden = report["record_id"].isin(set(events.loc[~allowed, "event_id"]))
        for line in listing(report[hidden], _hidden_line, report_path):
            _err(line)
        report = report[~hidden]
    datasets = (events.groupby("dataset").size().rename("events").to_frame()
                .join(events[allowed].groupby("dataset").size().rename("published"))
                .fillna(0).astype(int).reset_index())
    datasets["licence"] = datasets["dataset"].map(licence)
    write_csv(datasets, outdir / "datasets.csv")
    # the tables site, gpkg and figure read back also get a columnar copy (see _mirror)
    published = events if allowed.all() else events[allowed]  # no copy of a million rows
    write_csv(published, outdir / "events.csv", sort_by=["event_id"], mirror=True)
    for kind in ("claims", "movements"):
        write_csv(out[kind], outdir / f"{kind}.csv", sort_by=[f"{kind[:-1]}_id"], mirror=True)
    write_csv(report, outdir / "geocode_report.csv")
    return report


def _hidden_line(row) -> str:
    return f"{row.file}:{row.line}: {row.status}: {row.resolution}"


def cmd_build(args: argparse.Namespace, geodata: Geodata | None = None) -> int:
    """``geodata``: the reference data the calling command loaded already (its
    boundaries read, and their notes said, once)."""
    geodata = geodata or _load(args)
    paths = args.paths or _default_records(args)
    _say(f"reading {len(paths)} records file(s)")
    records = _read(args, geodata, paths, geocoded=True)
    _say(_summary(records))
    _say("geocoding and joining admin units")
    places = build_gazetteer(geodata)
    out = locate(records, geodata, places)
    _write_report(args, records, out["report"])
    outdir = Path(args.out)
    # the records' tables go out first: their writing needs memory the analysis then has
    report = _write_records(out, outdir, getattr(args, "include_restricted", False),
                            _report_path(args))
    if getattr(args, "sensitivity", False):
        _say("sensitivity: presence rerun over the parameter ranges of docs/method.md")
    result = analyse(out, geodata, places, sensitivity=getattr(args, "sensitivity", False),
                     progress=_count)
    _say("presence and axes with the default settings")
    write_table(result["presence"], outdir / "presence.csv", mirror=True)
    write_table(result["zones"], outdir / "zones.csv", mirror=True)
    if "runs" in result:
        write_table(result["runs"], outdir / "sensitivity.csv")
    write_table(result["axes"], outdir / "axes.geojson")
    write_table(result["periods"], outdir / "periods.csv", mirror=True)
    _say(f"wrote {outdir}/: events, claims, movements, geocode_report "
         f"({len(report)} rows), presence ({len(result['presence'])} rows), "
         f"zones ({len(result['zones'])}), axes ({len(result['axes'])})")
    return 0


def default_leaflet() -> Path:
    return Path(__file__).resolve().parents[2] / "node_modules" / "leaflet" / "dist"


def cmd_site(args: argparse.Namespace) -> int:
    from .site import build_site, stale_files, write_index  # publishing loads only when used
    from .staging import Staging, finish

    geodata = _load(args)
    places = build_gazetteer(geodata)
    out = Path(args.out)
    if args.index_only and not (out / "assets" / "site.js").is_file():
        raise InputError(f"{out}: no site there to update; build it first with "
                         f"'sahelmap site --tables {args.tables or out} --out {out}'")
    if args.tables:
        tables = _read_tables(args.tables, geodata)
    else:
        cmd_build(argparse.Namespace(**{**vars(args), "out": str(out)}), geodata)
        tables = read_tables(out)
    method = Path(__file__).resolve().parents[2] / "docs" / "method.md"
    method_md = method.read_text(encoding="utf-8") if method.is_file() else \
        "# Method\n\nSee docs/method.md in the sahelmap repository."
    if args.index_only:
        note = finish(out)
        if note:
            _say(note)
        changed = write_index(tables, geodata, out, tiles=args.tiles)
        _say(f"site: {out / 'index.html'} " + ("updated" if changed else "unchanged"))
        return 0
    _say(f"site: {len(tables['periods'])} period pages into {out}/")
    with Staging(out) as stage:
        if stage.note:
            _say(stage.note)
        try:
            result = build_site(tables, geodata, places, out, stage,
                                leaflet_dist=Path(args.leaflet), method_md=method_md,
                                tiles=args.tiles, max_points=args.max_points, progress=_count)
        except FileNotFoundError as exc:
            raise InputError(str(exc)) from None
        removed = stale_files(out, set(tables["periods"]["period"]), stage)
        stage.commit(removed)
    sizes = result["sizes"]
    biggest = max(sizes, key=sizes.get) if sizes else ""
    _say(f"site: {len(result['written'])} file(s) changed, {len(removed)} removed; "
         f"largest period page {biggest} ({sizes.get(biggest, 0) / 1e6:.2f} MB with "
         f"its data); open {out / 'index.html'}")
    return 0


def _tables_for(args: argparse.Namespace, geodata: Geodata) -> dict:
    """Tables from --tables DIR, or computed from the records in a scratch folder."""
    if args.tables:
        return _read_tables(args.tables, geodata)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="sahelmap-") as tmp:
        cmd_build(argparse.Namespace(**{**vars(args), "out": tmp}), geodata)
        return read_tables(tmp)


def _read_tables(directory, geodata: Geodata) -> dict:
    """A build's tables, checked against the admin units in use (never a map that
    silently lacks the units of other boundaries)."""
    tables = read_tables(directory)
    missing = unknown_units(geodata, pd.concat([tables["presence"]["unit_id"],
                                                tables["zones"]["unit_id"]]))
    if missing:
        raise InputError(f"{directory}: the tables name {len(missing)} admin unit(s) the "
                         f"boundaries in use lack (first: {missing[0]!r}); give the boundaries "
                         "the tables were built with (--admin, or [[admin]] in ./sahelmap.toml)")
    return tables


def cmd_gpkg(args: argparse.Namespace) -> int:
    from .gpkg import layers as gpkg_layers, write_gpkg
    from .qgsproject import UNIT_NAMES, period_step, project_path, write_qgz

    project = None if args.no_project else project_path(args.output)  # checked first
    geodata = _load(args)
    places = build_gazetteer(geodata)
    tables = _tables_for(args, geodata)
    frames = gpkg_layers(tables, geodata, places)
    write_gpkg(frames, geodata.actors, args.output, progress=_count)
    print(f"{args.output}: " + ", ".join(f"{k} {len(v)}" for k, v in frames.items()))
    if project:
        periods = tables["periods"]
        write_qgz(args.output, periods)
        step = period_step(periods)
        print(f"{project}: QGIS project, its Temporal Controller over {len(periods)} "
              f"period{'s' if len(periods) != 1 else ''}, "
              f"{step.value} {UNIT_NAMES[step.unit]} a step")
        if not step.regular:  # QGIS steps by one fixed interval
            _err(f"sahelmap: gpkg: note: the periods differ in length or leave gaps, and "
                 f"QGIS's Temporal Controller steps by one interval: {project} steps by "
                 f"{step.value} days (the shortest period), so a frame can show parts of two")
    return 0


def cmd_figure(args: argparse.Namespace) -> int:
    from . import webmap
    from .figures import PeriodFigures, write_figures

    if args.all and args.period:  # with --all, every positional is a records file
        args.paths, args.period = [args.period, *args.paths], None
    if not args.all and not args.period:
        raise InputError("give a PERIOD (such as 2025-04) or --all")
    geodata = _load(args)
    places = build_gazetteer(geodata)
    tables = _tables_for(args, geodata)
    known = list(tables["periods"]["period"])
    if args.all:
        wanted = known
    elif args.period in known:
        wanted = [args.period]
    else:
        raise InputError(f"period {args.period!r} is not in the data; periods run from "
                         f"{known[0]} to {known[-1]}" if known else "no periods in the data")
    labels = webmap.label_places(places, tables["events"], tables["claims"], tables["movements"])
    formats = args.format or (["png", "svg"] if args.all else ["png"])
    source = webmap.records_summary(tables["events"], tables["claims"], tables["movements"],
                                    tables.get("datasets"))
    job = PeriodFigures(tables, geodata, labels, Path(args.out), formats,
                        width_mm=args.width_mm, dpi=args.dpi, source=source)
    try:
        if args.output and not args.all:
            print(job.draw(wanted[0], [Path(args.output)])[0])
            return 0
        if args.all:
            _say(f"figures: {len(wanted)} periods as {', '.join(formats)} into {args.out}/")
        written = write_figures(job, wanted, progress=_count)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if not args.all:
        print(*written, sep="\n")
    return 0


def cmd_embed(args: argparse.Namespace) -> int:
    page = Path(args.site) / f"{args.period}.html"
    if not PERIOD_LABEL.match(args.period) or not page.is_file():
        known = sorted(p.stem for p in Path(args.site).glob("*.html")
                       if p.stem not in ("index", "method"))
        hint = f"built periods run from {known[0]} to {known[-1]}" if known else \
            "no site is built there; run make or sahelmap site first"
        raise InputError(f"{page}: no page for period {args.period!r}; {hint}")
    from .site import snippet

    print(snippet(args.period, args.base or "", args.height))
    return 0


def _admin_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--admin", action="append", metavar="FILE",
                   help="your own admin boundaries, one level per file (repeatable; "
                        "FILE:LAYER for a GeoPackage layer): they replace the built-in units "
                        "of the countries they cover; see README, 'Your own boundaries'")


GEOCODED = "; every name that could not be placed, with the geocoding report's columns"


def _report_option(p: argparse.ArgumentParser, more: str = "") -> None:
    p.add_argument("--report", metavar="FILE",
                   help="write every problem found in the records as CSV (file, line, level, "
                        "field, value, message, fix; an import summary per ACLED/UCDP file"
                        f"{more}); only the first {LIMIT} are printed")


def _sources(p: argparse.ArgumentParser, *, tables: bool = True, restricted: bool = True,
             paths: bool = True) -> None:
    """The options every command that reads records shares."""
    _admin_option(p)
    if paths:
        p.add_argument("paths", nargs="*", metavar="PATH", help="records CSV file(s)")
        _report_option(p, GEOCODED)
    if tables:
        p.add_argument("--tables", metavar="DIR",
                       help="read the tables from DIR instead of computing")
    if restricted:
        p.add_argument("--include-restricted", action="store_true",
                       help="a private build: also publish rows whose licence forbids it (ACLED)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sahelmap", description="Map armed-group presence over time from dated records.")
    parser.add_argument("--version", action="version", version=f"sahelmap {__version__}")
    parser.add_argument("--geodata", default=str(default_geodata()), metavar="DIR",
                        help="reference data folder (default: $SAHELMAP_GEODATA or the "
                             "project's geodata/)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _records_commands(sub)
    _analysis_commands(sub)
    _output_commands(sub)
    return parser


def _records_commands(sub) -> None:
    """validate, geocode, place: the records and the gazetteer."""
    p = sub.add_parser("validate", help="check records files and list every problem",
                       description="Check records files (events, claims, movements) and list "
                                   "every problem with file, line, field, value and fix.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="records CSV file(s)")
    _report_option(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("geocode", help="locate records and report names that could not be placed",
                       description="Geocode records by coordinates or place name, join them to "
                                   "admin units, and list ambiguous, unmatched, unresolved and "
                                   "fuzzy matches.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="records CSV file(s)")
    _report_option(p, GEOCODED)
    p.add_argument("--output", metavar="DIR", help="write located events/claims/movements CSV")
    _admin_option(p)
    p.set_defaults(func=cmd_geocode)

    p = sub.add_parser("place", help="show the places a name matches, with their sources",
                       description="Look a name up in the gazetteer as the geocoder would.")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--country", metavar="ISO3", help="restrict to one country (e.g. MLI)")
    p.add_argument("--admin1", metavar="NAME", help="restrict to one first-level unit")
    p.set_defaults(func=cmd_place)


def _analysis_commands(sub) -> None:
    """presence, axes, sensitivity: one table each, from records and settings."""
    for name, func, what in (("presence", cmd_presence, "presence of each group per unit and period"),
                             ("axes", cmd_axes, "axes of reinforcement, declared and inferred"),
                             ("sensitivity", cmd_sensitivity,
                              "stability of each status when the main parameters move")):
        p = sub.add_parser(name, help=f"compute the {what}",
                           description=f"Compute the {what} from records (default: "
                                       "geodata/records/*.csv). Settings come from --config (or "
                                       "./sahelmap.toml), then from these flags; see docs/method.md.")
        p.add_argument("paths", nargs="*", metavar="PATH", help="records CSV file(s)")
        p.add_argument("-o", "--output", metavar="FILE",
                       help="write the table: .csv, .geojson or .parquet (GeoParquet)")
        p.add_argument("--config", metavar="FILE", help="settings file (default: ./sahelmap.toml)")
        p.add_argument("--period", choices=FREQUENCIES, help="period length (default: month)")
        p.add_argument("--start", metavar="DATE", help="first day of the periods (YYYY-MM-DD)")
        p.add_argument("--end", metavar="DATE", help="last day of the periods (YYYY-MM-DD)")
        p.add_argument("--level", choices=LEVELS,
                       help="places: grid (hexagon cells, the default), admin2 or admin1")
        p.add_argument("--half-life", type=float, metavar="DAYS", help="decay half-life in days")
        p.add_argument("--cell-km", type=float, metavar="KM",
                       help="grid cell size: distance between cell centres (default 25)")
        p.add_argument("--kernel-km", type=float, metavar="KM",
                       help="how far a point record supports the cells around it (default 40)")
        p.add_argument("--no-inferred", action="store_true", help="declared axes only")
        _report_option(p)
        _admin_option(p)
        p.set_defaults(func=func)


def _output_commands(sub) -> None:
    """site, gpkg, figure, embed, build: what the tables are published as."""
    p = sub.add_parser("site", help="build the static map site",
                       description="Build the map site (one page per period, an overview with a "
                                   "time slider, the method page and the downloads) into --out. "
                                   "With --tables, render from tables written by 'sahelmap build'.")
    _sources(p)
    p.add_argument("--out", default="maps", metavar="DIR", help="output folder (default: maps)")
    p.add_argument("--tiles", action="store_true",
                   help="offer an OpenStreetMap tile layer (loads tiles from the network)")
    p.add_argument("--max-points", type=int, default=2000, metavar="N",
                   help="aggregate a period's events above N markers (default 2000)")
    p.add_argument("--leaflet", default=str(default_leaflet()), metavar="DIR",
                   help="Leaflet's dist folder from npm (default: node_modules/leaflet/dist)")
    p.add_argument("--index-only", action="store_true",
                   help="rewrite only index.html, linking the figures and downloads now in "
                        "--out (make runs it after the GeoPackage and the figures)")
    p.set_defaults(func=cmd_site)

    p = sub.add_parser("gpkg", help="write the QGIS-ready GeoPackage",
                       description="Write places, admin units, events, claims, presence and axes "
                                   "to a GeoPackage 1.3 with a default QGIS style per layer and "
                                   "date fields for the Temporal Controller, and beside it a "
                                   "QGIS project (.qgz) that opens them ready to play.")
    _sources(p)
    p.add_argument("-o", "--output", default="maps/sahelmap.gpkg", metavar="FILE",
                   help="the GeoPackage to write (default: maps/sahelmap.gpkg)")
    p.add_argument("--no-project", action="store_true",
                   help="do not write the QGIS project beside it (FILE's name with .qgz: "
                        "its layers styled, the Temporal Controller set to play the periods)")
    p.set_defaults(func=cmd_gpkg)

    p = sub.add_parser("figure", help="draw a period as a report figure (PNG, SVG, PDF)",
                       description="Draw one period (or --all) with the site's colours and "
                                   "symbols, legend, scale bar, north arrow, title and "
                                   "attribution, on a vector basemap.")
    p.add_argument("period", nargs="?", metavar="PERIOD", help="a period label such as 2025-04")
    _sources(p)
    p.add_argument("--all", action="store_true", help="every period, into --out")
    p.add_argument("--format", action="append", choices=["png", "svg", "pdf"],
                   help="output format (repeatable; default png, or png and svg with --all)")
    p.add_argument("--width-mm", type=float, default=170.0, metavar="MM",
                   help="figure width in millimetres (default 170, an A4 text column)")
    p.add_argument("--dpi", type=int, default=300, help="resolution of PNG output (default 300)")
    p.add_argument("-o", "--output", metavar="FILE", help="output file (one period)")
    p.add_argument("--out", default="maps/figures", metavar="DIR",
                   help="output folder (default: maps/figures)")
    p.set_defaults(func=cmd_figure)

    p = sub.add_parser("embed", help="print an iframe snippet for one period page",
                       description="Print a ready-to-paste <iframe> for a built period page.")
    p.add_argument("period", metavar="PERIOD", help="a period label such as 2025-04")
    p.add_argument("--site", default="maps", metavar="DIR", help="the built site (default: maps)")
    p.add_argument("--base", metavar="URL", help="where the site is published (default: relative)")
    p.add_argument("--height", type=int, default=560, metavar="PX", help="iframe height")
    p.set_defaults(func=cmd_embed)

    p = sub.add_parser("build", help="locate records and write the outputs into a folder",
                       description="Read records (default: geodata/records/*.csv), geocode and "
                                   "join them, and write located tables and the report to --out.")
    _sources(p, tables=False)
    p.add_argument("--out", default="maps", metavar="DIR", help="output folder (default: maps)")
    p.add_argument("--sensitivity", action="store_true",
                   help="also rerun presence over the parameter ranges of docs/method.md: each "
                        "row's stability, and sensitivity.csv (make does this)")
    p.set_defaults(func=cmd_build)

def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    global _UI
    _UI = Progress(quiet=args.quiet)
    try:
        if getattr(args, "tables", None) and _report_path(args):
            raise InputError("--report lists the problems of the records read, and with "
                             "--tables none are read; give one of the two")
        return args.func(args)
    except SahelmapError as exc:
        for line in str(exc).splitlines():
            _err(f"sahelmap: error: {line}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("sahelmap: interrupted")
        return 130
    except OSError as exc:  # a folder that is a file, no permission, a full disk
        where = f"{exc.filename}: " if exc.filename else ""
        _err(f"sahelmap: error: {where}{exc.strerror or exc}; check the path and its "
             "permissions, and the free space")
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
