"""The canonical record schema and the recognition of input layouts.

Every reader produces frames with these columns (:func:`canonical`); the layout
of an input file (sahelmap's own notes of each kind, an ACLED or a UCDP export)
is recognised from its header here, in one place. Readers import this module;
it imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ._errors import InputError, Problem

KINDS = ("event", "claim", "movement")
COMMON = ["record_id", "date_start", "date_end", "date_precision", "actor", "confidence",
          "source", "notes"]
PLACE = ["place_name", "country", "admin1", "within", "latitude", "longitude",
         "location_precision"]
COLUMNS: dict[str, list[str]] = {
    "event": COMMON + ["opponent", "event_type", "fatalities"] + PLACE,
    "claim": COMMON + ["status"] + PLACE,
    "movement": COMMON + ["origin", "origin_country", "origin_admin1", "destination",
                          "destination_country", "destination_admin1", "size", "kind"],
}
REQUIRED: dict[str, list[str]] = {
    "event": ["record_id", "date_start", "actor", "event_type", "confidence", "source",
              "place_name"],
    "claim": ["record_id", "date_start", "actor", "status", "confidence", "source", "place_name"],
    "movement": ["record_id", "date_start", "actor", "origin", "destination", "confidence",
                 "source"],
}


def empty(kind: str) -> pd.DataFrame:
    """An empty frame with the canonical columns of ``kind``."""
    return canonical(pd.DataFrame(columns=COLUMNS[kind] + ["file", "line"]), kind)


def canonical(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Order and type the canonical columns; ids are prefixed by dataset."""
    frame = frame.copy()
    for col in COLUMNS[kind] + ["actor_raw", "actor_candidates", "file", "line"]:
        if col not in frame.columns:
            frame[col] = ""
    if kind == "event":
        for col in ("opponent_raw", "event_type_raw"):
            if col not in frame.columns:
                frame[col] = ""
    if "dataset" not in frame.columns:
        frame["dataset"] = "notes"
    frame.insert(0, "record_kind", kind)
    ids = frame["dataset"].astype(str) + ":" + frame["record_id"].astype(str)
    frame.insert(0, f"{kind}_id", ids)
    return frame.reset_index(drop=True)


def lower_header(header: list[str]) -> list[str]:
    return [h.strip().strip("\ufeff").lower() for h in header]


def detect_kind(columns: list[str]) -> str | None:
    """The record kind of one of sahelmap's own files, from its columns."""
    cols = set(columns)
    if "event_type" in cols:
        return "event"
    if "status" in cols:
        return "claim"
    if "origin" in cols or "destination" in cols:
        return "movement"
    return None


def detect(header: list[str]) -> str | None:
    """'acled', 'ucdp', 'notes' or None, from the column names: an export is read as one
    when it resembles the source and has every column sahelmap needs of it; a file with
    a record_id is one of sahelmap's own (which may keep an export's columns as extras)."""
    cols = set(lower_header(header))
    if "record_id" in cols:
        return "notes"
    for key, source in EXPORTS.items():
        if source.resembled_by(cols) and not source.lacks(cols):
            return key
    return None


@dataclass(frozen=True)
class Export:
    """A source whose files sahelmap reads: the columns that tell it apart, the columns
    it needs (one of each group), those it reads with less when missing (with what
    follows), and how to get a complete file."""

    name: str
    marks: frozenset[str]
    strong: frozenset[str]  # one of these alone makes a file look like the source
    needs: tuple[tuple[str, ...], ...]
    wants: dict[str, str]  # column (alternatives joined by '|') -> what its absence costs
    fix: str

    def resembled_by(self, cols: set[str]) -> bool:
        return bool(cols & self.strong) or len(cols & self.marks) >= 2

    def lacks(self, cols: set[str]) -> list[str]:
        """The needed columns missing, each group by its first name."""
        return [group[0] for group in self.needs if not cols & set(group)]

    def thin(self, cols: set[str], old: bool = False) -> list[str]:
        """The wanted columns missing (for ACLED, ``old``: an export from before 2019,
        when there was no sub_event_type)."""
        return [name.split("|")[0] for name in self.wants
                if not cols & set(name.split("|")) and not (old and name == "sub_event_type")]


ACLED_FIX = ("re-export it from ACLED's data export tool with all columns "
             "(or call the API without a fields= filter)")
EXPORTS = {
    "acled": Export(
        "ACLED export",
        marks=frozenset({"event_id_cnty", "event_id_no_cnty", "event_date", "sub_event_type",
                         "actor1", "actor2", "assoc_actor_1", "ally_actor_1", "inter1", "inter2",
                         "interaction", "disorder_type", "civilian_targeting", "geo_precision",
                         "time_precision", "source_scale", "gwno"}),
        strong=frozenset({"event_id_cnty", "event_date"}),
        needs=(("event_id_cnty", "event_id_no_cnty", "data_id"), ("event_date",),
               ("event_type",), ("actor1", "actor"), ("latitude",), ("longitude",)),
        wants={"sub_event_type": "territory taken counts as a battle",
               "time_precision": "every date taken as an exact day",
               "geo_precision": "every location taken as exact",
               "fatalities": "no fatality counts", "location": "", "country|iso3": "",
               "source": "", "notes": ""},
        fix=ACLED_FIX),
    "ucdp": Export(
        "UCDP GED download",
        marks=frozenset({"side_a", "side_b", "best", "best_est", "where_prec", "date_prec",
                         "type_of_violence", "relid", "dyad_new_id", "conflict_new_id",
                         "where_coordinates", "deaths_civilians", "adm_1", "source_headline",
                         "active_year", "priogrid_gid"}),
        strong=frozenset(),
        needs=(("id",), ("date_start",), ("side_a",), ("latitude",), ("longitude",)),
        wants={"where_prec": "every event located only to its country",
               "date_prec": "every date taken as a range",
               "type_of_violence": "every event typed other",
               "best|best_est": "no fatality counts", "side_b": "no opponents"},
        fix="download the GED CSV again from ucdp.uu.se/downloads, all columns"),
}
# files of counts per area and period (HDX HAPI's conflict events, ACLED's aggregates on
# HDX): an events column and a period, and no event id
PERIOD_COLUMNS = {"reference_period_start", "month", "year"}
DELIMITERS = {";": "';'", "\t": "tabs", "|": "'|'"}


