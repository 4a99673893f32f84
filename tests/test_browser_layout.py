"""The pages at a phone's size and a desktop's (headless chromium): what the controls
cover, the legend drawn from the shown period, labels that do not pile up, arrowheads
that can be seen, colours that cannot inject."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from .browser import Watched
from .test_browser import chromium, site  # noqa: F401  (the fixtures: the site, one browser)
from .test_site import period_data

PHONE, DESKTOP = (390, 844), (1400, 900)


def open_at(ctx, url: str, size: tuple[int, int]) -> tuple[Watched, object]:
    w = Watched(ctx)
    w.page.set_viewport_size({"width": size[0], "height": size[1]})
    return w, w.open(url)


def control_boxes(page) -> dict:
    """The map's rectangle and those of its controls (title, zoom, layers, legend,
    slider, scale, credits), as [left, top, right, bottom]."""
    return page.evaluate("""() => {
        const r = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
        return {map: r(document.querySelector('.leaflet-container')),
                controls: [...document.querySelectorAll('.leaflet-control')]
                    .filter(e => e.getClientRects().length).map(r)};
    }""")


def covered_share(page) -> float:
    """The share of the map's area under its controls."""
    box = control_boxes(page)
    x0, y0, x1, y1 = box["map"]
    mask = np.zeros((int(y1 - y0), int(x1 - x0)), dtype=bool)
    for a, b, c, d in box["controls"]:
        mask[max(0, int(b - y0)):max(0, int(np.ceil(d - y0))),
             max(0, int(a - x0)):max(0, int(np.ceil(c - x0)))] = True
    return float(mask.mean())


def presence_in_sight(page) -> float:
    """The share of the presence shapes whose centre is on the map and under no control."""
    box = control_boxes(page)
    centres = page.eval_on_selector_all("path.sahelmap-presence", "ps => ps.map(p => {"
                                        " const b = p.getBoundingClientRect();"
                                        " return [b.left + b.width / 2, b.top + b.height / 2]; })")
    x0, y0, x1, y1 = box["map"]
    seen = [x0 <= x <= x1 and y0 <= y <= y1
            and not any(a <= x <= c and b <= y <= d for a, b, c, d in box["controls"])
            for x, y in centres]
    return sum(seen) / len(seen)


def layers_expanded(page) -> bool:
    return page.locator(".leaflet-control-layers").evaluate(
        "e => e.classList.contains('leaflet-control-layers-expanded')")


def legend_state(page) -> dict:
    button = page.locator("button.sm-legend-toggle")
    return {"expanded": button.get_attribute("aria-expanded"),
            "visible": page.locator("#sm-legend-body").is_visible(),
            "controls": button.get_attribute("aria-controls")}


def legend_keys(page, prefix: str) -> set[str]:
    return set(page.eval_on_selector_all(
        f"#sm-legend-body [data-key^='{prefix}:']",
        f"rows => rows.map(r => r.dataset.key.slice({len(prefix) + 1}))"))


def groups_drawn(data: dict) -> set[str]:
    """The groups the map draws in their own colour in one period's data."""
    return ({r["group"] for r in data["presence"]} | {e["actor"] for e in data["events"]}
            | {a["group"] for a in data["axes"] if a["line"] is not None}
            | {z["holder"] for z in data["zones"] if z["zone"].startswith("insurgent") and z["holder"]})


def shown_labels(page) -> list[dict]:
    return page.evaluate("""() => {
        const size = SahelMap.map.getSize();
        return SahelMap.labels.map(l => {
            const p = SahelMap.map.latLngToContainerPoint(l.marker.getLatLng());
            const b = l.el.getBoundingClientRect();
            return {kind: l.kind, name: l.el.textContent,
                    inView: p.x >= 0 && p.y >= 0 && p.x <= size.x && p.y <= size.y,
                    shown: getComputedStyle(l.el).visibility === 'visible',
                    box: [b.left, b.top, b.right, b.bottom]};
        });
    }""")


def overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    shown = [lab for lab in labels if lab["shown"]]
    return [(a["name"], b["name"]) for i, a in enumerate(shown) for b in shown[i + 1:]
            if a["box"][0] < b["box"][2] and b["box"][0] < a["box"][2]
            and a["box"][1] < b["box"][3] and b["box"][1] < a["box"][3]]


