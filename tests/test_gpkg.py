"""The GeoPackage: conformance (GDAL), styles and dates as QGIS sees them (PyQGIS)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from hypothesis import given, settings, strategies as st
import pandas as pd
import pyogrio
import pytest

from sahelmap import read_records
from sahelmap.gpkg import LAYERS, layers, write_gpkg
from sahelmap.styles import DAY_START
from sahelmap.pipeline import analyse, locate

from .conftest import RECORDS, ROOT

SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.fixture(scope="module")
def built(geodata, places, tmp_path_factory):
    located = locate(read_records(RECORDS, geodata.actors), geodata, places)
    tables = {**located, **analyse(located, geodata, places)}
    frames = layers(tables, geodata, places)
    path = tmp_path_factory.mktemp("gpkg") / "sahelmap.gpkg"
    write_gpkg(frames, geodata.actors, path)
    return path, frames


def test_layers_counts_crs_and_date_fields(built):
    path, frames = built
    names = [n for n, _ in pyogrio.list_layers(path)]
    assert names == [*LAYERS, "layer_styles"]
    for name in LAYERS:
        info = pyogrio.read_info(path, layer=name)
        assert info["features"] == len(frames[name]), name
        assert info["crs"] == "EPSG:4326", name
    for name, cols in (("events", ("date_start", "date_end")), ("claims", ("date_start", "date_end")),
                       ("presence", ("period_start", "period_end")),
                       ("axes", ("period_start", "period_end"))):
        info = pyogrio.read_info(path, layer=name)
        types = dict(zip(info["fields"], info["dtypes"]))
        for col in cols:
            assert types[col] == "datetime64[D]", (name, col)  # OGR Date fields
    pres = pyogrio.read_dataframe(path, layer="presence")
    assert len(pres) == len(frames["presence"]) and pres.geometry.notna().all()
    row = pres[(pres["unit_id"] == "BF-01") & (pres["group"] == "jnim") & (pres["period"] == "2025-04")]
    assert str(row["period_start"].iloc[0])[:10] == "2025-04-01"
    # the status's basis and confidence survive into the GeoPackage
    mopti = pres[(pres["unit_id"] == "MLI-2809") & (pres["group"] == "jnim")].set_index("period")
    assert mopti.loc["2025-04", "label"] == "control (claimed)"
    assert mopti.loc["2025-04", "category"] == "jnim:control:claimed"
    ctl = pres[pres["status"] == "control"]
    assert {"claimed", "reported"} <= set(ctl["basis"])
    assert set(ctl["category"].str.rsplit(":", n=1).str[1]) >= {"claimed", "reported"}
    assert pyogrio.read_info(path, layer="zones")["features"] == len(frames["zones"])


def test_geopackage_1_3_with_a_default_style_per_layer(built):
    path, _ = built
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 10300
        rows = con.execute("SELECT f_table_name, useAsDefault, styleQML FROM layer_styles "
                           "ORDER BY f_table_name").fetchall()
    finally:
        con.close()
    assert sorted(r[0] for r in rows) == sorted(LAYERS)
    assert all(r[1] == 1 and r[2].startswith("<!DOCTYPE qgis") for r in rows)


def test_same_inputs_same_bytes(built, geodata, tmp_path):
    path, frames = built
    again = write_gpkg(frames, geodata.actors, tmp_path / "again.gpkg")
    assert again.read_bytes() == path.read_bytes()


def test_written_by_one_process_or_two_the_same_bytes(built, geodata, tmp_path, monkeypatch):
    """The presence tables are written aside by a forked process and copied in; with one
    core they are written first in this process: the file is the same either way."""
    import sahelmap._parallel as parallel

    path, frames = built
    monkeypatch.setattr(parallel, "default_workers", lambda: 1)
    alone = write_gpkg(frames, geodata.actors, tmp_path / "alone.gpkg")
    assert alone.read_bytes() == path.read_bytes()
    assert not list(tmp_path.glob("*presence*"))  # the aside file is gone


def test_a_failed_worker_fails_the_step(monkeypatch):
    import sahelmap._parallel as parallel
    from sahelmap._parallel import alongside

    monkeypatch.setattr(parallel, "default_workers", lambda: 2)  # forked, even on one core

    def fail():
        raise SystemExit(3)

    from sahelmap._errors import SahelmapError

    with pytest.raises(SahelmapError, match="exit code 3"):  # one line from the CLI
        with alongside(fail):
            pass


@pytest.mark.skipif(shutil.which("ogrinfo") is None,
                    reason="ogrinfo not found: install Debian's gdal-bin to check conformance")
def test_system_gdal_opens_it_without_warnings(built):
    path, frames = built
    res = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(path)], capture_output=True,
                         text=True, check=True)
    assert res.stderr.strip() == ""
    counts = dict(zip(__import__("re").findall(r"Layer name: (\w+)", res.stdout),
                      map(int, __import__("re").findall(r"Feature Count: (\d+)", res.stdout))))
    assert {k: v for k, v in counts.items() if k in LAYERS} == {k: len(frames[k]) for k in LAYERS}


def _pyqgis() -> bool:
    if not Path(SYSTEM_PYTHON).is_file():
        return False
    res = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True)
    return res.returncode == 0


@pytest.mark.skipif(not _pyqgis(), reason="PyQGIS not found: apt-get install python3-qgis "
                                          "(runs under /usr/bin/python3)")
def test_qgis_opens_every_layer_styled_with_dates(built, tmp_path):
    path, frames = built
    runtime = tmp_path / "xdg"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(runtime)}
    res = subprocess.run([SYSTEM_PYTHON, str(ROOT / "tests" / "qgis" / "inspect_gpkg.py"),
                          str(path), *LAYERS], capture_output=True, text=True, env=env,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    seen = json.loads(res.stdout.strip().splitlines()[-1])
    for name in LAYERS:
        assert seen[name]["valid"], name
        assert seen[name]["count"] == len(frames[name]), name
        assert seen[name]["crs"] == "EPSG:4326", name
    pres, ev, ax = seen["presence"], seen["events"], seen["axes"]
    groups = sorted(set(frames["presence"]["group"]))
    # four statuses × three confidences (corroborated, reported, claimed or assessed only)
    assert pres["renderer"] == "categorizedSymbol" and pres["categories"] == 12 * len(groups)
    zones = sorted(set(frames["zones"]["category"]) - {c for c in frames["zones"]["category"]
                                                          if c.startswith("none:")})
    # claimed-only is hatched with a dotted outline, corroborated drawn with a thick one
    sym = pres["symbols"]
    assert sym["jnim:control:claimed"]["style"] == "b_diagonal"
    assert sym["jnim:control:claimed"]["outline_style"] == "dot"
    assert sym["jnim:control:corroborated"]["style"] == "solid"
    assert sym["jnim:control:corroborated"]["outline_width"] > \
        sym["jnim:control:reported"]["outline_width"]
    assert seen["zones"]["renderer"] == "categorizedSymbol"
    assert seen["zones"]["categories"] == len(zones)
    assert ev["renderer"] == "categorizedSymbol"
    assert ev["categories"] == len(set(frames["events"]["actor"]) - {""})
    assert ax["renderer"] == "RuleRenderer"
    assert ax["rules"] == 2 * len(set(frames["axes"]["group"]))
    assert seen["places"]["labels"] and seen["places"]["label_field"] == "name"
    assert seen["admin_units"]["renderer"] == "singleSymbol"
    for name, start, end in (("presence", "period_start", "period_end"),
                             ("zones", "period_start", "period_end"),
                             ("axes", "period_start", "period_end"),
                             ("events", "date_start", "date_end")):
        t = seen[name]["temporal_reloaded"]
        # from expressions on the date fields (styles.DAY_START), the end day included
        assert t["active"] and (t["mode"], t["start"], t["end"], t["limit"]) == \
            (4, start, end, 1), name
        assert (t["start_expression"], t["end_expression"]) == \
            (f'"{start}" || \'{DAY_START}\'', f'"{end}" || \'{DAY_START}\''), name
        assert seen[name]["fields"][start] == "Date" and seen[name]["fields"][end] == "Date"


def test_group_ids_are_quoted_in_qgis_expressions(geodata):
    from sahelmap.styles import axes_qml

    qml = axes_qml(geodata.actors, ["o'brien"])
    assert "&quot;group&quot; = 'o''brien'" in qml


def test_large_layers_are_views_over_rows_stored_once(built):
    """Each unit's polygon is stored once, and the text many rows share once per distinct
    value; presence, zones and events are views GDAL opens as feature layers, showing
    every row with every value the frames hold (issue 10)."""
    from sahelmap.gpkg import SHAPES, VIEWS

    path, frames = built
    con = sqlite3.connect(path)
    try:
        kinds = dict(con.execute("SELECT name, type FROM sqlite_master WHERE name IN "
                                 f"({', '.join('?' * (len(VIEWS) + 1))})",
                                 (*VIEWS, SHAPES)).fetchall())
        shapes = con.execute(f"SELECT COUNT(*), COUNT(DISTINCT unit_id) FROM {SHAPES}").fetchone()
        registered = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
        keys = con.execute("SELECT COUNT(*) FROM presence_keys").fetchone()[0]
    finally:
        con.close()
    assert kinds == {"presence": "view", "zones": "view", "events": "view", SHAPES: "table"}
    units = set(frames["presence"]["unit_id"]) | set(frames["zones"]["unit_id"])
    assert shapes == (len(units), len(units))  # one shape per unit, not one per row
    assert keys < len(frames["presence"]) / 5  # shared text once, not once per row
    assert registered == {*LAYERS, "layer_styles"}  # the tables behind the views stay hidden
    for name in VIEWS:  # every row and value comes back through the view, in order
        back = pyogrio.read_dataframe(path, layer=name, fid_as_index=True)
        want = frames[name]
        assert list(back.columns) == [*[c for c in want.columns if c != "geometry"], "geometry"]
        for col in want.columns.drop("geometry", errors="ignore"):
            assert [_plain(v) for v in back[col]] == [_plain(v) for v in want[col]], (name, col)
    pres = pyogrio.read_dataframe(path, layer="presence")
    shape = pyogrio.read_dataframe(path, layer="admin_units").set_index("unit_id")
    row = pres[pres["unit_id"] == "BF-01"].iloc[0]
    assert row.geometry.equals(shape.loc["BF-01", "geometry"])  # the unit's own polygon
    events = pyogrio.read_dataframe(path, layer="events")
    assert events.geometry.geom_equals(frames["events"].geometry.reset_index(drop=True)).sum() \
        == frames["events"].geometry.notna().sum()
    box = (-2.0, 12.0, 0.5, 14.5)  # GDAL filters the view by a box as QGIS asks it to
    inside = pyogrio.read_dataframe(path, layer="events", bbox=box)
    assert sorted(inside["event_id"]) == sorted(
        frames["events"].cx[box[0]:box[2], box[1]:box[3]]["event_id"]) and len(inside)


def test_a_period_is_looked_up_by_its_index_through_the_view(built):
    """The Temporal Controller asks a view for one period at a time: SQLite must find
    those rows by the period index, not scan every row of every period."""
    path, frames = built
    con = sqlite3.connect(path)
    try:
        for name in ("presence", "zones"):
            plan = " | ".join(r[-1] for r in con.execute(
                f"EXPLAIN QUERY PLAN SELECT * FROM {name} WHERE period_start <= '2025-04-30' "
                "AND period_end >= '2025-04-01'"))
            assert f"USING INDEX {name}_rows_period" in plan, plan
            assert "SCAN r" not in plan, plan
            got = con.execute(f"SELECT COUNT(*) FROM {name} WHERE period = '2025-04'").fetchone()
            assert got[0] == (frames[name]["period"] == "2025-04").sum() > 0
    finally:
        con.close()


def _plain(value) -> str:
    """A value as text, whatever the dtype it was read back as (1 and 1.0 alike)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:10] if hasattr(value, "isoformat") else str(value)


