"""ACLED exports of every vintage since 2016 → canonical events.

Layouts recognised (by their columns): 2016-era upper-case headers with
DD/MM/YYYY dates and trailing empty columns; 2018-2019 (``data_id``,
``event_id_no_cnty``, dates like '22 February 2019'); 2019-2022 (``iso3``,
numeric ``interaction``, dates like '16-Feb-21'); 2023+ (``disorder_type``,
``civilian_targeting``, ``tags``, ISO dates); actor-based (monadic) exports that
repeat an event once per actor; and HDX copies with an HXL tag row.
"""

from __future__ import annotations

from collections import Counter
from functools import partial

import numpy as np
import pandas as pd

from .actors import resolve_actors
from .imports import (ImportReport, clean_number, clean_text, constant_text, country_codes,
                      dates_of, flag, flag_counts, map_text, parse_dates, prepare)
from ._arrays import keep_rows, take_text
from .schema import canonical, empty

# every column read_acled and layout_name look at (lower case); the importer reads only
# these, so an export's other columns (tags, interaction codes ...) cost no memory
COLUMNS = frozenset({
    "event_id_cnty", "event_id_no_cnty", "data_id", "event_date", "time_precision",
    "event_type", "sub_event_type", "actor1", "actor", "actor2", "iso3", "country", "admin1",
    "location", "latitude", "longitude", "geo_precision", "source", "notes", "fatalities",
    "disorder_type", "civilian_targeting"})
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d-%b-%y", "%d-%b-%Y", "%d %b %Y",
                "%m/%d/%Y"]
TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
GEO_PRECISION = {"1": "exact", "2": "near", "3": "admin1"}
# (event_type, sub_event_type) → canonical type; sub-types first, then types
SUB_TYPES = {
    "government regains territory": "seizure", "non-state actor overtakes territory": "seizure",
    "non-violent transfer of territory": "seizure", "headquarters or base established": "base_established",
    "armed clash": "battle", "attack": "attack", "abduction/forced disappearance": "violence_against_civilians",
    "sexual violence": "violence_against_civilians", "air/drone strike": "remote_violence",
    "shelling/artillery/missile attack": "remote_violence", "remote explosive/landmine/ied": "remote_violence",
    "suicide bomb": "attack", "grenade": "remote_violence", "movement of forces": "movement",
}
TYPES = {
    "battles": "battle", "battle-no change of territory": "battle",
    "battle-government regains territory": "seizure",
    "battle-non-state actor overtakes territory": "seizure",
    "violence against civilians": "violence_against_civilians",
    "remote violence": "remote_violence", "explosions/remote violence": "remote_violence",
    "headquarters or base established": "base_established",
    "non-violent transfer of territory": "seizure", "strategic developments": "other",
    "strategic development": "other", "riots": "other", "protests": "other",
    "riots/protests": "other",
}


