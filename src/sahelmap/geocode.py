"""Geocode records: place name → point, with the method and precision of each match.

Order of matching, per distinct (name, country, admin-1 hint):

1. the main name of a place, accent-, case- and punctuation-insensitive (``exact``);
2. an alternate name (``alias``);
3. a fuzzy match (rapidfuzz ratio) within the stated country, accepted only when
   one place clearly beats the others (``fuzzy``);
4. for names still unplaced, the record's ``within`` place, at ``near`` precision
   at best (``within``).

Two or more places left after the country and admin-1 hints make the name
*ambiguous*: the record is kept without a point and listed in the report, never
guessed. Records that carry coordinates are taken as given (``coordinates``).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rapidfuzz import fuzz, process

from . import settings
from ._arrays import as_text, map_codes
from ._names import name_keys
from .gazetteer import KIND_RANK, name_index

REPORT_COLUMNS = ["file", "line", "record_id", "field", "place_name", "country", "admin1",
                  "status", "candidates", "resolution", "fix"]
GEOCODE_COLUMNS = ["place_id", "matched_name", "geocode_method", "location_precision"]
_ORDER = {p: i for i, p in enumerate(settings.LOCATION_PRECISIONS)}
FIX = {
    "ambiguous": "add country or admin1 to the record to choose one of the candidates",
    "unmatched": "check the spelling, give coordinates, or add the place to "
                 "geodata/places_curated.csv",
    "unresolved": "give coordinates in the record, or in geodata/places_curated.csv once a "
                  "source places it",
    "fuzzy": "check the match; add the spelling as an alias if it is right",
    "within": "located at the enclosing place named in 'within'; add coordinates for a finer "
              "location",
}


def coarser(a: pd.Series, b: pd.Series) -> pd.Series:
    """Element-wise coarser of two location precisions (empty counts as finest)."""
    ra = map_codes(a, _ORDER, -1).astype("int64")  # looked up once per distinct value
    rb = map_codes(b, _ORDER, -1).astype("int64")
    return a.where(ra >= rb, b)


def describe_places(places: pd.DataFrame, ids: pd.Series) -> pd.Series:
    """Turn pipe-separated place ids into ``id: Name (kind, admin-1, country)`` lists."""
    info = places.set_index("place_id")
    label = (info["name"] + " (" + info["kind"] + ", " + info["admin1_name"].replace("", "?")
             + ", " + info["country"] + ")")
    return ids.map(lambda s: "; ".join(f"{i}: {label.get(i, '')}" for i in s.split("|")) if s else "")


def match_names(queries: pd.DataFrame, places: pd.DataFrame,
                index: pd.DataFrame | None = None) -> pd.DataFrame:
    """Match distinct queries (``key``, ``country``, ``admin1_key``, ``want``) to places.

    Returns one row per query with ``status`` (matched / ambiguous / unmatched /
    unresolved), ``place_id``, ``method`` and ``candidates`` (pipe-separated ids).
    """
    if index is None:
        index = name_index(places if len(queries) else places.iloc[:0])
    q = queries.reset_index(drop=True).copy()
    q["qid"] = np.arange(len(q))
    meta = places[["place_id", "kind", "country", "admin1_name", "location_precision"]].rename(
        columns={"country": "place_country"})
    meta = meta.assign(admin1_key=name_keys(meta["admin1_name"]).rename(None))
    meta = meta.rename(columns={"admin1_key": "place_admin1_key"})

    def narrow(cand: pd.DataFrame) -> pd.DataFrame:
        cand = cand.merge(meta, on="place_id", how="left")
        cand = cand[(cand["country"] == "") | (cand["place_country"] == cand["country"])]
        cand = cand[(cand["admin1_key"] == "") | (cand["place_admin1_key"] == cand["admin1_key"])]
        return cand

    cand = narrow(q.merge(index[["key", "place_id", "match"]], on="key"))
    cand["method"] = cand["match"]
    # best match kind per query: exact before alias
    cand["mrank"] = (cand["method"] == "alias").astype(int)
    cand = cand[cand["mrank"] == cand.groupby("qid")["mrank"].transform("min")]
    cand = _prefer_kind(cand)

    unmatched = q[~q["qid"].isin(cand["qid"])]
    if len(unmatched):
        cand = pd.concat([cand, _fuzzy(unmatched, index, narrow)], ignore_index=True)

    cand = cand.sort_values(["qid", "place_id"])
    grouped = cand.groupby("qid")
    ids = grouped["place_id"].agg(lambda s: "|".join(pd.unique(s)))
    n = grouped["place_id"].nunique()
    first = grouped.first()
    out = q.copy()
    out["candidates"] = out["qid"].map(ids).fillna("")
    out["n"] = out["qid"].map(n).fillna(0).astype(int)
    out["place_id"] = np.where(out["n"] == 1, out["qid"].map(first["place_id"]), "")
    out["method"] = np.where(out["n"] == 1, out["qid"].map(first["method"]), "")
    out["status"] = np.select([out["n"] == 0, out["n"] > 1], ["unmatched", "ambiguous"], "matched")
    prec = out["place_id"].map(places.set_index("place_id")["location_precision"])
    out.loc[prec == "unresolved", "status"] = "unresolved"
    return out.drop(columns=["qid", "n"])


def _prefer_kind(cand: pd.DataFrame) -> pd.DataFrame:
    """A record that asks for a region gets a region (or a named area); a record that
    asks for a country gets the country; otherwise a town beats a unit of the same name."""
    if cand.empty:
        return cand
    cand = cand.copy()
    wants = ((cand["want"] != "") & ((cand["kind"] == cand["want"])
                                     | (cand["want"].isin(["admin1", "admin2"])
                                        & (cand["kind"] == "area"))))
    has_wanted = wants.groupby(cand["qid"]).transform("any")
    cand = cand[~has_wanted | wants]
    cand["krank"] = cand["kind"].map(KIND_RANK).fillna(0)
    return cand[cand["krank"] == cand.groupby("qid")["krank"].transform("min")]


def _fuzzy(unmatched: pd.DataFrame, index: pd.DataFrame, narrow) -> pd.DataFrame:
    """Fuzzy candidates for names with no exact or alias match (one search per distinct name)."""
    rows = []
    keys = index["key"].to_numpy()
    for row in unmatched.itertuples(index=False):
        if not row.key:
            continue
        hits = process.extract(row.key, keys, scorer=fuzz.ratio, limit=20,
                               score_cutoff=settings.FUZZY_CUTOFF)
        for _, score, pos in hits:
            rows.append((row.qid, index["place_id"].iat[pos], score))
    if not rows:
        return pd.DataFrame(columns=["qid", "place_id", "method"])
    hits = pd.DataFrame(rows, columns=["qid", "place_id", "score"])
    hits = hits.merge(unmatched[["qid", "country", "admin1_key", "want"]], on="qid")
    hits = narrow(hits)
    hits = hits.sort_values(["qid", "score"], ascending=[True, False])
    hits = hits.drop_duplicates(["qid", "place_id"])
    best = hits.groupby("qid")["score"].transform("max")
    # a clear winner: every other place at least FUZZY_MARGIN points behind
    hits = hits[hits["score"] > best - settings.FUZZY_MARGIN]
    return hits.assign(method="fuzzy")[["qid", "place_id", "method", "kind", "country",
                                         "admin1_key", "want"]]


def coordinates(records: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The records' latitude and longitude as numbers (missing where not a number)."""
    return (pd.to_numeric(records["latitude"], errors="coerce"),
            pd.to_numeric(records["longitude"], errors="coerce"))


