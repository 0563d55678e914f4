"""Shared fixtures: the repository root, and `verdict_of`, which runs the checker quietly."""

from __future__ import annotations

from pathlib import Path

import pytest

from utils.checks import judge

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def verdict_of():
    """verdict_of(exercise_id, answer) -> Verdict, without printing."""
    return judge
