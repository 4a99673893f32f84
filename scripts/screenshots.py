"""Screenshots of the built site in headless Chromium (``make screenshots``).

For each period, the overview (index.html with its slider moved to the period)
and the period's own page, each at a phone's size and a desktop's.

Usage: python scripts/screenshots.py MAPS_DIR PERIOD [PERIOD ...]
Writes MAPS_DIR/screenshots/index-PERIOD-WxH.png and MAPS_DIR/screenshots/PERIOD-WxH.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sahelmap.periods import LABEL_PATTERN  # noqa: E402
from tests.browser import Watched, browser  # noqa: E402

SIZES = [(390, 844), (1400, 900)]  # a phone held upright, a desktop window


def _show_on_index(page, period: str) -> None:
    """Move the index page's slider to ``period`` and wait until it is drawn."""
    page.evaluate("""(period) => {
        const input = document.getElementById("sm-slider");
        const labels = window.SahelMap.periods || [];
        const i = labels.indexOf(period);
        if (i < 0) { throw new Error("period " + period + " is not on the slider"); }
        input.value = i;
        input.dispatchEvent(new Event("input"));
    }""", period)
    page.wait_for_function("(p) => document.getElementById('sm-slider-label').textContent === p",
                           arg=period)
    page.wait_for_timeout(500)


def main(argv: list[str]) -> int:
    if len(argv) < 3 or not all(LABEL_PATTERN.match(p) for p in argv[2:]):
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    site, periods = Path(argv[1]).resolve(), argv[2:]
    missing = [p for p in ["index", *periods] if not (site / f"{p}.html").is_file()]
    if missing:
        print(f"screenshots: {site / (missing[0] + '.html')} not found; build the site first "
              "(make) and name periods it has (maps/*.html)", file=sys.stderr)
        return 2
    out = site / "screenshots"
    out.mkdir(exist_ok=True)
    with browser() as ctx:
        for period in periods:
            for (width, height), (name, page_file) in ((s, p) for s in SIZES for p in (
                    (f"index-{period}", "index"), (period, period))):
                w = Watched(ctx)
                w.page.set_viewport_size({"width": width, "height": height})
                page = w.open((site / f"{page_file}.html").as_uri())
                if page_file == "index":
                    _show_on_index(page, period)
                page.wait_for_timeout(300)
                png = out / f"{name}-{width}x{height}.png"
                page.screenshot(path=str(png), full_page=False)
                w.page.close()
                print(f"{png}: {len(w.errors)} console errors, "
                      f"{len(w.foreign(('file://',)))} requests off the machine")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
