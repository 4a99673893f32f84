/* sahelmap: the legend of the shown period, drawn rather than written. It names only
   the groups in the period's data, and shows only the symbols the period and the
   layers switched on use, each drawn with the style the map draws it with (S.style in
   sahelmap.js). Text is set as text; colours pass S.colour first. */
(function () {
  "use strict";
  var S = window.SahelMap = window.SahelMap || {};
  var NS = "http://www.w3.org/2000/svg";
  var GREY = {colour: "#666666"}, MID = {colour: "#888888"}, PALE = {colour: "#bbbbbb"};

  function el(tag, cls, text, parent) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text) { e.textContent = text; }
    if (parent) { parent.appendChild(e); }
    return e;
  }

  function svgEl(tag, attrs, parent) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs).forEach(function (k) {
      if (attrs[k] !== null && attrs[k] !== undefined) { e.setAttribute(k, attrs[k]); }
    });
    if (parent) { parent.appendChild(e); }
    return e;
  }

  /* SVG paint attributes for a Leaflet path style. */
  function paint(style) {
    return {stroke: style.color, "stroke-width": style.weight, "stroke-opacity": style.opacity,
      "stroke-dasharray": style.dashArray, "stroke-linecap": style.lineCap,
      fill: style.fill === false ? "none" : (style.fillColor || style.color),
      "fill-opacity": style.fill === false ? null : style.fillOpacity};
  }

  function sample(width, height) {
    return svgEl("svg", {width: width, height: height, viewBox: "0 0 " + width + " " + height,
      "aria-hidden": "true", "class": "sm-sample"});
  }

  function area(style) {
    var s = sample(24, 16);
    svgEl("rect", L.extend({x: 2, y: 2, width: 20, height: 12}, paint(style)), s);
    return s;
  }

  function circle(style, radius) {
    var r = Math.min(radius || style.radius, 9), s = sample(24, 2 * r + 4);
    svgEl("circle", L.extend({cx: 12, cy: r + 2, r: r}, paint(style)), s);
    return s;
  }

  function sizes(style) {
    var s = sample(24, 22);
    svgEl("circle", L.extend({cx: 5, cy: 15, r: 4}, paint(style)), s);
    svgEl("circle", L.extend({cx: 15, cy: 11, r: 8}, paint(style)), s);
    return s;
  }

  /* A line with its arrowhead, the head as big as on the map. */
  function arrow(style) {
    var s = sample(44, 24), shape = S.style.head(L.point(4, 12), L.point(42, 12), style.weight);
    svgEl("polyline", L.extend(paint(style), {points: "4,12 " + shape.end.x + ",12", fill: "none"}), s);
    svgEl("polygon", {points: shape.head.map(function (p) { return p.x + "," + p.y; }).join(" "),
      fill: style.color, stroke: style.color, "stroke-width": 1}, s);
    return s;
  }

  /* One row: a drawing and a short text; data-key names what it stands for
     ("status:present", "group:jnim"). */
  function key(parent, id, drawing, text) {
    var row = el("div", "sm-key", null, parent);
    row.setAttribute("data-key", id);
    row.appendChild(drawing);
    el("span", "", text, row);
  }

  function distinct(values) {
    var seen = Object.create(null), out = [];
    values.forEach(function (v) { if (!seen[v]) { seen[v] = true; out.push(v); } });
    return out;
  }

  /* The groups drawn in their own colour: presence, event markers, axes and the holders
     of insurgent zones; by name. */
  S.legendGroups = function (data) {
    var ids = data.presence.map(function (r) { return r.group; })
      .concat(data.events.map(function (e) { return e.actor; }))
      .concat(data.axes.filter(function (x) { return x.line; }).map(function (x) { return x.group; }))
      .concat((data.zones || []).filter(function (z) { return z.zone.indexOf("insurgent") === 0 && z.holder; })
        .map(function (z) { return z.holder; }));
    return distinct(ids).sort(function (x, y) {
      return S.actor(x).name.localeCompare(S.actor(y).name) || (x < y ? -1 : 1);
    });
  };

  function groupKeys(body, data) {
    var ids = S.legendGroups(data);
    if (!ids.length) { return; }
    el("strong", "", "Groups", body);
    ids.forEach(function (g) {
      var a = S.actor(g);
      key(body, "group:" + g, area({color: a.colour, fillColor: a.colour, fillOpacity: 0.6, weight: 1.5}), a.name);
    });
  }

  var STATUSES = ["present", "contested", "dominant", "control"];
  var EVIDENCE = [["corroborated", "corroborated"], ["reported", "reported"],
    ["claimed", "claimed or assessed only"]];

  function presenceKeys(body, data) {
    var rows = data.presence;
    if (!rows.length) { return; }
    var style = S.style.presence, has = function (test) { return rows.some(test); };
    el("strong", "", "Presence", body);
    STATUSES.forEach(function (st) {
      if (has(function (r) { return r.status === st; })) {
        key(body, "status:" + st, area(style({status: st, confidence: "reported"}, GREY)), st);
      }
    });
    EVIDENCE.forEach(function (c) {
      var claimed = c[0] === "claimed";
      if (has(function (r) { return claimed ? S.style.claimedOnly(r) : r.confidence === c[0]; })) {
        key(body, "evidence:" + c[0], area(style({status: "present", confidence: c[0]}, GREY)), c[1]);
      }
    });
    if (has(function (r) { return r.spatial === "area"; })) {
      key(body, "presence:area", area(style({status: "present", confidence: "reported", spatial: "area"}, GREY)),
        "a whole region only");
    }
    if (has(function (r) { return r.stability !== null && r.stability !== undefined && r.stability < 0.75; })) {
      key(body, "presence:unstable", area(style({status: "dominant", confidence: "reported", stability: 0.5}, GREY)),
        "uncertain (sensitivity)");
    }
  }

  function zoneKeys(body, data) {
    var zones = (data.zones || []).filter(function (z) { return S.ZONE_TEXT[z.zone]; });
    if (!zones.length) { return; }
    el("strong", "", "Zone of control", body);
    Object.keys(S.ZONE_TEXT).forEach(function (kind) {
      var z = zones.find(function (x) { return x.zone === kind; });
      if (z) { key(body, "zone:" + kind, area(S.style.zone(z)), S.ZONE_TEXT[kind]); }
    });
  }

  function eventKeys(body, data) {
    var events = data.events;
    if (!events.length) { return; }
    var style = S.style.event, plain = {date_precision: "day", location_precision: "exact",
      confidence: "reported", fatalities: 0};
    var has = function (test) { return events.some(test); };
    el("strong", "", "Events", body);
    var types = distinct(events.map(function (e) { return e.event_type; }));
    var order = Object.keys(S.TYPE_STROKE);
    types.sort(function (x, y) {
      var i = order.indexOf(x), j = order.indexOf(y);
      return (i < 0) - (j < 0) || i - j || (x < y ? -1 : 1);
    });
    types.forEach(function (t) {
      key(body, "type:" + t, circle(style(L.extend({}, plain, {event_type: t}), PALE), 6),
        String(t).replace(/_/g, " "));
    });
    var kinds = [
      ["date:day", function (e) { return e.date_precision === "day"; }, {}, "date: the day"],
      ["date:coarse", function (e) { return e.date_precision !== "day"; }, {date_precision: "month"},
        "date: week, month or range"],
      ["place:region", S.style.coarsePlace, {location_precision: "admin1"}, "place: a region only"],
      ["event:claimed", S.style.claimedEvent, {confidence: "claimed"}, "claimed or assessed"]];
    kinds.forEach(function (k) {
      if (has(k[1])) {
        key(body, k[0], circle(style(L.extend({}, plain, {event_type: "battle"}, k[2]), MID), 7), k[3]);
      }
    });
    if (has(function (e) { return e.fatalities > 0 || e.count > 1; })) {
      key(body, "event:size", sizes(style(L.extend({}, plain, {event_type: "battle"}), MID)),
        "size: fatalities" + (data.aggregated ? ", events merged" : ""));
    }
  }

  var AXES = [["declared", "declared (width: size)"], ["inferred", "inferred from activity"],
    ["influence", "route of influence"]];

  function axisKeys(body, data) {
    var drawn = data.axes.filter(function (x) { return x.line; });
    var kinds = AXES.filter(function (k) { return drawn.some(function (x) { return x.kind === k[0]; }); });
    if (!kinds.length) { return; }
    el("strong", "", "Axes", body);
    kinds.forEach(function (k) { key(body, "axis:" + k[0], arrow(S.style.axis({kind: k[0], width: 3}, GREY)), k[1]); });
  }

  function shown(kind) {
    return S.layers.some(function (l) { return l.kind === kind && S.map && S.map.hasLayer(l.layer); });
  }

  /* Fill the legend for the shown period and the layers switched on. */
  S.updateLegend = function () {
    var body = document.getElementById("sm-legend-body"), data = S.periods[S.current];
    if (!body || !data) { return; }
    body.textContent = "";
    groupKeys(body, data);
    if (shown("presence")) { presenceKeys(body, data); }
    if (shown("zones")) { zoneKeys(body, data); }
    if (shown("events")) { eventKeys(body, data); }
    if (shown("axes")) { axisKeys(body, data); }
    if (!body.querySelector("[data-key]")) {  // say it, rather than show an empty legend
      el("div", "sm-legend-none", "Nothing recorded in this period on the layers shown", body);
    }
    var more = el("div", "sm-legend-more", null, body);
    el("a", "", "How to read the map", more).href = "method.html";
    if (S.fitLegend) { S.fitLegend(); }
  };

  /* The legend: a button that folds it (folded at first on a narrow screen) and the keys. */
  S.legend = function (map) {
    var ctl = L.control({position: "bottomright"});
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "sm-legend");
      var button = el("button", "sm-legend-toggle", "Legend", div);
      button.type = "button";
      button.setAttribute("aria-controls", "sm-legend-body");
      var body = el("div", "sm-legend-body", null, div);
      body.id = "sm-legend-body";
      var fit = S.fitLegend = function () {  // no higher than the room under the top right controls
        if (!div.parentNode) { return; }
        var top = map.getContainer().querySelector(".leaflet-top.leaflet-right");
        var room = div.getBoundingClientRect().bottom - top.getBoundingClientRect().bottom -
          button.offsetHeight - 16;
        body.style.maxHeight = Math.max(80, room) + "px";
      };
      var open = function (yes) {
        body.hidden = !yes;
        button.setAttribute("aria-expanded", yes ? "true" : "false");
        div.classList.toggle("sm-legend-open", yes);
        fit();
      };
      button.addEventListener("click", function () { open(body.hidden); });
      S.onNarrow(function (narrow) { open(!narrow); });
      map.on("resize", fit);
      map.on("overlayadd overlayremove", S.updateLegend);
      open(!S.narrow());
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    ctl.addTo(map);
    S.fitLegend();
  };
})();