def has_coordinates(records: pd.DataFrame) -> pd.Series:
    """Which records carry both coordinates (those are located by them, not by name)."""
    lat, lon = coordinates(records)
    return lat.notna() & lon.notna()


def geocode(records: pd.DataFrame, places: pd.DataFrame, *, name_col: str = "place_name",
            id_col: str | None = None, index: pd.DataFrame | None = None
            ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Locate records by coordinates or by name.

    Returns the records as a GeoDataFrame (EPSG:4326) with ``place_id``,
    ``matched_name``, ``geocode_method`` and ``location_precision`` added (no
    record is dropped: unplaced ones have no geometry), and a report of every
    name that was ambiguous, unmatched, unresolved, fuzzy-matched or placed
    through ``within``.
    """
    df = _prepared(records, name_col)
    if id_col is None:
        id_col = next((c for c in df.columns if c.endswith("_id") and c != "place_id"), None)
    lat, lon = coordinates(df)  # parsed once: they are also the located records' points
    has_xy = lat.notna() & lon.notna()
    hint = df["location_precision"].fillna("").astype(str)
    need = ~has_xy
    df, index = _by_name(df, records.index, need, hint, places, index)
    _within_fallback(df, need, places, index)
    final_lat, final_lon = _placed(df, places, lat, lon, has_xy, hint)

    report = _report(df, need, name_col, id_col)
    report["candidates"] = describe_places(places, report["candidates"])
    keep = [c for c in records.columns if c not in ("latitude", "longitude", "location_precision")]
    out = df[keep + ["latitude", "longitude"] + GEOCODE_COLUMNS]
    gdf = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(final_lon, final_lat),
                           crs="EPSG:4326")
    gdf.loc[final_lat.isna() | final_lon.isna(), "geometry"] = None
    return gdf, report


def _prepared(records: pd.DataFrame, name_col: str) -> pd.DataFrame:
    """The records with every column the geocoder reads, text stripped."""
    df = records.copy()
    for col in ("country", "admin1", "within", "location_precision", "latitude", "longitude"):
        if col not in df:
            df[col] = "" if col not in ("latitude", "longitude") else np.nan
    for col in (name_col, "country", "admin1", "within", "location_precision"):
        df[col] = as_text(df[col]).str.strip()
    df["_key"] = name_keys(df[name_col])
    df["_admin1_key"] = name_keys(df["admin1"])
    return df


def _by_name(df: pd.DataFrame, order: pd.Index, need: pd.Series, hint: pd.Series,
             places: pd.DataFrame, index: pd.DataFrame | None
             ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Each distinct (name, country, admin-1, precision asked) of the records without
    coordinates matched once; the match's status, method, candidates and place."""
    df["_want"] = hint.where(hint.isin(["admin1", "admin2", "country"]), "")
    qcols = ["_key", "country", "_admin1_key", "_want"]
    queries = df.loc[need, qcols].drop_duplicates().rename(
        columns={"_key": "key", "_admin1_key": "admin1_key", "_want": "want"})
    if index is None and len(queries):  # records with coordinates need no names
        index = name_index(places)
    matched = match_names(queries, places, index)
    matched = matched.rename(columns={"key": "_key", "admin1_key": "_admin1_key", "want": "_want",
                                      "status": "_status", "method": "_method",
                                      "candidates": "_candidates"})
    df = df.merge(matched, on=qcols, how="left")
    df.index = order
    for col in ("_status", "_method", "_candidates", "place_id"):
        df[col] = df[col].astype(object).where(df[col].notna(), "")
    df["_status"] = df["_status"].where(need, "coordinates")
    df.loc[need & (df["_key"] == ""), "_status"] = "unmatched"
    return df, index


def _within_fallback(df: pd.DataFrame, need: pd.Series, places: pd.DataFrame,
                     index: pd.DataFrame | None) -> None:
    """Names that found no usable place, placed at their ``within`` place (in place)."""
    failed = need & df["_status"].isin(["unmatched", "unresolved"]) & (df["within"].fillna("") != "")
    if not failed.any():
        return
    wq = df.loc[failed, ["within", "country", "_admin1_key"]].copy()
    wq["key"] = name_keys(wq["within"])
    wq = wq.rename(columns={"_admin1_key": "admin1_key"}).assign(want="")
    wmatch = match_names(wq[["key", "country", "admin1_key", "want"]].drop_duplicates(),
                         places, index)
    wmatch = wmatch[wmatch["status"] == "matched"]
    looked = wq.merge(wmatch[["key", "country", "admin1_key", "place_id"]],
                      on=["key", "country", "admin1_key"], how="left")
    looked.index = wq.index
    ok = looked["place_id"].notna()
    hit = looked.index[ok]
    df.loc[hit, "place_id"] = looked.loc[ok, "place_id"]
    df.loc[hit, "_method"] = "within"


def _placed(df: pd.DataFrame, places: pd.DataFrame, lat: pd.Series, lon: pd.Series,
            has_xy: pd.Series, hint: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each record's point, precision and method (in place): its own coordinates, else
    its place's, at the coarser of the place's precision and the one asked."""
    info = places.set_index("place_id")
    pid = df["place_id"].fillna("")
    found = pid != ""
    df["matched_name"] = pid.map(info["name"]).fillna("")
    plat = pid.map(info["latitude"])
    plon = pid.map(info["longitude"])
    pprec = pid.map(info["location_precision"]).fillna("")
    method = df["_method"].fillna("")
    pprec = pprec.where(method != "within", coarser(pprec, pd.Series("near", index=df.index)))
    final_lat = lat.where(has_xy, plat.where(found))
    final_lon = lon.where(has_xy, plon.where(found))
    precision = np.where(has_xy, hint.replace("", "exact"),
                         np.where(found & (pprec != "unresolved"),
                                  coarser(pprec, hint), ""))
    df["geocode_method"] = np.where(has_xy, "coordinates",
                                    np.where(found & (pprec != "unresolved"), method, "unresolved"))
    df["location_precision"] = precision
    df["place_id"] = pid.where(found & ~has_xy, "")
    df["latitude"], df["longitude"] = final_lat, final_lon
    return final_lat, final_lon


def _report(df: pd.DataFrame, need: pd.Series, name_col: str, id_col: str | None) -> pd.DataFrame:
    base = df["_status"].fillna("")
    flagged = need & ((base != "matched") | (df["_method"].isin(["fuzzy", "within"])))
    rows = df[flagged]
    kind = np.where(rows["_method"] == "fuzzy", "fuzzy", base[flagged])
    resolution = np.where(
        rows["geocode_method"] != "unresolved",
        "located at " + rows["place_id"].fillna("") + " (" + rows["matched_name"] + "), "
        + rows["geocode_method"] + ", " + rows["location_precision"] + " precision",
        "kept without a location")
    fix = np.where(rows["_method"] == "within", FIX["within"],
                   pd.Series(kind, dtype=object).map(FIX).fillna("").to_numpy())
    report = pd.DataFrame({
        "file": rows.get("file", ""),
        "line": rows.get("line", 0),
        "record_id": rows[id_col] if id_col else "",
        "field": name_col,
        "place_name": rows[name_col],
        "country": rows["country"],
        "admin1": rows["admin1"],
        "status": kind,
        "candidates": rows["_candidates"].fillna(""),
        "resolution": resolution,
        "fix": fix,
    })
    return report.reset_index(drop=True)


def geocode_movements(movements: pd.DataFrame, places: pd.DataFrame,
                      index: pd.DataFrame | None = None) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Locate both ends of declared movements.

    Adds ``{origin,destination}_{place_id,latitude,longitude,geocode_method,
    location_precision}`` and a LineString from origin to destination where
    both ends are located (else no geometry). The report names the end
    (``origin`` or ``destination``) in its ``field`` column.
    """
    out = movements.copy()
    reports = []
    for end in ("origin", "destination"):
        ends = pd.DataFrame({
            "movement_id": movements.get("movement_id", pd.Series("", index=movements.index)),
            end: movements[end],
            "country": movements.get(f"{end}_country", ""),
            "admin1": movements.get(f"{end}_admin1", ""),
            "file": movements.get("file", ""),
            "line": movements.get("line", 0),
        }, index=movements.index)
        located, report = geocode(ends, places, name_col=end, id_col="movement_id",
                                  index=index)
        for col in ("place_id", "latitude", "longitude", "geocode_method", "location_precision"):
            out[f"{end}_{col}"] = located[col].to_numpy()
        reports.append(report)
    xy = out[["origin_longitude", "origin_latitude", "destination_longitude",
              "destination_latitude"]].to_numpy(dtype="float64")
    both = np.isfinite(xy).all(axis=1)
    coords = xy.reshape(-1, 2, 2)
    lines = np.full(len(out), None, dtype=object)
    if both.any():
        lines[both] = shapely.linestrings(coords[both])
    gdf = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(lines, index=out.index, crs="EPSG:4326"))
    return gdf, pd.concat(reports, ignore_index=True)
