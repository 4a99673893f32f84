"""UCDP GED downloads → canonical events.

The standard columns (``best``/``high``/``low``, ``date_start``/``date_end``,
``where_prec`` 1-7, ``date_prec`` 1-5, ``side_a``/``side_b``) and the common
variant with ``best_est``/``high_est``/``low_est`` and ``MM/DD/YYYY 00:00:00``
dates. Country-level (``where_prec`` 6) and water (7) rows support no admin
unit. ``low <= best <= high`` is not assumed: rows that break it are flagged,
not dropped.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from ._arrays import keep_rows
from .actors import resolve_actors
from .imports import (ImportReport, clean_number, clean_text, country_codes, flag,
                      flag_counts, parse_dates, prepare)
from .schema import canonical, empty

DATE_FORMATS = ["%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d",
                "%m/%d/%Y %H:%M:%S", "%m/%d/%Y"]
DATE_PREC = {"1": "day", "2": "range", "3": "week", "4": "month", "5": "range"}
WHERE_PREC = {"1": "exact", "2": "near", "3": "admin2", "4": "admin1", "5": "admin1",
              "6": "country", "7": "country"}
VIOLENCE = {"1": "battle", "2": "battle", "3": "violence_against_civilians"}


def read_ucdp(frame: pd.DataFrame, header: list[str], actors: pd.DataFrame,
              name: str) -> tuple[pd.DataFrame, ImportReport]:
    frame, hxl = prepare(frame)
    variant = "best_est" in frame.columns
    report = ImportReport(name, ("ucdp-ged-variant" if variant else "ucdp-ged")
                          + ("+hxl" if hxl else ""))
    report.rows_read = len(frame)
    report.skipped = int(hxl)
    if frame.empty:
        return empty("event"), report
    get = lambda c: frame[c] if c in frame else pd.Series("", index=frame.index)  # noqa: E731

    ids = clean_text(get("id"))
    start = parse_dates(get("date_start"), DATE_FORMATS).dt.normalize()
    end = parse_dates(get("date_end"), DATE_FORMATS).dt.normalize()
    end = end.fillna(start)
    lat, lon = clean_number(get("latitude")), clean_number(get("longitude"))
    sfx = "_est" if variant else ""
    best, low, high = (clean_number(get(f"{k}{sfx}")) for k in ("best", "low", "high"))

    bad_id = ids == ""
    flag(report, frame, bad_id, "id", "has no event id", "every UCDP row needs its id")
    bad_date = start.isna()
    flag(report, frame, bad_date, "date_start", "is not a date",
         "UCDP dates look like 2019-03-01, 2019-03-01 00:00:00.000 or 03/01/2019 00:00:00",
         values=get("date_start"))
    bad_order = ~bad_date & (end < start)
    flag(report, frame, bad_order, "date_end", "is before date_start",
         "check the row; it is kept with the dates swapped", values=get("date_end"),
         level="warning")
    start, end = start.where(~bad_order, end), end.where(~bad_order, start)
    bad_xy = ~(lat.between(-90, 90) & lon.between(-180, 180))
    flag(report, frame, bad_xy & ~bad_date, "latitude", "is not a usable coordinate",
         "latitude must be -90..90 and longitude -180..180", values=get("latitude"))
    odd = best.notna() & ((low.notna() & (low > best)) | (high.notna() & (high < best)))
    flag(report, frame, odd, f"best{sfx}", "is outside low..high",
         "UCDP estimates need not be ordered; best is used as the fatality count",
         values=best, level="warning")
    ok = ~(bad_id | bad_date | bad_xy)
    # a repeated id among the accepted rows: a rejected row never makes a later one a repeat
    dup = ids.where(ok).duplicated(keep="first") & ok
    report.duplicates_merged = int(dup.sum())
    keep = ok & ~dup

    side_a, side_b = clean_text(get("side_a")), clean_text(get("side_b"))
    a, o = resolve_actors(side_a, actors), resolve_actors(side_b, actors)
    unknown = pd.concat([side_a[keep & (a["actor"] == "") & (side_a != "")],
                         side_b[keep & (o["actor"] == "") & (side_b != "")]])
    report.unknown_actors = Counter(unknown.tolist())
    wp = clean_text(get("where_prec"))
    iso = country_codes(get("country"))
    out = keep_rows(pd.DataFrame({
        "record_id": ids, "date_start": start.dt.date, "date_end": end.dt.date,
        "date_precision": clean_text(get("date_prec")).map(DATE_PREC).fillna("range"),
        "actor": a["actor"], "actor_raw": side_a, "actor_candidates": a["actor_candidates"],
        "opponent": o["actor"], "opponent_raw": side_b,
        "event_type": clean_text(get("type_of_violence")).map(VIOLENCE).fillna("other"),
        "event_type_raw": "type_of_violence " + clean_text(get("type_of_violence")),
        "fatalities": flag_counts(report, frame, best, get(f"best{sfx}"), f"best{sfx}"),
        "fatalities_low": flag_counts(report, frame, low, get(f"low{sfx}"), f"low{sfx}"),
        "fatalities_high": flag_counts(report, frame, high, get(f"high{sfx}"), f"high{sfx}"),
        "place_name": clean_text(get("where_coordinates")), "country": iso,
        "admin1": clean_text(get("adm_1")), "within": "",
        "latitude": lat, "longitude": lon,
        "location_precision": wp.map(WHERE_PREC).fillna("country"),
        "confidence": "reported",
        "source": clean_text(get("source_office")).where(clean_text(get("source_office")) != "",
                                                          "UCDP GED"),
        "notes": clean_text(get("source_headline")),
        "file": frame["file"], "line": frame["line"], "dataset": "ucdp",
        "where_prec": wp,
    }), keep.to_numpy())
    report.events_kept = len(out)
    return canonical(out, "event"), report
