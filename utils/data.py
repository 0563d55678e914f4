"""Data sets of the course, all offline: truth tables and 2-D toy sets generated from a seed, and real data
that ships inside scikit-learn (8×8 digits, iris). Nothing here downloads anything.

Shapes are batch first: X (N, D) float64, y (N,) (float64 0/1 targets for the logic gates, int64 class
labels elsewhere). Bad arguments raise a ``ValueError`` naming the argument, what was expected and what was got.
"""

from __future__ import annotations

import numpy as np

from .module import check_number, check_positive_int, check_rng, check_seed, to_float64

__all__ = ["GATES", "GATE_INPUTS", "blobs", "digits_split", "iris", "logic_gate", "moons", "spirals"]

GATES = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
    "xor": (0, 1, 1, 0),
}
"""Gate name -> its outputs for the inputs (0, 0), (0, 1), (1, 0), (1, 1), in that order."""

GATE_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The truth table of a two-input gate: X (4, 2) of 0./1., y (4,) of 0./1.

    ``name`` is one of "and", "or", "nand", "nor", "xor" (any case).
    """
    key = str(name).lower()
    if key not in GATES:
        raise ValueError(f"unknown gate {name!r}; choose one of {', '.join(GATES)}")
    return GATE_INPUTS.copy(), np.array(GATES[key], dtype=float)


def spirals(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, *, rng) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms in the plane (the classic "not linearly separable" set).

    Returns X (n_per_class * n_classes, 2) within about [-1, 1]², y (N,) int64 in [0, n_classes).
    """
    rng = check_rng(rng)
    n_per_class = check_positive_int(n_per_class, "n_per_class")
    if check_positive_int(n_classes, "n_classes") < 2:
        raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}")
    noise = check_number(noise, "noise", at_least=0)
    X = np.empty((n_per_class * n_classes, 2))
    y = np.repeat(np.arange(n_classes), n_per_class)
    radius = np.linspace(0.0, 1.0, n_per_class)
    for k in range(n_classes):
        angle = np.linspace(k * 4.0, (k + 1) * 4.0, n_per_class) + rng.normal(0.0, noise, n_per_class)
        X[k * n_per_class:(k + 1) * n_per_class] = np.c_[radius * np.sin(angle), radius * np.cos(angle)]
    return X, y


def moons(n: int = 200, noise: float = 0.15, *, rng) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's ``make_moons``), seeded from ``rng``.

    Returns X (n, 2), y (n,) int64 in {0, 1}.
    """
    from sklearn.datasets import make_moons

    rng = check_rng(rng)
    n = check_positive_int(n, "n")
    noise = check_number(noise, "noise", at_least=0)
    X, y = make_moons(n_samples=n, noise=noise, random_state=int(rng.integers(2**31 - 1)))
    return X.astype(np.float64), y.astype(np.int64)


def blobs(n_per_class: int = 50, centers=((-2.0, 0.0), (2.0, 0.0)), std: float = 1.0, *,
          rng) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs around ``centers`` (C, 2): X (n_per_class * C, 2), y (N,) int64 in [0, C)."""
    rng = check_rng(rng)
    n_per_class = check_positive_int(n_per_class, "n_per_class")
    std = check_number(std, "std", at_least=0)
    centers = to_float64(centers, name="centers")
    if centers.ndim != 2:
        raise ValueError(f"centers must have shape (C, D), got shape {centers.shape}")
    X = np.concatenate([c + std * rng.normal(size=(n_per_class, centers.shape[1])) for c in centers])
    y = np.repeat(np.arange(len(centers)), n_per_class)
    return X, y


def digits_split(test_size: float = 0.25, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's 8×8 handwritten digits (1797 images), pixels scaled to [0, 1], split stratified by class.

    Returns X_train (N_train, 64), X_test (N_test, 64) float64, y_train, y_test int64 in 0..9. The same
    ``seed`` gives the same split on every machine.

    Raises:
        ValueError: for ``test_size`` not a number strictly between 0 and 1, or ``seed`` not an integer >= 0.
    """
    if not check_number(test_size, "test_size", above=0) < 1:
        raise ValueError(f"test_size must be a number between 0 and 1 (the share of examples kept for testing), "
                         f"got {test_size!r}")
    seed = check_seed(seed)
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = digits.data.astype(np.float64) / 16.0  # pixel intensities 0..16 -> 0..1
    y = digits.target.astype(np.int64)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
    return X_train, X_test, y_train, y_test


def iris() -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """scikit-learn's iris table: X (150, 4) float64, y (150,) int64, feature names, class names."""
    from sklearn.datasets import load_iris

    data = load_iris()
    return data.data.astype(np.float64), data.target.astype(np.int64), list(data.feature_names), list(data.target_names)
