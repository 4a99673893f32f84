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
  S.addPeriod = function (data) { S.periods[data.period] = data; };

  S.actor = function (id) {
    return (S.site && S.site.actors[id]) || {name: id || "unknown", colour: "#777777", kind: ""};
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
    (b.labels || []).forEach(function (p) {
      L.marker([p.lat, p.lon], {pane: "sm-labels", interactive: false, keyboard: false,
        icon: L.divIcon({className: "sm-label sm-label-" + p.kind, html: S.esc(p.name),
                         iconSize: null})}).addTo(map);
    });
  };

  function unitFeature(id) { return S.units && S.units.features[id]; }

  function presencePopup(r, unitName) {
    var a = S.actor(r.group);
    return "<h4>" + S.esc(a.name) + " in " + S.esc(unitName) + "</h4>" + table([
      row("period", r.period), row("status", r.status), row("score", r.score.toFixed(2)),
      row("share of activity", Math.round(r.share * 100) + "%"), row("basis", r.basis),
      row("events", r.evidence_events || "none in this period"),
      row("claims", r.evidence_claims || "none")]);
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
    return "<h4>" + S.esc(x.kind === "inferred" ? "Inferred shift" : "Declared movement") + ": " +
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

  function fillPresence(layer, data, group) {
    data.presence.forEach(function (r) {
      if (r.group !== group || r.status === "none") { return; }
      var f = unitFeature(r.unit_id);
      if (!f) { return; }
      var a = S.actor(group), st = STATUS[r.status] || STATUS.present;
      var style = {color: a.colour, fillColor: a.colour, weight: st.weight,
        fillOpacity: st.fillOpacity, dashArray: r.basis === "claim" ? "2 4" : st.dashArray,
        className: "sahelmap-presence sm-status-" + r.status};
      L.geoJSON(f.geometry, {style: style})
        .bindPopup(presencePopup(r, f.name)).bindTooltip(S.esc(a.name + ": " + r.status + " (" + f.name + ")"))
        .addTo(layer);
    });
  }

  function fillEvents(layer, data) {
    data.events.forEach(function (e) {
      var a = S.actor(e.actor);
      var coarsePlace = e.location_precision === "admin1" || e.location_precision === "admin2";
      var exactDate = e.date_precision === "day";
      var claimed = e.confidence === "claimed" || e.confidence === "assessed";
      var r = Math.min(4 + 2 * Math.sqrt(e.fatalities || 0), 18) + (e.count > 1 ? Math.min(Math.log2(e.count), 6) : 0);
      var m = L.circleMarker([e.lat, e.lon], {
        radius: coarsePlace ? Math.max(r, 14) : r,
        color: TYPE_STROKE[e.event_type] || "#555555", weight: claimed ? 1.5 : 2.5,
        dashArray: claimed ? "2 3" : (coarsePlace ? "5 4" : null),
        fillColor: a.colour, fillOpacity: coarsePlace ? 0.08 : (exactDate ? 0.85 : 0.35),
        className: "sahelmap-event sm-conf-" + e.confidence + " sm-loc-" + e.location_precision +
          " sm-date-" + e.date_precision});
      m.bindPopup(eventPopup(e)).bindTooltip(S.esc(a.name + ", " + e.place + ", " + e.date_start));
      m.addTo(layer);
    });
  }

  function fillAxes(layer, data) {
    data.axes.forEach(function (x) {
      if (!x.line) { return; }
      var a = S.actor(x.group), inferred = x.kind === "inferred";
      var style = {color: a.colour, weight: x.width, opacity: 0.9,
        dashArray: inferred ? "8 6" : null, className: "sahelmap-axis sm-axis-" + x.kind};
      var latlngs = x.line.map(function (c) { return [c[1], c[0]]; });
      L.polyline(latlngs, style).bindPopup(axisPopup(x)).addTo(layer);
      if (x.head) {
        L.polygon(x.head.map(function (c) { return [c[1], c[0]]; }),
          {color: a.colour, fillColor: a.colour, fillOpacity: 0.95, weight: 1,
           className: "sahelmap-arrowhead"}).bindPopup(axisPopup(x)).addTo(layer);
      }
    });
  }

  S.showPeriod = function (label) {
    var data = S.periods[label];
    if (!data) { return false; }
    S.current = label;
    S.layers.forEach(function (l) {
      l.layer.clearLayers();
      if (l.kind === "presence") { fillPresence(l.layer, data, l.key); }
      else if (l.kind === "events") { fillEvents(l.layer, data); }
      else { fillAxes(l.layer, data); }
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

  S.legend = function (map, groups) {
    var ctl = L.control({position: "bottomright"});
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "sm-legend");
      var html = "<strong>Groups</strong>";
      groups.forEach(function (g) {
        var a = S.actor(g);
        html += "<div><span class=\"sm-swatch\" style=\"background:" + S.esc(a.colour) + "\"></span>" + S.esc(a.name) + "</div>";
      });
      html += "<strong>Status (fill)</strong><div class=\"sm-status-key\">light: present; dashed: contested; " +
        "medium: dominant; dark: control (claims only); dotted outline: from a claim alone</div>";
      html += "<strong>Events</strong><div>size: fatalities; outline colour: type " +
        "(black battle, grey attack, red violence against civilians, gold seizure/base); " +
        "solid fill: exact date, pale fill: week/month/range; large hollow dashed ring: located to a region; " +
        "thin dotted outline: claimed or assessed</div>";
      html += "<strong>Axes</strong><div>solid arrow: declared movement (width: stated size); " +
        "dashed arrow: shift inferred from activity</div>";
      div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    ctl.addTo(map);
  };
})();
