"""Web maps: the data each page draws and the folium pages that draw it.

Pure functions: they take frames and return dicts or HTML strings; ``site.py``
writes them. Pages load Leaflet and sahelmap's own script from ``assets/``
(never a CDN); every string from the records reaches the page as JSON data and
is escaped by the script before it is shown.
"""

from __future__ import annotations

import html
import json
import re

import folium
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from branca.element import Element, MacroElement
from jinja2 import Template

ASSETS = "assets"
EVENT_FIELDS = ["id", "lon", "lat", "date_start", "date_end", "date_precision", "place", "admin",
                "geocode_method", "location_precision", "actor", "actor_raw", "opponent",
                "event_type", "fatalities", "source", "confidence", "notes", "count"]
CAPITALS = {"Bamako", "Ouagadougou", "Niamey", "Abuja", "Porto-Novo", "Lomé", "Accra",
            "Nouakchott", "Yamoussoukro"}
ATTRIBUTION = ("Boundaries: Natural Earth (public domain) · Places: GeoNames (CC BY 4.0) · "
               "Records: {sources} · Map: sahelmap, Leaflet")


def safe_json(value) -> str:
    """JSON that is also safe inside an HTML <script> element (no '<', '>' or '&')."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _num(x, nd=5):
    return None if x is None or (isinstance(x, float) and not np.isfinite(x)) else round(float(x), nd)


def _str(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), "").astype(str)


# --- data -------------------------------------------------------------------------

def event_points(events: pd.DataFrame) -> pd.DataFrame:
    """The events a map can draw: located below country level."""
    lat = pd.to_numeric(events["latitude"], errors="coerce")
    lon = pd.to_numeric(events["longitude"], errors="coerce")
    ok = lat.notna() & lon.notna() & ~events["location_precision"].isin(["country", ""])
    return events[ok]


def aggregate_events(ev: pd.DataFrame, max_points: int) -> tuple[pd.DataFrame, bool]:
    """Merge events into grid cells per actor and type until at most ``max_points`` remain.

    Cells start at 0.05 degrees and double. An aggregated point sits at the mean of its
    events, sums their fatalities, keeps the coarsest precisions, and lists up to five ids.
    """
    if len(ev) <= max_points:
        return ev.assign(count=1), False
    size = 0.05
    while True:
        cell = (np.floor(ev["lon"] / size).astype("int64").astype(str) + ":"
                + np.floor(ev["lat"] / size).astype("int64").astype(str))
        keys = [cell, ev["actor"], ev["event_type"]]
        n = pd.MultiIndex.from_arrays(keys).nunique()
        if n <= max_points or size > 5:
            break
        size *= 2
    ev = ev.assign(_cell=cell.to_numpy()).sort_values(["_cell", "actor", "event_type", "id"])
    g = ev.groupby(["_cell", "actor", "event_type"], sort=True)
    out = g.agg(lon=("lon", "mean"), lat=("lat", "mean"), date_start=("date_start", "min"),
                date_end=("date_end", "max"), fatalities=("fatalities", "sum"),
                count=("id", "size"), id=("id", lambda s: "|".join(list(s)[:5])),
                confidence=("confidence", "min")).reset_index()
    out["date_precision"] = "range"
    out["location_precision"] = f"cell {size:g}°"
    out["place"] = "several places"
    out["admin"] = ""
    out["geocode_method"] = "aggregated"
    out["actor_raw"] = ""
    out["opponent"] = ""
    out["source"] = "several (see the events table)"
    out["notes"] = ("first ids: " + out["id"]).where(out["count"] > 5, "")
    out["lon"], out["lat"] = out["lon"].round(5), out["lat"].round(5)
    return out.drop(columns=["_cell"]), True


def _size_width(size: pd.Series) -> np.ndarray:
    """Line width from a size as stated: numbers on a log scale, else words."""
    text = _str(size).str.lower()
    number = pd.to_numeric(text.str.extract(r"(\d[\d,]*)")[0].str.replace(",", ""), errors="coerce")
    width = np.where(number.notna(), 2 + np.log10(number.fillna(1).clip(lower=1)) * 1.5, 3.0)
    big = text.str.contains("hundred|huge|thousand|column|major|massive")
    medium = text.str.contains("dozen|several|battalion")
    width = np.where(number.isna() & big, 6.0, np.where(number.isna() & medium, 4.0, width))
    return np.round(width, 1)


def arrowheads(lines) -> list:
    """A triangle at the end of each line (lon/lat), sized to the line, as coordinate lists."""
    heads = []
    for line in lines:
        if line is None or shapely.is_empty(line):
            heads.append(None)
            continue
        coords = np.asarray(line.coords)
        (x0, y0), (x1, y1) = coords[-2], coords[-1]
        k = np.cos(np.radians((y0 + y1) / 2))
        dx, dy = (x1 - x0) * k, y1 - y0
        length = float(np.hypot(dx, dy))
        if length == 0:
            heads.append(None)
            continue
        ux, uy = dx / length, dy / length
        h = min(0.35, 0.3 * length)
        bx, by = -ux * h, -uy * h
        wx, wy = -uy * h * 0.45, ux * h * 0.45
        pts = [(x1, y1), (x1 + (bx + wx) / k, y1 + by + wy), (x1 + (bx - wx) / k, y1 + by - wy)]
        heads.append([[round(x, 5), round(y, 5)] for x, y in pts])
    return heads


def display_lines(axes: pd.DataFrame, countries=None) -> list:
    """Lines as drawn: an end known only to a country starts (or stops) at the point of
    that country's outline nearest the other end, not at the country's label point."""
    out = []
    shapes = {} if countries is None else dict(zip("country:" + countries["country"],
                                                   countries.geometry.values))
    for line, o, d in zip(axes.geometry.values, _str(axes.get("origin_place_id", pd.Series("", index=axes.index))),
                          _str(axes.get("destination_place_id", pd.Series("", index=axes.index)))):
        if line is None or shapely.is_empty(line):
            out.append(None)
            continue
        coords = [tuple(c) for c in line.coords]
        start, end = shapely.Point(coords[0]), shapely.Point(coords[-1])
        if (o in shapes and shapes[o].contains(end)) or (d in shapes and shapes[d].contains(start)):
            # "from somewhere in Burkina Faso" to a place in Burkina Faso: no line to draw
            out.append(None)
            continue
        if o in shapes and d not in shapes:
            p = shapely.ops.nearest_points(shapes[o].boundary, end)[0]
            coords[0] = (p.x, p.y)
        if d in shapes and o not in shapes:
            p = shapely.ops.nearest_points(shapes[d].boundary, start)[0]
            coords[-1] = (p.x, p.y)
        out.append(shapely.LineString(coords))
    return out


PRESENCE_FIELDS = ["unit_id", "unit_level", "spatial", "group", "status", "label", "basis",
                   "confidence", "age_days", "last_evidence", "date_uncertain", "area_present",
                   "area_contested", "area_dominant", "area_control", "evidence_events",
                   "evidence_claims"]


EVIDENCE_SHOWN = 6  # ids per popup; presence.csv lists them all


def columnar(rows: list[dict]) -> dict:
    """Rows as one list per field (the page's script turns them back into rows): the
    field names are written once, not once per row."""
    keys = sorted({k for r in rows for k in r})
    return {"columns": {k: [r.get(k) for r in rows] for k in keys}, "n": len(rows)}


def _capped(ids) -> tuple[str, int]:
    """The first ids of a '|'-joined list and how many there are in all."""
    if ids is None or (isinstance(ids, float) and np.isnan(ids)) or ids == "":
        return "", 0
    parts = str(ids).split("|")
    return "|".join(parts[:EVIDENCE_SHOWN]), len(parts)


def presence_rows(pr: pd.DataFrame, label: str) -> list[dict]:
    """A period's presence rows as the page draws them (status none left out). Popups
    show the first :data:`EVIDENCE_SHOWN` evidence ids of a row and the count."""
    pr = pr[pr["status"].astype(str) != "none"].sort_values(["unit_id", "group"])
    rows = []
    stability = pr["stability"] if "stability" in pr else pd.Series(np.nan, index=pr.index)
    for r, st in zip(pr.itertuples(index=False), stability):
        ev, n_ev = _capped(r.evidence_events)
        cl, n_cl = _capped(r.evidence_claims)
        d = {"unit_id": str(r.unit_id), "unit_level": str(r.unit_level),
             "spatial": str(r.spatial), "group": str(r.group), "status": str(r.status),
             "label": str(r.label), "basis": str(r.basis), "confidence": str(r.confidence),
             "score": _num(r.score, 3), "share": _num(r.share, 3),
             "age_days": int(r.age_days), "last_evidence": "" if pd.isna(r.last_evidence)
             else str(r.last_evidence), "date_uncertain": bool(r.date_uncertain),
             "evidence_events": ev, "n_evidence_events": n_ev,
             "evidence_claims": cl, "n_evidence_claims": n_cl, "stability": _num(st, 3)}
        if r.unit_level != "cell":
            for k in ("present", "contested", "dominant", "control"):
                d[f"area_{k}"] = _num(getattr(r, f"area_{k}"), 4)
        rows.append(d)
    return rows


def zone_rows(zr: pd.DataFrame) -> list[dict]:
    """A period's verdicts (zones of control) as the page draws them."""
    zr = zr[zr["zone"].astype(str) != "none"].sort_values("unit_id")
    stability = zr["stability"] if "stability" in zr else pd.Series(np.nan, index=zr.index)
    return [{"unit_id": str(r.unit_id), "zone": str(r.zone), "holder": _s(r.holder),
             "holder_status": _s(r.holder_status), "basis": _s(r.basis),
             "contenders": _s(r.contenders), "stability": _num(st, 3)}
            for r, st in zip(zr.itertuples(index=False), stability)]


def _s(value) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def period_data(period: pd.Series, events: pd.DataFrame, presence: pd.DataFrame,
                axes: pd.DataFrame, *, zones: pd.DataFrame | None = None,
                max_points: int = 2000, countries=None) -> dict:
    """Everything a page draws for one period, as plain JSON-ready values."""
    label = str(period["period"])
    start, end = str(period["period_start"]), str(period["period_end"])
    ev = events[(events["date_start"].astype(str) <= end) & (events["date_end"].astype(str) >= start)]
    n_all = len(ev)
    drawn = event_points(ev)
    unmapped = n_all - len(drawn)
    fat = pd.to_numeric(drawn["fatalities"], errors="coerce")
    place = _str(drawn["place_name"])
    matched = _str(drawn.get("matched_name", pd.Series("", index=drawn.index)))
    place = place.where((matched == "") | (matched == place), place + " (" + matched + ")")
    admin = _str(drawn["admin2_name"]) + ", " + _str(drawn["admin1_name"])
    admin = admin.str.strip(", ").str.replace(r"^, |, $", "", regex=True)
    pts = pd.DataFrame({
        "id": _str(drawn["event_id"]), "lon": pd.to_numeric(drawn["longitude"]).round(5),
        "lat": pd.to_numeric(drawn["latitude"]).round(5),
        "date_start": _str(drawn["date_start"]), "date_end": _str(drawn["date_end"]),
        "date_precision": _str(drawn["date_precision"]), "place": place, "admin": admin,
        "geocode_method": _str(drawn["geocode_method"]),
        "location_precision": _str(drawn["location_precision"]),
        "actor": _str(drawn["actor"]), "actor_raw": _str(drawn["actor_raw"]),
        "opponent": _str(drawn["opponent"]), "event_type": _str(drawn["event_type"]),
        "fatalities": fat, "source": _str(drawn["source"]),
        "confidence": _str(drawn["confidence"]), "notes": _str(drawn["notes"]),
    }).sort_values("id")
    pts, aggregated = aggregate_events(pts, max_points)
    records = []
    for r in pts[EVENT_FIELDS].itertuples(index=False):
        d = r._asdict()
        d["fatalities"] = None if pd.isna(d["fatalities"]) else int(d["fatalities"])
        d["lon"], d["lat"], d["count"] = float(d["lon"]), float(d["lat"]), int(d["count"])
        records.append(d)

    pres = presence_rows(presence[presence["period"].astype(str) == label], label)
    zone_list = [] if zones is None else zone_rows(zones[zones["period"].astype(str) == label])

    ax = axes[axes["period"].astype(str) == label].sort_values(["kind", "axis_id"])
    lines = display_lines(ax, countries)
    heads = arrowheads(lines)
    widths = np.where(ax["kind"] == "inferred",
                      2 + np.minimum(pd.to_numeric(ax["strength"], errors="coerce").fillna(0), 4),
                      _size_width(ax["size"]))
    axl = []
    for (r, drawn, head, width) in zip(ax.itertuples(index=False), lines, heads, widths):
        line = None if drawn is None else [[round(x, 5), round(y, 5)] for x, y in drawn.coords]
        axl.append({"id": str(r.axis_id), "kind": str(r.kind), "group": str(r.group),
                    "period": label, "weight": _num(r.weight, 3),
                    "origin": str(r.origin_name), "origin_precision": str(r.origin_precision or ""),
                    "destination": str(r.destination_name),
                    "destination_precision": str(r.destination_precision or ""),
                    "size": "" if pd.isna(r.size) else str(r.size),
                    "strength": _num(r.strength, 3) or 0.0, "confidence": str(r.confidence),
                    "method": str(r.method), "evidence": str(r.evidence),
                    "line": line, "head": head, "width": float(round(width, 1))})
    return {"period": label, "start": start, "end": end, "events": records,
            "n_events": n_all, "aggregated": aggregated, "unmapped": unmapped,
            "presence": columnar(pres), "zones": columnar(zone_list), "axes": axl}


DATASET_CREDITS = {
    "acled": "ACLED, acleddata.com (derived layers; raw rows not redistributed)",
    "ucdp": "UCDP GED, ucdp.uu.se (CC BY 4.0)",
}


def records_summary(events: pd.DataFrame, claims: pd.DataFrame, movements: pd.DataFrame,
                    datasets: pd.DataFrame | None = None) -> str:
    """One line naming how many records and which sources (for attributions)."""
    sources = sorted(set(_str(events.get("source", pd.Series(dtype=object))).str.split(",")
                         .str[0].str.strip()) - {""})[:12]
    text = (f"{len(events)} events, {len(claims)} claims, {len(movements)} movements; "
            f"sources include {', '.join(sources) or 'none'}")
    if datasets is not None and len(datasets):
        credits = [f"{DATASET_CREDITS[d]}: {int(n)} events" for d, n in
                   zip(datasets["dataset"], datasets["events"]) if d in DATASET_CREDITS]
        if credits:
            text += "; data: " + "; ".join(credits)
    return text


def site_info(actors: pd.DataFrame, periods: pd.DataFrame, data_range: tuple[str, str],
              sources: list[str]) -> dict:
    return {
        "actors": {r.actor_id: {"name": r.display_name, "colour": r.colour, "kind": r.kind}
                   for r in actors.itertuples(index=False)},
        "periods": [{"period": str(p.period), "start": str(p.period_start), "end": str(p.period_end)}
                    for p in periods.itertuples(index=False)],
        "range": list(data_range),
        "sources": sources,
    }


def _simplified(gdf, tolerance: float) -> list:
    return [shapely.set_precision(g, 1e-4) for g in
            shapely.coverage_simplify(np.asarray(gdf.geometry.values, dtype=object), tolerance)]


def units_data(admin1, admin2, cells=None, tolerance: float = 0.01) -> dict:
    """Simplified unit polygons keyed by id (shared borders stay identical), and the
    hexagon of every grid cell the presence table names (``cells``: a GeoDataFrame
    with ``unit_id``, ``name`` and ``geometry``)."""
    feats = {}
    for layer in (admin1, admin2):
        for uid, name, geom in zip(layer["unit_id"], layer["name"], _simplified(layer, tolerance)):
            feats[str(uid)] = {"name": str(name),
                               "geometry": json.loads(shapely.to_geojson(geom))}
    if cells is not None:
        for uid, name, geom in zip(cells["unit_id"], cells["name"], cells.geometry.values):
            feats[str(uid)] = {"name": str(name), "geometry": json.loads(
                shapely.to_geojson(shapely.set_precision(geom, 1e-5)))}
    return {"features": feats}


def basemap_data(countries, admin1, admin2, labels: pd.DataFrame, tolerance: float = 0.01) -> dict:
    def fc(layer):
        return {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {},
             "geometry": json.loads(shapely.to_geojson(shapely.boundary(g) if not shapely.is_empty(g) else g))}
            for g in _simplified(layer, tolerance)]}
    countries_fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {},
         "geometry": json.loads(shapely.to_geojson(g))} for g in _simplified(countries, tolerance)]}
    return {"countries": countries_fc, "admin1": fc(admin1), "admin2": fc(admin2),
            "labels": [{"name": str(r.name), "lat": float(r.latitude), "lon": float(r.longitude),
                        "kind": str(r.kind)}
                       for r in labels.sort_values(["kind", "name"]).itertuples(index=False)]}


