"""START_HERE.ipynb, the page `make lab` opens, lists every chapter with a link that works after
`python -m utils.workspace`."""

from __future__ import annotations

import re

import nbformat

from tests.notebooks import CHAPTERS


def test_start_page_links_every_chapter_in_work(root):
    nb = nbformat.read(root / "START_HERE.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    links = re.findall(r"\]\((work/[^)]+\.ipynb)\)", text)
    assert sorted(links) == sorted(f"work/{p.name}" for p in CHAPTERS)
    assert all(c.cell_type == "markdown" for c in nb.cells), "the start page runs nothing"


def test_readme_lists_every_chapter(root):
    readme = (root / "README.md").read_text()
    for chapter in CHAPTERS:
        assert f"`{chapter.stem}`" in readme, f"README's chapter table misses {chapter.stem}"
