"""The suite also passes on one thread: ``make check-portable`` runs it with ``OMP_NUM_THREADS=1`` (with the
simulated AVX2 CPU, offline), so a stored output that depends on PyTorch's thread count fails there. These
tests make sure that run really is single-threaded and stays so."""

from __future__ import annotations

import os
import re

import torch


def test_torch_runs_with_at_most_the_threads_the_environment_allows():
    """Under ``make check-portable`` (OMP_NUM_THREADS=1) PyTorch has one thread. (PyTorch takes
    OMP_NUM_THREADS threads at most one per core; without the variable it chooses, and there is nothing to check.)"""
    allowed = os.environ.get("OMP_NUM_THREADS")
    if allowed:
        assert torch.get_num_threads() <= int(allowed), (
            f"OMP_NUM_THREADS={allowed} but PyTorch runs {torch.get_num_threads()} threads: it reads the "
            "variable when it is imported, so it must be set before the test process starts")


def test_check_portable_runs_on_one_thread(root):
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    environment = re.search(r"^SIMULATED_CPU\s*:=(.*)$", makefile, re.MULTILINE).group(1).split()
    assert {"OMP_NUM_THREADS=1", "MKL_NUM_THREADS=1"} <= set(environment)
    recipe = makefile.split("\ncheck-portable:", 1)[1].split("\n\n", 1)[0]
    assert recipe.count("$(SIMULATED_CPU) $(PYTEST)") == 2  # both the offline run and the fallback get it
