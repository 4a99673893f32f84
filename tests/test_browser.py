"""The built pages in a real browser (headless Debian chromium via Playwright)."""

from __future__ import annotations

import pytest

from sahelmap.cli import main
from sahelmap.site import snippet

from .browser import Watched, browser, static_server
from .test_site import build, markup_records, period_data


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build(out)
    return out


@pytest.fixture(scope="module")
def chromium():
    with browser() as ctx:
        yield ctx


def expected(site, label):
    data = period_data(site, label)
    units = {r["unit_id"] for r in data["presence"]}
    presence = sum(r["status"] != "none" for r in data["presence"])
    return {"presence": presence, "events": len(data["events"]),
            "axes": sum(a["line"] is not None for a in data["axes"]),
            "jnim": sum(r["status"] != "none" and r["group"] == "jnim" for r in data["presence"]),
            "units": units, "data": data}


def open_first_event_popup(page):
    page.evaluate("SahelMap.layers.filter(function (l) { return l.kind === 'events'; })[0]"
                  ".layer.getLayers()[0].openPopup()")
    page.locator(".leaflet-popup-content").wait_for()


def counts(page):
    return {k: page.locator(f"path.sahelmap-{k}").count() for k in ("presence", "event", "axis")}


def _base(kind, site):
    return site.as_uri() + "/" if kind == "file" else None


@pytest.mark.parametrize("origin", ["file", "http"])
def test_period_page_draws_its_data_and_loads_nothing_from_outside(chromium, site, origin):
    exp = expected(site, "2025-04")
    assert exp["presence"] >= 5 and exp["events"] >= 4 and exp["axes"] >= 3
    if origin == "file":
        w = Watched(chromium)
        page = w.open((site / "2025-04.html").as_uri())
        allowed = ("file://",)
        _check_period_page(page, exp, w, allowed)
    else:
        with static_server(site) as url:
            w = Watched(chromium)
            page = w.open(url + "2025-04.html")
            _check_period_page(page, exp, w, (url,))


def _check_period_page(page, exp, w, allowed):
    assert page.evaluate("typeof L === 'object' && L.version") == "1.9.4"
    assert page.locator(".leaflet-container").count() == 1
    assert page.evaluate("SahelMap.current") == "2025-04"
    # the page's decoding of the compact columns gives the rows the Python reader gives
    held = page.evaluate("SahelMap.periods['2025-04']")
    assert held["events"] == exp["data"]["events"]
    assert [{k: v for k, v in r.items() if k != "period"} for r in held["presence"]] \
        == exp["data"]["presence"]
    assert held["zones"] == exp["data"]["zones"]
    c = counts(page)
    assert c == {"presence": exp["presence"], "event": exp["events"], "axis": exp["axes"]}
    assert page.locator("path.sahelmap-arrowhead").count() >= exp["axes"]
    assert "2025-04-01 to 2025-04-30" in page.locator("#sm-title-period").inner_text()
    assert "Natural Earth" in page.locator(".leaflet-control-attribution").inner_text()
    # the layer control toggles one group's presence
    box = page.locator(".leaflet-control-layers-overlays label", has_text="Presence: JNIM")
    box.locator("input").uncheck()
    assert counts(page)["presence"] == exp["presence"] - exp["jnim"]
    box.locator("input").check()
    assert counts(page)["presence"] == exp["presence"]
    # a popup shows the evidence
    open_first_event_popup(page)
    popup = page.locator(".leaflet-popup-content")
    assert "confidence" in popup.inner_text() and "source" in popup.inner_text()
    assert w.errors == []
    assert w.foreign(allowed) == []


@pytest.mark.parametrize("origin", ["file", "http"])
def test_overview_slider_changes_what_is_shown(chromium, site, origin):
    april, may = expected(site, "2025-04"), expected(site, "2025-05")
    assert (april["presence"], april["events"]) != (may["presence"], may["events"])

    def run(url, allowed):
        w = Watched(chromium)
        page = w.open(url)
        labels = page.evaluate("SahelMap.site.periods.map(function (p) { return p.period; })")
        start = page.evaluate("SahelMap.current")
        assert start in labels and page.locator("#sm-slider").count() == 1
        for label, exp in (("2025-05", may), ("2025-04", april)):
            page.evaluate(
                "([i]) => { var s = document.getElementById('sm-slider'); s.value = i;"
                " s.dispatchEvent(new Event('input')); }", [labels.index(label)])
            page.wait_for_function(f"SahelMap.current === '{label}'")
            assert page.locator("#sm-slider-label").inner_text() == label
            c = counts(page)
            assert c == {"presence": exp["presence"], "event": exp["events"], "axis": exp["axes"]}
        assert page.locator("a[href='2025-04.html']").count() == 1
        assert page.locator("a[href='method.html']").count() >= 1
        assert page.locator("a[href='presence.csv']").count() == 1
        assert w.errors == [] and w.foreign(allowed) == []

    if origin == "file":
        run((site / "index.html").as_uri(), ("file://",))
    else:
        with static_server(site) as url:
            run(url, (url,))


