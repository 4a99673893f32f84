"""The thin CLI: one-line errors, exit codes, help for every command, no tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from sahelmap.cli import build_parser, main

from .conftest import GEODATA, RECORDS


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sahelmap.cli", *args], capture_output=True,
                          text=True, cwd=cwd)


def test_every_command_has_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) >= {"validate", "geocode", "place", "build"}
    for name, p in sub.choices.items():
        assert p.description and len(p.format_help()) > 100, name


def test_validate_default_records_is_clean(capsys):
    assert main(["validate", *map(str, RECORDS)]) == 0
    assert "no problems" in capsys.readouterr().out


def test_validate_bad_file_lists_each_problem_on_one_line(write):
    path = write("bad.csv", "record_id,date_start,actor,event_type,place_name,latitude,longitude,"
                            "confidence,source\n"
                            "a,2025-04-02,jnim,attack,Djibo,,,reported,s\n"
                            "b,02/04/2025,jnim,attack,Djibo,,,reported,s\n"
                            "c,2025-04-02,nobody,attack,Djibo,,,reported,s\n"
                            "d,2025-04-02,jnim,attack,,95,1,reported,s\n")
    res = run("validate", str(path))
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert [l.split(": ")[0] for l in lines] == [f"{path}:3", f"{path}:4", f"{path}:5"]
    assert "Traceback" not in res.stderr
    assert "1 events" in res.stdout and "3 rows rejected" in res.stdout


@pytest.mark.parametrize("args,needle", [
    (["validate", "does-not-exist.csv"], "does-not-exist.csv: cannot read file"),
    (["--geodata", "/nonexistent", "place", "Djibo"], "/nonexistent: geodata folder not found"),
])
def test_user_mistakes_are_one_line_errors(args, needle):
    res = run(*args)
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and needle in res.stderr and "Traceback" not in res.stderr


def test_cp1252_file_is_read_with_a_warning_naming_its_line(write):
    path = write("latin.csv", "record_id,date_start,actor,event_type,place_name,confidence,source\n"
                              "a,2025-04-02,jnim,attack,Dédougou,reported,s\n", encoding="cp1252")
    res = run("validate", str(path))
    assert res.returncode == 0, res.stderr
    assert f"{path}:2: warning: file is not UTF-8 (byte 0xe9); read as cp1252" in res.stderr
    res = run("geocode", str(path))
    assert "events: 1 (exact 1)" in res.stdout  # the accent survived: Dédougou matched exactly


def test_place_shows_matches_with_sources():
    res = run("place", "Dedigo")
    assert res.returncode == 0
    assert "geonames:2361477" in res.stdout and "Dédougou" in res.stdout
    assert "GeoNames" in res.stdout and "BF3" in res.stdout
    res = run("place", "Dioura")
    assert res.returncode == 1 and "ambiguous" in res.stdout
    assert "curated:dioura-kayes" in res.stdout and "curated:dioura-tenenkou" in res.stdout


def test_geocode_writes_a_report_naming_unplaced_records(tmp_path):
    report = tmp_path / "report.csv"
    res = run("geocode", *map(str, RECORDS), "--report", str(report), "--output", str(tmp_path))
    assert res.returncode == 0, res.stderr
    rep = pd.read_csv(report, keep_default_na=False)
    assert set(rep["place_name"]) == {"Tatkarat", "Fatli"}
    assert (rep["line"] > 1).all() and rep["file"].str.endswith("events.csv").all()
    events = pd.read_csv(tmp_path / "events.csv", keep_default_na=False)
    assert len(events) == len(pd.read_csv(GEODATA / "records" / "events.csv"))


def test_build_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run("-q", "build", "--out", str(a)).returncode == 0
    assert run("-q", "build", "--out", str(b)).returncode == 0
    for name in ("events.csv", "claims.csv", "movements.csv", "geocode_report.csv",
                 "presence.csv", "axes.geojson"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert not list(a.glob(".*.tmp"))


def test_presence_and_axes_commands_write_tables(tmp_path):
    out = tmp_path / "presence.geojson"
    res = run("presence", "-o", str(out))
    assert res.returncode == 0, res.stderr
    import geopandas as gpd

    g = gpd.read_file(out)
    row = g[(g["unit_id"] == "BF-01") & (g["group"] == "jnim") & (g["period"] == "2025-04")]
    assert len(row) == 1 and row.geometry.iloc[0].geom_type in ("Polygon", "MultiPolygon")
    res = run("axes", "-o", str(tmp_path / "axes.parquet"), "--no-inferred")
    assert res.returncode == 0, res.stderr
    ax = gpd.read_parquet(tmp_path / "axes.parquet")
    assert set(ax["kind"]) == {"declared", "influence"} and ax.crs.to_epsg() == 4326


def test_config_file_and_flags_set_the_parameters(tmp_path):
    cfg = tmp_path / "sahelmap.toml"
    cfg.write_text('[presence]\nhalf_life_days = 10\nlevel = "admin2"\n'
                   '[presence.type_weights]\nseizure = 5.0\n[periods]\nfreq = "quarter"\n')
    out = tmp_path / "p.csv"
    res = run("presence", "-o", str(out), "--config", str(cfg), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    p = pd.read_csv(out, keep_default_na=False)
    assert set(p["period"]) >= {"2025-Q2"} and "BFA-2878" in set(p["unit_id"])  # Tapoa
    diapaga = p[(p["unit_id"] == "BFA-2878") & (p["group"] == "jnim")]
    assert diapaga["activity"].iloc[0] == pytest.approx(5.0 * 0.8)  # one reported seizure
    # ./sahelmap.toml is read by default, and flags override it
    res = run("presence", "-o", str(out), "--period", "year", cwd=tmp_path)
    assert res.returncode == 0 and set(pd.read_csv(out)["period"].astype(str)) <= {"2023", "2024", "2025"}


@pytest.mark.parametrize("text,needle", [
    ("[presence]\nhalf_lif = 3\n", "'half_lif' is not a setting"),
    ("[nonsense]\n", "unknown section [nonsense]"),
    ("[presence]\nlevel = 'county'\n", "presence level 'county' is not known"),
    ("[periods]\nwindows = [['a', '2024-01-01', '2024-03-01'], ['b', '2024-02-01', '2024-04-01']]\n",
     "overlap"),
    ("[presence\n", "not valid TOML"),
])
def test_bad_config_is_a_one_line_error(tmp_path, text, needle):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    res = run("presence", "--config", str(cfg))
    assert res.returncode == 2 and needle in res.stderr and "Traceback" not in res.stderr
    assert res.stderr.strip().count("\n") == 0


def test_unknown_output_format_is_named(tmp_path):
    res = run("axes", "-o", str(tmp_path / "axes.xlsx"))
    assert res.returncode == 2 and "'.xlsx' is not supported" in res.stderr


def test_a_file_with_no_valid_row_is_a_one_line_error(write):
    path = write("allbad.csv", "record_id,date_start,actor,event_type,place_name,confidence,source\n"
                               "a,2025-13-01,jnim,attack,Djibo,reported,s\n")
    for cmd in ("build", "presence"):
        res = run("-q", cmd, str(path), *(["--out", str(path.parent / "out")] if cmd == "build" else []))
        assert res.returncode == 2 and "Traceback" not in res.stderr, cmd
        last = res.stderr.strip().splitlines()[-1]
        assert last.startswith("sahelmap: error: no valid dated record") and "--start" in last
