"""Problems print the first 20, then one line saying how many more and where they all
are; --report FILE holds every one of them, for every command that reads records."""

from __future__ import annotations

import pandas as pd
import pytest

from .test_other_files import ACLED, acled_rows, csv_text, run


def bad_acled(tmp_path):
    """An export of 260 rows, 250 of them dated 30 February."""
    path = tmp_path / "acled_bad_dates.csv"
    path.write_text(csv_text(ACLED, acled_rows(260, bad_dates=250)), encoding="utf-8")
    return path


def problem_lines(stderr: str) -> list[str]:
    return [l for l in stderr.splitlines() if not l.startswith("sahelmap: ")]


@pytest.mark.parametrize("command", ["validate", "build", "presence"])
def test_hundreds_of_bad_rows_print_twenty_and_all_go_to_the_report(tmp_path, command):
    path = bad_acled(tmp_path)
    out = ["--out", tmp_path / "out"] if command == "build" else []
    report = tmp_path / "report.csv"
    res = run("-q", command, path, *out, "--report", report)
    assert res.returncode == (1 if command == "validate" else 0), res.stderr
    assert "Traceback" not in res.stderr
    lines = problem_lines(res.stderr)
    assert len(lines) == 21 and lines[-1] == f"… and 230 more (all in {report})"
    rep = pd.read_csv(report, keep_default_na=False, dtype={"value": str})
    assert list(rep.columns)[:7] == ["file", "line", "level", "field", "value", "message", "fix"]
    errors = rep[rep["level"] == "error"]
    assert len(errors) == 250 and errors["line"].tolist() == list(range(2, 252))
    assert set(errors["field"]) == {"event_date"} and set(errors["value"]) == {"2025-02-30"}
    assert (errors["file"] == str(path)).all() and errors["fix"].str.contains("ACLED dates").all()
    # the lines printed are the report's first problems, in its order
    printed = [f"{r.file}:{r.line}: {r.field} '{r.value}': {r.message}; {r.fix}"
               for r in errors.head(20).itertuples()]
    assert lines[:20] == printed
    [summary] = rep[rep["level"] == "summary"].itertuples()
    assert summary.value == "acled-2023" and summary.message.startswith(
        "260 rows read, 10 events kept") and summary.message.endswith("250 rows rejected")


def test_without_report_the_cap_says_how_to_get_every_problem(tmp_path):
    path = bad_acled(tmp_path)
    for quiet in ([], ["-q"]):
        res = run(*quiet, "validate", path)
        assert res.returncode == 1
        lines = problem_lines(res.stderr)
        assert len(lines) == 21
        assert lines[-1] == "… and 230 more (rerun with --report FILE to get them all)"


def test_geocode_lists_twenty_unplaced_names_and_reports_all(tmp_path):
    path = tmp_path / "events.csv"
    rows = [{"record_id": f"ev-{i}", "date_start": "2025-04-02", "actor": "jnim",
             "event_type": "attack", "place_name": f"Tangassogo-{i}", "country": "BFA",
             "confidence": "reported", "source": "local radio"} for i in range(30)]
    path.write_text(csv_text(list(rows[0]), rows), encoding="utf-8")
    report = tmp_path / "geocode.csv"
    res = run("geocode", path, "--report", report)
    assert res.returncode == 0, res.stderr
    listed = [l for l in res.stdout.splitlines() if l.startswith(f"{path}:")]
    assert len(listed) == 20 and f"… and 10 more (all in {report})" in res.stdout
    rep = pd.read_csv(report, keep_default_na=False)
    assert len(rep) == 30 and set(rep["level"]) == {"warning"}
    assert set(rep["value"]) == {f"Tangassogo-{i}" for i in range(30)}
    assert rep["place_name"].equals(rep["value"]) and (rep["status"] == "unmatched").all()
    assert sorted(rep["line"]) == list(range(2, 32))


def test_report_with_tables_is_refused_naming_both_options(tmp_path):
    res = run("site", "--tables", tmp_path, "--report", tmp_path / "r.csv")
    assert res.returncode == 2 and res.stderr.count("\n") == 1
    assert "--report" in res.stderr and "--tables" in res.stderr and "Traceback" not in res.stderr
