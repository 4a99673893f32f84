"""The canonical records (events, presence claims, movements) and the reader of
sahelmap's own CSV format.

Each file holds one kind of record, told apart by its header: an events file
has ``event_type``, a claims file ``status``, a movements file ``origin`` and
``destination``. The reader checks every row and collects every problem
(file, line, field, value, fix) instead of stopping at the first; valid rows
are kept and invalid ones are returned as rejected rows with their reasons.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import settings
from ._csv import read_header, read_table_rows
from ._errors import InputError, Problem
from .acled import COLUMNS as ACLED_COLUMNS, read_acled
from .actors import resolve_actors
from .imports import MAX_COUNT
from .schema import (COLUMNS, KINDS, REQUIRED, canonical, detect, detect_kind, empty,
                     identify, lower_header)
from .ucdp import read_ucdp

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
DATE_PATTERN = r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$"


@dataclass
class Records:
    """Valid records by kind, the rows that were rejected, and every problem found."""

    events: pd.DataFrame
    claims: pd.DataFrame
    movements: pd.DataFrame
    rejected: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    imports: list = field(default_factory=list)  # ImportReport per ACLED/UCDP file

    def by_kind(self, kind: str) -> pd.DataFrame:
        return {"event": self.events, "claim": self.claims, "movement": self.movements}[kind]


def read_csv_rows(path: Path, *, fallback_encoding: str | None = None, columns=None
                  ) -> tuple[list[str], pd.DataFrame, list[Problem]]:
    """Read a CSV as strings with the physical line number of every row.

    Arrow reads well-formed UTF-8 files (:mod:`sahelmap._csv`, a million rows in
    seconds); any other file goes to :func:`read_csv_rows_carefully`, which gives
    the same rows for the files both can read. ``columns(header)``: the positions of
    the columns the caller reads (Arrow keeps only those; the careful reader keeps all).
    """
    try:
        fast = read_table_rows(Path(path), columns)
    except OSError:
        fast = None  # the careful reader says what is wrong with the path
    if fast is not None:
        return fast[0], fast[1], []
    return read_csv_rows_carefully(path, fallback_encoding=fallback_encoding)


def read_csv_rows_carefully(path: Path, *, fallback_encoding: str | None = None
                            ) -> tuple[list[str], pd.DataFrame, list[Problem]]:
    """Read a CSV as strings with the physical line number of every row, row by row.

    The stdlib reader knows where each row starts, even when a quoted note spans
    lines (CRLF or LF). UTF-8 with or without BOM is read;
    with ``fallback_encoding`` (ACLED and UCDP files saved by spreadsheets are
    often cp1252) a non-UTF-8 file is decoded with it and a warning says so.

    Rows with too many or too few fields are reported, not dropped: a row with
    more fields keeps its first ones (the surplus is named in the problem).
    """
    name = str(path)
    problems: list[Problem] = []
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read file ({exc.strerror}); check the path") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        if fallback_encoding is None:
            raise InputError(
                f"{name}:{line}: byte 0x{raw[exc.start]:02x} is not UTF-8; "
                "save the file as UTF-8 (in a spreadsheet: CSV UTF-8)") from None
        text = raw.decode(fallback_encoding, errors="replace")
        problems.append(Problem(name, line, "", "",
                                f"file is not UTF-8 (byte 0x{raw[exc.start]:02x}); read as "
                                f"{fallback_encoding}",
                                "check accented names; save as UTF-8 to silence this",
                                level="warning"))
    # only CR, LF and CRLF end lines (not U+0085 or U+2028, which str.splitlines also takes)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError(f"{name}: file is empty; a records file needs a header row") from None
    rows, lines = [], []
    width = len(header)
    start = reader.line_num + 1
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                start = reader.line_num + 1
                continue
            if len(row) > width:
                extra = [c for c in row[width:] if c.strip()]
                if extra:
                    problems.append(Problem(name, start, "", extra[0],
                                            f"row has {len(row)} fields, header has {width}; "
                                            "kept with the first ones",
                                            "quote values that contain commas",
                                            level="warning"))
                row = row[:width]
            elif len(row) < width:
                row = row + [""] * (width - len(row))
            rows.append(row)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"{name}:{reader.line_num}: {exc}; check the quoting of this row") from None
    frame = pd.DataFrame(rows, columns=header, dtype=object).fillna("")
    frame = frame.apply(lambda c: c.astype(str).str.strip()) if len(frame) else frame
    frame["file"] = name
    frame["line"] = np.asarray(lines, dtype="int64")
    return header, frame, problems


def _dates(values: pd.Series, end: bool) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse YYYY, YYYY-MM or YYYY-MM-DD; return (date, precision, ok).

    For ``end=True`` a partial date stands for the last day it covers.
    """
    parts = values.str.extract(DATE_PATTERN)
    y = pd.to_numeric(parts["y"], errors="coerce")
    m = pd.to_numeric(parts["m"], errors="coerce")
    d = pd.to_numeric(parts["d"], errors="coerce")
    precision = pd.Series(np.where(d.notna(), "day", np.where(m.notna(), "month", "year")),
                          index=values.index)
    start = pd.to_datetime(
        pd.DataFrame({"year": y, "month": m.fillna(1), "day": d.fillna(1)}), errors="coerce")
    date = start
    if end:
        month_end = start + pd.offsets.MonthEnd(0)
        year_end = start + pd.offsets.YearEnd(0)
        date = start.where(precision == "day", month_end.where(precision == "month", year_end))
    ok = y.notna() & date.notna()
    return date, precision, ok


