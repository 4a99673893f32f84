"""Progress on long work: counters on a terminal, stage lines only in logs, nothing
under -q. The command line is run under a real pseudo-terminal and with piped stderr."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import threading

import pytest

from sahelmap.progress import Progress

from .conftest import ROOT


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_counter_rewrites_one_line_and_ends_it():
    out, clock = io.StringIO(), Clock()
    p = Progress(out, live=True, interval=0.2, clock=clock)
    p.count("pages", 0, 3)
    p.count("pages", 1, 3)  # too soon after the last update: not drawn
    clock.now = 1.0
    p.count("pages", 2, 3)
    p.count("pages", 3, 3)  # the end is always drawn, and ends the line
    assert out.getvalue() == ("\rsahelmap: pages 0/3\rsahelmap: pages 2/3"
                              "\rsahelmap: pages 3/3\n")


def test_a_message_clears_the_counter_first():
    out = io.StringIO()
    p = Progress(out, live=True, clock=Clock())
    p.count("import files", 0, 2)
    p.line("a.csv:3: date 'x': is not a date")
    p.say("done")
    text = out.getvalue()
    assert text.startswith("\rsahelmap: import files 0/2\r" + " " * 26 + "\r")
    assert text.endswith("a.csv:3: date 'x': is not a date\nsahelmap: done\n")


def test_logs_get_stage_lines_only_and_quiet_gets_nothing():
    log = io.StringIO()
    p = Progress(log, live=False)
    p.count("pages", 1, 2)
    p.say("site: 2 period pages")
    assert log.getvalue() == "sahelmap: site: 2 period pages\n"
    quiet = io.StringIO()
    p = Progress(quiet, quiet=True, live=True)
    p.count("pages", 2, 2)
    p.say("site: 2 period pages")
    p.line("an error still shows")
    assert quiet.getvalue() == "an error still shows\n"


def _on_terminal(*args: str) -> str:
    """stderr of ``sahelmap ARGS`` when it is a terminal (stdout is piped)."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    proc = subprocess.Popen([sys.executable, "-m", "sahelmap.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []

    def drain():
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # the terminal closed with the process
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    proc.communicate(timeout=600)
    assert proc.returncode == 0
    reader.join(timeout=10)
    os.close(master)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    out = tmp_path_factory.mktemp("tables")
    err = _on_terminal("build", "--out", str(out))
    return out, err


def test_build_on_a_terminal_counts_files_and_periods(tables):
    _, err = tables
    n = len(list((ROOT / "geodata" / "records").glob("*.csv")))
    assert f"\rsahelmap: import files {n}/{n}\n" in err
    assert "\rsahelmap: presence periods 21/21\n" in err
    assert "sahelmap: presence and axes with the default settings\n" in err  # stage lines too


def test_pages_and_figures_count_on_a_terminal_and_not_in_logs(tables, tmp_path):
    out, _ = tables
    err = _on_terminal("site", "--tables", str(out), "--out", str(tmp_path / "site"))
    assert "\rsahelmap: pages 21/21\n" in err
    err = _on_terminal("gpkg", "--tables", str(out), "-o", str(tmp_path / "s.gpkg"))
    assert "\rsahelmap: GeoPackage tables 0/" in err
    last = err.split("GeoPackage tables ")[-1].split("\n")[0]
    assert last.split("/")[0] == last.split("/")[1]  # the count ends at its total
    figures = ["figure", "--all", "--tables", str(out), "--out", str(tmp_path / "fig"),
               "--dpi", "30", "--format", "png"]
    err = _on_terminal(*figures)
    assert "\rsahelmap: figures 21/21\n" in err
    assert len(list((tmp_path / "fig").glob("*.png"))) == 21
    logged = subprocess.run([sys.executable, "-m", "sahelmap.cli", *figures], cwd=ROOT,
                            capture_output=True, text=True)
    assert logged.returncode == 0
    assert "\r" not in logged.stderr and "figures 21/21" not in logged.stderr
    assert logged.stderr.startswith("sahelmap: figures: 21 periods as png")
    assert _on_terminal("-q", *figures) == ""
