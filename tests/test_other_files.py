"""Files that are not the event data sahelmap reads each get one line naming the source
they resemble, what they lack and the fix. The files are built here, shaped like the real
downloads (column names from ACLED's API and export, HDX HAPI's conflict-event endpoint,
UCDP GED), with invented rows."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from sahelmap import InputError, read_records

# the columns of an ACLED export since 2023 (data export tool, or the API without fields=)
ACLED = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
         "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
         "inter2", "interaction", "civilian_targeting", "iso", "region", "country", "admin1",
         "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source",
         "source_scale", "notes", "fatalities", "tags", "timestamp"]
# what sahelmap needs of an ACLED row, and what it reads with less when missing
NEEDED = ["event_id_cnty", "event_date", "event_type", "actor1", "latitude", "longitude"]
WANTED = ["sub_event_type", "time_precision", "geo_precision", "fatalities", "location",
          "country", "source", "notes"]
ACLED_FIX = ("re-export it from ACLED's data export tool with all columns "
             "(or call the API without a fields= filter)")
# HDX HAPI, /api/v1/coordination-context/conflict-event?output_format=csv
HAPI = ["location_ref", "location_code", "location_name", "admin1_ref", "admin1_code",
        "admin1_name", "admin2_ref", "admin2_code", "admin2_name", "resource_hdx_id",
        "event_type", "events", "fatalities", "reference_period_start", "reference_period_end"]
# UCDP GED, the CSV of ucdp.uu.se/downloads
UCDP = ["id", "relid", "year", "active_year", "code_status", "type_of_violence",
        "conflict_dset_id", "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id",
        "dyad_name", "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id",
        "side_b_new_id", "side_b", "number_of_sources", "source_article", "source_office",
        "source_date", "source_headline", "source_original", "where_prec", "where_coordinates",
        "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
        "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec",
        "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown",
        "best", "high", "low"]
# the own format's column list, which none of these messages may dump
NOTES_COLUMNS = "record_id, date_start, actor"
PLACES = [("Djibo", "Sahel", "Soum", 14.0986, -1.6267), ("Diapaga", "Est", "Tapoa", 12.0706, 1.7889),
          ("Arbinda", "Sahel", "Soum", 14.2309, -0.8673), ("Kaya", "Centre-Nord", "Sanmatenga",
                                                          13.0917, -1.0844)]


def acled_rows(n: int, bad_dates: int = 0) -> list[dict]:
    """``n`` ACLED rows of Burkina Faso, the first ``bad_dates`` of them on 30 February."""
    rows = []
    for i in range(n):
        place, adm1, adm2, lat, lon = PLACES[i % len(PLACES)]
        rows.append({
            "event_id_cnty": f"BFA{20000 + i}",
            "event_date": "2025-02-30" if i < bad_dates else f"2025-04-{1 + i % 28:02d}",
            "year": "2025", "time_precision": "1", "disorder_type": "Political violence",
            "event_type": "Battles", "sub_event_type": "Armed clash",
            "actor1": "JNIM: Group for Support of Islam and Muslims", "assoc_actor_1": "",
            "inter1": "Rebel group", "actor2": "Military Forces of Burkina Faso (2022-)",
            "assoc_actor_2": "", "inter2": "State forces",
            "interaction": "Rebel group-State forces", "civilian_targeting": "", "iso": "854",
            "region": "Western Africa", "country": "Burkina Faso", "admin1": adm1,
            "admin2": adm2, "admin3": "", "location": place, "latitude": f"{lat:.4f}",
            "longitude": f"{lon:.4f}", "geo_precision": "1", "source": "Local partner",
            "source_scale": "Local", "notes": f"On {i % 28 + 1} April 2025, JNIM attacked "
                                              f"an army post near {place}, with casualties.",
            "fatalities": str(i % 7), "tags": "", "timestamp": "1746000000"})
    return rows


def csv_text(columns: list[str], rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[row.get(c, "") for c in columns] for row in rows])
    return buf.getvalue()


def acled_api_pull() -> str:
    """An API call with fields=event_date|event_type|...: no ids, actors or coordinates."""
    return csv_text(["event_date", "year", "event_type", "sub_event_type", "country", "admin1",
                     "admin2", "location", "fatalities"], acled_rows(5))


def acled_eight_without_coordinates() -> str:
    return csv_text(["event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1",
                     "country", "location", "fatalities"], acled_rows(5))


def hapi_counts() -> str:
    rows = []
    for month in ("2024-03", "2024-04"):
        for k, (_, adm1, adm2, _, _) in enumerate(PLACES):
            for kind, events in (("political_violence", 7 + k), ("civilian_targeting", 2 + k),
                                 ("demonstration", k)):
                end = "31" if month.endswith("03") else "30"
                rows.append({"location_ref": "40", "location_code": "BFA",
                             "location_name": "Burkina Faso", "admin1_ref": str(300 + k),
                             "admin1_code": f"BF5{k}", "admin1_name": adm1,
                             "admin2_ref": str(900 + k), "admin2_code": f"BF5{k}01",
                             "admin2_name": adm2,
                             "resource_hdx_id": "58f3a5a0-8a2c-4b8f-9d2a-0c6c2f1d7e11",
                             "event_type": kind, "events": str(events),
                             "fatalities": str(3 * events) if kind != "demonstration" else "",
                             "reference_period_start": f"{month}-01T00:00:00",
                             "reference_period_end": f"{month}-{end}T23:59:59"})
    return csv_text(HAPI, rows)


def ucdp_wrapped() -> str:
    """A GED file whose every line (header too) was put in one quoted field, as some
    spreadsheet and database exports do: the quotes inside a line come out doubled."""
    rows = []
    for i, (place, adm1, adm2, lat, lon) in enumerate(PLACES):
        rows.append({"id": str(510000 + i), "relid": f"BFA-2024-1-{i}", "year": "2024",
                     "active_year": "1", "code_status": "Clear", "type_of_violence": "1",
                     "conflict_dset_id": "13641", "conflict_new_id": "13641",
                     "conflict_name": "Burkina Faso: Government", "side_a": "Government of "
                     "Burkina Faso", "side_b": "JNIM", "where_prec": "1",
                     "where_coordinates": f"{place} town", "adm_1": f"{adm1} region",
                     "adm_2": f"{adm2} province", "latitude": f"{lat}", "longitude": f"{lon}",
                     "country": "Burkina Faso", "region": "Africa", "date_prec": "1",
                     "source_headline": f"Attack near {place}, soldiers killed",
                     "date_start": "2024-03-02 00:00:00.000",
                     "date_end": "2024-03-02 00:00:00.000", "best": "12", "high": "15",
                     "low": "10"})
    buf = io.StringIO()
    wrap = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    for line in csv_text(UCDP, rows).splitlines():
        wrap.writerow([line])
    return buf.getvalue()


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sahelmap.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


# name, text, the source named, the columns it is said to lack, what the fix says
UNUSABLE = [
    ("acled_api.csv", acled_api_pull, "ACLED export",
     "without event_id_cnty, actor1, latitude, longitude", ACLED_FIX),
    ("acled_8_columns.csv", acled_eight_without_coordinates, "ACLED export",
     "without latitude, longitude", ACLED_FIX),
    ("hapi_conflict_events.csv", hapi_counts, "HDX HAPI conflict-event counts",
     "(no event_id_cnty, event_date, actor1, latitude, longitude)",
     "not events, so sahelmap cannot map them; download the event-level export from ACLED's "
     "data export tool instead"),
    ("ucdp_wrapped.csv", ucdp_wrapped, "UCDP GED download",
     'reads as one column ("id,relid,year,…")',
     "re-save it as plain CSV: open it in a spreadsheet, split column A with Text to Columns"),
]


@pytest.mark.parametrize("name,make,source,lacking,fix", UNUSABLE, ids=[u[0] for u in UNUSABLE])
@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_file_sahelmap_cannot_use_is_one_line(tmp_path, name, make, source, lacking, fix,
                                                command):
    path = tmp_path / name
    path.write_text(make(), encoding="utf-8")
    out = ["--out", tmp_path / "out"] if command == "build" else []
    res = run("-q", command, path, *out)
    assert res.returncode == 2 and res.stdout == ""
    [line] = res.stderr.splitlines()  # exactly one line
    assert line.startswith(f"sahelmap: error: {path}:1: {source}")
    assert lacking in line and fix.split(";")[-1].strip() in line
    if ";" in fix:  # the HAPI line says why before what to do
        assert fix.split(";")[0] in line
    assert "Traceback" not in res.stderr and NOTES_COLUMNS not in line
    assert not (tmp_path / "out").exists()  # nothing written from it


def test_the_wrapped_file_is_read_once_unwrapped_as_its_fix_says(geodata, tmp_path):
    """The fix works: remove each line's outer quotes and undouble the inner ones."""
    wrapped = ucdp_wrapped()
    fixed = "\n".join(line[1:-1].replace('""', '"') for line in wrapped.splitlines()) + "\n"
    path = tmp_path / "ucdp_fixed.csv"
    path.write_text(fixed, encoding="utf-8")
    records = read_records([path], geodata.actors)
    assert sorted(records.events["record_id"]) == ["510000", "510001", "510002", "510003"]
    assert records.events["notes"].str.contains(", soldiers killed").all()


