"""Data sets of the course, all offline: truth tables and 2-D toy sets generated from a seed, and real data
that ships inside scikit-learn (8×8 digits, iris). Nothing here downloads anything.

Shapes are batch first: X (N, D) float64, y (N,) (float64 0/1 targets for the logic gates, int64 class
labels elsewhere).
"""

from __future__ import annotations

import numpy as np

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


def _check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                         f"got {type(rng).__name__}")
    return rng


def spirals(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, *, rng) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms in the plane (the classic "not linearly separable" set).

    Returns X (n_per_class * n_classes, 2) within about [-1, 1]², y (N,) int64 in [0, n_classes).
    """
    rng = _check_rng(rng)
    if n_per_class < 1 or n_classes < 2:
        raise ValueError(f"need n_per_class >= 1 and n_classes >= 2, got {n_per_class} and {n_classes}")
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

    rng = _check_rng(rng)
    X, y = make_moons(n_samples=n, noise=noise, random_state=int(rng.integers(2**31 - 1)))
    return X.astype(np.float64), y.astype(np.int64)


def blobs(n_per_class: int = 50, centers=((-2.0, 0.0), (2.0, 0.0)), std: float = 1.0, *,
          rng) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs around ``centers`` (C, 2): X (n_per_class * C, 2), y (N,) int64 in [0, C)."""
    rng = _check_rng(rng)
    centers = np.asarray(centers, dtype=float)
    if centers.ndim != 2:
        raise ValueError(f"centers must have shape (C, D), got shape {centers.shape}")
    X = np.concatenate([c + std * rng.normal(size=(n_per_class, centers.shape[1])) for c in centers])
    y = np.repeat(np.arange(len(centers)), n_per_class)
    return X, y


def digits_split(test_size: float = 0.25, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's 8×8 handwritten digits (1797 images), pixels scaled to [0, 1], split stratified by class.

    Returns X_train (N_train, 64), X_test (N_test, 64) float64, y_train, y_test int64 in 0..9. The same
    ``seed`` gives the same split on every machine.
    """
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
