"""Read the course's Python code for static tests: every module of utils/ and the code cells of every notebook
(solutions/, chapters/, START_HERE), and the calls in it under their full names (``np.load`` -> ``numpy.load``)."""

from __future__ import annotations

import ast
import functools
import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def notebook_code(path: Path) -> str:
    """The code cells of a notebook as one module (imports in one cell serve the next), magics left out."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))


@functools.cache
def course_sources(root: Path = ROOT) -> tuple[tuple[str, str], ...]:
    """(path relative to the root, Python source) of every module in utils/ and every notebook."""
    modules = [(p, p.read_text(encoding="utf-8")) for p in sorted(root.glob("utils/**/*.py"))]
    notebooks = sorted([*root.glob("solutions/*.ipynb"), *root.glob("chapters/*.ipynb"), *root.glob("*.ipynb")])
    found = modules + [(p, notebook_code(p)) for p in notebooks]
    return tuple((str(p.relative_to(root)), source) for p, source in found)


def _imports(node: ast.Import | ast.ImportFrom) -> list[tuple[str, str, str]]:
    """(local name, what that name stands for, the full name imported) of each name in one import statement:
    ``import numpy as np`` -> ("np", "numpy", "numpy"); ``import urllib.request`` -> ("urllib", "urllib",
    "urllib.request"); ``from torchvision import datasets`` -> ("datasets", "torchvision.datasets", same)."""
    if isinstance(node, ast.Import):
        return [(a.asname, a.name, a.name) if a.asname else (a.name.split(".")[0],) * 2 + (a.name,)
                for a in node.names]
    base = "." * node.level + (node.module or "")
    full = [(a, f"{base}.{a.name}" if node.module else base + a.name) for a in node.names]
    return [(a.asname or a.name, name, name) for a, name in full]


def _imported_names(tree: ast.AST) -> dict[str, str]:
    """Local name -> the full name it stands for (``import numpy as np``: np -> numpy)."""
    return {local: stands_for for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
            for local, stands_for, _ in _imports(node)}


def _full_name(node: ast.AST, imported: dict[str, str]) -> str | None:
    """``np.lib.load`` -> "numpy.lib.load" given np -> numpy; None for anything but names and attributes."""
    if isinstance(node, ast.Name):
        return imported.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        owner = _full_name(node.value, imported)
        return None if owner is None else f"{owner}.{node.attr}"
    return None


@dataclass(frozen=True)
class Call:
    """One call in a source: its function's full name, its constant keyword arguments, and where it is."""

    name: str
    keywords: dict  # keyword -> its value if a constant, else the string "<not a constant>"
    line: int

    def where(self, path: str) -> str:
        return f"{path}:{self.line}: {self.name}(...)"


@functools.cache  # several tests scan the same sources
def calls(source: str) -> tuple[Call, ...]:
    """Every call in ``source`` whose function is a name or an attribute chain, under its full imported name."""
    tree = ast.parse(source)
    imported = _imported_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (name := _full_name(node.func, imported)):
            keywords = {k.arg: k.value.value if isinstance(k.value, ast.Constant) else "<not a constant>"
                        for k in node.keywords}  # k.arg is None for **kwargs: its values are unknown
            found.append(Call(name, keywords, node.lineno))
    return tuple(found)


@functools.cache
def references(source: str) -> tuple[tuple[str, int], ...]:
    """(full name, line) of every import and every name or attribute chain used in ``source``."""
    tree = ast.parse(source)
    imported = _imported_names(tree)
    found = [(full, node.lineno) for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
             for _, _, full in _imports(node)]
    found += [(name, node.lineno) for node in ast.walk(tree)
              if isinstance(node, ast.Name | ast.Attribute) and (name := _full_name(node, imported))]
    return tuple(found)
