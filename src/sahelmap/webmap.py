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
import orjson
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from ._arrays import as_text

ASSETS = "assets"
CAPITALS = {"Bamako", "Ouagadougou", "Niamey", "Abuja", "Porto-Novo", "Lomé", "Accra",
            "Nouakchott", "Yamoussoukro"}
ATTRIBUTION = ("Boundaries: Natural Earth (public domain){boundaries} · Places: GeoNames "
               "(CC BY 4.0) · Records: {sources} · Map: sahelmap, Leaflet")


def attribution(info: dict) -> str:
    """The map's credit line: boundaries (and the user's boundary files), places, records."""
    files = info.get("boundaries", [])
    return ATTRIBUTION.format(boundaries="".join(f", {f}" for f in files),
                              sources="; ".join(info["sources"]))


def safe_json(value) -> str:
    """JSON that is also safe inside an HTML <script> element (no '<', '>' or '&').

    Written by orjson, five times faster than Python's json on a period of a million-event
    site, and the same text: keys sorted, no ASCII escaping, floats as their shortest
    round trip, except that a number under 1e-4 is written out in full ('0.00001', not
    '1e-05') or with a bare exponent ('1.5e-7'), and a NaN, which no page data holds, as
    null. What orjson does not take (numpy floats, integers beyond 64 bits, keys that
    are not text) goes through Python's json, which writes it or says what is wrong."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    except TypeError:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- data -------------------------------------------------------------------------

DATASET_CREDITS = {
    "acled": "ACLED, acleddata.com (derived layers; raw rows not redistributed)",
    "ucdp": "UCDP GED, ucdp.uu.se (CC BY 4.0)",
}


def records_summary(events: pd.DataFrame, claims: pd.DataFrame, movements: pd.DataFrame,
                    datasets: pd.DataFrame | None = None) -> str:
    """One line naming how many records and which sources (for attributions)."""
    distinct = pd.Series(pd.unique(as_text(events.get("source", pd.Series(dtype=object)))),
                         dtype=object)  # a million events name a few hundred sources
    sources = sorted(set(distinct.str.split(",").str[0].str.strip()) - {""})[:12]
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
                       for r in _by_importance(labels).itertuples(index=False)]}


LABEL_ORDER = {"capital": 0, "country": 1, "town": 2}


def _by_importance(labels: pd.DataFrame) -> pd.DataFrame:
    """Capitals, countries, then towns, each by population (largest first), then name:
    the order in which the pages keep labels where they would overlap."""
    rank = labels["kind"].map(LABEL_ORDER).fillna(len(LABEL_ORDER))
    population = pd.to_numeric(labels.get("population", pd.Series(0, index=labels.index)),
                               errors="coerce").fillna(0)
    return labels.assign(_rank=rank, _pop=-population).sort_values(
        ["_rank", "_pop", "name"], kind="stable")


def label_places(places: pd.DataFrame, events: pd.DataFrame, claims: pd.DataFrame,
                 movements: pd.DataFrame) -> pd.DataFrame:
    """Places to label: capitals, and every town or site the records name, with their
    population (0 where GeoNames gives none)."""
    used = set().union(*(pd.unique(as_text(table.get(col, pd.Series(dtype=object))))
                         for table, col in ((events, "place_id"), (claims, "place_id"),
                                            (movements, "origin_place_id"),
                                            (movements, "destination_place_id"))))
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
    pop = pd.concat([towns["population"], countries["population"]])
    out["population"] = pd.to_numeric(pop, errors="coerce").fillna(0).to_numpy()
    return out.reset_index(drop=True)


# --- folium elements: a class and a template each ---------------------------------

class OfflineMap(folium.Map):
    """A folium map whose scripts and styles all come from the site's own assets."""

    default_js = [("leaflet", f"{ASSETS}/leaflet/leaflet.js"),
                  ("sahelmap", f"{ASSETS}/sahelmap.js"),
                  ("legend", f"{ASSETS}/legend.js"),
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
    """Draws a period once the layers exist, with its legend; on the overview, adds the
    slider."""

    _template = Template("""{% macro script(this, kwargs) %}
        SahelMap.dataPath = "data/";
        SahelMap.legend({{ this._parent.get_name() }});
        {% if this.labels %}SahelMap.slider({{ this._parent.get_name() }}, {{ this.labels|tojson }}, {{ this.label|tojson }});{% endif %}
        SahelMap.loadPeriod({{ this.label|tojson }}, function () { SahelMap.showPeriod({{ this.label|tojson }}); });
    {% endmacro %}""")

    def __init__(self, label: str, labels: list[str] | None = None):
        super().__init__()
        self._name = "Show"
        self.label, self.labels = label, labels or []


class Title(MacroElement):
    _template = Template("""{% macro script(this, kwargs) %}
        (function () {
            var c = L.control({position: "topright"});
            c.onAdd = function () {
                var d = L.DomUtil.create("div", "sm-title");
                var b = L.DomUtil.create("b", "sm-title-heading", d); b.textContent = {{ this.heading|tojson }};
                L.DomUtil.create("br", "", d);
                var s = L.DomUtil.create("span", "", d); s.id = "sm-title-period";
                L.DomUtil.create("br", "", d);
                var r = L.DomUtil.create("span", "sm-title-range", d); r.textContent = {{ this.range|tojson }};
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


class LayerControl(folium.LayerControl):
    """Leaflet's layer control, made by SahelMap.layerControl: folded to a button on a
    narrow screen, whatever ``collapsed`` asks for on a wide one."""

    _template = Template("""{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = SahelMap.layerControl({{ this._parent.get_name() }}, {
            {%- for key, val in this.base_layers.items() %}
            {{ key|tojson }}: {{ val }},
            {%- endfor %}
        }, {
            {%- for key, val in this.overlays.items() %}
            {{ key|tojson }}: {{ val }},
            {%- endfor %}
        }, {{ this.options|tojson }});
    {% endmacro %}""")


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
    if fit:  # at once: the labels and arrowheads are laid out for the zoom it ends at
        view = folium.map.FitBounds(fit)
        view.options["animate"] = False
        m.add_child(view)
    return _stable_ids(m.get_root().render())


def period_page(label: str, info: dict, groups: list[str], *, tiles: bool = False,
                fit=None) -> str:
    """The HTML of one period's page."""
    m = _map(groups, attribution(info), tiles, names=_names(info))
    PeriodData(label).add_to(m)
    Title(f"sahelmap: presence, events and axes, {label}",
          f"data from {info['range'][0]} to {info['range'][1]}").add_to(m)
    LayerControl(collapsed=False).add_to(m)
    Show(label).add_to(m)
    m.get_root().title = f"sahelmap {label}"
    return _finish(m, fit)


PLAIN_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
LABEL_SLOT = "SAHELMAPPERIODLABEL"


class PeriodPages:
    """``period_page`` for many periods: the page is rendered once with a placeholder
    label, which every plain label (letters, digits, '-', '_', '.') then replaces; any
    other label, which some context would have to escape, is rendered in full."""

    def __init__(self, info: dict, groups: list[str], *, tiles: bool = False, fit=None):
        self.args = (info, groups)
        self.kwargs = {"tiles": tiles, "fit": fit}
        self.page = period_page(LABEL_SLOT, info, groups, tiles=tiles, fit=fit)

    def __call__(self, label: str) -> str:
        if PLAIN_LABEL.fullmatch(label) and LABEL_SLOT not in label:
            return self.page.replace(LABEL_SLOT, label)
        return period_page(label, *self.args, **self.kwargs)


def index_page(info: dict, groups: list[str], start: str, header_html: str, body_html: str, *,
               tiles: bool = False, fit=None) -> str:
    """The overview page: a header, a map with a time slider, then the body.

    ``header_html`` and ``body_html`` must already be escaped HTML.
    """
    m = _map(groups, attribution(info), tiles, height="72vh", names=_names(info))
    PeriodData(start).add_to(m)
    Title("sahelmap: presence, events and axes over time",
          f"data from {info['range'][0]} to {info['range'][1]}").add_to(m)
    LayerControl(collapsed=True).add_to(m)
    labels = [p["period"] for p in info["periods"]]
    Show(start, labels).add_to(m)
    m.get_root().title = "sahelmap"
    page = _finish(m, fit)
    # header above the map, the rest below it (folium places its map div at render time)
    page = page.replace("<body>", "<body>\n" + header_html, 1)
    return page.replace("</body>", body_html + "\n</body>", 1)
