/* sahelmap: draws presence, events and axes on a Leaflet map from the site's data
   files. Every string that comes from the records is escaped (esc) or set as text;
   nothing from the data is ever inserted as HTML. */
(function () {
  "use strict";
  var S = window.SahelMap = window.SahelMap || {};
  S.periods = S.periods || {};
  S.layers = [];

  var ESC = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};
  S.esc = function (s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) { return ESC[c]; });
  };

  S.setSite = function (site) { S.site = site; };
  S.setUnits = function (units) { S.units = units; };
  S.setBasemap = function (basemap) { S.basemap = basemap; };
  /* Tables written column by column (events, presence, zones) become lists of rows.
     A column is a plain list, {same: v} (every row holds v), or {values, codes}
     (row i holds values[codes[i]]): see sahelmap/pagedata.py. */
  function column(col, n) {
    if (Array.isArray(col)) { return col; }
    var out = new Array(n), i;
    if (Object.prototype.hasOwnProperty.call(col, "same")) {
      for (i = 0; i < n; i++) { out[i] = col.same; }
    } else {
      for (i = 0; i < n; i++) { out[i] = col.values[col.codes[i]]; }
    }
    return out;
  }
  function rows(table) {
    if (!table || !table.columns) { return table || []; }
    var out = [], keys = Object.keys(table.columns), cols = {};
    keys.forEach(function (k) { cols[k] = column(table.columns[k], table.n); });
    for (var i = 0; i < table.n; i++) {
      var r = {};
      keys.forEach(function (k) { r[k] = cols[k][i]; });
      out.push(r);
    }
    return out;
  }
  S.rows = rows;
  S.addPeriod = function (data) {
    data.events = rows(data.events);
    data.presence = rows(data.presence);
    data.zones = rows(data.zones);
    data.presence.forEach(function (r) { r.period = data.period; });
    S.periods[data.period] = data;
  };

  /* A colour as actors.csv gives it, if it is one: '#rgb', '#rrggbb' (with or without
     alpha), a colour name, or rgb()/hsl() of numbers; anything else is grey, so that a
     colour never carries CSS or a URL into a style or an SVG attribute. */
  var COLOUR = /^(#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})|[a-z]{3,24}|(rgb|hsl)a?\([0-9.,%\s\/+-]*\))$/i;
  S.colour = function (c) { return COLOUR.test(String(c)) ? String(c) : "#777777"; };
  var actors = Object.create(null);
  S.actor = function (id) {
    if (!actors[id]) {
      var a = (S.site && S.site.actors[id]) || {name: id || "unknown", colour: "#777777", kind: ""};
      actors[id] = {name: a.name, colour: S.colour(a.colour), kind: a.kind};
    }
    return actors[id];
  };

  var STATUS = {
    present: {fillOpacity: 0.22, weight: 1},
    contested: {fillOpacity: 0.32, weight: 2, dashArray: "6 4"},
    dominant: {fillOpacity: 0.5, weight: 1.5},
    control: {fillOpacity: 0.7, weight: 2.5}
  };
  var TYPE_STROKE = {
    battle: "#111111", attack: "#444444", remote_violence: "#7a7a7a",
    violence_against_civilians: "#b2182b", seizure: "#d4a000", base_established: "#d4a000",
    withdrawal: "#5e3c99", pledge: "#1b7837", movement: "#2166ac", other: "#999999"
  };
  S.TYPE_STROKE = TYPE_STROKE;

  function row(label, value) {
    return "<tr><th>" + S.esc(label) + "</th><td>" + S.esc(value) + "</td></tr>";
  }
  function table(rows) { return "<table class=\"sm-popup\">" + rows.join("") + "</table>"; }

  S.drawBasemap = function (map) {
    S.map = map;
    // a phone fits the opening view in quarter steps of zoom: whole steps leave the Sahel
    // a third of its width (zoom 4 where 4.75 fits)
    if (S.narrow()) { map.options.zoomSnap = 0.25; }
    var b = S.basemap;
    if (!b) { return; }
    map.createPane("sm-basemap"); map.getPane("sm-basemap").style.zIndex = 250;
    L.geoJSON(b.countries, {pane: "sm-basemap", interactive: false,
      style: {color: "#8a8a8a", weight: 1.2, fillColor: "#f4f1ea", fillOpacity: 1}}).addTo(map);
    L.geoJSON(b.admin1, {pane: "sm-basemap", interactive: false,
      style: {color: "#b8b2a6", weight: 0.7, fill: false}}).addTo(map);
    L.geoJSON(b.admin2, {pane: "sm-basemap", interactive: false,
      style: {color: "#d2cdc2", weight: 0.4, fill: false, dashArray: "2 2"}}).addTo(map);
    map.createPane("sm-labels"); map.getPane("sm-labels").style.zIndex = 650;
    map.getPane("sm-labels").style.pointerEvents = "none";
    var labels = (b.labels || []).map(function (p) {
      var m = L.marker([p.lat, p.lon], {pane: "sm-labels", interactive: false, keyboard: false,
        icon: L.divIcon({className: "sm-label sm-label-" + p.kind, html: S.esc(p.name),
                         iconSize: null})}).addTo(map);
      var el = m.getElement();
      return {marker: m, el: el, kind: p.kind, w: el.offsetWidth, h: el.offsetHeight};
    });
    // in the data's order of importance: capitals, countries, then towns by population
    // (webmap.basemap_data orders them)
    S.labels = labels;
    map.on("zoomend", function () { declutter(map); placeHeads(); });
    declutter(map);
  };

  /* Labels that would overlap are not drawn: each, in order of importance, takes the
     first of its places that overlaps no label already drawn, or is hidden. A place's
     name goes right of its point, else left, above, below or at a corner; a country's
     name is centred on its point, else just below, above or to a side. Town names wait
     for zoom 5, where a pixel is under 5 km. */
  var TOWN_ZOOM = 5, GAP = 2;
  function candidates(l) {
    var w = l.w, h = l.h, below = GAP, above = -h - GAP;
    if (l.kind === "country") {
      return [[-w / 2, -h / 2], [-w / 2, h / 2 + GAP], [-w / 2, -1.5 * h - GAP],
              [-w - GAP, -h / 2], [GAP, -h / 2]];
    }
    return [[4, -h / 2], [-w - 4, -h / 2], [-w / 2, above], [-w / 2, below],
            [4, above], [4, below], [-w - 4, above], [-w - 4, below]];
  }
  function overlaps(a, b) {
    return a.x < b.x + b.w + GAP && b.x < a.x + a.w + GAP && a.y < b.y + b.h + GAP && b.y < a.y + a.h + GAP;
  }
  function declutter(map) {
    var placed = [], zoom = map.getZoom();
    (S.labels || []).forEach(function (l) {
      var at = null;
      if (!l.w) { l.w = l.el.offsetWidth; l.h = l.el.offsetHeight; }  // drawn while hidden
      if (l.kind !== "town" || zoom >= TOWN_ZOOM) {
        var p = map.latLngToLayerPoint(l.marker.getLatLng());
        at = candidates(l).map(function (c) { return {x: p.x + c[0], y: p.y + c[1], w: l.w, h: l.h, dx: c[0], dy: c[1]}; })
          .find(function (box) { return !placed.some(function (q) { return overlaps(box, q); }); });
      }
      l.el.classList.toggle("sm-label-hidden", !at);
      if (at) {
        placed.push(at);
        l.el.style.marginLeft = at.dx + "px";
        l.el.style.marginTop = at.dy + "px";
      }
    });
  }

  function unitFeature(id) { return S.units && S.units.features[id]; }

  var ZONE_TEXT = {state_control: "state control", state_leaning: "contested, leaning to the state",
    contested: "contested", insurgent_leaning: "contested, leaning to the insurgents",
    insurgent_control: "insurgent control"};
  S.ZONE_TEXT = ZONE_TEXT;

  function listed(ids, n, none) {
    if (!ids) { return none; }
    var shown = ids.split("|").length;
    return ids + (n > shown ? " … and " + (n - shown) + " more (presence.csv lists all)" : "");
  }

  function pct(x) { return x === null || x === undefined ? "" : Math.round(x * 100) + "%"; }

  function presencePopup(r, unitName, zone) {
    var a = S.actor(r.group);
    var rows = [row("period", r.period), row("status", r.label),
      row("confidence of the best evidence", r.confidence || "none")];
    if (r.spatial === "area") {
      rows.push(row("located", "only to this " + (r.unit_level === "admin2" ? "province" : "region") +
        ": it shows presence somewhere in it, at most"));
    }
    if (r.area_present !== null && r.area_present !== undefined) {
      rows.push(row("share of the unit's area", "present " + pct(r.area_present) + ", contested " +
        pct(r.area_contested) + ", dominant " + pct(r.area_dominant) + ", control " + pct(r.area_control)));
    }
    rows.push(row("latest evidence", r.last_evidence ? r.last_evidence + " (" + r.age_days + " days before the period ends)" : "none"));
    if (r.date_uncertain) { rows.push(row("dates", "rests on a record whose date is uncertain (a range)")); }
    if (r.stability !== null && r.stability !== undefined) {
      rows.push(row("sensitivity", "status holds in " + pct(r.stability) + " of the parameter runs"));
    }
    if (zone) {
      rows.push(row("verdict for the place", (ZONE_TEXT[zone.zone] || zone.zone) +
        (zone.holder ? " (" + S.actor(zone.holder).name + ")" : "") +
        (zone.contenders ? " (" + zone.contenders.split("|").map(function (g) { return S.actor(g).name; }).join(", ") + ")" : "")));
    }
    rows.push(row("score", r.score.toFixed(2)), row("share of activity", pct(r.share)),
      row("events", listed(r.evidence_events, r.n_evidence_events, "none in this period")),
      row("claims", listed(r.evidence_claims, r.n_evidence_claims, "none")));
    return "<h4>" + S.esc(a.name) + " in " + S.esc(unitName) + "</h4>" + table(rows);
  }

  function zonePopup(z, unitName) {
    return "<h4>" + S.esc(ZONE_TEXT[z.zone] || z.zone) + ": " + S.esc(unitName) + "</h4>" + table([
      row("held by", z.holder ? S.actor(z.holder).name + " (" + z.holder_status + ", " + z.basis + ")" : "nobody"),
      row("contested by", z.contenders ? z.contenders.split("|").map(function (g) { return S.actor(g).name; }).join(", ") : ""),
      row("sensitivity", z.stability === null || z.stability === undefined ? "" : "holds in " + pct(z.stability) + " of the parameter runs")]);
  }

  function eventPopup(e) {
    var a = S.actor(e.actor), o = e.opponent ? S.actor(e.opponent).name : "";
    var when = e.date_start === e.date_end ? e.date_start : e.date_start + " to " + e.date_end;
    var head = e.count > 1 ? e.count + " events (aggregated)" : (e.event_type || "").replace(/_/g, " ");
    return "<h4>" + S.esc(head) + "</h4>" + table([
      row("date", when + " (" + e.date_precision + ")"),
      row("place", e.place + (e.admin ? ", " + e.admin : "")),
      row("located", e.geocode_method + ", " + e.location_precision + " precision"),
      row("actor", a.name + (e.actor_raw && e.actor_raw !== e.actor ? " (as written: " + e.actor_raw + ")" : "")),
      row("opponent", o || "none recorded"),
      row("fatalities", e.fatalities === null || e.fatalities === undefined ? "not stated" : e.fatalities),
      row("source", e.source), row("confidence", e.confidence), row("notes", e.notes),
      row("record", e.id)]);
  }

  function axisPopup(x) {
    var a = S.actor(x.group);
    var title = {inferred: "Inferred shift", influence: "Route of influence"}[x.kind] || "Declared movement";
    return "<h4>" + S.esc(title) + ": " +
      S.esc(a.name) + "</h4>" + table([
      row("from", x.origin + " (" + x.origin_precision + ")"),
      row("to", x.destination + " (" + x.destination_precision + ")"),
      row("period", x.period + (x.weight < 1 ? " (" + Math.round(x.weight * 100) + "% of its dates)" : "")),
      row(x.kind === "inferred" ? "strength" : "size", x.kind === "inferred" ? x.strength.toFixed(2) : x.size),
      row("confidence", x.confidence), row("evidence", x.evidence), row("method", x.method)]);
  }

  /* A registered layer is refilled whenever the shown period changes, so the layer
     control keeps its state across periods. */
  function register(kind, key) {
    var layer = L.layerGroup();
    S.layers.push({kind: kind, key: key, layer: layer});
    return layer;
  }
  S.presenceLayer = function (group) { return register("presence", group); };
  S.eventsLayer = function () { return register("events", null); };
  S.axesLayer = function () { return register("axes", null); };
  S.zonesLayer = function () { return register("zones", null); };

  /* Fill depth: the status. Outline: what the evidence rests on (thick solid: a
     corroborated record; thin solid: reported; dotted, with a hatched fill: claimed or
     assessed only). Dashed outline: contested. A unit whose records are located only
     to it (region-level) is drawn pale with a long-dashed outline, under the cells. */
  var CONF_STROKE = {corroborated: 3, reported: 1.5, assessed: 1, claimed: 1};
  var RANK = {present: 1, contested: 2, dominant: 3, control: 4};
  S.drawn = [];
  function claimedOnly(r) { return r.confidence === "claimed" || r.confidence === "assessed" || !r.confidence; }

  /* Hatch patterns live in one hidden SVG of the page; any path can fill with them. */
  var NS = "http://www.w3.org/2000/svg";
  var hatches = Object.create(null);  // colour -> pattern id
  function hatch(colour) {
    var id = hatches[colour];
    if (id) { return "url(#" + id + ")"; }
    id = hatches[colour] = "sm-hatch-" + Object.keys(hatches).length;
    var defs = document.getElementById("sm-patterns");
    if (!defs) {
      var svg = document.createElementNS(NS, "svg");
      svg.setAttribute("width", "0"); svg.setAttribute("height", "0");
      svg.setAttribute("aria-hidden", "true");
      svg.style.position = "absolute";
      defs = document.createElementNS(NS, "defs"); defs.id = "sm-patterns";
      svg.appendChild(defs); document.body.appendChild(svg);
    }
    var ns = NS;
    var pat = document.createElementNS(ns, "pattern");
    pat.setAttribute("id", id); pat.setAttribute("patternUnits", "userSpaceOnUse");
    pat.setAttribute("width", "7"); pat.setAttribute("height", "7");
    pat.setAttribute("patternTransform", "rotate(45)");
    var line = document.createElementNS(ns, "line");
    line.setAttribute("x1", "0"); line.setAttribute("y1", "0"); line.setAttribute("x2", "0"); line.setAttribute("y2", "7");
    line.setAttribute("stroke", colour); line.setAttribute("stroke-width", "3");
    pat.appendChild(line); defs.appendChild(pat);
    return "url(#" + id + ")";
  }

  function presenceStyle(r, a) {
    var st = STATUS[r.status] || STATUS.present;
    var soft = claimedOnly(r), area = r.spatial === "area";
    var unstable = r.stability !== null && r.stability !== undefined && r.stability < 0.75;
    var opacity = st.fillOpacity * (area ? 0.5 : 1) * (unstable ? 0.5 : 1);
    return {color: a.colour, weight: (CONF_STROKE[r.confidence] || 1) * (area ? 1.3 : 1),
      fillColor: soft ? hatch(a.colour) : a.colour, fillOpacity: soft ? Math.min(1, opacity * 2.2) : opacity,
      dashArray: area ? "12 8" : (r.status === "contested" ? "6 4" : (soft ? "2 4" : null)),
      className: "sahelmap-presence sm-status-" + r.status + " sm-conf-" + (r.confidence || "none") +
        (soft ? " sm-claimed-only" : "") + (area ? " sm-area" : "") + (unstable ? " sm-unstable" : "")};
  }

  function zoneIndex(data) {
    var out = {};
    (data.zones || []).forEach(function (z) { out[z.unit_id] = z; });
    return out;
  }

  function fillPresence(layer, data, group) {
    var zones = zoneIndex(data);
    var shown = data.presence.filter(function (r) { return r.group === group && r.status !== "none"; });
    // region-level rows first, so cells are drawn over them
    shown.sort(function (x, y) { return (y.spatial === "area") - (x.spatial === "area"); });
    shown.forEach(function (r) {
      var f = unitFeature(r.unit_id);
      if (!f) { return; }
      var a = S.actor(group);
      var shape = L.geoJSON(f.geometry, {style: presenceStyle(r, a)})
        .bindPopup(presencePopup(r, f.name, zones[r.unit_id]))
        .bindTooltip(S.esc(a.name + ": " + r.label + " (" + f.name + ")"))
        .addTo(layer);
      shape._smRank = (r.spatial === "area" ? 0 : 10) + (RANK[r.status] || 0);
      S.drawn.push(shape);
    });
  }

  var ZONE_STYLE = {state_control: 0.6, state_leaning: 0.3, contested: 0.35,
    insurgent_leaning: 0.3, insurgent_control: 0.6};
  var STATE_COLOUR = "#2b5c8a", CONTESTED_COLOUR = "#7b3294";

  function zoneStyle(z) {
    var colour = z.zone === "contested" ? CONTESTED_COLOUR :
      (z.zone.indexOf("state") === 0 ? STATE_COLOUR : S.actor(z.holder).colour);
    return {color: colour, fillColor: colour, weight: 1, fillOpacity: ZONE_STYLE[z.zone],
      dashArray: z.zone === "contested" ? "6 4" : null, className: "sahelmap-zone sm-zone-" + z.zone};
  }

  function fillZones(layer, data) {
    (data.zones || []).forEach(function (z) {
      var f = unitFeature(z.unit_id);
      if (!f || !ZONE_STYLE[z.zone]) { return; }
      L.geoJSON(f.geometry, {style: zoneStyle(z)})
        .bindPopup(zonePopup(z, f.name))
        .bindTooltip(S.esc((ZONE_TEXT[z.zone] || z.zone) + " (" + f.name + ")"))
        .addTo(layer);
    });
  }

  /* An event's circle: fill, the group (solid: exact date; pale: a week, month or range);
     outline colour, the type; size, the fatalities; a large hollow dashed ring, a place
     known only to a region; a thin dotted outline, a claim or an assessment. */
  function coarsePlace(e) { return e.location_precision === "admin1" || e.location_precision === "admin2"; }
  function claimedEvent(e) { return e.confidence === "claimed" || e.confidence === "assessed"; }
  function eventStyle(e, a) {
    var coarse = coarsePlace(e), claimed = claimedEvent(e);
    var r = Math.min(4 + 2 * Math.sqrt(e.fatalities || 0), 18) + (e.count > 1 ? Math.min(Math.log2(e.count), 6) : 0);
    return {radius: coarse ? Math.max(r, 14) : r,
      color: TYPE_STROKE[e.event_type] || "#555555", weight: claimed ? 1.5 : 2.5,
      dashArray: claimed ? "2 3" : (coarse ? "5 4" : null),
      fillColor: a.colour, fillOpacity: coarse ? 0.08 : (e.date_precision === "day" ? 0.85 : 0.35),
      className: "sahelmap-event sm-conf-" + e.confidence + " sm-loc-" + e.location_precision +
        " sm-date-" + e.date_precision};
  }

  function fillEvents(layer, data) {
    data.events.forEach(function (e) {
      var a = S.actor(e.actor);
      var m = L.circleMarker([e.lat, e.lon], eventStyle(e, a));
      m.bindPopup(eventPopup(e)).bindTooltip(S.esc(a.name + ", " + e.place + ", " + e.date_start));
      m.addTo(layer);
    });
  }

  /* Axes: solid, a declared movement (width: its stated size); dashed, a shift inferred
     from activity; dotted, a route of influence. The arrowhead is sized in screen pixels
     (placeHeads), so it reads the same at every zoom. */
  function axisStyle(x, a) {
    var inferred = x.kind === "inferred", influence = x.kind === "influence";
    return {color: a.colour, weight: influence ? 3 : x.width, opacity: 0.9,
      dashArray: inferred ? "8 6" : (influence ? "1 6" : null), lineCap: influence ? "round" : null,
      className: "sahelmap-axis sm-axis-" + x.kind};
  }
  function headSize(weight) { return 10 + 2 * weight; }  // px from the base to the tip

  /* The triangle at the end of a line from screen point ``back`` to ``tip``, and where
     the line stops (inside the triangle, so a thick line's cap never shows past the
     tip); null for a line of no length. A line short on the screen gets a head of half
     its length, but no less than 12 px, even if that is longer than the line. The
     legend draws its samples with it too. */
  function head(back, tip, weight) {
    var d = tip.subtract(back), len = Math.sqrt(d.x * d.x + d.y * d.y);
    if (!len) { return null; }
    var size = Math.min(headSize(weight), Math.max(12, len / 2));
    var u = d.divideBy(len), n = L.point(-u.y, u.x);
    var base = tip.subtract(u.multiplyBy(size)), half = n.multiplyBy(size * 0.5);
    return {head: [tip, base.add(half), base.subtract(half)],
            end: tip.subtract(u.multiplyBy(Math.min(size * 0.6, len)))};
  }
  /* The same at the map's zoom, in its pixel coordinates (not rounded, unlike layer
     points) and back to latitude and longitude. */
  function headShape(map, latlngs, weight) {
    var zoom = map.getZoom(), at = function (ll) { return map.project(ll, zoom); };
    var shape = head(at(latlngs[latlngs.length - 2]), at(latlngs[latlngs.length - 1]), weight);
    var back = function (p) { return map.unproject(p, zoom); };
    return shape && {head: shape.head.map(back), end: back(shape.end)};
  }

  S.arrows = [];
  function placeHeads() {
    var map = S.map;
    if (!map) { return; }
    S.arrows.forEach(function (x) {
      var shape = headShape(map, x.latlngs, x.weight);
      x.head.setLatLngs(shape ? shape.head : []);
      x.line.setLatLngs(shape ? x.latlngs.slice(0, -1).concat([shape.end]) : x.latlngs);
    });
  }

  function fillAxes(layer, data) {
    data.axes.forEach(function (x) {
      if (!x.line) { return; }
      var a = S.actor(x.group), style = axisStyle(x, a);
      var latlngs = x.line.map(function (c) { return [c[1], c[0]]; });
      var line = L.polyline(latlngs, style).bindPopup(axisPopup(x)).addTo(layer);
      var head = L.polygon([], {color: a.colour, fillColor: a.colour, fillOpacity: 0.95, weight: 1,
        className: "sahelmap-arrowhead"}).bindPopup(axisPopup(x)).addTo(layer);
      S.arrows.push({line: line, head: head, latlngs: latlngs.map(L.latLng), weight: style.weight});
    });
    placeHeads();
  }

  S.style = {presence: presenceStyle, zone: zoneStyle, event: eventStyle, axis: axisStyle,
    head: head, claimedOnly: claimedOnly, coarsePlace: coarsePlace, claimedEvent: claimedEvent};

  S.showPeriod = function (label) {
    var data = S.periods[label];
    if (!data) { return false; }
    S.current = label;
    S.drawn = [];
    S.arrows = [];
    S.layers.forEach(function (l) {
      l.layer.clearLayers();
      if (l.kind === "presence") { fillPresence(l.layer, data, l.key); }
      else if (l.kind === "zones") { fillZones(l.layer, data); }
      else if (l.kind === "events") { fillEvents(l.layer, data); }
      else { fillAxes(l.layer, data); }
    });
    // where groups overlap, the stronger status is drawn on top (cells over regions)
    S.drawn.sort(function (x, y) { return x._smRank - y._smRank; });
    S.drawn.forEach(function (shape) { if (S.map && S.map.hasLayer(shape)) { shape.bringToFront(); } });
    S.layers.forEach(function (l) {  // axes and events stay above the areas
      if ((l.kind === "axes" || l.kind === "events") && S.map && S.map.hasLayer(l.layer)) {
        l.layer.eachLayer(function (x) { if (x.bringToFront) { x.bringToFront(); } });
      }
    });
    var title = document.getElementById("sm-title-period");
    if (title) {
      title.textContent = label + " (" + data.start + " to " + data.end + ")";
    }
    var note = document.getElementById("sm-period-note");
    if (note) {
      note.textContent = data.events.length + (data.events.length === 1 ? " event marker" : " event markers") +
        (data.aggregated ? " (aggregated from " + data.n_events + " events)" : "") +
        (data.unmapped ? "; " + data.unmapped + (data.unmapped === 1 ? " record" : " records") +
          " located only to a country not drawn" : "");
    }
    if (S.updateLegend) { S.updateLegend(); }
    return true;
  };

  /* Load a period's data file on demand (works from file:// and http). */
  S.loadPeriod = function (label, done) {
    if (S.periods[label]) { done(); return; }
    var s = document.createElement("script");
    s.src = S.dataPath + encodeURIComponent(label) + ".js";
    s.onload = done;
    s.onerror = function () { S.status("Could not load the data for " + label); };
    document.head.appendChild(s);
  };

  S.status = function (text) {
    var el = document.getElementById("sm-period-note");
    if (el) { el.textContent = text; }
  };

  S.slider = function (map, labels, start) {
    S.periods = labels.slice();
    var ctl = L.control({position: "bottomleft"});
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "sm-slider leaflet-bar");
      var input = L.DomUtil.create("input", "", div);
      input.type = "range"; input.min = 0; input.max = labels.length - 1; input.step = 1;
      input.value = labels.indexOf(start); input.id = "sm-slider";
      input.setAttribute("aria-label", "period");
      var out = L.DomUtil.create("output", "", div);
      out.id = "sm-slider-label"; out.textContent = start;
      L.DomEvent.disableClickPropagation(div);
      input.addEventListener("input", function () {
        var label = labels[+input.value];
        out.textContent = label;
        S.loadPeriod(label, function () { S.showPeriod(label); });
      });
      return div;
    };
    ctl.addTo(map);
  };

  /* Phones and small windows (the same query as in sahelmap.css): the layer control and
     the legend fold into buttons, the title into one line. */
  S.NARROW = "(max-width: 640px), (max-height: 500px)";
  var narrowQuery = window.matchMedia ? window.matchMedia(S.NARROW) : null;
  S.narrow = function () { return !!(narrowQuery && narrowQuery.matches); };
  S.onNarrow = function (fn) {
    if (narrowQuery && narrowQuery.addEventListener) {
      narrowQuery.addEventListener("change", function () { fn(S.narrow()); });
    }
  };

  /* Leaflet's layer control, folded to its button on a narrow screen whatever the page
     asks (a period page shows it open on a wide one); made again when the screen turns. */
  S.layerControl = function (map, base, overlays, options) {
    var ctl = L.control.layers(base, overlays, L.extend({}, options, {
      collapsed: options.collapsed || S.narrow()})).addTo(map);
    S.onNarrow(function (narrow) {
      map.off("click", ctl.collapse, ctl);  // Leaflet's, for a folded control
      ctl.remove();
      ctl.options.collapsed = options.collapsed || narrow;
      ctl.addTo(map);
    });
    return ctl;
  };
})();
