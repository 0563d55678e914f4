"""A learner finds their way: every chapter links the glossary and the notation page from its introduction, and
ends with a link to the next chapter and to its worked solutions; the links resolve where the notebook is opened
(solutions/, chapters/, and work/, where the learner's copies are); the glossary's and the README's links resolve.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STEMS = sorted(p.stem for p in (ROOT / "solutions").glob("[0-9]*.ipynb"))
NOTEBOOKS = [ROOT / folder / f"{stem}.ipynb" for stem in STEMS for folder in ("solutions", "chapters")]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _markdown(path: Path) -> list[dict]:
    return [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "markdown"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _local_links(text: str) -> list[str]:
    return [link.split("#")[0] for link in LINK.findall(text) if not re.match(r"[a-z]+:", link) and link[0] != "#"]


def _resolves(folder: Path, link: str) -> bool:
    """Whether ``link`` opens a file from a notebook in ``folder``; in work/ a chapter's name is the learner's copy,
    which `python -m utils.workspace` makes from chapters/."""
    target = (folder / link).resolve()
    if target.parent == (ROOT / "work").resolve():
        target = ROOT / "chapters" / target.name
    return target.is_file()


def _next_link(stem: str) -> str:
    later = STEMS[STEMS.index(stem) + 1:]
    return f"{later[0]}.ipynb" if later else "../START_HERE.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_introduction_links_the_glossary_and_the_notation(path):
    intro = _source(_markdown(path)[0])
    assert "](../NOTATION.md)" in intro and "](../GLOSSARY.md)" in intro


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_last_cell_links_the_next_chapter_and_the_solution(path):
    links = _local_links(_source(_markdown(path)[-1]))
    assert _next_link(path.stem) in links, f"the last cell does not link {_next_link(path.stem)}: {links}"
    assert f"../solutions/{path.stem}.ipynb" in links
    assert {"../GLOSSARY.md", "../NOTATION.md"} <= set(links)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_link_resolves_where_the_notebook_is_opened(path):
    links = {link for cell in _markdown(path) for link in _local_links(_source(cell))}
    for folder in (path.parent, ROOT / "work"):
        broken = sorted(link for link in links if not _resolves(folder, link))
        assert not broken, f"opened in {folder.name}/, these links lead nowhere: {broken}"


def test_the_link_check_finds_a_broken_link():
    assert not _resolves(ROOT / "chapters", "../GLOSSARY.mdx")
    assert not _resolves(ROOT / "work", "99_nothing.ipynb")
    assert _resolves(ROOT / "work", "../solutions/00_foundations.ipynb")
    assert _local_links("[a](x.md#part) [b](https://example.org) [c](#anchor)") == ["x.md"]


def test_the_glossary_links_resolve_and_name_the_chapter_that_introduces_each_term():
    text = (ROOT / "GLOSSARY.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| **")]
    assert len(rows) >= 50
    terms = [re.match(r"\| \*\*(.+?)\*\*", row).group(1) for row in rows]
    assert terms == sorted(terms, key=str.lower), "the glossary is in alphabetical order"
    for row in rows:
        (chapter,) = re.findall(r"\]\((chapters/[^)]+\.ipynb)\) \|$", row)
        assert (ROOT / chapter).is_file(), row
    assert all((ROOT / link).is_file() for link in _local_links(text))


def test_readme_links_resolve_and_its_table_gives_time_and_prerequisites():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    broken = sorted(link for link in _local_links(readme) if not (ROOT / link).exists())
    assert not broken, broken
    for stem in STEMS:
        (row,) = [line for line in readme.splitlines() if line.startswith(f"| {stem[:2]} | [`{stem}`]")]
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert len(cells) == 6, row
        assert re.match(r"\d+(\.\d)? h\b", cells[4]), f"{stem}: no estimated time in {cells[4]!r}"
        assert cells[5], f"{stem}: no prerequisites"


def test_the_start_page_links_the_glossary_and_the_notation():
    text = "".join(_source(c) for c in _markdown(ROOT / "START_HERE.ipynb"))
    links = _local_links(text)
    assert {"GLOSSARY.md", "NOTATION.md"} <= set(links)
    assert all(_resolves(ROOT, link) for link in links)