def identify(path: Path, header: list[str]) -> list[Problem]:
    """Check that ``header`` is the header of a file sahelmap reads: raise an
    :class:`InputError` naming the source the file resembles, what it lacks and the fix
    when it cannot be read at all; return a warning when an export lacks columns it is
    read without (once per file, from the header alone)."""
    cols = set(lower_header(header))
    if len(header) == 1 and header[0] and any(d in header[0] for d in (",", *DELIMITERS)):
        raise _one_column(path, header[0])
    if "record_kind" in cols and cols & {f"{k}_id" for k in KINDS}:
        raise InputError(f"{path}:1: a table sahelmap wrote (its records, located), not a "
                         "records file; give the records files it was built from (your own, "
                         "or ACLED and UCDP exports)")
    if "record_id" in cols:  # the own format first: it may keep export columns as extras
        return _own(path, cols)
    if "events" in cols and cols & PERIOD_COLUMNS and not cols & {"record_id", "id",
                                                                   *EXPORTS["acled"].needs[0]}:
        raise _counts(path, header, cols)
    for source in EXPORTS.values():
        if not source.resembled_by(cols):
            continue
        lacking = source.lacks(cols)
        if lacking:
            raise InputError(f"{path}:1: {source.name} without {', '.join(lacking)}, which "
                             f"sahelmap needs of every event; {source.fix}")
        return _thin(path, source, cols, _old_acled(header, cols))
    raise InputError(f"{path}:1: not a file sahelmap reads (columns: {_some(header) or 'none'}); it reads "
                     "ACLED event exports, UCDP GED downloads and its own records files "
                     "(README, 'Input files')")


def _own(path: Path, cols: set[str]) -> list[Problem]:
    if detect_kind(list(cols)) is None:
        raise InputError(
            f"{path}:1: sahelmap records file without event_type, status, or origin and "
            "destination, the column that says whether its rows are events, claims or "
            "movements; add the one for the kind of records it holds (README, 'Records "
            "format')")
    return []


def _thin(path: Path, source: Export, cols: set[str], old: bool) -> list[Problem]:
    missing = source.thin(cols, old)
    if not missing:
        return []
    costs = [source.wants[w] for w in source.wants
             if w.split("|")[0] in missing and source.wants[w]]
    return [Problem(str(path), 1, "", "", f"{source.name} without {', '.join(missing)}: read "
                    f"with them empty" + (f" ({'; '.join(costs)})" if costs else ""),
                    source.fix, level="warning")]


def _old_acled(header: list[str], cols: set[str]) -> bool:
    """An ACLED export from before 2019 (upper-case names, data_id, event_id_no_cnty)."""
    return (any(h.isupper() for h in header if h.strip())
            or bool(cols & {"data_id", "event_id_no_cnty", "gwno"}))


def _some(names: list[str], n: int = 6) -> str:
    return ", ".join(names[:n]) + (", …" if len(names) > n else "")


def _one_column(path: Path, name: str) -> InputError:
    """A header that is one column holding the delimiter: rows wrapped in quotes, or
    another delimiter than the comma."""
    sep = next((d for d in (",", *DELIMITERS) if d in name), ",")
    inner = [h.strip() for h in name.split(sep)]
    like = next((s.name for s in EXPORTS.values() if s.resembled_by(set(lower_header(inner)))),
                "CSV file")
    shown = f'"{_some(inner, 3).replace(", ", sep)}"'
    if sep == ",":
        return InputError(
            f"{path}:1: {like} with every line wrapped in one quoted field, so it reads as one "
            f"column ({shown}); re-save it as plain CSV: open it in a spreadsheet, split column A "
            "with Text to Columns (comma) and save as CSV, or remove the quote at the start and "
            'end of every line and turn each "" inside into "')
    return InputError(
        f"{path}:1: {like} with its columns separated by {DELIMITERS[sep]}, so it reads as one "
        f"column ({shown}); save it as CSV with commas (in a spreadsheet: CSV, field "
        "delimiter ',')")


def _counts(path: Path, header: list[str], cols: set[str]) -> InputError:
    hapi = bool(cols & {"reference_period_start", "location_code"})
    name = "HDX HAPI conflict-event counts" if hapi else "ACLED counts per area and month (HDX)"
    shown = [c for c in ("location_code", "admin1_name", "admin2_name", "event_type", "events",
                         "fatalities", "reference_period_start", "month", "year") if c in cols]
    acled = EXPORTS["acled"]
    return InputError(
        f"{path}:1: {name} ({', '.join(shown)}): numbers of events per area and month, not "
        f"events, so sahelmap cannot map them (no {', '.join(acled.lacks(cols))}); download "
        "the event-level export from ACLED's data export tool instead")