def canonical_types(event_type: pd.Series, sub_event_type: pd.Series) -> pd.Series:
    """The canonical event type of each (event type, sub-event type) pair: the sub-type
    first, then the type, 'movement' whenever the sub-type says so, else 'other';
    worked out once per distinct pair."""
    t_codes, types = pd.factorize(event_type, use_na_sentinel=False)
    s_codes, subs = pd.factorize(sub_event_type, use_na_sentinel=False)
    pair, first = np.unique(t_codes.astype("int64") * max(len(subs), 1) + s_codes,
                            return_inverse=True)
    typ = pd.Series(np.asarray(types, dtype=object)[pair // max(len(subs), 1)]).str.lower()
    sub = pd.Series(np.asarray(subs, dtype=object)[pair % max(len(subs), 1)]).str.lower()
    kind = sub.map(SUB_TYPES).fillna(typ.map(TYPES)).fillna("other")
    kind = kind.where(~sub.str.contains("movement", regex=False), "movement")
    return pd.Series(take_text(kind.to_numpy(dtype=object), first.ravel()),
                     index=event_type.index)


def layout_name(cols: list[str], raw_header: list[str], monadic: bool, hxl: bool) -> str:
    c = set(cols)
    if any(h.isupper() for h in raw_header if h.strip()):
        name = "acled-2016"
    elif "disorder_type" in c or "civilian_targeting" in c:
        name = "acled-2023"
    elif "iso3" in c:
        name = "acled-2019"
    elif "data_id" in c or "event_id_no_cnty" in c:
        name = "acled-2018"
    else:
        name = "acled"
    if monadic:
        name += "-monadic"
    return name + ("+hxl" if hxl else "")


def read_acled(frame: pd.DataFrame, header: list[str], actors: pd.DataFrame,
               name: str) -> tuple[pd.DataFrame, ImportReport]:
    """Map raw ACLED rows (strings, with a ``line`` column) to canonical events."""
    frame, hxl = prepare(frame)
    cols = list(frame.columns)
    monadic = "actor2" not in cols
    report = ImportReport(name, layout_name(cols, header, monadic, hxl), skipped=int(hxl))
    if frame.empty:
        return empty("event"), report
    report.rows_read = len(frame)
    checked = _checked(frame, report)
    if not checked["ok"].any():  # every row rejected
        return empty("event"), report
    # rejected rows are carried along and left out once, with the merged repeats: a copy
    # of a million rows to drop a few costs more than making their (unused) fields
    out, keep = _events(frame, checked, actors, monadic, report)
    out = keep_rows(out, keep.to_numpy())
    report.events_kept = len(out)
    return canonical(out, "event"), report


def _column(frame: pd.DataFrame, col: str) -> pd.Series:
    # the fast reader keeps only COLUMNS: a column read here must be listed there
    assert col in COLUMNS, f"add {col!r} to acled.COLUMNS"
    return frame[col] if col in frame else pd.Series("", index=frame.index)


def _checked(frame: pd.DataFrame, report: ImportReport) -> dict[str, pd.Series]:
    """Each row's id, date, coordinates and fatalities, with the rows that cannot be
    events (no id, no date, no usable coordinate) flagged and marked in ``ok``."""
    get = partial(_column, frame)
    cols = list(frame.columns)
    ids = clean_text(get("event_id_cnty"))
    ids = ids.where(ids != "", clean_text(get("event_id_no_cnty")))
    ids = ids.where(ids != "", clean_text(get("data_id")))
    date = parse_dates(get("event_date"), DATE_FORMATS)
    lat, lon = clean_number(get("latitude")), clean_number(get("longitude"))
    bad_id = ids == ""
    id_col = next((c for c in ("event_id_cnty", "event_id_no_cnty", "data_id") if c in cols),
                  "event_id_cnty")
    flag(report, frame, bad_id, id_col, "has no event id", "every ACLED row needs event_id_cnty")
    bad_date = date.isna()
    flag(report, frame, bad_date, "event_date", "is not a date",
         "ACLED dates look like 2019-02-22, 22/02/2019, 22 February 2019 or 22-Feb-19",
         values=get("event_date"))
    bad_xy = ~(lat.between(-90, 90) & lon.between(-180, 180))
    flag(report, frame, bad_xy & ~bad_date, "latitude", "is not a usable coordinate",
         "latitude must be -90..90 and longitude -180..180", values=get("latitude"))
    # fatalities are checked on every row, rejected or not, as the report always said
    fat = flag_counts(report, frame, clean_number(get("fatalities")), get("fatalities"),
                      "fatalities")
    return {"ids": ids, "date": date, "lat": lat, "lon": lon, "fatalities": fat,
            "ok": ~(bad_id | bad_date | bad_xy)}


def _events(frame: pd.DataFrame, checked: dict, actors: pd.DataFrame, monadic: bool,
            report: ImportReport) -> tuple[pd.DataFrame, pd.Series]:
    """Canonical events of the rows, and which to keep: the accepted ones (``ok``), less
    the repeats of actor-based exports, which repeat an event once per actor and are
    merged into its first accepted row (a rejected row never makes a later one a repeat)."""
    get = partial(_column, frame)
    ids, date, ok, n = checked["ids"], checked["date"], checked["ok"], len(frame)
    actor_col = "actor1" if "actor1" in frame else "actor"
    dup = ids.where(ok).duplicated(keep="first") & ok
    if monadic and dup.any():
        second = (clean_text(get(actor_col)).where(dup).groupby(ids).agg(
            lambda s: next((x for x in s if isinstance(x, str) and x), "")))
    else:
        second = pd.Series(dtype=object)
    report.duplicates_merged = int(dup.sum())
    keep = ok & ~dup

    tp = map_text(clean_text(get("time_precision")), TIME_PRECISION, "day")
    gp = map_text(clean_text(get("geo_precision")), GEO_PRECISION, "exact")
    start = date.dt.normalize()
    start = start.where(tp != "week", date - pd.Timedelta(days=3))
    start = start.where(tp != "month", date.dt.to_period("M").dt.start_time)
    end = date.where(tp != "week", date + pd.Timedelta(days=3))
    end = end.where(tp != "month", date.dt.to_period("M").dt.end_time.dt.normalize())

    event_type = canonical_types(clean_text(get("event_type")), clean_text(get("sub_event_type")))

    actor_raw = clean_text(get(actor_col))
    # (with no repeat to merge, the map finds nothing: NaN as float, made text here)
    opp_raw = (clean_text(get("actor2")) if not monadic
               else ids.map(second).astype(object).fillna(""))
    a = resolve_actors(actor_raw, actors)
    o = resolve_actors(opp_raw, actors)
    unknown = pd.concat([actor_raw[keep & (a["actor"] == "") & (actor_raw != "")],
                         opp_raw[keep & (o["actor"] == "") & (opp_raw != "")]])
    report.unknown_actors = Counter(unknown.tolist())

    iso = clean_text(get("iso3")).str.upper()
    iso = iso.where(iso != "", country_codes(get("country")))
    out = pd.DataFrame({
        "record_id": ids, "date_start": dates_of(start), "date_end": dates_of(end),
        "date_precision": tp, "actor": a["actor"], "actor_raw": actor_raw,
        "actor_candidates": a["actor_candidates"], "opponent": o["actor"],
        "opponent_raw": opp_raw, "event_type": event_type,
        "event_type_raw": (clean_text(get("event_type")) + " / "
                           + clean_text(get("sub_event_type"))).str.strip(" /"),
        "fatalities": checked["fatalities"], "place_name": clean_text(get("location")),
        "country": iso, "admin1": clean_text(get("admin1")),
        "within": constant_text("", n),
        "latitude": checked["lat"], "longitude": checked["lon"], "location_precision": gp,
        "confidence": constant_text("reported", n), "source": clean_text(get("source")),
        "notes": clean_text(get("notes")), "file": frame["file"], "line": frame["line"],
        "dataset": constant_text("acled", n),
    }, index=frame.index)
    return out, keep