def label_places(places: pd.DataFrame, events: pd.DataFrame, claims: pd.DataFrame,
                 movements: pd.DataFrame) -> pd.DataFrame:
    """Places to label: capitals, and every town or site the records name."""
    used = set(_str(events.get("place_id", pd.Series(dtype=object)))) | \
        set(_str(claims.get("place_id", pd.Series(dtype=object)))) | \
        set(_str(movements.get("origin_place_id", pd.Series(dtype=object)))) | \
        set(_str(movements.get("destination_place_id", pd.Series(dtype=object))))
    towns = places[(places["place_id"].isin(used) & ~places["kind"].isin(["admin1", "admin2", "country"]))
                   | (places["name"].isin(CAPITALS) & (places["kind"] == "populated_place"))]
    towns = towns[towns["latitude"].notna()]
    towns = towns.sort_values("population", ascending=False).drop_duplicates("name")
    kind = np.where(towns["name"].isin(CAPITALS), "capital", "town")
    out = pd.DataFrame({"name": towns["name"], "latitude": towns["latitude"],
                        "longitude": towns["longitude"], "kind": kind})
    countries = places[places["kind"] == "country"]
    out = pd.concat([out, pd.DataFrame({"name": countries["name"], "latitude": countries["latitude"],
                                        "longitude": countries["longitude"], "kind": "country"})])
    return out.reset_index(drop=True)


