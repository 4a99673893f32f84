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
            "units": units}


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
