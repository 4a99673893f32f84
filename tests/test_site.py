"""The map site: determinism, incremental rebuilds, escaping, page weight, make."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sahelmap.cli import main

from .conftest import RECORDS, ROOT

LEAFLET = ROOT / "node_modules" / "leaflet" / "dist"


def need_leaflet():
    if not (LEAFLET / "leaflet.js").is_file():
        pytest.skip("Leaflet is not installed: run 'npm ci' in the project (make test does)")


def build(out: Path, *records, sensitivity: bool = False) -> None:
    """The site, as 'sahelmap site' builds it (with make's sensitivity runs if asked)."""
    need_leaflet()
    if sensitivity:
        assert main(["-q", "build", "--sensitivity", "--out", str(out),
                     *map(str, records or RECORDS)]) == 0
        args = ["-q", "site", "--tables", str(out), "--out", str(out)]
    else:
        args = ["-q", "site", "--out", str(out), *map(str, records or RECORDS)]
    assert main(args) == 0


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _column(col, n: int) -> list:
    """A page column as its rows' values (the format pagedata.page_column writes)."""
    if isinstance(col, list):
        return col
    if set(col) == {"same"}:
        return [col["same"]] * n
    assert set(col) == {"values", "codes"}, col
    return [col["values"][c] for c in col["codes"]]


def period_data(site: Path, label: str) -> dict:
    """A period's data file, with its column-wise tables turned back into rows."""
    text = (site / "data" / f"{label}.js").read_text(encoding="utf-8")
    data = json.loads(text[len("SahelMap.addPeriod("):-len(");\n")])
    for name in ("events", "presence", "zones"):
        n = data[name]["n"]
        cols = {k: _column(v, n) for k, v in data[name]["columns"].items()}
        assert all(len(v) == n for v in cols.values())
        data[name] = [{k: cols[k][i] for k in cols} for i in range(n)]
    return data


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build(out, sensitivity=True)
    return out


def test_two_builds_are_byte_identical(site, tmp_path):
    build(tmp_path, sensitivity=True)
    a, b = snapshot(site), snapshot(tmp_path)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_pages_reference_only_local_assets(site):
    for page in [site / "index.html", site / "2025-04.html", site / "method.html"]:
        text = page.read_text(encoding="utf-8")
        refs = re.findall(r'(?:src|href)="([^"#]+)"', text)
        assert refs, page
        for ref in refs:
            if ref == "data:,":  # the empty icon
                continue
            assert "://" not in ref and not ref.startswith("//"), (page.name, ref)
            assert (site / ref).is_file(), (page.name, ref)


def test_one_page_per_period_and_the_april_2025_content(site):
    periods = pd.read_csv(site / "periods.csv")["period"].tolist()
    assert all((site / f"{p}.html").is_file() and (site / "data" / f"{p}.js").is_file()
               for p in periods)
    data = period_data(site, "2025-04")
    assert data["start"] == "2025-04-01" and data["end"] == "2025-04-30"
    jnim = [r for r in data["presence"] if r["group"] == "jnim" and r["unit_id"] == "BF-01"]
    assert jnim and jnim[0]["status"] in {"present", "contested", "dominant", "control"}
    macina = [a for a in data["axes"] if a["origin"] == "Macina"]
    assert macina and len(macina[0]["line"]) == 2 and "head" not in macina[0]  # drawn in pixels
    # known only to a country: the Benin attack, the FLA emissary, the HRW massacres report
    assert data["unmapped"] == 3


def test_changing_one_record_rewrites_only_the_periods_it_touches(tmp_path):
    work = tmp_path / "records"
    work.mkdir()
    for r in RECORDS:
        shutil.copy(r, work / r.name)
    out = tmp_path / "site"
    build(out, *sorted(work.glob("*.csv")))
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()}
    events = work / "events.csv"
    text = events.read_text(encoding="utf-8")
    assert "locals reported a former mayor" in text
    events.write_text(text.replace("locals reported a former mayor", "locals saw a former mayor"),
                      encoding="utf-8")
    os.utime(events)
    build(out, *sorted(work.glob("*.csv")))
    content = sorted(p.relative_to(out).as_posix() for p, (m, b) in before.items()
                     if p.read_bytes() != b)
    # events.csv and its columnar copy (read by the later steps), and the one period's data
    assert content == [".sahelmap/events.arrow", "data/2025-05.js", "events.csv"]
    # the tables are rewritten by each run; pages, data and assets only when their bytes change
    touched = sorted(p.relative_to(out).as_posix() for p, (m, b) in before.items()
                     if p.stat().st_mtime_ns != m and p.suffix in (".html", ".js", ".css", ".png"))
    assert touched == ["data/2025-05.js"]