# --- folium elements: a class and a template each ---------------------------------

class OfflineMap(folium.Map):
    """A folium map whose scripts and styles all come from the site's own assets."""

    default_js = [("leaflet", f"{ASSETS}/leaflet/leaflet.js"),
                  ("sahelmap", f"{ASSETS}/sahelmap.js"),
                  ("site", f"{ASSETS}/site.js"),
                  ("units", f"{ASSETS}/units.js"),
                  ("basemap", f"{ASSETS}/basemap.js")]
    default_css = [("leaflet_css", f"{ASSETS}/leaflet/leaflet.css"),
                   ("sahelmap_css", f"{ASSETS}/sahelmap.css")]


class PeriodData(MacroElement):
    """Loads one period's data file in the page header."""

    _template = Template("")

    def __init__(self, label: str):
        super().__init__()
        self._name = "PeriodData"
        self.default_js = [(f"data_{label}", f"data/{label}.js")]

    def render(self, **kwargs):
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(folium.elements.JavascriptLink(url), name=name)
        super().render(**kwargs)


class Basemap(MacroElement):
    _template = Template("""{% macro script(this, kwargs) %}
        SahelMap.drawBasemap({{ this._parent.get_name() }});
        {{ this._parent.get_name() }}.attributionControl.setPrefix(false);
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.attribution|tojson }});
    {% endmacro %}""")

    def __init__(self, attribution: str):
        super().__init__()
        self._name = "Basemap"
        self.attribution = html.escape(attribution)


