"""The data each period page draws: prepared once for every period, cut per period.

Each table becomes JSON-ready columns in page order once (text, rounded numbers,
capped evidence lists), with the rows of each period found by one sort; a page's
data is then a slice of those columns. Pure: ``site.py`` writes what this returns.

A page table is ``{"columns": {name: column}, "n": rows}``, each column in its most
compact form (:func:`page_column`): a plain list, ``{"same": v}`` when every row holds
``v``, or ``{"values": [...], "codes": [...]}`` (row ``i`` holds
``values[codes[i]]``) for text and flags that repeat. ``rows()`` in
``static/sahelmap.js`` turns a table back into row objects. At a million events this
takes the largest period's data from 4.4 MB to 1.2 MB.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
import shapely.ops

from ._arrays import as_text
from ._csvformat import fixed_decimals

EVENT_FIELDS = ["id", "lon", "lat", "date_start", "date_end", "date_precision", "place", "admin",
                "geocode_method", "location_precision", "actor", "actor_raw", "opponent",
                "event_type", "fatalities", "source", "confidence", "notes", "count"]
EVIDENCE_SHOWN = 6  # ids per popup; presence.csv lists them all
AREAS = ("present", "contested", "dominant", "control")


def _num(x, nd=5):
    return None if x is None or (isinstance(x, float) and not np.isfinite(x)) else round(float(x), nd)


def rounded(values, nd: int) -> np.ndarray:
    """``_num(x, nd)`` of every value as an object array (None where not finite): Python's
    ``round(x, nd)``, which is the float nearest the decimal ``'%.{nd}f' % x`` (both
    round correctly), so the decimals are made in bulk as the CSV writer makes them and
    read back."""
    x = _floats(values)
    out = np.full(len(x), None, dtype=object)
    ok = np.isfinite(x)
    if ok.any():
        back = pc.cast(fixed_decimals(x[ok], nd), pa.float64())
        out[ok] = back.to_numpy(zero_copy_only=False).astype(object)
    return out


def drawable(events: pd.DataFrame) -> np.ndarray:
    """Which events a map can draw: those located below country level."""
    lat = pd.to_numeric(events["latitude"], errors="coerce")
    lon = pd.to_numeric(events["longitude"], errors="coerce")
    ok = lat.notna() & lon.notna() & ~events["location_precision"].isin(["country", ""])
    return ok.to_numpy(dtype=bool)


def event_points(events: pd.DataFrame) -> pd.DataFrame:
    """The events a map can draw: located below country level."""
    return events[drawable(events)]


def aggregate_events(ev: pd.DataFrame, max_points: int) -> tuple[pd.DataFrame, bool]:
    """Merge events into grid cells per actor and type until at most ``max_points`` remain.

    Cells start at 0.05 degrees and double. An aggregated point sits at the mean of its
    events, sums their fatalities, keeps the coarsest precisions, and lists up to five ids.
    Points come in the order of (cell as 'x:y' text, actor, type).
    """
    if len(ev) <= max_points:
        return ev.assign(count=1), False
    lon, lat = ev["lon"].to_numpy(dtype="float64"), ev["lat"].to_numpy(dtype="float64")
    cell, size = _cells(lon, lat, _group_codes(ev), max_points)
    # rows in the order of (cell, actor, type, id) as text, found on integer ranks; only
    # the columns the points are made of are taken in that order
    ranks = [cell] + [pd.factorize(ev[k], sort=True)[0] for k in ("actor", "event_type", "id")]
    order = np.lexsort(ranks[::-1])
    key = [r[order] for r in ranks[:3]]
    starts = np.flatnonzero(np.r_[True, (np.diff(key[0]) != 0) | (np.diff(key[1]) != 0)
                                  | (np.diff(key[2]) != 0)])
    ends = np.r_[starts[1:], len(order)]
    first = order[starts]
    counts = ends - starts
    # sums as pandas makes them (compensated), so the means are those of a groupby
    sums = pd.DataFrame({"lon": lon[order], "lat": lat[order],
                         "fatalities": ev["fatalities"].to_numpy(dtype="float64")[order]}
                        ).groupby(np.repeat(np.arange(len(starts)), counts), sort=False)
    sorted_ev = {k: ev[k].take(order) for k in ("date_start", "date_end", "confidence")}
    ids = ev["id"].to_numpy(dtype=object)[order]
    out = pd.DataFrame({
        "actor": ev["actor"].to_numpy(dtype=object)[first],
        "event_type": ev["event_type"].to_numpy(dtype=object)[first],
        "lon": sums["lon"].mean().to_numpy(), "lat": sums["lat"].mean().to_numpy(),
        "fatalities": sums["fatalities"].sum().to_numpy(),
        "count": counts,
        "date_start": _run_extreme(sorted_ev["date_start"], starts, np.minimum),
        "date_end": _run_extreme(sorted_ev["date_end"], starts, np.maximum),
        "confidence": _run_extreme(sorted_ev["confidence"], starts, np.minimum),
        "id": ["|".join(ids[a:min(a + 5, b)]) for a, b in zip(starts.tolist(), ends.tolist())],
        "date_precision": "range", "location_precision": f"cell {size:g}°",
        "place": "several places", "admin": "", "geocode_method": "aggregated",
        "actor_raw": "", "opponent": "", "source": "several (see the events table)"})
    out["notes"] = ("first ids: " + out["id"]).where(out["count"] > 5, "")
    out["lon"], out["lat"] = out["lon"].round(5), out["lat"].round(5)
    return out, True


def _group_codes(ev: pd.DataFrame) -> np.ndarray:
    """One integer per (actor, event type)."""
    who = pd.factorize(ev["actor"])[0].astype("int64")
    what = pd.factorize(ev["event_type"])[0].astype("int64")
    return who * (what.max() + 1) + what


def _cells(lon: np.ndarray, lat: np.ndarray, group: np.ndarray, max_points: int
           ) -> tuple[np.ndarray, float]:
    """Each event's cell, as its rank in the order of the cells' 'x:y' texts, at the
    first cell size (0.05 degrees, doubling up to 5) that leaves at most ``max_points``
    (cell, actor, type) groups; and that size."""
    size = 0.05
    while True:  # count the (cell, actor, type) groups as integers
        cx, cy = np.floor(lon / size).astype("int64"), np.floor(lat / size).astype("int64")
        cell = (cx - cx.min()) * (cy.max() - cy.min() + 1) + (cy - cy.min())
        n = len(pd.unique(cell * (group.max() + 1) + group))
        if n <= max_points or size > 5:
            break
        size *= 2
    _, first, codes = np.unique(cell, return_index=True, return_inverse=True)
    text = np.char.add(np.char.add(cx[first].astype(str), ":"), cy[first].astype(str))
    rank = np.empty(len(first), dtype="int64")
    rank[np.argsort(text, kind="stable")] = np.arange(len(first))
    return rank[codes], size


def _run_extreme(values: pd.Series, starts: np.ndarray, pick) -> np.ndarray:
    """The least (``np.minimum``) or greatest (``np.maximum``) text of each run of rows."""
    codes, uniq = pd.factorize(values, sort=True)  # codes follow the order of the texts
    return np.asarray(uniq, dtype=object)[pick.reduceat(codes, starts)]


def _size_width(size: pd.Series) -> np.ndarray:
    """Line width from a size as stated: numbers on a log scale, else words."""
    text = as_text(size).str.lower()
    number = pd.to_numeric(text.str.extract(r"(\d[\d,]*)")[0].str.replace(",", ""), errors="coerce")
    width = np.where(number.notna(), 2 + np.log10(number.fillna(1).clip(lower=1)) * 1.5, 3.0)
    big = text.str.contains("hundred|huge|thousand|column|major|massive")
    medium = text.str.contains("dozen|several|battalion")
    width = np.where(number.isna() & big, 6.0, np.where(number.isna() & medium, 4.0, width))
    return np.round(width, 1)


def display_lines(axes: pd.DataFrame, countries=None) -> list:
    """Lines as drawn: an end known only to a country starts (or stops) at the point of
    that country's outline nearest the other end, not at the country's label point."""
    return _drawn_lines(axes.geometry.values, *_axis_ends(axes), _country_shapes(countries))


def _axis_ends(axes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The axes' origin and destination place ids, as arrays of text."""
    none = pd.Series("", index=axes.index)
    return tuple(np.asarray(as_text(axes.get(c, none)), dtype=object)
                 for c in ("origin_place_id", "destination_place_id"))


