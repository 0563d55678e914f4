"""`python -m utils.workspace` gives learners copies of the chapters and never overwrites their work."""

from __future__ import annotations

import shutil

from utils.workspace import make_workspace


def test_copies_missing_chapters_and_keeps_edited_ones(tmp_path, root):
    shutil.copytree(root / "chapters", tmp_path / "chapters")
    first = make_workspace(tmp_path)
    assert first and all(created for _, created in first)
    mine = first[0][0]
    mine.write_text("my edits")
    second = make_workspace(tmp_path)
    assert not any(created for _, created in second)
    assert mine.read_text() == "my edits"
