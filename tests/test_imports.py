"""The import graph: no cycles, and arrows one way along the data flow (docs/ARCHITECTURE.md).

Read from the source with `ast`, so imports inside functions count too (a late import is how
a cycle hides). The package root (`formcheck/__init__.py`) is the lazy façade: it may import
anything on first attribute access, and is left out of the graph.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "formcheck"

#: Each package (or top-level module) may import only its own layer and those below it.
LAYERS: dict[str, int] = {
    "errors": 0,
    "hashing": 0,
    "memory": 0,
    "processes": 0,
    "config": 0,
    "video": 1,
    "landmarks": 2,
    "pose": 3,
    "results": 4,
    "analysis": 5,
    "pipeline": 6,
    "report": 7,
    "synth": 7,
    "evaluate": 8,
    "batch": 8,
    "live": 8,
    "serve": 8,
    "cli": 9,
    "__main__": 10,
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:  # not the package root
            out[".".join(("formcheck", *parts))] = path
    return out


def _graph() -> dict[str, set[str]]:
    """Module -> the formcheck modules it imports (a submodule imported from its package
    counts as the submodule)."""
    mods = _modules()
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                subs = [f"{node.module}.{a.name}" for a in node.names]
                targets = [s for s in subs if s in mods] or [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            edges[name] |= {t for t in targets if t in mods and t != name}
    return edges


def _layer(module: str) -> str:
    return module.split(".")[1]


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_every_package_has_a_layer() -> None:
    assert {_layer(m) for m in _modules()} <= set(LAYERS)


def test_no_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_imports_point_down_the_layers() -> None:
    upward = [
        f"{m} -> {t}"
        for m, targets in _graph().items()
        for t in targets
        if LAYERS[_layer(t)] > LAYERS[_layer(m)]
    ]
    assert upward == []


def test_the_checker_sees_a_late_import_cycle() -> None:
    """The cycle finder itself: a -> b at import time, b -> a inside a function."""
    edges = {"a": {"b"}, "b": {"a"}, "c": {"a"}}
    assert _cycles(edges) == [["a", "b"]]