def _country_shapes(countries) -> dict:
    return {} if countries is None else dict(zip("country:" + countries["country"],
                                                 countries.geometry.values))


def _drawn_lines(lines, origins, destinations, shapes: dict) -> list:
    """:func:`display_lines` on arrays: only a line with an end known to a country alone
    is looked at one by one; every other line is drawn as it is."""
    out = [None if line is None or shapely.is_empty(line) else line for line in lines]
    if not shapes:
        return out
    to_country = np.isin(origins, list(shapes)) | np.isin(destinations, list(shapes))
    for k in np.flatnonzero(to_country):
        o, d, line = origins[k], destinations[k], out[k]
        if line is None:
            continue
        coords = [tuple(c) for c in line.coords]
        start, end = shapely.Point(coords[0]), shapely.Point(coords[-1])
        if (o in shapes and shapes[o].contains(end)) or (d in shapes and shapes[d].contains(start)):
            # "from somewhere in Burkina Faso" to a place in Burkina Faso: no line to draw
            out[k] = None
            continue
        if o in shapes and d not in shapes:
            p = shapely.ops.nearest_points(shapes[o].boundary, end)[0]
            coords[0] = (p.x, p.y)
        if d in shapes and o not in shapes:
            p = shapely.ops.nearest_points(shapes[d].boundary, start)[0]
            coords[-1] = (p.x, p.y)
        out[k] = shapely.LineString(coords)
    return out


