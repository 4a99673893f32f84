"""The QGIS project beside the GeoPackage: what QGIS 3.22 makes of it (PyQGIS), the
Temporal Controller's step read from the periods, bytes and escaping (plain Python)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from sahelmap._errors import InputError
from sahelmap.cli import main
from sahelmap.gpkg import LAYERS
from sahelmap.periods import FREQUENCIES, make_periods, windows
from sahelmap.pipeline import PeriodSpec
from sahelmap.qgsproject import (ProjectLayer, TimeStep, period_step, project_xml, time_range,
                                 write_qgz)
from sahelmap.styles import DAY_START, events_qml

from .conftest import RECORDS, ROOT
from .test_gpkg import SYSTEM_PYTHON, _pyqgis

DATED = {"presence": ("period_start", "period_end"), "zones": ("period_start", "period_end"),
         "axes": ("period_start", "period_end"), "events": ("date_start", "date_end"),
         "claims": ("date_start", "date_end")}
ON_THE_SITE = ("presence", "axes", "events")  # the layers the site shows at first


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The default tables and GeoPackage as make writes them: build, then gpkg."""
    maps = tmp_path_factory.mktemp("maps")
    assert main(["-q", "build", "--out", str(maps), *map(str, RECORDS)]) == 0
    assert main(["-q", "gpkg", "--tables", str(maps), "-o", str(maps / "sahelmap.gpkg")]) == 0
    return maps


