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
from ._errors import SahelmapError
from .export import write_csv
from .gazetteer import build_gazetteer
from .geocode import geocode, geocode_movements, match_names
from .geodata import Geodata, read_geodata
from .join import join_admin
from .records import Records, read_records

EXIT_INVALID = 1
EXIT_USAGE = 2


def default_geodata() -> Path:
    """``$SAHELMAP_GEODATA``, else the ``geodata/`` folder of this source tree."""
    env = os.environ.get("SAHELMAP_GEODATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "geodata"


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _progress(args: argparse.Namespace, msg: str) -> None:
    if not args.quiet:
        print(f"sahelmap: {msg}", file=sys.stderr)


def _load(args: argparse.Namespace) -> Geodata:
    return read_geodata(Path(args.geodata))


def _read(args: argparse.Namespace, geodata: Geodata, paths: list[str]) -> Records:
    records = read_records(paths, geodata.actors)
    for problem in records.problems:
        _err(str(problem))
    return records


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


def locate(records: Records, geodata: Geodata) -> dict[str, pd.DataFrame]:
    """Geocode and join every kind of record; return the frames and one report."""
    places = build_gazetteer(geodata)
    events, rep_e = geocode(records.events, places)
    claims, rep_c = geocode(records.claims, places)
    moves, rep_m = geocode_movements(records.movements, places)
    events = join_admin(events, geodata.admin1, geodata.admin2)
    claims = join_admin(claims, geodata.admin1, geodata.admin2)
    report = pd.concat([rep_e, rep_c, rep_m], ignore_index=True)
    rejected = records.rejected
    if len(rejected):
        extra = pd.DataFrame({"file": rejected["file"], "line": rejected["line"],
                              "record_id": rejected.get("record_id", ""), "status": "rejected",
                              "resolution": "row not read", "fix": rejected["reason"]})
        report = pd.concat([report, extra], ignore_index=True)
    report = report.fillna("").sort_values(["file", "line", "field"], kind="stable")
    return {"events": events, "claims": claims, "movements": moves, "report": report}


def cmd_geocode(args: argparse.Namespace) -> int:
    geodata = _load(args)
    records = _read(args, geodata, args.paths)
    out = locate(records, geodata)
    for kind in ("events", "claims"):
        frame = out[kind]
        counts = frame["geocode_method"].value_counts().sort_index()
        print(f"{kind}: {len(frame)} ({', '.join(f'{k} {v}' for k, v in counts.items()) or 'none'})")
    moves = out["movements"]
    print(f"movements: {len(moves)} ({int(moves.geometry.notna().sum())} with both ends located)")
    report = out["report"]
    for row in report.itertuples(index=False):
        print(f"{row.file}:{row.line}: {row.place_name or row.record_id!s} — {row.status}: "
              f"{row.resolution}" + (f" [{row.candidates}]" if row.candidates else ""))
    if args.report:
        write_csv(report, args.report)
        print(f"report: {len(report)} row(s) written to {args.report}")
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


def cmd_build(args: argparse.Namespace) -> int:
    geodata = _load(args)
    paths = args.paths or sorted(str(p) for p in (Path(args.geodata) / "records").glob("*.csv"))
    if not paths:
        raise SahelmapError("no records files given and none in geodata/records; "
                            "pass PATH... of records CSV files")
    _progress(args, f"reading {len(paths)} records file(s)")
    records = _read(args, geodata, paths)
    _progress(args, _summary(records))
    _progress(args, "geocoding and joining admin units")
    out = locate(records, geodata)
    outdir = Path(args.out)
    for kind in ("events", "claims", "movements"):
        write_csv(out[kind], outdir / f"{kind}.csv", sort_by=[f"{kind[:-1]}_id"])
    write_csv(out["report"], outdir / "geocode_report.csv")
    _progress(args, f"wrote {outdir}/events.csv, claims.csv, movements.csv and "
                    f"geocode_report.csv ({len(out['report'])} report rows)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sahelmap", description="Map armed-group presence over time from dated records.")
    parser.add_argument("--version", action="version", version=f"sahelmap {__version__}")
    parser.add_argument("--geodata", default=str(default_geodata()), metavar="DIR",
                        help="reference data folder (default: $SAHELMAP_GEODATA or the "
                             "project's geodata/)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check records files and list every problem",
                       description="Check records files (events, claims, movements) and list "
                                   "every problem with file, line, field, value and fix.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="records CSV file(s)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("geocode", help="locate records and report names that could not be placed",
                       description="Geocode records by coordinates or place name, join them to "
                                   "admin units, and list ambiguous, unmatched, unresolved and "
                                   "fuzzy matches.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="records CSV file(s)")
    p.add_argument("--report", metavar="FILE", help="write the geocoding report as CSV")
    p.add_argument("--output", metavar="DIR", help="write located events/claims/movements CSV")
    p.set_defaults(func=cmd_geocode)

    p = sub.add_parser("place", help="show the places a name matches, with their sources",
                       description="Look a name up in the gazetteer as the geocoder would.")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--country", metavar="ISO3", help="restrict to one country (e.g. MLI)")
    p.add_argument("--admin1", metavar="NAME", help="restrict to one first-level unit")
    p.set_defaults(func=cmd_place)

    p = sub.add_parser("build", help="locate records and write the outputs into a folder",
                       description="Read records (default: geodata/records/*.csv), geocode and "
                                   "join them, and write located tables and the report to --out.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="records CSV file(s)")
    p.add_argument("--out", default="maps", metavar="DIR", help="output folder (default: maps)")
    p.set_defaults(func=cmd_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except SahelmapError as exc:
        for line in str(exc).splitlines():
            _err(f"sahelmap: error: {line}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("sahelmap: interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
