"""The package's shape: no import cycles between its modules, counting imports made
inside functions too (a deferred import hides a cycle, it does not break it)."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "src" / "sahelmap"


def _imports(path: Path) -> set[str]:
    """The sahelmap modules that ``path`` imports, anywhere in the file."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                out.add(node.module.split(".")[0])
            elif node.level == 1:  # from . import x
                out.update(a.name for a in node.names)
            elif (node.module or "").startswith("sahelmap."):
                out.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            out.update(a.name.split(".")[1] for a in node.names
                       if a.name.startswith("sahelmap."))
    return out


def graph() -> dict[str, set[str]]:
    modules = {p.stem: p for p in PKG.glob("*.py")}
    return {name: {m for m in _imports(p) if m in modules and m != name}
            for name, p in modules.items() if name != "__init__"}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle found by a depth-first walk (each reported once)."""
    found, state = [], {}

    def walk(node, path):
        state[node] = "open"
        for nxt in sorted(g.get(node, ())):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                walk(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(g):
        if node not in state:
            walk(node, [node])
    return found


def test_the_cycle_finder_sees_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_in_the_package():
    g = graph()
    assert "schema" in g["records"] and "schema" in g["acled"]
    assert "records" not in g["acled"] and "records" not in g["ucdp"]
    assert cycles(g) == []


def test_every_module_is_a_prerequisite_in_the_makefile():
    """make rebuilds what a change affects only if the Makefile lists the module among
    the sources of some output: a new module missing there is silently never rebuilt."""
    import re

    makefile = (PKG.parents[1] / "Makefile").read_text(encoding="utf-8")
    listed = set(re.findall(r"(\w+)\.py", makefile))
    modules = {p.stem for p in PKG.glob("*.py")}
    assert sorted(modules - listed) == []
