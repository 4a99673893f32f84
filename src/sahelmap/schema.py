"""The canonical record schema and the recognition of input layouts.

Every reader produces frames with these columns (:func:`canonical`); the layout
of an input file (sahelmap's own notes of each kind, an ACLED or a UCDP export)
is recognised from its header here, in one place. Readers import this module;
it imports none of them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ._errors import InputError

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
    """'acled', 'ucdp', 'notes' or None, from the column names."""
    cols = set(lower_header(header))
    if {"event_date", "event_type"} <= cols and ({"actor1", "actor"} & cols):
        return "acled"
    if {"side_a", "side_b"} <= cols and ({"best", "best_est"} & cols):
        return "ucdp"
    if "record_id" in cols:
        return "notes"
    return None


EXPECTED = {
    "acled": ["event_id_cnty", "event_date", "event_type", "actor1", "latitude", "longitude"],
    "ucdp": ["id", "date_start", "date_end", "side_a", "side_b", "best", "latitude", "longitude"],
    "notes": ["record_id", "date_start", "actor", "confidence", "source"],
}


def unknown_layout(path: Path, header: list[str]) -> InputError:
    cols = set(lower_header(header))
    parts = [f"{kind} needs {', '.join(c for c in need if c not in cols)}"
             for kind, need in EXPECTED.items()]
    return InputError(f"{path}:1: unknown layout (columns: {', '.join(header[:8])}"
                      f"{'…' if len(header) > 8 else ''}); missing for " + "; ".join(parts))
