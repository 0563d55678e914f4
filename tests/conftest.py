"""Shared fixtures: the repository root, `verdict_of`, which runs the checker quietly, and headless
matplotlib with every figure closed after each test."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: no display, no inline backend (before anything imports pyplot)

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from utils.checks import judge  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def verdict_of():
    """verdict_of(exercise_id, answer) -> Verdict, without printing."""
    return judge
