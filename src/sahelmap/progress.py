"""Progress of long work on stderr: stage lines, and counters on a terminal.

``say(msg)`` prints one line per stage (``sahelmap: msg``) unless quiet. ``count(what,
done, total)`` is the counter that the long steps (import, presence, sensitivity, pages,
figures) call as they go: on a terminal it rewrites one line in place
(``sahelmap: pages 12/36``), a few times a second and always at the end; when stderr is
not a terminal (a CI log, make's output piped) or under ``-q`` it prints nothing, so logs
hold the stage lines only. ``line(msg)`` prints a message (a problem, an error) after
clearing a counter on screen, so the two never share a line.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Callable, TextIO

Counter = Callable[[str, int, int], None]  # what, done, total


class Progress:
    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False,
                 live: bool | None = None, interval: float = 0.2,
                 clock: Callable[[], float] = time.monotonic):
        self._stream = stream  # None: sys.stderr at the time of writing (pytest swaps it)
        self.quiet = quiet
        if live is None:
            live = _is_terminal(self.stream) and not os.environ.get("CI")
        self.live = live and not quiet
        self.interval, self.clock = interval, clock
        self._shown = 0  # width of the counter on screen (0: none)
        self._last = float("-inf")

    @property
    def stream(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stderr

    def say(self, msg: str) -> None:
        if not self.quiet:
            self.line(f"sahelmap: {msg}")

    def line(self, msg: str) -> None:
        self._clear()
        print(msg, file=self.stream, flush=True)

    def count(self, what: str, done: int, total: int) -> None:
        if not self.live:
            return
        now = self.clock()
        final = done >= total
        if not final and now - self._last < self.interval:
            return
        self._last = now
        text = f"sahelmap: {what} {done}/{total}"
        self.stream.write("\r" + text.ljust(self._shown) + ("\n" if final else ""))
        self.stream.flush()
        self._shown = 0 if final else len(text)

    def _clear(self) -> None:
        if self._shown:
            self.stream.write("\r" + " " * self._shown + "\r")
            self._shown = 0


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