def _check_choice(frame, col, allowed, kind_label, problems, required=True):
    vals = frame[col]
    bad = ~vals.isin(allowed)
    if not required:
        bad &= vals != ""
    for i in np.flatnonzero(bad.to_numpy()):
        problems.append(Problem(frame["file"].iat[i], int(frame["line"].iat[i]), col,
                                vals.iat[i], f"is not a known {kind_label}",
                                f"use one of: {', '.join(allowed)}"))
    return bad


class _Checks:
    """The problems found in raw rows of one kind, and the rows they reject."""

    def __init__(self, frame: pd.DataFrame, kind: str):
        self.frame, self.kind = frame, kind
        self.problems: list[Problem] = []
        self.bad = pd.Series(False, index=frame.index)

    def report(self, mask: pd.Series, col: str, message: str, fix: str) -> None:
        frame = self.frame
        for i in np.flatnonzero(mask.to_numpy()):
            self.problems.append(Problem(frame["file"].iat[i], int(frame["line"].iat[i]), col,
                                         str(frame[col].iat[i]), message, fix))
        self.bad |= mask

    def choice(self, col: str, allowed, what: str, required: bool = True) -> None:
        self.bad |= _check_choice(self.frame, col, list(allowed), what, self.problems,
                                  required=required)


def validate(frame: pd.DataFrame, kind: str, actors: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """Check raw string rows of one kind; return (valid canonical rows, rejected rows, problems)."""
    if frame.empty:
        return empty(kind), frame.iloc[0:0].assign(reason=""), []
    frame = frame.copy()
    for col in COLUMNS[kind]:
        if col not in frame.columns:
            frame[col] = ""
    checks = _Checks(frame, kind)
    _check_ids(checks)
    start, end = _check_dates(checks)
    _check_actors(checks, actors)
    _check_values(checks)
    _check_places(checks)
    frame["date_start"], frame["date_end"] = start.dt.date, end.dt.date
    rejected = frame.loc[checks.bad].copy()
    valid = canonical(frame.loc[~checks.bad].copy(), kind)
    return valid, rejected, checks.problems


def _check_ids(checks: _Checks) -> None:
    """Required fields filled; record ids well formed and not repeated."""
    frame, kind = checks.frame, checks.kind
    for col in REQUIRED[kind]:
        if kind != "movement" and col == "place_name":
            continue
        checks.report(frame[col] == "", col, "is empty", f"every {kind} needs a {col}")
    ids = frame["record_id"]
    checks.report((ids != "") & ~ids.str.match(ID_PATTERN),
                  "record_id", "is not a valid id",
                  "use lower-case letters, digits, '.', '_' or '-' (at most 80)")
    dup = (ids != "") & ids.duplicated(keep="first")
    checks.report(dup, "record_id", "repeats an earlier record_id", "give every record its own id")


def _check_dates(checks: _Checks) -> tuple[pd.Series, pd.Series]:
    """The first and last day of each record, its date precision set where not given."""
    frame = checks.frame
    start, start_prec, start_ok = _dates(frame["date_start"], end=False)
    checks.report((frame["date_start"] != "") & ~start_ok, "date_start", "is not a date",
                  "write YYYY-MM-DD, YYYY-MM or YYYY")
    has_end = frame["date_end"] != ""
    end_given, _, end_ok = _dates(frame["date_end"], end=True)
    checks.report(has_end & ~end_ok, "date_end", "is not a date",
                  "write YYYY-MM-DD, YYYY-MM or YYYY")
    implied_end, _, _ = _dates(frame["date_start"], end=True)
    end = end_given.where(has_end, implied_end)
    checks.report(start_ok & has_end & end_ok & (end < start), "date_end",
                  "is before date_start", "swap the two dates or correct one of them")
    precision = frame["date_precision"].where(
        frame["date_precision"] != "",
        pd.Series(np.where(has_end & (end != implied_end), "range", start_prec), index=frame.index))
    frame["date_precision"] = precision
    _check_choice(frame, "date_precision", list(settings.DATE_PRECISIONS), "date precision",
                  checks.problems)
    checks.bad |= ~frame["date_precision"].isin(settings.DATE_PRECISIONS)
    return start, end


def _check_actors(checks: _Checks, actors: pd.DataFrame) -> None:
    """Actors (and an event's opponent) resolved to known groups, the raw text kept."""
    frame = checks.frame
    resolved = resolve_actors(frame["actor"], actors)
    checks.report((frame["actor"] != "") & (resolved["actor"] == ""), "actor",
                  "is not a known group",
                  "use an actor_id or alias from geodata/actors.csv, or add the alias there")
    frame["actor_raw"] = frame["actor"]
    frame["actor"] = resolved["actor"]
    frame["actor_candidates"] = resolved["actor_candidates"]
    if checks.kind == "event":
        opp = resolve_actors(frame["opponent"], actors)
        checks.report((frame["opponent"] != "") & (opp["actor"] == ""), "opponent",
                      "is not a known group",
                      "use an actor_id or alias from geodata/actors.csv, or add the alias there")
        frame["opponent_raw"] = frame["opponent"]
        frame["opponent"] = opp["actor"]


def _check_values(checks: _Checks) -> None:
    """Confidence, and each kind's own fields: an event's type and fatalities, a claim's
    status."""
    frame, kind = checks.frame, checks.kind
    checks.choice("confidence", settings.CONFIDENCES, "confidence", required=False)
    if kind == "event":
        frame["event_type_raw"] = frame["event_type"]
        checks.choice("event_type", settings.EVENT_TYPES, "event type", required=False)
        fat = pd.to_numeric(frame["fatalities"], errors="coerce")
        fat_ok = fat.notna() & np.isfinite(fat) & fat.between(0, MAX_COUNT) & (fat == fat.round())
        checks.report((frame["fatalities"] != "") & ~fat_ok, "fatalities",
                      "is not a whole number of people",
                      "write a count such as 12, or leave it empty")
        frame["fatalities"] = fat.where(fat_ok).astype("Int64")
    if kind == "claim":
        checks.choice("status", settings.CLAIM_STATUSES, "claim status", required=False)


def _check_places(checks: _Checks) -> None:
    """A movement's kind and countries; else the country, precision and coordinates."""
    frame, kind = checks.frame, checks.kind
    if kind == "movement":
        frame["kind"] = frame["kind"].replace("", "movement")
        checks.choice("kind", settings.MOVEMENT_KINDS, "movement kind")
        for col in ("origin_country", "destination_country"):
            checks.choice(col, settings.COUNTRIES, "country code", required=False)
        return
    checks.choice("country", settings.COUNTRIES, "country code", required=False)
    checks.choice("location_precision", settings.LOCATION_PRECISIONS, "location precision",
                  required=False)
    lat = pd.to_numeric(frame["latitude"], errors="coerce")
    lon = pd.to_numeric(frame["longitude"], errors="coerce")
    has_lat, has_lon = frame["latitude"] != "", frame["longitude"] != ""
    checks.report(has_lat & ~lat.between(-90, 90), "latitude", "is not a latitude",
                  "write decimal degrees between -90 and 90 (north positive)")
    checks.report(has_lon & ~lon.between(-180, 180), "longitude", "is not a longitude",
                  "write decimal degrees between -180 and 180 (east positive)")
    checks.report(has_lat != has_lon, "latitude", "and longitude must be given together",
                  "fill both coordinates or neither")
    checks.report((frame["place_name"] == "") & ~(has_lat & has_lon), "place_name", "is empty",
                  f"every {kind} needs a place_name or coordinates")
    frame["latitude"], frame["longitude"] = lat, lon


def read_records(paths: list[Path | str], actors: pd.DataFrame,
                 kind: str | None = None, progress=None) -> Records:
    """Read one or more records files of sahelmap's CSV format (or ACLED and UCDP
    exports); ``progress(what, done, total)`` counts the files read.

    Never raises for row problems: they come back in ``Records.problems`` and the
    offending rows in ``Records.rejected``. Raises :class:`InputError` when a file
    cannot be read at all.
    """
    found: dict[str, list[pd.DataFrame]] = {k: [] for k in KINDS}
    rejected: list[pd.DataFrame] = []
    problems: list[Problem] = []
    seen_ids: dict[str, tuple[str, int]] = {}
    reports = []
    count = progress if progress and paths else (lambda what, done, total: None)
    for i, path in enumerate(paths):
        count("import files", i, len(paths))
        name = str(path)
        header, frame, read_problems = _read_file(Path(path), kind)
        problems += read_problems
        source = detect(header)
        if kind is None and source in ("acled", "ucdp"):
            this_kind = "event"
            events, report, found_problems, bad = _read_export(frame, header, source, actors,
                                                               name)
            reports.append(report)
        else:
            this_kind = kind or detect_kind(header)  # identify() refused files without one
            events, found_problems, bad = _read_own(frame, header, this_kind, actors, name,
                                                    seen_ids)
        problems += found_problems
        rejected += [bad] if len(bad) else []
        found[this_kind] += [events] if events is not None else []
    count("import files", len(paths), len(paths))
    out = {k: (pd.concat(v, ignore_index=True) if v else empty(k)) for k, v in found.items()}
    rejected_frame = (pd.concat(rejected, ignore_index=True) if rejected
                      else pd.DataFrame(columns=["file", "line", "reason"]))
    return Records(events=out["event"], claims=out["claim"], movements=out["movement"],
                   rejected=rejected_frame, problems=sorted(problems), imports=reports)


def _read_file(path: Path, kind: str | None) -> tuple[list[str], pd.DataFrame, list[Problem]]:
    """A file's header, rows and reading problems. The layout is checked from the first
    line before the rows are read (unless ``kind`` says what the file holds): a file
    sahelmap cannot use costs one line, not a read of all its rows."""
    head = read_header(path) if kind is None else None
    problems = identify(path, head) if head is not None else []
    header, frame, row_problems = read_csv_rows(path, fallback_encoding="cp1252",
                                                columns=None if kind else columns_read)
    if kind is None and head is None:  # the first line could not be read on its own
        problems += identify(path, header)
    return header, frame, problems + row_problems


def _read_own(frame: pd.DataFrame, header: list[str], kind: str, actors: pd.DataFrame,
              name: str, seen_ids: dict[str, tuple[str, int]]
              ) -> tuple[pd.DataFrame | None, list[Problem], pd.DataFrame]:
    """One of sahelmap's own files: its valid records (None when it lacks a required
    column: every row is rejected), problems and rejected rows, each with its reason;
    ``seen_ids`` (record ids of the files read before) gains its ids."""
    missing = [c for c in REQUIRED[kind] if c not in header]
    if kind != "movement" and "place_name" in missing and {"latitude", "longitude"} <= set(header):
        missing.remove("place_name")
    if missing:
        problems = [Problem(name, 1, col, "", "required column is missing",
                            f"add it to the header; a {kind}s file needs "
                            f"{', '.join(REQUIRED[kind])}") for col in missing]
        return (None, problems,
                frame.assign(reason=f"file lacks column(s) {', '.join(missing)}"))
    # unknown columns are kept, not an error: said once so that typos are visible
    problems = [Problem(name, 1, col, "", "is not a column sahelmap reads (kept as is)",
                        f"rename it to one of: {', '.join(COLUMNS[kind])}", level="warning")
                for col in header if col and col not in COLUMNS[kind]]
    valid, bad, found = validate(frame, kind, actors)
    # record ids must be unique across files of the same dataset
    clash = valid["record_id"].isin(list(seen_ids))
    for j in np.flatnonzero(clash.to_numpy()):
        rid = valid["record_id"].iat[j]
        other = seen_ids[rid]
        found.append(Problem(name, int(valid["line"].iat[j]), "record_id", rid,
                             f"is already used at {other[0]}:{other[1]}",
                             "give every record its own id"))
    if clash.any():
        bad = pd.concat([bad, valid.loc[clash]])
        valid = valid.loc[~clash].reset_index(drop=True)
    seen_ids.update({r: (name, int(l)) for r, l in zip(valid["record_id"], valid["line"])})
    bad = bad.assign(reason=bad["line"].map(_reasons(found)).fillna("")) if len(bad) else bad
    return valid, problems + found, bad


def _read_export(frame: pd.DataFrame, header: list[str], source: str, actors: pd.DataFrame,
                 name: str) -> tuple[pd.DataFrame, object, list[Problem], pd.DataFrame]:
    """An ACLED or UCDP export's events, import report, problems (the flagged rows and the
    unknown actors) and rejected rows, each with its reason."""
    reader = read_acled if source == "acled" else read_ucdp
    events, report = reader(frame, header, actors, name)
    problems = list(report.flagged)
    for actor, n in sorted(report.unknown_actors.items()):
        problems.append(Problem(name, 0, "actor", actor, f"is not a known group ({n} rows)",
                                "add it as an alias in geodata/actors.csv", level="warning"))
    bad_lines = {p.line for p in report.flagged if p.level == "error"}
    bad = frame[frame["line"].isin(bad_lines)] if bad_lines else frame.iloc[:0]
    return events, report, problems, bad.assign(reason=bad["line"].map(_reasons(report.flagged)))


def columns_read(header: list[str]) -> list[int] | None:
    """The columns an importer reads from a file with this header (None: all of them)."""
    if detect(header) == "acled":
        return [i for i, name in enumerate(lower_header(header)) if name in ACLED_COLUMNS]
    return None


def _reasons(problems: list[Problem]) -> dict[int, str]:
    reasons: dict[int, list[str]] = {}
    for p in problems:
        if p.line > 1 and p.level == "error":
            reasons.setdefault(p.line, []).append(f"{p.field} {p.message}")
    return {line: "; ".join(r) for line, r in reasons.items()}