def test_every_date_in_the_tables_survives_into_the_layers(geodata, places, tmp_path):
    """Tables read back from 'sahelmap build' hold dates as text: each one written must be a
    date in the layers (a text Arrow cannot read would silently become empty)."""
    from sahelmap.cli import main
    from sahelmap.gpkg import DATE_COLUMNS
    from sahelmap.tables import read_tables

    assert main(["-q", "build", "--out", str(tmp_path), *map(str, RECORDS)]) == 0
    tables = read_tables(tmp_path)
    frames = layers(tables, geodata, places)
    checked = 0
    for name in ("events", "claims", "presence", "zones", "axes"):
        for col in DATE_COLUMNS:
            if col in tables[name]:
                written = tables[name][col].astype(str).str.strip().replace("nan", "") != ""
                assert int(written.sum()) == int(frames[name][col].notna().sum()), (name, col)
                checked += int(written.sum())
    assert checked > 1000


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "é", ""]), st.integers(0, 3),
                          st.sampled_from(["x", "y", None])), max_size=60),
       st.sampled_from([2**62, 5, 2]))
def test_lookup_ids_number_distinct_rows_in_order_of_first_appearance(rows, limit):
    """_distinct gives every row the id of its combination of values (1, 2, ... as
    combinations first appear) and the positions where each first appears, whether the
    codes are combined at once or compacted on the way (a small limit forces that)."""
    from sahelmap import gpkg

    frame = pd.DataFrame(rows, columns=["t", "n", "m"]).astype(
        {"t": "string[pyarrow]", "m": "string[pyarrow]"})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gpkg, "KEY_LIMIT", limit)
        ids, first = gpkg._distinct(frame, ["t", "n", "m"])
    seen: dict = {}
    expected = [seen.setdefault(tuple("<NA>" if pd.isna(v) else v for v in r), len(seen) + 1)
                for r in frame.itertuples(index=False)]
    assert ids.tolist() == expected
    assert first.tolist() == [expected.index(k) for k in range(1, len(seen) + 1)]