class DataLayer(folium.map.Layer):
    """A layer whose features SahelMap draws for the shown period."""

    _template = Template("""{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = SahelMap.{{ this.factory }}({{ this.key|tojson }});
    {% endmacro %}""")

    def __init__(self, name: str, factory: str, key: str | None = None, show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "DataLayer"
        self.factory = factory
        self.key = key


class Show(MacroElement):
    """Draws a period once the layers exist; on the overview, adds the slider."""

    _template = Template("""{% macro script(this, kwargs) %}
        SahelMap.dataPath = "data/";
        SahelMap.legend({{ this._parent.get_name() }}, {{ this.groups|tojson }});
        {% if this.labels %}SahelMap.slider({{ this._parent.get_name() }}, {{ this.labels|tojson }}, {{ this.label|tojson }});{% endif %}
        SahelMap.loadPeriod({{ this.label|tojson }}, function () { SahelMap.showPeriod({{ this.label|tojson }}); });
    {% endmacro %}""")

    def __init__(self, label: str, groups: list[str], labels: list[str] | None = None):
        super().__init__()
        self._name = "Show"
        self.label, self.groups, self.labels = label, groups, labels or []


class Title(MacroElement):
    _template = Template("""{% macro script(this, kwargs) %}
        (function () {
            var c = L.control({position: "topright"});
            c.onAdd = function () {
                var d = L.DomUtil.create("div", "sm-title");
                var b = L.DomUtil.create("b", "", d); b.textContent = {{ this.heading|tojson }};
                L.DomUtil.create("br", "", d);
                var s = L.DomUtil.create("span", "", d); s.id = "sm-title-period";
                L.DomUtil.create("br", "", d);
                var r = L.DomUtil.create("span", "", d); r.textContent = {{ this.range|tojson }};
                L.DomUtil.create("br", "", d);
                var n = L.DomUtil.create("span", "", d); n.id = "sm-period-note";
                return d;
            };
            c.addTo({{ this._parent.get_name() }});
        })();
    {% endmacro %}""")

    def __init__(self, heading: str, range_text: str):
        super().__init__()
        self._name = "Title"
        self.heading, self.range = heading, range_text


def _names(info: dict) -> dict[str, str]:
    return {k: v["name"] for k, v in info["actors"].items()}


def _stable_ids(text: str) -> str:
    """Replace folium's random element ids by ids numbered in order of appearance."""
    seen: dict[str, str] = {}

    def repl(m):
        key = m.group(0)
        if key not in seen:
            seen[key] = f"{m.group(1)}_{len(seen):04d}"
        return seen[key]

    return re.sub(r"\b([a-z][a-z_]*?)_[0-9a-f]{32}(?![0-9a-f])", repl, text)


def _map(groups: list[str], attribution: str, tiles: bool, height: str = "100%",
         names: dict[str, str] | None = None) -> OfflineMap:
    m = OfflineMap(location=[14.0, -1.5], zoom_start=6, tiles=None, control_scale=True,
                   height=height, min_zoom=4)
    if tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap tiles (online)", show=False,
                         overlay=False).add_to(m)
    Basemap(attribution).add_to(m)
    names = names or {}
    for g in groups:
        # Leaflet's layer control shows names as HTML: escape them
        DataLayer(f"Presence: {html.escape(names.get(g, g))}", "presenceLayer", g).add_to(m)
    DataLayer("Zone of control (one verdict per place)", "zonesLayer", show=False).add_to(m)
    DataLayer("Axes of reinforcement", "axesLayer").add_to(m)
    DataLayer("Events", "eventsLayer").add_to(m)
    return m