def test_method_page_renders_the_docs(chromium, site):
    w = Watched(chromium)
    w.page.goto((site / "method.html").as_uri())
    assert w.page.locator("h1", has_text="How sahelmap estimates presence").count() == 1
    assert w.page.locator("table").count() >= 3
    assert w.errors == [] and w.foreign(("file://",)) == []


def test_script_in_notes_shows_as_text_and_runs_nothing(chromium, tmp_path):
    records = markup_records(tmp_path)
    out = tmp_path / "site"
    build(out, records)
    w = Watched(chromium)
    page = w.open((out / "2025-04.html").as_uri())
    open_first_event_popup(page)
    text = page.locator(".leaflet-popup-content").inner_text()
    assert "<script>window.__xss=1</script>" in text and "<b>src</b>" in text
    assert page.locator(".leaflet-popup-content img").count() == 0
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") is None
    assert w.foreign(("file://",)) == []


def test_period_page_works_inside_an_iframe(chromium, site, capsys):
    assert main(["embed", "2025-04", "--site", str(site)]) == 0
    code = capsys.readouterr().out.strip()
    assert code == snippet("2025-04")
    host = site / "embed-test.html"
    host.write_text(f"<!DOCTYPE html><html><body><h1>Report</h1>{code}</body></html>",
                    encoding="utf-8")
    try:
        w = Watched(chromium)
        w.page.goto(host.as_uri())
        frame = w.page.frame_locator("iframe")
        frame.locator("path.sahelmap-presence").first.wait_for()
        inner = w.page.frames[1]
        assert inner.evaluate("SahelMap.current") == "2025-04"
        assert w.errors == [] and w.foreign(("file://",)) == []
    finally:
        host.unlink()


def _open_popup_with(page, *needles):
    """Open the popup of the first presence shape whose popup holds every needle."""
    page.evaluate("SahelMap.map.closePopup()")
    found = page.evaluate(
        "(needles) => { var s = SahelMap.drawn.find(function (x) {"
        " var c = x.getPopup().getContent();"
        " return needles.every(function (n) { return c.indexOf(n) >= 0; }); });"
        " if (!s) { return false; } s.openPopup(); return true; }", list(needles))
    assert found, needles
    page.locator(".leaflet-popup-content").last.wait_for()
    return page.locator(".leaflet-popup-content").last.inner_text()


def test_claimed_and_corroborated_look_different_and_say_so(chromium, site):
    w = Watched(chromium)
    page = w.open((site / "2025-04.html").as_uri())
    soft = page.locator("path.sm-claimed-only")
    firm = page.locator("path.sm-conf-corroborated")
    assert soft.count() > 0 and firm.count() > 0
    dash = lambda loc: loc.first.evaluate("e => getComputedStyle(e).strokeDasharray")  # noqa: E731
    width = lambda loc: float(loc.first.evaluate(  # noqa: E731
        "e => parseFloat(getComputedStyle(e).strokeWidth)"))
    fill = soft.first.get_attribute("fill")
    assert fill.startswith("url(#sm-hatch-")  # hatched
    assert page.locator(fill[4:-1]).count() == 1  # the pattern exists in the page
    assert not firm.first.get_attribute("fill").startswith("url(")  # a plain fill
    area_soft = page.locator("path.sm-claimed-only.sm-area")
    area_firm = page.locator("path.sm-conf-corroborated.sm-area")
    assert dash(area_soft) == dash(area_firm) == "12px, 8px"  # region-level: long dashes
    cell_soft = page.locator("path.sm-claimed-only:not(.sm-area)")
    assert dash(cell_soft) == "2px, 4px"  # a claimed-only cell: dotted
    assert width(area_firm) > width(area_soft)
    text = _open_popup_with(page, "Mopti", "control (claimed)")
    assert "confidence of the best evidence" in text and "claimed" in text
    assert "verdict for the place" in text and "insurgent control (JNIM)" in text
    text = _open_popup_with(page, "Sourou", "corroborated")
    assert "corroborated" in text
    assert w.errors == [] and w.foreign(("file://",)) == []


def test_a_claim_fades_to_present_with_its_age_on_the_next_page(chromium, site):
    w = Watched(chromium)
    page = w.open((site / "2025-05.html").as_uri())
    text = _open_popup_with(page, "Sikasso", "present (claimed, 1 month old)")
    assert "located" in text and "only to this region" in text
    assert "34 days before the period ends" in text
    # the zone layer is off by default and draws one shape per verdict when switched on
    assert page.locator("path.sahelmap-zone").count() == 0
    page.locator(".leaflet-control-layers-overlays label",
                 has_text="Zone of control").locator("input").check()
    n = sum(1 for z in period_data(site, "2025-05")["zones"] if z["zone"] != "none")
    assert page.locator("path.sahelmap-zone").count() == n
    assert w.errors == []
