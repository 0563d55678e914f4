"""Names say what things are, and one name means one thing (CONTRIBUTING, "Naming"): an import alias stands for the
same module everywhere in the course (utils/, tests/, the notebooks), so `L.` never means two modules."""

from __future__ import annotations

import ast
import json
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _sources():
    for path in sorted([*ROOT.glob("utils/**/*.py"), *ROOT.glob("tests/*.py"), ROOT / "conftest.py"]):
        yield path, path.read_text(encoding="utf-8")
    for path in sorted(ROOT.glob("solutions/*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        yield path, "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))


def _package(path: Path) -> str:
    """utils/widgets/losses.py -> utils.widgets (what a relative import starts from)."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])


def aliases(path: Path, source: str) -> list[tuple[str, str]]:
    """(alias, full module or object name) of every ``import x as y`` / ``from x import z as y`` in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(a.asname, a.name) for a in node.names if a.asname]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = _package(path).split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
            found += [(a.asname, f"{base}.{a.name}") for a in node.names if a.asname]
    return found


def alias_table(sources=None) -> dict[str, dict[str, list[str]]]:
    """alias -> {what it names -> [files]}, over the course's sources (or ``sources``: (path, text) pairs)."""
    table: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path, source in _sources() if sources is None else sources:
        for alias, name in aliases(path, source):
            table[alias][name].append(str(path.relative_to(ROOT)))
    return table


def test_an_alias_names_one_thing_everywhere():
    clashes = {alias: dict(names) for alias, names in alias_table().items() if len(names) > 1}
    assert not clashes, f"one alias, several modules: {clashes}"


def test_a_clash_is_found():
    sources = [(ROOT / "tests" / "a.py", "import utils.linear_maps as L"),
               (ROOT / "tests" / "b.py", "import utils.losses as L")]
    assert set(alias_table(sources)["L"]) == {"utils.linear_maps", "utils.losses"}


def test_relative_imports_resolve_to_the_absolute_name():
    path = ROOT / "utils" / "widgets" / "losses.py"
    assert aliases(path, "from .. import losses as L\nfrom .base import new_figure as nf") == [
        ("L", "utils.losses"), ("nf", "utils.widgets.base.new_figure")]
    assert aliases(ROOT / "tests" / "x.py", "import utils.linear_maps as L") == [("L", "utils.linear_maps")]