def _finish(m: folium.Map, fit: tuple | None) -> str:
    # an empty icon, so browsers do not ask the server for /favicon.ico
    m.get_root().header.add_child(Element('<link rel="icon" href="data:,">'), name="icon")
    if fit:
        m.fit_bounds(fit)
    return _stable_ids(m.get_root().render())


def period_page(label: str, info: dict, groups: list[str], *, tiles: bool = False,
                fit=None) -> str:
    """The HTML of one period's page."""
    attribution = ATTRIBUTION.format(sources="; ".join(info["sources"]))
    m = _map(groups, attribution, tiles, names=_names(info))
    PeriodData(label).add_to(m)
    Title(f"sahelmap: presence, events and axes, {label}",
          f"data from {info['range'][0]} to {info['range'][1]}").add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    Show(label, groups).add_to(m)
    m.get_root().title = f"sahelmap {label}"
    return _finish(m, fit)


def index_page(info: dict, groups: list[str], start: str, header_html: str, body_html: str, *,
               tiles: bool = False, fit=None) -> str:
    """The overview page: a header, a map with a time slider, then the body.

    ``header_html`` and ``body_html`` must already be escaped HTML.
    """
    attribution = ATTRIBUTION.format(sources="; ".join(info["sources"]))
    m = _map(groups, attribution, tiles, height="72vh", names=_names(info))
    PeriodData(start).add_to(m)
    Title("sahelmap: presence, events and axes over time",
          f"data from {info['range'][0]} to {info['range'][1]}").add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    labels = [p["period"] for p in info["periods"]]
    Show(start, groups, labels).add_to(m)
    m.get_root().title = "sahelmap"
    page = _finish(m, fit)
    # header above the map, the rest below it (folium places its map div at render time)
    page = page.replace("<body>", "<body>\n" + header_html, 1)
    return page.replace("</body>", body_html + "\n</body>", 1)