def _axis_fields(axes: pd.DataFrame) -> list[dict]:
    """What a page says of each axis besides its line: one dict per row of ``axes``
    (text columns as objects, the period label in ``_p``), widths made in one pass."""
    widths = np.where(axes["kind"] == "inferred",
                      2 + np.minimum(pd.to_numeric(axes["strength"], errors="coerce").fillna(0), 4),
                      _size_width(axes["size"]))
    return [{"id": str(r.axis_id), "kind": str(r.kind), "group": str(r.group),
             "period": str(label), "weight": _num(r.weight, 3),
             "origin": str(r.origin_name), "origin_precision": str(r.origin_precision or ""),
             "destination": str(r.destination_name),
             "destination_precision": str(r.destination_precision or ""),
             "size": "" if pd.isna(r.size) else str(r.size),
             "strength": _num(r.strength, 3) or 0.0, "confidence": str(r.confidence),
             "method": str(r.method), "evidence": str(r.evidence), "width": float(round(width, 1))}
            for r, label, width in zip(
                axes.drop(columns=[axes.geometry.name, "_p"]).itertuples(index=False),
                axes["_p"], widths)]


def _capped(ids: pd.Series | pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The first :data:`EVIDENCE_SHOWN` ids of each '|'-joined list, and how many it holds."""
    arr = ids if isinstance(ids, pa.Array) else _arrow_text(ids)
    parts = pc.split_pattern(arr, "|", max_splits=EVIDENCE_SHOWN)  # the rest stays in one
    head = pc.binary_join(pc.list_slice(parts, 0, EVIDENCE_SHOWN),
                          pa.scalar("|", pa.large_string()))
    count = pc.add(pc.count_substring(arr, "|"), 1)
    count = pc.if_else(pc.equal(arr, ""), 0, count)
    return head.cast(pa.large_string()), count.to_numpy(zero_copy_only=False).astype("int64")


class _Lazy:
    """A column kept compact (Arrow text, or floats to round to ``nd`` places) until a
    period's slice of it becomes Python values (in the worker that writes the page)."""

    def __init__(self, values, nd: int | None = None):
        self.values, self.nd = values, nd

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, s: slice) -> "_Lazy":
        if isinstance(self.values, pa.Array):
            return _Lazy(self.values.slice(s.start, s.stop - s.start), self.nd)
        return _Lazy(self.values[s], self.nd)

    def take(self, rows: np.ndarray) -> "_Lazy":
        """The values at positions ``rows``."""
        if isinstance(self.values, pa.Array):
            return _Lazy(self.values.take(pa.array(rows, type=pa.int64())), self.nd)
        return _Lazy(self.values[rows], self.nd)

    def page(self) -> list | dict:
        """The column as the page holds it (:func:`page_column`)."""
        if isinstance(self.values, pa.Array) or self.values.dtype == bool:
            return page_column(self.values)
        return page_column(self.tolist())

    def tolist(self) -> list:
        if self.nd is not None:
            return rounded(self.values, self.nd).tolist()
        if isinstance(self.values, pa.Array):
            return self.values.to_pylist()
        return self.values.tolist()


