"""Hostile text in every text field of every record kind and of ACLED and UCDP imports,
checked in every output: pages and popups in Chromium, the overview and the method page,
SVG figures, QML styles and GeoPackage text, and CSV (no formula runs in a spreadsheet)."""

from __future__ import annotations

import csv
import re
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pyogrio
import pytest

from sahelmap._text import UNFIT
from sahelmap.cli import main
from sahelmap.tables import read_tables

from .browser import Watched, browser
from .conftest import ROOT
from .hostile import CONTROLS, FORMULA_STARTS, HOSTILE, acled_file, hostile_geodata, notes_files, ucdp_file
from .test_site import need_leaflet


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Tables, site, GeoPackage and figures from the hostile records, as make builds them
    (with the ACLED rows published, as a private build would, so their text is shown)."""
    need_leaflet()
    folder = tmp_path_factory.mktemp("hostile")
    records = [*notes_files(folder), acled_file(folder), ucdp_file(folder)]
    geodata = hostile_geodata(ROOT / "geodata", folder)
    out = folder / "maps"
    g = ["-q", "--geodata", str(geodata)]
    assert main([*g, "build", "--sensitivity", "--include-restricted", "--out", str(out),
                 *map(str, records)]) == 0
    assert main([*g, "site", "--tables", str(out), "--out", str(out)]) == 0
    assert main([*g, "gpkg", "--tables", str(out), "-o", str(out / "sahelmap.gpkg")]) == 0
    assert main([*g, "figure", "--all", "--tables", str(out), "--out", str(out / "figures")]) == 0
    assert main([*g, "site", "--index-only", "--tables", str(out), "--out", str(out)]) == 0
    return out


# JavaScript run in a page: open every popup and tooltip of every layer on the map, and
# report what the page holds afterwards.
OPEN_ALL = """() => {
  const texts = [];
  const visit = (layer) => {
    if (layer.getPopup && layer.getPopup()) {
      layer.openPopup();
      const el = document.querySelector('.leaflet-popup-content');
      if (el) { texts.push(el.textContent); }
      layer.closePopup();
    }
    if (layer.getTooltip && layer.getTooltip()) {
      layer.openTooltip();
      const tip = layer.getTooltip().getElement();
      if (tip) { texts.push(tip.textContent); }
      layer.closeTooltip();
    }
    if (layer.eachLayer) { layer.eachLayer(visit); }
  };
  SahelMap.map.eachLayer(visit);
  const handlers = [...document.querySelectorAll('*')].flatMap(
    (el) => [...el.attributes].filter((a) => a.name.startsWith('on')).map(
      (a) => el.tagName + '[' + a.name + ']'));
  const scriptLinks = [...document.querySelectorAll('[href],[src]')].filter(
    (el) => /^\\s*javascript:/i.test(el.getAttribute('href') || el.getAttribute('src') || ''))
    .map((el) => el.outerHTML);
  return {texts, handlers, scriptLinks, pwned: window.__pwned === undefined ? null : window.__pwned,
          inline: document.querySelectorAll('script:not([src])').length,
          body: document.body.innerText};
}"""


def _pages(out: Path) -> list[Path]:
    return sorted(out.glob("20*.html")) + [out / "index.html"]


def test_pages_and_popups_show_hostile_text_as_text_and_run_nothing(built):
    seen, popups, dialogs = [], [], []
    with browser() as ctx:
        for page_path in _pages(built):
            watched = Watched(ctx)
            watched.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page = watched.open(page_path.as_uri())
            inline_before = page.evaluate("document.querySelectorAll('script:not([src])').length")
            got = page.evaluate(OPEN_ALL)
            assert got["pwned"] is None, (page_path.name, got["pwned"])
            assert got["handlers"] == [], (page_path.name, got["handlers"][:5])
            assert got["scriptLinks"] == [], (page_path.name, got["scriptLinks"][:3])
            assert got["inline"] == inline_before, page_path.name
            assert watched.errors == [], (page_path.name, watched.errors[:3])
            assert watched.foreign(("file://",)) == [], page_path.name
            popups += got["texts"]
            seen += got["texts"] + [got["body"]]
            watched.page.close()
    assert dialogs == []
    shown = "\n".join(seen)
    # every hostile string reached a popup as the text it is (the notes hold each one)
    in_popups = "\n".join(popups)
    missing = [h for h in HOSTILE if h not in in_popups]
    assert len(popups) > 50 and missing == [], missing
    # the groups' hostile display names (actors.csv) too
    assert "jnim <script>window.__pwned=1</script>" in shown or \
        any(f"jnim {h}" in shown for h in HOSTILE)


def test_the_method_page_and_the_overview_markup_hold_no_hostile_element(built):
    for name in ("index.html", "method.html"):
        text = (built / name).read_text(encoding="utf-8")
        for h in HOSTILE:
            if "<" in h:  # markup never reaches the HTML as markup
                assert h not in text, (name, h)
        assert not re.search(r"<[a-z]+[^>]*\son[a-z]+=", text.split("</head>", 1)[1]), name
    with browser() as ctx:
        watched = Watched(ctx)
        page = watched.page
        page.goto((built / "method.html").as_uri(), wait_until="load")
        assert page.evaluate("window.__pwned === undefined")
        assert watched.errors == []


def test_svg_figures_hold_no_script_handler_or_script_link(built):
    figures = sorted((built / "figures").glob("*.svg"))
    assert len(figures) >= 3
    for path in figures:
        root = ET.parse(path).getroot()  # well-formed XML, whatever the names held
        for el in root.iter():
            tag = el.tag.rsplit("}", 1)[-1]
            assert tag not in ("script", "foreignObject"), path.name
            for key, value in el.attrib.items():
                assert not key.rsplit("}", 1)[-1].lower().startswith("on"), (path.name, key)
                assert "javascript:" not in value.lower(), (path.name, key)


def test_qml_styles_and_the_qgis_project_are_well_formed_and_carry_the_names(built):
    with sqlite3.connect(built / "sahelmap.gpkg") as con:
        styles = con.execute("SELECT f_table_name, styleQML, styleSLD FROM layer_styles").fetchall()
    labels = []
    for layer, qml, sld in styles:
        qml_root = ET.fromstring(qml.split("\n", 1)[1] if qml.startswith("<!DOCTYPE") else qml)
        ET.fromstring(sld) if sld else None
        labels += [el.get("label") for el in qml_root.iter() if el.get("label")]
        assert not any(el.tag == "script" for el in qml_root.iter()), layer
    def named(name: str) -> bool:
        return any(lab == name or lab.startswith(name + ":") for lab in labels)

    assert named(f"jnim {HOSTILE[0]}")  # the groups the layers draw
    # a control character XML cannot hold is shown as U+FFFD, the rest as written
    assert named("mil_bfa " + UNFIT.sub("\ufffd", CONTROLS))
    # the QGIS project carries the same styles, and parses
    with zipfile.ZipFile(built / "sahelmap.qgz") as archive:
        [member] = archive.namelist()
        project = ET.fromstring(archive.read(member))
    shown = [el.get("label") for el in project.iter("category") if el.get("label")]
    assert any(lab.startswith(f"jnim {HOSTILE[0]}") for lab in shown)


def test_a_colour_that_is_not_one_is_refused_in_one_line(tmp_path, capsys):
    geodata = hostile_geodata(ROOT / "geodata", tmp_path)
    actors = (geodata / "actors.csv").read_text(encoding="utf-8")
    (geodata / "actors.csv").write_text(actors.replace("#D55E00", "url(http://evil.example/x)"),
                                        encoding="utf-8")
    assert main(["--geodata", str(geodata), "validate",
                 str(ROOT / "geodata" / "records" / "events.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "actors.csv:" in err[0] and "url(http://evil.example/x)" in err[0]
    assert "#rrggbb" in err[0]


def test_geopackage_text_is_the_records_text_exactly(built):
    events = pyogrio.read_dataframe(built / "sahelmap.gpkg", layer="events", read_geometry=False)
    tables = read_tables(built)
    assert len(events) == len(tables["events"]) > 20
    for col in ("notes", "source", "place_name", "admin1", "actor_raw", "opponent_raw"):
        got = events.set_index("event_id")[col].fillna("")
        want = tables["events"].set_index("event_id")[col].fillna("")
        assert got.loc[want.index].tolist() == want.tolist(), col
    assert set(HOSTILE) <= set(events["notes"])  # U+2028 and all, byte for byte
    claims = pyogrio.read_dataframe(built / "sahelmap.gpkg", layer="claims", read_geometry=False)
    assert set(HOSTILE) <= set(claims["notes"])


FREE_TEXT = ("notes", "source", "place_name", "admin1", "within", "actor_raw", "opponent_raw",
             "size", "origin", "matched_name", "reason", "candidates")
NUMBERS = ("latitude", "longitude", "fatalities", "line", "activity", "score", "share")


def test_csv_cells_never_start_a_formula_and_numbers_keep_their_sign(built):
    guarded = 0
    for path in sorted(built.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        for row in rows:
            for col, cell in row.items():
                if (col in NUMBERS or col.endswith(("latitude", "longitude"))) and cell:
                    float(cell)  # a number, never behind an apostrophe
                    continue
                assert not cell.startswith(FORMULA_STARTS + ("\t", "\r")), (path.name, col, cell)
                guarded += cell.startswith("'") and cell[1:2] in "=+-@"
    assert guarded >= 10
    # sahelmap reading its tables back (no columnar copy) gets the text as it was
    for mirror in (built / ".sahelmap").glob("*"):
        mirror.unlink()
    notes = set(read_tables(built)["events"]["notes"])
    assert {h for h in HOSTILE if h.startswith(FORMULA_STARTS)} <= notes


def test_rejected_hostile_rows_are_reported_as_data(built):
    with open(built / "geocode_report.csv", encoding="utf-8", newline="") as fh:
        report = list(csv.DictReader(fh))
    rejected = [r for r in report if "<script>" in r.get("record_id", "")]
    assert len(rejected) == 3  # one row of each kind, with the fix
    assert all(r["fix"] for r in rejected)