def markup_records(tmp_path: Path) -> Path:
    """One event whose source and notes carry markup and a script."""
    records = tmp_path / "events.csv"
    records.write_text(
        "record_id,date_start,actor,event_type,place_name,country,confidence,source,notes\n"
        'xss,2025-04-02,jnim,attack,Djibo,BFA,reported,"<b>src</b>",'
        '"<script>window.__xss=1</script><img src=x onerror=""window.__xss=2"">"\n',
        encoding="utf-8")
    return records


def test_notes_with_markup_are_data_not_html(tmp_path):
    need_leaflet()
    records = markup_records(tmp_path)
    out = tmp_path / "site"
    build(out, records)
    for path in out.rglob("*"):
        if path.suffix in (".html", ".js") and path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "<script>window.__xss" not in text and "<img src=x" not in text, path
    data = period_data(out, "2025-04")
    assert data["events"][0]["notes"].startswith("<script>window.__xss=1</script>")


def test_page_weight_with_20000_events_in_a_period(tmp_path):
    need_leaflet()
    rng = np.random.default_rng(3)
    n = 20_000
    day = rng.integers(1, 31, n)
    frame = pd.DataFrame({
        "record_id": [f"e{i}" for i in range(n)],
        "date_start": [f"2025-04-{d:02d}" for d in day],
        "actor": rng.choice(["jnim", "isgs", "mil_bfa", "vdp"], n),
        "event_type": rng.choice(["attack", "battle", "violence_against_civilians"], n),
        "place_name": "",
        "latitude": rng.uniform(10, 15, n).round(4),
        "longitude": rng.uniform(-5, 2, n).round(4),
        "confidence": "reported",
        "source": "synthetic",
        "notes": "a synthetic event for the page-weight test",
    })
    records = tmp_path / "many.csv"
    frame.to_csv(records, index=False)
    out = tmp_path / "site"
    build(out, records)
    page = (out / "2025-04.html").stat().st_size + (out / "data" / "2025-04.js").stat().st_size
    assert page < 2_000_000, page
    data = period_data(out, "2025-04")
    assert data["aggregated"] and data["n_events"] == n
    assert sum(e["count"] for e in data["events"]) == n  # nothing lost in aggregation


def test_embed_prints_a_snippet_and_rejects_unknown_periods(site, capsys):
    assert main(["embed", "2025-04", "--site", str(site)]) == 0
    out = capsys.readouterr().out
    assert out.startswith('<iframe src="2025-04.html"') and 'title="sahelmap: 2025-04"' in out
    assert main(["embed", "2031-01", "--site", str(site)]) == 2
    err = capsys.readouterr().err
    assert "no page for period '2031-01'" in err and "2023-10 to 2025-06" in err
    assert main(["embed", "../../etc/passwd", "--site", str(site)]) == 2


def _make(*args, maps: Path):
    return subprocess.run(["make", "--no-print-directory", f"MAPS={maps}", *args], cwd=ROOT,
                          capture_output=True, text=True)