def _inspect(qgz, tmp_path) -> dict:
    runtime = tmp_path / "xdg"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(runtime)}
    res = subprocess.run([SYSTEM_PYTHON, str(ROOT / "tests" / "qgis" / "inspect_project.py"),
                          str(qgz)], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def _day(value) -> str:
    return f"{pd.Timestamp(value):%Y-%m-%d}T00:00:00"


@pytest.mark.skipif(not _pyqgis(), reason="PyQGIS not found: apt-get install python3-qgis "
                                          "(runs under /usr/bin/python3)")
def test_qgis_opens_the_project_moved_with_its_geopackage_and_it_plays(built, tmp_path):
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    for name in ("sahelmap.gpkg", "sahelmap.qgz"):  # the two files, without the tables
        shutil.copy2(built / name, moved / name)
    seen = _inspect(moved / "sahelmap.qgz", tmp_path)
    assert seen["read"] and seen["error"] == ""
    assert [m for m in seen["messages"] if m[1] in (1, 2)] == []  # no warning, no error
    assert seen["crs"] == "EPSG:4326"
    layers = {lay["name"]: lay for lay in seen["layers"]}
    assert sorted(layers) == sorted(LAYERS)
    assert len({lay["id"] for lay in seen["layers"]}) == len(LAYERS)
    for name, lay in layers.items():  # read from the copy beside the project
        assert lay["valid"] and lay["crs"] == "EPSG:4326", name
        assert lay["source"] == f"{moved / 'sahelmap.gpkg'}|layername={name}", name
    # points over lines over polygons, in the panel and in drawing order
    kinds = [lay["geometry"] for lay in seen["layers"]]
    assert kinds == sorted(kinds) and kinds[0] == 0 and kinds[-1] == 2
    assert seen["order"] == [lay["name"] for lay in seen["layers"]]
    assert {n for n, lay in layers.items() if lay["visible"]} >= set(ON_THE_SITE)
    # each layer drawn as its default style draws it when added alone from the GeoPackage
    for name, lay in layers.items():
        assert lay["style"] == lay["alone"]["style"], name
    assert (layers["presence"]["renderer"], layers["presence"]["attr"]) == \
        ("categorizedSymbol", "category")
    presence = pd.read_csv(built / "presence.csv", dtype=str, keep_default_na=False)
    shown = presence[presence["status"] != "none"]
    assert {f"{r.group}:{r.status}:" for r in shown.itertuples()} <= \
        {c.rsplit(":", 1)[0] + ":" for c in layers["presence"]["categories"]}
    assert (layers["events"]["renderer"], layers["events"]["attr"]) == \
        ("categorizedSymbol", "actor")
    assert layers["axes"]["renderer"] == "RuleRenderer" and layers["axes"]["rules"]
    # the dated layers filter by their dates, switched on (alone they come switched off)
    for name, lay in layers.items():
        t = lay["temporal"]
        if name in DATED:
            # start and end from expressions on the date fields, end day included
            assert t["active"] and (t["mode"], t["start"], t["end"], t["limit"]) == \
                (4, *DATED[name], 1), name
            assert (t["start_expression"], t["end_expression"]) == \
                tuple(f'"{field}" || \'{DAY_START}\'' for field in DATED[name]), name
            assert not lay["alone"]["temporal_active"], name  # what the project fixes
        else:
            assert not t["active"], name
    _check_time(seen, built)
    _check_view(seen, layers)


def _check_time(seen: dict, built) -> None:
    """The project's range is the periods', the Temporal Controller animates it, and
    each frame is one period and shows that period's features, as QGIS filters them."""
    periods = pd.read_csv(built / "periods.csv")
    first, last = periods["period_start"].min(), periods["period_end"].max()
    time = seen["time"]
    assert (time["start"], time["end"]) == (_day(first) + "Z", _day(last) + "Z")
    assert seen["full_range"] == [_day(first), _day(last)]  # = QGIS's "Set to full range"
    assert PeriodSpec().freq == "month"  # the default build is monthly: one month a step
    assert (time["step"], time["unit"], time["cumulative"]) == (1, "mon", False)
    nav = seen["navigation"]
    assert nav["mode"] == 1 and nav["current"] == 0  # animated, on the first period
    assert nav["extent"] == [time["start"], time["end"]]
    assert (nav["step"], nav["unit"]) == (time["step"], time["unit"])
    frames = seen["frames"]
    assert len(periods) <= len(frames) <= len(periods) + 1  # QGIS 3.22: a month is 30 days
    tables = {name: pd.read_csv(built / f"{name}.csv", dtype=str, keep_default_na=False)
              for name in ("presence", "zones", "events", "claims")}
    axes = pd.DataFrame([f["properties"] for f in json.loads(
        (built / "axes.geojson").read_text(encoding="utf-8"))["features"]])
    for i, period in enumerate(periods.itertuples()):
        frame = frames[i]
        after = pd.Timestamp(period.period_end) + pd.Timedelta(days=1)
        assert (frame["begin"], frame["end"], frame["include_end"]) == \
            (_day(period.period_start) + "Z", _day(after) + "Z", False), period.period
        got = frame["shown"]
        for name in ("presence", "zones"):
            rows = tables[name]
            assert got[name] == [period.period] * int((rows["period"] == period.period).sum())
        assert got["axes"] == sorted(axes.loc[axes["period"] == period.period, "axis_id"])
        for name, key in (("events", "event_id"), ("claims", "claim_id")):
            rows = tables[name]
            on = (rows["date_start"] <= period.period_end) & \
                (rows["date_end"] >= period.period_start)
            assert got[name] == sorted(rows.loc[on, key]), (name, period.period)
    assert sum(len(ids) for f in frames for ids in f["shown"].values()) > 0
    for frame in frames[len(periods):]:  # after the last period: nothing
        assert all(ids == [] for ids in frame["shown"].values())


def _check_view(seen: dict, layers: dict) -> None:
    """The map opens on every dated layer's features, not on the whole region."""
    boxes = [layers[name]["extent"] for name in DATED]
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    cx0, cy0, cx1, cy1 = seen["canvas"]
    assert cx0 <= x0 and cy0 <= y0 and cx1 >= x1 and cy1 >= y1
    countries = layers["countries"]["extent"]
    assert (cx1 - cx0) * (cy1 - cy0) < (countries[2] - countries[0]) * (countries[3] - countries[1])


def test_same_geopackage_same_project_bytes(built, tmp_path):
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy2(built / "sahelmap.gpkg", again / "sahelmap.gpkg")
    periods = pd.read_csv(built / "periods.csv")
    written = write_qgz(again / "sahelmap.gpkg", periods)
    assert written == again / "sahelmap.qgz"
    assert written.read_bytes() == (built / "sahelmap.qgz").read_bytes()
    with zipfile.ZipFile(written) as archive:
        [member] = archive.infolist()  # one project file, with a fixed time
    assert member.filename == "sahelmap.qgs" and member.date_time == (1980, 1, 1, 0, 0, 0)


def test_the_project_names_the_geopackage_relative_to_itself(built):
    with zipfile.ZipFile(built / "sahelmap.qgz") as archive:
        text = archive.read("sahelmap.qgs").decode("utf-8")
    assert str(built) not in text  # nothing from the machine that built it
    root = ET.fromstring(text)
    sources = [el.text for el in root.iter("datasource")]
    assert sorted(sources) == sorted(f"./sahelmap.gpkg|layername={n}" for n in LAYERS)


def test_names_and_styles_from_data_are_escaped(geodata):
    """A layer or group name holding XML syntax stays text: the project parses, and
    reads back the names exactly, with one layer and one category each."""
    hostile = 'x"/><maplayer><id>evil</id></maplayer><!--&amp;\'<'
    layer = ProjectLayer(name=hostile, geometry="POINT", extent=(-1.0, 12.0, 1.0, 14.0),
                         crs="EPSG:4326", qml=events_qml(geodata.actors, [hostile]))
    text = project_xml([layer], "sahelmap.gpkg", ("2025-01-01T00:00:00Z", "2025-03-31T00:00:00Z"),
                       TimeStep(1, "mon", True))
    root = ET.fromstring(text)
    [maplayer] = root.iter("maplayer")
    assert maplayer.findtext("layername") == hostile
    assert maplayer.findtext("datasource") == f"./sahelmap.gpkg|layername={hostile}"
    assert [el.get("name") for el in root.iter("layer-tree-layer")] == [hostile]
    assert [el.get("value") for el in maplayer.iter("category")] == [hostile]
    assert "evil" not in [el.text for el in root.iter("id")]
    # a character XML cannot carry, in a group's name, shows as U+FFFD: the project parses
    actors = pd.DataFrame({"actor_id": ["x"], "colour": ["#112233"], "display_name": ["a\x0bb"]})
    damaged = ET.fromstring(project_xml([layer._replace(qml=events_qml(actors, ["x"]))],
                                        "sahelmap.gpkg", ("2025-01-01T00:00:00Z",
                                                          "2025-03-31T00:00:00Z"),
                                        TimeStep(1, "mon", True)))
    assert [el.get("label") for el in damaged.iter("category")] == ["a\ufffdb"]
    # a style that is not XML at all (a GeoPackage edited by hand): one line, no traceback
    with pytest.raises(InputError, match=r"^layer_styles: the default style of "):
        project_xml([layer._replace(qml="<qgis><renderer-v2>")], "sahelmap.gpkg",
                    ("2025-01-01T00:00:00Z", "2025-03-31T00:00:00Z"), TimeStep(1, "mon", True))


def test_a_geopackage_name_qgis_cannot_point_at_is_refused(built, tmp_path, capsys):
    assert main(["-q", "gpkg", "--tables", str(built), "-o", str(tmp_path / "a|b.gpkg")]) == 2
    assert main(["-q", "gpkg", "--tables", str(built), "-o", str(tmp_path / "map.qgz")]) == 2
    assert main(["-q", "gpkg", "--tables", str(built), "-o", str(tmp_path / "x%20y.gpkg")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and "'|'" in err[0] and "overwrite the GeoPackage" in err[1]
    assert "'%'" in err[2]
    assert all("--no-project" in line for line in err)
    assert list(tmp_path.iterdir()) == []  # refused before anything is written


def test_no_project_writes_the_geopackage_alone(built, tmp_path):
    out = tmp_path / "only.gpkg"
    assert main(["-q", "gpkg", "--tables", str(built), "-o", str(out), "--no-project"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["only.gpkg"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(FREQUENCIES), st.dates(pd.Timestamp("1990-01-01").date(),
                                              pd.Timestamp("2040-01-01").date()),
       st.integers(0, 40))
def test_the_step_steps_from_each_period_to_the_next(freq, start, days):
    """Regular periods of any frequency: the step, added 1, 2, ... times to the first
    period's start (as QGIS adds months, years or days), gives each next start, and one
    step after a start is the day after that period's end."""
    periods = make_periods(start, pd.Timestamp(start) + pd.Timedelta(days=days * 9), freq)
    step = period_step(periods)
    assert step.regular and step.value >= 1
    offset = {"mon": "months", "y": "years", "wk": "weeks", "d": "days"}[step.unit]
    first = pd.Timestamp(periods["period_start"].iloc[0])
    for i, row in enumerate(periods.itertuples()):
        assert first + pd.DateOffset(**{offset: step.value * i}) == pd.Timestamp(row.period_start)
        assert pd.Timestamp(row.period_start) + pd.DateOffset(**{offset: step.value}) == \
            pd.Timestamp(row.period_end) + pd.Timedelta(days=1)


def test_the_step_of_windows(tmp_path):
    assert period_step(make_periods("2025-01-01", "2025-12-31", "quarter")) == \
        TimeStep(3, "mon", True)
    assert period_step(make_periods("2023-01-01", "2025-12-31", "year")) == TimeStep(1, "y", True)
    tens = windows([(f"w{i}", pd.Timestamp("2025-01-01") + pd.Timedelta(days=10 * i),
                     pd.Timestamp("2025-01-10") + pd.Timedelta(days=10 * i)) for i in range(5)])
    assert period_step(tens) == TimeStep(10, "d", True)
    seasons = windows([("dry", "2024-10-01", "2025-05-31"), ("rainy", "2025-06-01", "2025-09-30")])
    assert period_step(seasons) == TimeStep(122, "d", False)  # June to September: the shortest
    gap = windows([("a", "2025-01-01", "2025-01-31"), ("b", "2025-03-01", "2025-03-31")])
    assert not period_step(gap).regular
    assert time_range(seasons) == ("2024-10-01T00:00:00Z", "2025-09-30T00:00:00Z")


def test_windows_of_unequal_length_are_stepped_by_the_shortest_with_a_note(built, tmp_path,
                                                                           capsys):
    """Tables cut into windows of unequal length: QGIS steps by one interval, so the
    project steps by the shortest window, in days, and the command says so."""
    maps = tmp_path / "maps"
    shutil.copytree(built, maps, ignore=shutil.ignore_patterns("sahelmap.*"))
    periods = pd.read_csv(maps / "periods.csv")
    first, last = periods["period_start"].min(), periods["period_end"].max()
    seasons = windows([("dry", first, "2024-05-31"), ("rainy", "2024-06-01", "2024-09-30"),
                       ("late", "2024-10-01", last)])
    seasons.to_csv(maps / "periods.csv", index=False)
    assert main(["gpkg", "--tables", str(maps), "-o", str(maps / "sahelmap.gpkg")]) == 0
    err = capsys.readouterr().err
    shortest = int(seasons["days"].min())
    assert f"steps by {shortest} days (the shortest period)" in err
    with zipfile.ZipFile(maps / "sahelmap.qgz") as archive:
        root = ET.fromstring(archive.read("sahelmap.qgs"))
    times = root.find("ProjectTimeSettings")
    assert (times.get("timeStep"), times.get("timeStepUnit")) == (str(shortest), "d")
    assert (times.findtext("TemporalRange/start"), times.findtext("TemporalRange/end")) == \
        (f"{first}T00:00:00Z", f"{last}T00:00:00Z")


@pytest.mark.parametrize("name", ["my map #1.gpkg", "a?b.gpkg", "Dédougou & co.gpkg"])
def test_a_geopackage_name_with_url_characters_gets_its_project(built, tmp_path, name):
    """'#' and '?' are a file name's own characters, not a URL's parts."""
    gpkg = tmp_path / name
    assert main(["-q", "gpkg", "--tables", str(built), "-o", str(gpkg)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, gpkg.stem + ".qgz"])
    with zipfile.ZipFile(gpkg.with_suffix(".qgz")) as archive:
        root = ET.fromstring(archive.read(archive.namelist()[0]))
    sources = {el.text for el in root.iter("datasource")}
    assert f"./{name}|layername=presence" in sources
