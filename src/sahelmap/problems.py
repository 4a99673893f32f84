"""The problems of a run: the first few as lines to print, every one in the report table.

A command prints at most ``LIMIT`` problems of a kind, then one line saying how many
more there are and where they all are (the ``--report`` file, or how to get one). The
report (:func:`report_frame`) is one table, one row per problem:

- ``file, line, level, field, value, message, fix``: the reader's and the importers'
  problems (``level`` error or warning; line 0 is the whole file);
- ``level`` summary: one row per ACLED or UCDP file imported (``value`` its layout,
  ``message`` rows read, kept, merged, skipped and rejected);
- for geocode and build, the geocoding report's findings as warnings (a name ambiguous,
  unmatched or fuzzy-matched, a point outside its country, a link between datasets),
  which also fill the geocode report's own columns (``record_id, place_name, country,
  admin1, status, candidates, resolution``); its rejected rows are the reader's errors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from ._errors import Problem

LIMIT = 20
COLUMNS = ["file", "line", "level", "field", "value", "message", "fix"]
NAME_FIELDS = ["place_name", "origin", "destination"]  # the geocoder's: the others name a record
GEOCODE_COLUMNS = ["record_id", "place_name", "country", "admin1", "status", "candidates",
                   "resolution"]


def listing(items: Sequence | pd.DataFrame, describe: Callable = str, report: str | None = None,
            limit: int = LIMIT) -> list[str]:
    """Lines to print for ``items`` (a list, or a frame whose rows ``describe`` takes as
    named tuples): the first ``limit``, then how many more and where they all are."""
    if isinstance(items, pd.DataFrame):
        head = list(items.head(limit).itertuples(index=False))
    else:
        head = list(items[:limit])
    lines = [describe(item) for item in head]
    more = len(items) - len(head)
    if more > 0:
        where = f"all in {report}" if report else "rerun with --report FILE to get them all"
        lines.append(f"… and {more} more ({where})")
    return lines


def report_frame(problems: list[Problem], imports: Sequence = (),
                 geocoded: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every problem as one row (see the module's docstring), by file and line; a file's
    import summary comes first among its rows."""
    parts = [_summaries(imports),
             pd.DataFrame([(p.file, p.line, p.level, p.field, p.value, p.message, p.fix)
                           for p in problems], columns=COLUMNS)]
    if geocoded is not None:
        parts.append(_geocoded(geocoded))
    out = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    out = out.reindex(columns=COLUMNS + (GEOCODE_COLUMNS if geocoded is not None else []),
                      fill_value="").astype(object).fillna("")
    out["line"] = out["line"].astype("int64")
    return out.sort_values(["file", "line"], kind="stable").reset_index(drop=True)


def _summaries(imports: Sequence) -> pd.DataFrame:
    return pd.DataFrame(
        [(r.file, 0, "summary", "layout", r.layout,
          f"{r.rows_read} rows read, {r.events_kept} events kept, {r.duplicates_merged} "
          f"duplicates merged, {r.skipped} HXL rows skipped, "
          f"{sum(p.level == 'error' for p in r.flagged)} rows rejected", "")
         for r in imports], columns=COLUMNS)


def _geocoded(report: pd.DataFrame) -> pd.DataFrame:
    """The geocoding report's findings as warnings (its rejected rows left out: the
    reader reported them with their reasons)."""
    report = report.reindex(columns=["file", "line", "field", "fix", *GEOCODE_COLUMNS],
                            fill_value="").astype(object).fillna("")
    rows = report[report["status"] != "rejected"]
    name, candidates = rows["place_name"], rows["candidates"]
    out = pd.DataFrame({
        "file": rows["file"], "line": rows["line"], "level": "warning", "field": rows["field"],
        "value": name.where(rows["field"].isin(NAME_FIELDS), rows["record_id"]),
        "message": (rows["status"] + ": " + rows["resolution"]
                    + candidates.where(candidates == "", " [" + candidates + "]")),
        "fix": rows["fix"]}, columns=COLUMNS)
    return out.join(rows[GEOCODE_COLUMNS])