def head_sizes(page) -> list[dict]:
    """Each arrowhead's length on the screen (tip to the middle of its base, in the map's
    pixels, not rounded) and the larger side of the box the browser draws it in."""
    return page.evaluate("""() => SahelMap.arrows.map(x => {
        const m = SahelMap.map, p = x.head.getLatLngs()[0].map(ll => m.project(ll, m.getZoom()));
        const b = x.head.getElement().getBoundingClientRect();
        return {length: p.length ? p[0].distanceTo(p[1].add(p[2]).divideBy(2)) : 0,
                drawn: Math.max(b.width, b.height)}; })""")


@pytest.mark.parametrize("page_file", ["2025-04", "index"])
def test_on_a_phone_the_controls_fold_and_the_map_shows(chromium, site, page_file):
    w, page = open_at(chromium, (site / f"{page_file}.html").as_uri(), PHONE)
    assert not layers_expanded(page)
    assert legend_state(page) == {"expanded": "false", "visible": False,
                                  "controls": "sm-legend-body"}
    title = page.locator(".sm-title")
    assert title.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
    assert title.bounding_box()["height"] < 26  # one line
    assert page.evaluate("SahelMap.current") in page.locator("#sm-title-period").inner_text()
    share = covered_share(page)
    assert share < 0.25, share
    # the period's shapes lie on the screen, not under the controls (one of the 2025-04
    # regions, in Nigeria, lies east of the opening view)
    assert presence_in_sight(page) >= 0.9
    # the legend opens and closes with a click or the keyboard
    page.locator("button.sm-legend-toggle").click()
    assert legend_state(page)["expanded"] == "true" and legend_state(page)["visible"]
    assert legend_keys(page, "group")
    legend, view = (page.locator(s).bounding_box() for s in (".sm-legend", ".leaflet-container"))
    assert legend["x"] >= view["x"] and legend["y"] >= view["y"]  # it fits on the map
    page.locator("button.sm-legend-toggle").focus()
    page.keyboard.press("Enter")
    assert legend_state(page)["expanded"] == "false" and not legend_state(page)["visible"]
    # the layer control opens from its button (Leaflet's: on the pointer's approach)
    toggle = page.locator(".leaflet-control-layers-toggle").bounding_box()
    page.mouse.move(toggle["x"] + toggle["width"] / 2, toggle["y"] + toggle["height"] / 2)
    assert layers_expanded(page)
    assert w.errors == [] and w.foreign(("file://",)) == []


def test_on_a_phone_the_slider_is_usable(chromium, site):
    w, page = open_at(chromium, (site / "index.html").as_uri(), PHONE)
    slider = page.locator("#sm-slider").bounding_box()
    button = page.locator("button.sm-legend-toggle").bounding_box()
    assert slider["width"] >= 120 and slider["x"] >= 0
    assert slider["x"] + slider["width"] <= button["x"] or slider["y"] >= button["y"] + button["height"]
    labels = page.evaluate("SahelMap.site.periods.map(function (p) { return p.period; })")
    page.locator("#sm-slider").focus()
    page.keyboard.press("Home")
    page.wait_for_function(f"SahelMap.current === '{labels[0]}'")
    assert w.errors == []


def test_on_a_desktop_the_period_page_shows_its_layers_and_legend(chromium, site):
    w, page = open_at(chromium, (site / "2025-04.html").as_uri(), DESKTOP)
    assert layers_expanded(page)
    assert legend_state(page) == {"expanded": "true", "visible": True, "controls": "sm-legend-body"}
    assert page.locator(".sm-title-heading").is_visible()
    # the legend is drawn, not written: every row a drawing and a few words
    rows = page.locator("#sm-legend-body .sm-key")
    assert rows.count() >= 8
    assert rows.evaluate_all("rs => rs.every(r => r.querySelector('svg'))")
    assert max(len(t) for t in rows.all_inner_texts()) <= 32
    # the legend never reaches under the controls above it
    legend = page.locator(".sm-legend").bounding_box()
    layers = page.locator(".leaflet-control-layers").bounding_box()
    assert legend["y"] >= layers["y"] + layers["height"]
    # the overview keeps its layer control folded, its legend open
    w2, index = open_at(chromium, (site / "index.html").as_uri(), DESKTOP)
    assert not layers_expanded(index) and legend_state(index)["visible"]
    assert w.errors == [] and w2.errors == []