def test_an_acled_subset_with_the_needed_columns_is_read_with_one_warning(tmp_path):
    """Eight columns that still hold id, date, type, actors and coordinates: the events are
    read, and one line says what is missing, what that costs and the fix."""
    path = tmp_path / "acled_8_columns.csv"
    columns = ["event_id_cnty", "event_date", "event_type", "actor1", "actor2", "location",
               "latitude", "longitude"]
    path.write_text(csv_text(columns, acled_rows(6)), encoding="utf-8")
    res = run("validate", path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("6 events, 0 claims, 0 movements valid; 0 rows rejected")
    warning, summary = res.stderr.splitlines()
    missing = [w for w in WANTED if w not in columns]
    assert warning.startswith(f"{path}:1: warning: ACLED export without {', '.join(missing)}: "
                              "read with them empty (")
    assert "every location taken as exact" in warning and warning.endswith(ACLED_FIX)
    assert summary.startswith(f"sahelmap: import: {path}: acled: 6 rows read, 6 events kept")
    out = tmp_path / "out"
    res = run("-q", "build", path, "--out", out, "--include-restricted")
    assert res.returncode == 0 and res.stderr.splitlines()[0] == warning
    events = pd.read_csv(out / "events.csv", keep_default_na=False)
    assert len(events) == 6 and set(events["location_precision"]) == {"exact"}
    assert set(events["event_type"]) == {"battle"} and set(events["date_precision"]) == {"day"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dropped=st.sets(st.sampled_from(ACLED), max_size=len(ACLED)))
def test_any_cut_of_an_acled_export_is_read_or_refused_in_one_line(geodata, tmp_path, dropped):
    """Whatever columns are left out: read when the needed ones are there, with one
    warning naming the wanted ones that are not; else one line naming what is lacking."""
    columns = [c for c in ACLED if c not in dropped] or ["tags"]
    path = tmp_path / "cut.csv"
    path.write_text(csv_text(columns, acled_rows(3)), encoding="utf-8")
    lacking = [c for c in NEEDED if c not in columns]
    event("refused" if lacking else "read")
    try:
        records = read_records([path], geodata.actors)
    except InputError as exc:
        msg = str(exc)
        assert lacking and "\n" not in msg and msg.startswith(f"{path}:1: ")
        assert NOTES_COLUMNS not in msg
        if "ACLED export" in msg:
            assert f"without {', '.join(lacking)}, which" in msg and msg.endswith(ACLED_FIX)
        return
    assert not lacking and len(records.events) == 3
    warned = [p for p in records.problems if p.line == 1]
    missing = [w for w in WANTED if w not in columns]
    if missing:
        [warning] = warned
        assert warning.level == "warning" and warning.fix == ACLED_FIX
        assert warning.message.startswith(f"ACLED export without {', '.join(missing)}: read "
                                          "with them empty")
    else:
        assert warned == []


def test_own_records_keeping_export_columns_are_read_as_own_records(tmp_path):
    """A records file may keep an ACLED id, dates or precisions for provenance: it is
    still the own format (record_id says so), its extra columns kept with a warning."""
    path = tmp_path / "notes.csv"
    path.write_text("record_id,date_start,actor,confidence,source,event_type,place_name,"
                    "country,event_id_cnty,event_date,time_precision,geo_precision,actor2\n"
                    "e1,2024-03-05,jnim,reported,src,attack,Djibo,BFA,BFA20001,2024-03-05,1,1,"
                    "Military Forces of Burkina Faso (2022-)\n", encoding="utf-8")
    res = run("validate", path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("1 events, 0 claims, 0 movements valid; 0 rows rejected")
    warned = [line for line in res.stderr.splitlines() if "is not a column sahelmap reads" in line]
    assert len(warned) == 5  # event_id_cnty, event_date, time_precision, geo_precision, actor2


def test_a_table_sahelmap_wrote_is_not_taken_for_records(tmp_path):
    out = tmp_path / "maps"
    assert run("-q", "build", "--out", out).returncode == 0
    for table in ("events.csv", "claims.csv", "movements.csv"):
        res = run("validate", out / table)
        assert res.returncode == 2 and "Traceback" not in res.stderr
        [line] = res.stderr.splitlines()
        assert "a table sahelmap wrote" in line and "records files it was built from" in line


@pytest.mark.parametrize("name,data,said", [
    ("unicode.csv", "record_id,date_start\ne1,2024-01-01\n".encode("utf-16"), "UTF-16 text"),
    ("sheet.xlsx", b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "spreadsheet workbook"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "spreadsheet workbook"),
])
def test_a_workbook_or_utf16_file_says_so_in_one_line(tmp_path, name, data, said):
    path = tmp_path / name
    path.write_bytes(data)
    res = run("validate", path)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    [line] = res.stderr.splitlines()
    assert said in line and "CSV UTF-8" in line and "\x00" not in line
