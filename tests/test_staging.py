"""A site build stopped at any point leaves either the old site or the new one, whole."""

from __future__ import annotations

import json
import shutil
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sahelmap._errors import InputError
from sahelmap.staging import MANIFEST, STAGING, Staging, finish

from .test_site import build, snapshot

SAHELMAP = [str(Path(sys.executable).with_name("sahelmap"))]  # the installed command


def _site_files(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in snapshot(root).items() if not k.startswith(STAGING)}


def test_staged_files_reach_the_folder_only_at_the_commit(tmp_path):
    (tmp_path / "a.html").write_text("old a")
    (tmp_path / "b.html").write_text("same")
    (tmp_path / "gone.html").write_text("stale")
    with Staging(tmp_path) as stage:
        assert stage.write("a.html", "new a") is True
        assert stage.write("b.html", "same") is False  # unchanged bytes are not staged
        assert stage.write("data/a.js", "new data") is True
        assert (tmp_path / "a.html").read_text() == "old a"
        assert not (tmp_path / "data").exists()
        assert stage.staged() == ["a.html", "data/a.js"]
        assert stage.commit(["gone.html"]) == ["a.html", "data/a.js"]
    assert (tmp_path / "a.html").read_text() == "new a"
    assert (tmp_path / "data" / "a.js").read_text() == "new data"
    assert not (tmp_path / "gone.html").exists() and not (tmp_path / STAGING).exists()


def test_an_error_before_the_commit_leaves_the_folder_as_it_was(tmp_path):
    (tmp_path / "a.html").write_text("old a")
    with pytest.raises(KeyboardInterrupt):
        with Staging(tmp_path) as stage:
            stage.write("a.html", "new a")
            raise KeyboardInterrupt
    assert (tmp_path / "a.html").read_text() == "old a"
    assert not (tmp_path / STAGING).exists()


def test_a_swap_stopped_midway_is_finished_by_the_next_run(tmp_path):
    """The commit written, the process killed after moving one file of three."""
    for name in ("a.html", "b.html", "index.html"):
        (tmp_path / name).write_text(f"old {name}")
    root = tmp_path / STAGING
    root.mkdir()
    for name in ("b.html", "index.html"):  # a.html was moved already
        (root / name).write_text(f"new {name}")
    (tmp_path / "a.html").write_text("new a.html")
    (tmp_path / "c.html").write_text("stale")
    (root / MANIFEST).write_text(json.dumps({"move": ["a.html", "b.html", "index.html"],
                                             "remove": ["c.html"]}))
    assert "finished" in finish(tmp_path)
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == {
        "a.html": "new a.html", "b.html": "new b.html", "index.html": "new index.html"}


def test_a_manifest_cannot_reach_outside_the_site(tmp_path):
    root = tmp_path / "site" / STAGING
    root.mkdir(parents=True)
    (tmp_path / "victim.txt").write_text("keep me")
    (root / MANIFEST).write_text(json.dumps({"move": [], "remove": ["../victim.txt"]}))
    with pytest.raises(InputError, match="not a path inside the site; .*commit.json is damaged"):
        finish(tmp_path / "site")
    assert (tmp_path / "victim.txt").read_text() == "keep me"


def _kill_when_staged(cmd: list[str], root: Path, files: int) -> bool:
    """Run ``cmd``; kill its whole process group (-9) once ``files`` files are staged.
    Whether it was killed before its end."""
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if (root / STAGING).is_dir() and \
                sum(1 for p in (root / STAGING).rglob("*.html")) >= files:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.002)
    proc.wait()
    return False


def test_killing_the_site_step_midway_leaves_the_old_site_whole(tmp_path):
    """The tables and site as make builds them; then a build that changes every page
    (the online tiles option) is killed once 5 period pages are staged."""
    site = tmp_path / "maps"
    build(site, sensitivity=True)
    before = _site_files(site)
    cmd = [*SAHELMAP, "site", "--tiles", "--tables", str(site), "--out", str(site)]
    assert _kill_when_staged(cmd, site, files=5), "the build ended before it could be killed"
    assert (site / STAGING).is_dir()  # the stopped build's files are aside ...
    assert _site_files(site) == before  # ... and the live site is the old one, byte for byte
    # the next run throws the leftovers away and builds the new site whole
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "stopped before its end" in res.stderr
    after = _site_files(site)
    assert not (site / STAGING).exists()
    pages = [k for k in before if k.endswith(".html") and k[0].isdigit()]
    assert len(pages) > 10 and all(after[k] != before[k] for k in pages)
    assert all(b"OpenStreetMap" in after[k] for k in pages)
    fresh = tmp_path / "fresh"
    build(fresh, sensitivity=True)
    assert subprocess.run([*SAHELMAP, "-q", "site", "--tiles", "--tables", str(fresh),
                           "--out", str(fresh)]).returncode == 0
    assert _site_files(fresh) == after


def test_a_rebuild_removes_its_old_periods_and_never_the_users_own_files(tmp_path):
    site = tmp_path / "maps"
    (site / "data").mkdir(parents=True)
    (site / "about.html").write_text("<p>my own page</p>")
    (site / "data" / "mine.js").write_text("var mine = 1;")
    build(site)
    listed = (site / ".sahelmap" / "site-files").read_text().split()
    assert "2025-04.html" in listed and "data/2025-04.js" in listed
    assert "about.html" not in listed
    # a period an earlier build wrote that the tables no longer have
    (site / "2019-01.html").write_text("old page")
    (site / "data" / "2019-01.js").write_text("old data")
    (site / ".sahelmap" / "site-files").write_text("\n".join(listed + ["2019-01.html",
                                                                        "data/2019-01.js"]))
    cmd = [*SAHELMAP, "site", "--tables", str(site), "--out", str(site)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "2 removed" in res.stderr
    assert not (site / "2019-01.html").exists() and not (site / "data" / "2019-01.js").exists()
    assert (site / "about.html").read_text() == "<p>my own page</p>"
    assert (site / "data" / "mine.js").read_text() == "var mine = 1;"


def test_a_period_label_that_is_no_file_name_is_refused_with_its_row(tmp_path):
    site = tmp_path / "maps"
    build(site)
    shutil.rmtree(site / ".sahelmap")  # the tables as a user edited them: the CSV is read
    periods = (site / "periods.csv").read_text().splitlines()
    periods[3] = "../evil," + periods[3].split(",", 1)[1]
    (site / "periods.csv").write_text("\n".join(periods) + "\n")
    res = subprocess.run([*SAHELMAP, "site", "--tables", str(site), "--out", str(tmp_path / "s")],
                         capture_output=True, text=True)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    [line] = res.stderr.splitlines()
    assert "periods.csv:4: period '../evil' cannot name a page" in line
    assert not (tmp_path / "evil.html").exists() and not (tmp_path / "s").exists()


def test_an_out_folder_that_is_a_file_is_one_line(tmp_path):
    afile = tmp_path / "maps"
    afile.write_text("not a folder")
    res = subprocess.run([*SAHELMAP, "-q", "build", "--out", str(afile / "x")],
                         capture_output=True, text=True)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    [line] = res.stderr.splitlines()
    assert line.startswith(f"sahelmap: error: {afile / 'x'}: Not a directory")
    assert afile.read_text() == "not a folder"