def test_make_rebuilds_only_the_stage_that_changed(tmp_path):
    need_leaflet()
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    maps = tmp_path / "maps"
    res = _make(maps=maps)
    assert res.returncode == 0, res.stderr
    # the pages first (the site is usable), then the GeoPackage and the figures, then the
    # overview again, now linking them
    ran = res.stdout.splitlines()
    step = {name: next(i for i, line in enumerate(ran) if f"sahelmap {name}" in line)
            for name in ("build", "site --tables", "gpkg", "figure", "site --index-only")}
    assert list(step.values()) == sorted(step.values()), step
    index = (maps / "index.html").read_text(encoding="utf-8")
    assert 'href="sahelmap.gpkg" download' in index and 'href="figures/2025-04.svg"' in index
    assert 'href="sahelmap.qgz" download' in index  # the QGIS project, written with it
    assert "Nothing to be done" in _make(maps=maps).stdout
    # -W: make runs as if the file had just changed (the tree is not touched)
    ran = _make("-W", "src/sahelmap/webmap.py", maps=maps).stdout  # page code
    assert "sahelmap site" in ran and "sahelmap build" not in ran
    ran = _make("-W", "src/sahelmap/figures.py", maps=maps).stdout  # figure code
    assert "sahelmap figure" in ran and "sahelmap site --index-only" in ran
    assert "sahelmap site --tables" not in ran and "sahelmap gpkg" not in ran
    ran = _make("-W", "src/sahelmap/qgsproject.py", maps=maps).stdout  # project code
    assert ran.count("sahelmap gpkg") == 1 and "sahelmap site --index-only" in ran
    assert "sahelmap build" not in ran and "sahelmap figure" not in ran
    for changed in ("src/sahelmap/presence.py", "geodata/records/claims.csv"):
        ran = _make("-W", changed, maps=maps).stdout  # analysis code, a records file
        assert "sahelmap build" in ran and "sahelmap site" in ran, changed


def test_statuses_carry_their_basis_confidence_and_age_into_csv_and_pages(site):
    pres = pd.read_csv(site / "presence.csv", keep_default_na=False)
    mopti = pres[(pres["unit_id"] == "MLI-2809") & (pres["group"] == "jnim")].set_index("period")
    assert mopti.loc["2025-04", ["status", "basis", "label"]].tolist() == \
        ["control", "claimed", "control (claimed)"]
    assert {"claimed", "reported", "corroborated", "assessed"} <= set(pres["confidence"])
    assert pres["stability"].astype(float).between(0, 1).all()  # make's sensitivity runs
    zones = pd.read_csv(site / "zones.csv", keep_default_na=False)
    assert not zones.duplicated(["unit_id", "period"]).any()
    may = {r["unit_id"]: r for r in period_data(site, "2025-05")["presence"]
           if r["group"] == "jnim"}
    assert may["MLI-2794"]["label"] == "present (claimed, 1 month old)"  # Sikasso
    assert may["MLI-2794"]["spatial"] == "area" and may["MLI-2794"]["age_days"] == 34
    cells = [r for r in may.values() if r["unit_level"] == "cell" and r["status"] == "control"]
    assert cells and {r["confidence"] for r in cells} == {"reported"}
    units = period_data(site, "2025-05")
    assert any(z["zone"] == "insurgent_leaning" and z["holder"] == "jnim" for z in units["zones"])
    # every unit the pages name has a shape in the shared geometry
    shapes = json.loads((site / "assets" / "units.js").read_text(encoding="utf-8")
                        [len("SahelMap.setUnits("):-len(");\n")])["features"]
    assert all(r["unit_id"] in shapes for r in period_data(site, "2025-04")["presence"])
    assert shapes[cells[0]["unit_id"]]["name"].startswith("Soum, Sahel (cell h25:")


def test_index_only_needs_a_site_to_update(site, tmp_path, capsys):
    empty = tmp_path / "nothing"
    assert main(["-q", "site", "--index-only", "--tables", str(site), "--out", str(empty)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no site there to update" in err[0] and str(empty) in err[0]
    assert not (empty / "index.html").exists()
    before = (site / "index.html").read_bytes()
    assert main(["-q", "site", "--index-only", "--tables", str(site), "--out", str(site)]) == 0
    assert (site / "index.html").read_bytes() == before  # same files: the same overview