def page_column(values) -> list | dict:
    """A column in its most compact JSON form: ``{"same": v}`` when every row holds
    ``v``; text (an Arrow array) and flags (a boolean array) that repeat as
    ``{"values": distinct, "codes": index of each row's value}``, the distinct values in
    order of first appearance; anything else as the plain list."""
    if isinstance(values, pa.Array) or (isinstance(values, np.ndarray) and values.dtype == bool):
        coded = pc.dictionary_encode(values if isinstance(values, pa.Array) else pa.array(values),
                                     null_encoding="encode")  # a null is a value too
        distinct = coded.dictionary.to_pylist()
        if len(distinct) == 1:
            return {"same": distinct[0]}
        if len(distinct) <= len(values) // 2:
            return {"values": distinct,
                    "codes": coded.indices.to_numpy(zero_copy_only=False).tolist()}
        return values.to_pylist() if isinstance(values, pa.Array) else values.tolist()
    values = list(values)
    if values and values.count(values[0]) == len(values):  # NaN never appears: None
        return {"same": values[0]}
    return values


def _arrow_text(values) -> pa.Array:
    """Text (missing as '') as one Arrow array."""
    s = pd.Series(values)
    if not pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
        s = as_text(s).astype(object)
    arr = pa.array(s, type=pa.large_string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pc.fill_null(arr, "") if arr.null_count else arr


def _floats(values) -> np.ndarray:
    x = pd.Series(values)
    if not pd.api.types.is_float_dtype(x.dtype):
        x = pd.to_numeric(x, errors="coerce")
    return x.to_numpy(dtype="float64", na_value=np.nan)


class _Slices:
    """Rows of a table grouped by period: ``cols`` in page order, ``at[label]`` a slice."""

    def __init__(self, period: np.ndarray, cols: dict):
        self.cols = cols
        labels, starts = np.unique(period, return_index=True) if len(period) else ([], [])
        ends = list(starts[1:]) + [len(period)]
        self.at = {str(k): slice(int(a), int(b)) for k, a, b in zip(labels, starts, ends)}

    def rows(self, label: str) -> dict:
        s = self.at.get(label, slice(0, 0))
        return {k: v[s] for k, v in self.cols.items()}


def _page_rows(frame: pd.DataFrame, keys: list[str], shown: pd.Series, cols: list[str]
               ) -> tuple[pd.DataFrame, list[pd.Series]]:
    """The ``shown`` rows of ``frame[cols]`` ordered by ``keys`` as text (stable), cut with
    one take rather than a filter and a sort; and the keys' text in that order."""
    rows = np.flatnonzero(shown.to_numpy(dtype=bool))
    text = [as_text(frame[k]).take(rows) for k in keys]
    order = np.lexsort([pd.factorize(t, sort=True)[0] for t in text][::-1]) if len(rows) \
        else np.arange(0)
    taken = frame[cols].take(rows[order])
    return taken, [t.take(order).set_axis(taken.index) for t in text]


PRESENCE_TEXT = ("unit_level", "spatial", "status", "label", "basis", "confidence")


class _PresenceCut:
    """Presence rows above 'none', one period at a time, ordered by unit and group (as
    text, stable), as page columns. The table's columns are made compact once, in the
    table's own order when it is already sorted by period, unit and group (as build
    writes it); each period's rows are then cut, filtered and shaped by the worker that
    writes its page, so the main process never copies the whole table."""

    def __init__(self, presence: pd.DataFrame):
        period, unit, group = (_arrow_text(presence[k]) for k in ("period", "unit_id", "group"))
        shown = (presence["status"].astype(str) != "none").to_numpy()
        order = None if _text_sorted([period, unit, group]) else np.lexsort(
            [pd.factorize(np.asarray(t, dtype=object), sort=True)[0]
             for t in (group, unit, period)])
        stability = presence["stability"] if "stability" in presence \
            else pd.Series(np.nan, index=presence.index)
        lazy = {"unit_id": unit, "group": group,
                "score": _Lazy(_floats(presence["score"]), 3),
                "share": _Lazy(_floats(presence["share"]), 3),
                "age_days": presence["age_days"].to_numpy(dtype="int64"),
                "last_evidence": _arrow_text(presence["last_evidence"]),
                "date_uncertain": presence["date_uncertain"].to_numpy(dtype=bool),
                "evidence_events": _arrow_text(presence["evidence_events"]),
                "evidence_claims": _arrow_text(presence["evidence_claims"]),
                "stability": _Lazy(_floats(stability), 3),
                **{k: _arrow_text(presence[k].astype(str)) for k in PRESENCE_TEXT}}
        cell = (presence["unit_level"].astype(str) == "cell").to_numpy()
        for k in AREAS:  # shown for admin units only; a cell's row has no such field
            area = _floats(presence[f"area_{k}"]).copy()
            area[cell] = np.nan
            lazy[f"area_{k}"] = _Lazy(area, 4)
        self.cols = {k: v if isinstance(v, _Lazy) else _Lazy(v) for k, v in lazy.items()}
        self.cell, self.shown = cell, shown
        if order is not None:  # not as build writes it: put in order once
            self.cols = {k: v.take(order) for k, v in self.cols.items()}
            period, self.cell, self.shown = period.take(pa.array(order)), cell[order], shown[order]
        self.at = _Slices(np.asarray(period, dtype=object), {}).at

    def rows(self, label: str) -> dict:
        """The period's shown rows, column by column (:class:`_Lazy`), and ``_cell``."""
        s = self.at.get(label, slice(0, 0))
        rows = s.start + np.flatnonzero(self.shown[s])
        part = {k: v.take(rows) for k, v in self.cols.items()}
        for k in ("evidence_events", "evidence_claims"):
            head, count = _capped(part[k].values)
            part[k], part[f"n_{k}"] = _Lazy(head), _Lazy(count)
        part["_cell"] = self.cell[rows]
        return part


def _text_sorted(keys: list[pa.Array]) -> bool:
    """Whether the rows are in the order of ``keys`` as text (Arrow compares UTF-8 bytes,
    which order as Python orders the text)."""
    n = len(keys[0])
    if n < 2:
        return True
    a, b = [k.slice(0, n - 1) for k in keys], [k.slice(1) for k in keys]
    ordered = pc.less_equal(a[-1], b[-1])
    for x, y in zip(a[-2::-1], b[-2::-1]):
        ordered = pc.or_(pc.less(x, y), pc.and_(pc.equal(x, y), ordered))
    return bool(pc.all(ordered).as_py())


def _presence_columns(part: dict[str, np.ndarray]) -> dict:
    """A period's presence rows as the page's columns: the area fields only when some row
    is an admin unit (as the rows made one by one had them)."""
    keys = [k for k in part if k != "_cell"]
    if part["_cell"].all():
        keys = [k for k in keys if not k.startswith("area_")]
    return _columns(part, keys)


def _columns(part: dict[str, "_Lazy"], keys: list[str]) -> dict:
    n = len(part[keys[0]]) if keys else 0
    if not n:
        return {"columns": {}, "n": 0}
    return {"columns": {k: part[k].page() for k in sorted(keys)}, "n": n}


def _zone_slices(zones: pd.DataFrame | None) -> _Slices:
    if zones is None:
        return _Slices(np.array([], dtype=object), {})
    zr, (p, u) = _page_rows(zones, ["period", "unit_id"], zones["zone"].astype(str) != "none",
                            list(zones.columns))
    zr = zr.assign(_p=p, _u=u)
    stability = zr["stability"] if "stability" in zr else pd.Series(np.nan, index=zr.index)
    cols = {"unit_id": _Lazy(_arrow_text(zr["_u"])),
            "zone": _Lazy(_arrow_text(zr["zone"].astype(str))),
            "stability": _Lazy(_floats(stability), 3)}
    for k in ("holder", "holder_status", "basis", "contenders"):
        cols[k] = _Lazy(_arrow_text(zr[k]))
    return _Slices(zr["_p"].to_numpy(dtype=object), cols)


def _event_points_table(events: pd.DataFrame) -> pd.DataFrame:
    """Every drawable event as the page shows it (before aggregation), in id order."""
    drawn = event_points(events)
    place = as_text(drawn["place_name"])
    matched = as_text(drawn.get("matched_name", pd.Series("", index=drawn.index)))
    place = place.where((matched == "") | (matched == place), place + " (" + matched + ")")
    admin = _pair(as_text(drawn["admin2_name"]), as_text(drawn["admin1_name"]))
    if "vintage_admin1_id" in drawn:  # boundary vintages given: the units on its date too
        admin = _with_vintage(drawn, admin)
    pts = pd.DataFrame({
        "id": as_text(drawn["event_id"]), "lon": pd.to_numeric(drawn["longitude"]).round(5),
        "lat": pd.to_numeric(drawn["latitude"]).round(5),
        "date_start": as_text(drawn["date_start"]), "date_end": as_text(drawn["date_end"]),
        "date_precision": as_text(drawn["date_precision"]), "place": place, "admin": admin,
        "geocode_method": as_text(drawn["geocode_method"]),
        "location_precision": as_text(drawn["location_precision"]),
        "actor": as_text(drawn["actor"]), "actor_raw": as_text(drawn["actor_raw"]),
        "opponent": as_text(drawn["opponent"]), "event_type": as_text(drawn["event_type"]),
        "fatalities": pd.to_numeric(drawn["fatalities"], errors="coerce"),
        "source": as_text(drawn["source"]),
        "confidence": as_text(drawn["confidence"]), "notes": as_text(drawn["notes"]),
    })
    return pts.sort_values("id", kind="stable")


def _pair(inner: pd.Series, outer: pd.Series) -> pd.Series:
    """"inner, outer" (a province and its region), either left out where empty."""
    return (inner + ", " + outer).str.strip(", ").str.replace(r"^, |, $", "", regex=True)


def _with_vintage(drawn: pd.DataFrame, admin: pd.Series) -> pd.Series:
    """The drawn units' names, and the codes of the vintage in force on the record's
    date where they differ from the drawn units ("Bankui (on its date: BF46,
    bfa_2020.gpkg)")."""
    then1, then2 = as_text(drawn["vintage_admin1_id"]), as_text(drawn["vintage_admin2_id"])
    differs = (then1 != as_text(drawn["admin1_id"])) | (then2 != as_text(drawn["admin2_id"]))
    then = _pair(then2, then1)
    said = admin + " (on its date: " + then + ", " + as_text(drawn["vintage"]) + ")"
    return admin.where(~differs | (then == ""), said)


def _event_table(pts: pd.DataFrame) -> dict:
    """The page's event table, column by column (:func:`page_column`)."""
    if not len(pts):
        return {"columns": {}, "n": 0}
    cols = {k: page_column(_arrow_text(pts[k])) for k in EVENT_FIELDS
            if k not in ("fatalities", "lon", "lat", "count")}
    fat = pts["fatalities"].to_numpy(dtype="float64", na_value=np.nan)
    cols["fatalities"] = page_column([None if np.isnan(f) else int(f) for f in fat.tolist()])
    for k in ("lon", "lat"):
        cols[k] = page_column(pts[k].to_numpy(dtype="float64").tolist())
    cols["count"] = page_column(pts["count"].to_numpy(dtype="int64").tolist())
    return {"columns": {k: cols[k] for k in sorted(cols)}, "n": len(pts)}


class _DateRanks:
    """Dates (as the tables hold them, text) replaced by their rank among all the texts
    compared, so that 'a <= b' between texts is one integer comparison."""

    def __init__(self, *columns):  # a few thousand distinct days among millions of rows
        found = set().union(*(pd.unique(pd.Series(c)).tolist() for c in columns))
        self.order = np.array(sorted(found), dtype=object)

    def __call__(self, values) -> np.ndarray:
        codes, uniq = pd.factorize(pd.Series(values))  # text held in Arrow stays there
        return np.searchsorted(self.order, np.asarray(uniq, dtype=object))[codes]


class PeriodCutter:
    """Everything the period pages draw, prepared once; :meth:`data` cuts one period.

    ``data(period)`` equals what the pages have always drawn: the events overlapping the
    period (aggregated above ``max_points``), the presence rows above 'none' by unit and
    group, the zones, and the axes of the period with their drawn lines.
    """

    def __init__(self, events: pd.DataFrame, presence: pd.DataFrame, axes: pd.DataFrame,
                 periods: pd.DataFrame, *, zones: pd.DataFrame | None = None,
                 max_points: int = 2000, countries=None):
        self.max_points, self.countries = max_points, countries
        bounds = [as_text(periods["period_start"]), as_text(periods["period_end"])]
        ds, de = as_text(events["date_start"]), as_text(events["date_end"])
        self.rank = _DateRanks(ds, de, *bounds)
        self.ev_start, self.ev_end = self.rank(ds), self.rank(de)  # events' days as ranks
        shown = drawable(events)
        self.pts = _event_points_table(events)
        self.pts_start, self.pts_end = self.rank(self.pts["date_start"]), self.rank(self.pts["date_end"])
        self.undrawn_start, self.undrawn_end = self.ev_start[~shown], self.ev_end[~shown]
        self.presence = _PresenceCut(presence)
        self.zones = _zone_slices(zones)
        self.axes = axes.assign(_p=as_text(axes["period"])).sort_values(
            ["_p", "kind", "axis_id"], kind="stable")
        text_cols = [c for c in self.axes.columns if c != self.axes.geometry.name
                     and pd.api.types.is_string_dtype(self.axes[c].dtype)]
        self.axes = self.axes.astype({c: object for c in text_cols})
        self.axes_at = _Slices(self.axes["_p"].to_numpy(dtype=object), {}).at
        self._axis_fields = _axis_fields(self.axes)
        self._axis_ends = (self.axes.geometry.values, *_axis_ends(self.axes))
        self._shapes = _country_shapes(countries)

    def events(self, start: str, end: str) -> tuple[dict, int, bool, int]:
        """The period's event table, how many events overlap it, whether they were
        aggregated, and how many are not drawn (located to a country only)."""
        lo, hi = self.rank([start])[0], self.rank([end])[0]
        inside = (self.pts_start <= hi) & (self.pts_end >= lo)
        unmapped = int(((self.undrawn_start <= hi) & (self.undrawn_end >= lo)).sum())
        pts = self.pts[inside]
        n_all = len(pts) + unmapped
        pts, aggregated = aggregate_events(pts, self.max_points)
        return _event_table(pts), n_all, aggregated, unmapped

    def axes_list(self, label: str) -> list[dict]:
        """The period's axes with their lines as drawn; the fields that do not depend on
        the drawing were made once for all periods (:func:`_axis_fields`)."""
        at = self.axes_at.get(label, slice(0, 0))
        lines = _drawn_lines(*(values[at] for values in self._axis_ends), self._shapes)
        out = []
        for fields, drawn in zip(self._axis_fields[at], lines):
            line = None if drawn is None else [[round(x, 5), round(y, 5)] for x, y in drawn.coords]
            out.append({**fields, "line": line})  # the script draws the arrowhead, in pixels
        return out

    def data(self, period) -> dict:
        """Everything a page draws for one period, as plain JSON-ready values."""
        label = str(period["period"])
        start, end = str(period["period_start"]), str(period["period_end"])
        records, n_all, aggregated, unmapped = self.events(start, end)
        zones = self.zones.rows(label)
        return {"period": label, "start": start, "end": end, "events": records,
                "n_events": n_all, "aggregated": aggregated, "unmapped": unmapped,
                "presence": _presence_columns(self.presence.rows(label)),
                "zones": _columns(zones, list(zones)), "axes": self.axes_list(label)}
