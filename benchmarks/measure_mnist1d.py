"""Measure what Chapter 08 states about MNIST-1D: the MLP and the CNN of utils.mnist1d_models trained with
MNIST1D_RECIPE, over seeds 0..4 (seed k: ``load_mnist1d(k)``'s split, the models built with seed k, training seeded
with k), with the seconds of one run on one thread (on the CPU).

Run from the repository root, on an otherwise idle machine (~20 s)::

    python benchmarks/measure_mnist1d.py

It prints the numbers (nothing is stored: the chapter trains both models live and asserts the CNN ≥ 93% and the gap
≥ 20 points; these runs show the margins those asserts have).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's utils, also without an install

from utils.data import load_mnist1d  # noqa: E402
from utils.mnist1d_models import MNIST1D_RECIPE, build_mnist1d_cnn, build_mnist1d_mlp, train_mnist1d  # noqa: E402

SEEDS = range(5)


MODELS = {"mlp": build_mnist1d_mlp, "cnn": build_mnist1d_cnn}


def over_seeds(name: str, seeds=SEEDS, *, epochs: int | None = None, device="cpu") -> np.ndarray:
    """The test accuracy (one per seed) of ``MODELS[name]`` trained with ``MNIST1D_RECIPE`` (``epochs``: None, the
    recipe's): seed k trains ``build(k)`` on ``load_mnist1d(k)``, seeded with k. Prints each run and a summary."""
    accuracies, seconds = [], []
    for seed in seeds:
        splits = load_mnist1d(seed)
        start = time.perf_counter()
        _, accuracy = train_mnist1d(MODELS[name](seed), splits, seed=seed, epochs=epochs, device=device)
        seconds.append(time.perf_counter() - start)
        accuracies.append(accuracy)
        print(f"{name} seed {seed}: test accuracy {accuracy:.3f} in {seconds[-1]:.2f} s", flush=True)
    print(f"{name}: mean {np.mean(accuracies):.3f}, min {np.min(accuracies):.3f}, max {np.max(accuracies):.3f}; "
          f"median {np.median(seconds):.2f} s per run")
    return np.array(accuracies)


def main() -> None:
    print(f"recipe: {MNIST1D_RECIPE}")
    load_mnist1d(0)  # generate the cache outside the timings
    results = {name: over_seeds(name) for name in MODELS}
    gap = results["cnn"] - results["mlp"]
    print(f"gap CNN - MLP per seed: {np.round(gap, 3).tolist()}; smallest {gap.min():.3f}")


if __name__ == "__main__":
    main()