def test_turning_the_window_refolds_the_controls(chromium, site):
    w, page = open_at(chromium, (site / "2025-04.html").as_uri(), PHONE)
    assert not layers_expanded(page) and not legend_state(page)["visible"]
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    page.wait_for_function("document.querySelector('.leaflet-control-layers-expanded')")
    assert legend_state(page)["visible"]
    # the layer control still switches layers after it was made again
    page.locator(".leaflet-control-layers-overlays label", has_text="Events").locator("input").uncheck()
    assert page.locator("path.sahelmap-event").count() == 0
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.wait_for_function("!document.querySelector('.leaflet-control-layers-expanded')")
    assert not legend_state(page)["visible"]
    assert w.errors == []


def test_the_legend_shows_what_the_period_holds_and_follows_the_slider(chromium, site, geodata):
    names = dict(zip(geodata.actors["actor_id"], geodata.actors["display_name"]))
    w, page = open_at(chromium, (site / "index.html").as_uri(), DESKTOP)
    labels = page.evaluate("SahelMap.site.periods.map(function (p) { return p.period; })")
    seen = {}
    for label in ("2024-11", "2025-04"):
        page.evaluate("([i]) => { var s = document.getElementById('sm-slider'); s.value = i;"
                      " s.dispatchEvent(new Event('input')); }", [labels.index(label)])
        page.wait_for_function(f"SahelMap.current === '{label}'")
        data = period_data(site, label)
        groups = legend_keys(page, "group")
        assert groups == groups_drawn(data)
        shown_names = page.locator("#sm-legend-body [data-key^='group:']").all_inner_texts()
        assert shown_names == sorted((names[g] for g in groups), key=str.lower)
        assert legend_keys(page, "status") == {r["status"] for r in data["presence"]}
        assert legend_keys(page, "type") == {e["event_type"] for e in data["events"]}
        assert legend_keys(page, "axis") == {a["kind"] for a in data["axes"] if a["line"]}
        evidence = {"claimed" if r["confidence"] in ("claimed", "assessed", "") else r["confidence"]
                    for r in data["presence"]}
        assert legend_keys(page, "evidence") == evidence
        seen[label] = groups
    assert seen["2024-11"] != seen["2025-04"]  # the legend changed with the period
    assert w.errors == [] and w.foreign(("file://",)) == []


def test_the_legend_follows_the_layers_switched_on(chromium, site):
    w, page = open_at(chromium, (site / "2025-04.html").as_uri(), DESKTOP)
    data = period_data(site, "2025-04")
    assert legend_keys(page, "type") and legend_keys(page, "zone") == set()  # zones start off
    overlay = page.locator(".leaflet-control-layers-overlays label")
    overlay.filter(has_text="Events").locator("input").uncheck()
    assert legend_keys(page, "type") == set()
    overlay.filter(has_text="Zone of control").locator("input").check()
    zones = {z["zone"] for z in data["zones"] if z["zone"] != "none"}
    assert zones and legend_keys(page, "zone") == zones
    assert w.errors == []


@pytest.mark.parametrize("size", [PHONE, DESKTOP])
def test_labels_do_not_pile_up(chromium, site, size):
    w, page = open_at(chromium, (site / "2025-04.html").as_uri(), size)
    labels = shown_labels(page)
    assert overlapping(labels) == []
    # every capital on the screen is named; the countries are, but for at most one
    assert all(lab["shown"] for lab in labels if lab["kind"] == "capital" and lab["inView"])
    countries = [lab for lab in labels if lab["kind"] == "country" and lab["inView"]]
    assert sum(not lab["shown"] for lab in countries) <= 1
    towns = [lab for lab in labels if lab["kind"] == "town" and lab["inView"]]
    if size == PHONE:  # under zoom 5, no town names
        assert page.evaluate("SahelMap.map.getZoom()") < 5 and not any(t["shown"] for t in towns)
    else:
        assert sum(t["shown"] for t in towns) >= 10
    # zoomed in, more names fit, still apart
    page.evaluate("SahelMap.map.setZoom(SahelMap.map.getZoom() + 2, {animate: false})")
    more = shown_labels(page)
    assert overlapping(more) == []
    assert w.errors == []


