"""What a learner reads in Chapters 00 and 01: Markdown that renders as written, one link to the notation page,
no mention of documents the learner never sees, and prose that agrees with the figures next to it.

Other chapters join ``CHAPTERS`` once their text is fixed the same way (issue 14)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from utils.figures.history import ERAS

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ("00_foundations", "01_activations", "02_forward_pass", "03_losses", "04_backprop", "05_optimizers",
            "06_training", "07_regularization", "08_cnns")
NOTEBOOKS = [ROOT / folder / f"{name}.ipynb" for name in CHAPTERS for folder in ("solutions", "chapters")]

# A line that starts with a number and a full stop or parenthesis ("1986) computed…", "15. ") renders as an item
# of a numbered list, renumbered from 1, in the middle of a paragraph.
NUMBERED_LINE = re.compile(r"^ {0,3}\d+[.)](\s|$)")
# Documents a learner never sees ("seed" stays for random seeds).
UNSEEN_SOURCES = re.compile(r"seed's|the seeds|seeds'|seeds of|seed 00|source text|source material|grew from",
                            re.IGNORECASE)


def _cells(path: Path, kind: str | None = None) -> list[dict]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [c for c in cells if kind is None or c["cell_type"] == kind]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_markdown_line_starts_like_a_numbered_list_item(path):
    bad = [(c.get("id"), line) for c in _cells(path, "markdown") for line in _source(c).splitlines()
           if NUMBERED_LINE.match(line)]
    assert not bad, f"these lines render as numbered-list items: {bad}"


def test_the_numbered_line_rule_finds_what_it_should():
    assert NUMBERED_LINE.match("1986) computed every weight's gradient")
    assert NUMBERED_LINE.match("15. ")
    assert not NUMBERED_LINE.match("in 1986) computed") and not NUMBERED_LINE.match("- **Birth (1943–1969).**")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_chapter_links_to_the_notation_page_from_its_introduction(path):
    assert (ROOT / "NOTATION.md").is_file()
    links = [c.get("id") for c in _cells(path, "markdown") if "](../NOTATION.md)" in _source(c)]
    assert links, "no link to ../NOTATION.md"
    assert links[0] == "title", f"the first link is in {links[0]!r}, not in the introduction"


def _owned_files() -> list[Path]:
    return [*NOTEBOOKS, ROOT / "utils/checks/chapters/foundations.py", ROOT / "utils/checks/chapters/activations.py",
            ROOT / "utils/widgets/foundations.py", ROOT / "utils/widgets/activations.py",
            ROOT / "utils/figures/history.py", ROOT / "utils/figures/diagrams.py",
            *(ROOT / "utils" / f"{name}.py" for name in ("activations", "perceptron", "linear_maps", "data")),
            ROOT / "tests/test_checks_foundations.py", ROOT / "tests/test_checks_activations.py",
            ROOT / "utils/checks/chapters/regularization.py", ROOT / "tests/test_checks_regularization.py",
            ROOT / "utils/figures/normalization.py", ROOT / "utils/checks/chapters/cnns.py",
            ROOT / "tests/test_checks_cnns.py"]


@pytest.mark.parametrize("path", _owned_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_text_speaks_for_itself(path):
    """No mention of the documents the course was written from: a learner never sees them."""
    assert path.is_file()
    found = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if UNSEEN_SOURCES.search(line)]
    assert not found, found


def test_the_history_names_the_eras_the_timeline_shades():
    """The prose tells the story in as many eras as the timeline shows, each with its years."""
    (story,) = [_source(c) for c in _cells(ROOT / "solutions/00_foundations.ipynb") if c.get("id") == "history-story"]
    words = {3: "three", 4: "four", 5: "five"}
    assert f"in {words[len(ERAS)]} eras" in story
    eras = re.findall(r"^- \*\*(.+?) \((\d{4})–(\d{4}|today)\)\.\*\*", story, flags=re.MULTILINE)
    assert [int(start) for _, start, _ in eras] == [start for start, _, _ in ERAS]
    for (prose_name, _, _), (_, _, figure_name) in zip(eras, ERAS):
        assert figure_name.replace("\n", " ").lower() in prose_name.lower()
