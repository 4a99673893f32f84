"""Text from the outside world, made fit for formats that cannot hold every character."""

from __future__ import annotations

import re

# What XML 1.0 forbids and fonts have no glyph for: the C0 control characters but tab,
# line feed and carriage return, DEL and the C1 controls, U+FFFE and U+FFFF, lone surrogates.
UNFIT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with each character XML or a font cannot hold shown as U+FFFD (so a name
    stays visibly damaged instead of breaking the style file or the figure)."""
    return UNFIT.sub("\ufffd", str(text))