@pytest.mark.parametrize("size", [PHONE, DESKTOP])
def test_arrowheads_are_sized_on_the_screen(chromium, site, size):
    w, page = open_at(chromium, (site / "2025-04.html").as_uri(), size)
    drawn = sum(a["line"] is not None for a in period_data(site, "2025-04")["axes"])
    sizes = head_sizes(page)
    assert len(sizes) == page.locator("path.sahelmap-arrowhead").count() == drawn >= 3
    assert min(s["length"] for s in sizes) >= 12 - 1e-6, sizes
    assert min(s["drawn"] for s in sizes) >= 10, sizes
    # each head's tip is the end of its axis
    gaps = page.evaluate("""() => SahelMap.arrows.map(x => {
        const m = SahelMap.map, tip = m.latLngToContainerPoint(x.head.getLatLngs()[0][0]);
        return tip.distanceTo(m.latLngToContainerPoint(x.latlngs[x.latlngs.length - 1])); })""")
    assert max(gaps) < 0.5
    # two zoom steps in, a head drawn in map units would be four times as long
    page.evaluate("SahelMap.map.setZoom(SahelMap.map.getZoom() + 2, {animate: false})")
    after = [s["length"] for s in head_sizes(page)]
    assert min(after) >= 12 - 1e-6 and max(after) <= 22 + 1e-6, after
    assert w.errors == []


def test_a_hostile_colour_in_the_actors_draws_grey_and_fetches_nothing(chromium, site, tmp_path):
    out = tmp_path / "site"
    shutil.copytree(site, out)
    script = out / "assets" / "site.js"
    text = script.read_text(encoding="utf-8")
    info = json.loads(text[len("SahelMap.setSite("):-len(");\n")])
    info["actors"]["jnim"]["colour"] = "red;background-image:url(http://127.0.0.1:9/x.png)"
    info["actors"]["mil_bfa"]["colour"] = "url(http://127.0.0.1:9/y.svg#p)"
    script.write_text(f"SahelMap.setSite({json.dumps(info)});\n", encoding="utf-8")
    w, page = open_at(chromium, (out / "2025-04.html").as_uri(), DESKTOP)
    checks = page.evaluate("""() => [SahelMap.colour('#D55E00'), SahelMap.colour('teal'),
        SahelMap.colour('rgb(10, 20, 30)'), SahelMap.colour('red;x:y'),
        SahelMap.colour('url(http://127.0.0.1:9/z)'), SahelMap.colour('"><img src=x>')]""")
    assert checks == ["#D55E00", "teal", "rgb(10, 20, 30)", "#777777", "#777777", "#777777"]
    assert page.evaluate("SahelMap.actor('jnim').colour") == "#777777"
    sample = page.locator("#sm-legend-body [data-key='group:jnim'] rect")
    assert sample.get_attribute("fill") == "#777777"
    styled = page.eval_on_selector_all("[style], [fill], [stroke]", "es => es.filter(e =>"
                                       " /url\\(http/.test(e.getAttribute('style') || '') ||"
                                       " /http/.test((e.getAttribute('fill') || '') +"
                                       " (e.getAttribute('stroke') || ''))).length")
    assert styled == 0
    page.wait_for_timeout(200)
    assert w.foreign(("file://",)) == []


def test_a_period_with_nothing_recorded_says_so_in_its_legend(chromium, tmp_path):
    """Two events two years apart: the periods between, once the first has faded, have
    no group and no symbol to show, and their legend says why it is empty."""
    from .test_site import build

    records = tmp_path / "events.csv"
    records.write_text(
        "record_id,date_start,actor,event_type,place_name,country,confidence,source\n"
        "a,2023-01-10,jnim,attack,Djibo,BFA,reported,s\n"
        "b,2025-01-10,jnim,attack,Diapaga,BFA,reported,s\n", encoding="utf-8")
    out = tmp_path / "site"
    build(out, records)
    labels = sorted(p.stem for p in (out / "data").glob("*.js"))
    empty = [lab for lab in labels if not groups_drawn(period_data(out, lab))]
    assert empty and "2023-01" not in empty and "2025-01" not in empty
    w, page = open_at(chromium, (out / f"{empty[0]}.html").as_uri(), DESKTOP)
    assert "Nothing recorded in this period" in page.locator("#sm-legend-body").inner_text()
    assert legend_keys(page, "group") == set()
    w2, page2 = open_at(chromium, (out / "2025-01.html").as_uri(), DESKTOP)
    assert "Nothing recorded" not in page2.locator("#sm-legend-body").inner_text()
    assert legend_keys(page2, "group") == {"jnim"}
    assert w.errors == [] and w2.errors == []
