"""Screenshots of the built site in headless Chromium (``make screenshots``).

Usage: python scripts/screenshots.py MAPS_DIR PERIOD
Writes MAPS_DIR/screenshots/index.png and MAPS_DIR/screenshots/PERIOD.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser import Watched, browser  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    site, period = Path(argv[1]).resolve(), argv[2]
    out = site / "screenshots"
    out.mkdir(exist_ok=True)
    with browser() as ctx:
        for name, full in (("index", True), (period, False)):
            w = Watched(ctx)
            page = w.open((site / f"{name}.html").as_uri())
            page.wait_for_timeout(300)
            page.screenshot(path=str(out / f"{name}.png"), full_page=full)
            print(f"{out / (name + '.png')}: {len(w.errors)} console errors, "
                  f"{len(w.foreign(('file://',)))} requests off the machine")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
