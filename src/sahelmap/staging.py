"""Crash-safe publishing: the site is built aside and swapped in at the end.

A build writes every file whose bytes change into ``<out>/.staging/`` (files whose bytes
do not change are left alone, so make and browsers see them unchanged). When the whole
site is staged, one manifest naming every file to move and every file to remove is
written in one atomic step: that is the commit. The staged files are then moved into
place (each move a rename, milliseconds for the whole site) and the folder removed.

Whatever stops a build, the next one (or ``sahelmap site --index-only``) looks first:
a staging folder without a manifest is a build stopped before its commit, and is thrown
away (the live site was never touched, so it is still the old site, whole); one with a
manifest is a swap stopped midway, and is finished (the new site, whole).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path, PurePosixPath

from ._errors import InputError

STAGING = ".staging"
MANIFEST = "commit.json"
LAST = ("index.html",)  # moved after everything they link to


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _relative(rel: str, fix: str = "nothing was written") -> PurePosixPath:
    """A path in the site, refused if it could leave the site's folder."""
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts or path.parts[0] == STAGING:
        raise InputError(f"{rel!r} is not a path inside the site; {fix}")
    return path


def _order(moves: list[str]) -> list[str]:
    """Data and assets first, then the pages, the overview last: a reader of the
    folder during the swap meets no page whose data is not there yet."""
    def key(rel: str):
        return (rel in LAST, "/" not in rel, rel)
    return sorted(moves, key=key)


def finish(out: Path) -> str | None:
    """Complete or discard what an interrupted build left in ``out``; what was done."""
    root = Path(out) / STAGING
    if not root.exists():
        return None
    manifest = root / MANIFEST
    if not manifest.is_file():
        shutil.rmtree(root)
        return (f"{out}: a build stopped before its end left {STAGING}/; removed it "
                "(the site is as the last complete build left it)")
    plan = json.loads(manifest.read_text(encoding="utf-8"))
    _apply(Path(out), root, plan)
    return f"{out}: finished swapping in the site an interrupted build had completed"


def _apply(out: Path, root: Path, plan: dict) -> None:
    fix = f"{root / MANIFEST} is damaged: remove {root} and build the site again"
    for rel in _order(plan["move"]):
        staged = root / _relative(rel, fix)
        if staged.exists():  # else moved before the interruption
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, out / rel)
    for rel in plan["remove"]:
        (out / _relative(rel, fix)).unlink(missing_ok=True)
    shutil.rmtree(root)


class Staging:
    """``with Staging(out) as stage:`` write with :meth:`write`, then :meth:`commit`.

    Leaving the block by an error or an interruption before the commit throws the
    staged files away; the live folder is untouched."""

    def __init__(self, out: Path | str):
        self.out = Path(out)
        self.root = self.out / STAGING
        self.note: str | None = None
        self._committed = False

    def __enter__(self) -> "Staging":
        self.note = finish(self.out)
        self.root.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, kind, value, tb) -> None:
        if not self._committed and self.root.exists():
            shutil.rmtree(self.root)

    def write(self, rel: str, data: bytes | str) -> bool:
        """Stage ``data`` for ``out/rel`` unless that file already holds exactly these
        bytes; whether it was staged."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        live = self.out / _relative(rel)
        if live.is_file() and live.read_bytes() == data:
            return False
        atomic_write(self.root / rel, data)
        return True

    def staged(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*")
                      if p.is_file() and not p.name.startswith("."))

    def commit(self, remove: list[str] = ()) -> list[str]:
        """Swap the staged files in and remove ``remove`` (paths relative to the site);
        the paths moved."""
        plan = {"move": self.staged(), "remove": sorted(remove)}
        atomic_write(self.root / MANIFEST, json.dumps(plan, sort_keys=True).encode("utf-8"))
        self._committed = True
        _apply(self.out, self.root, plan)
        return plan["move"]
