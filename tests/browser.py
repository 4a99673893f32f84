"""Headless Chromium for the page tests (Debian's chromium through Playwright).

Skips, saying what to install, when either is missing. Records every request
and console message so tests can assert that nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def need_browser():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed: pip install playwright (its Python package "
                    "only; the browser is Debian's chromium)")
    if not Path(CHROMIUM).is_file():
        pytest.skip("chromium is not installed: apt-get install chromium")


@contextlib.contextmanager
def browser():
    need_browser()
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="sahelmap-chromium-")
    try:
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=ARGS,
                viewport={"width": 1280, "height": 860})
            try:
                yield ctx
            finally:
                ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


class Watched:
    """A page with its requests, console errors and page errors recorded."""

    def __init__(self, ctx):
        self.page = ctx.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, url: str):
        self.page.goto(url, wait_until="load")
        self.page.wait_for_function("window.SahelMap && SahelMap.current !== undefined")
        return self.page

    def foreign(self, allowed: tuple[str, ...]) -> list[str]:
        return [u for u in self.requests
                if not any(u.startswith(a) for a in allowed) and not u.startswith("data:")]


@contextlib.contextmanager
def static_server(root: Path):
    """Serve ``root`` on 127.0.0.1 (a free port) for the duration of the block."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
