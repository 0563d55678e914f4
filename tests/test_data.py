"""utils.data: truth tables, seeded toy sets (same seed -> same data), and the offline real data sets."""

from __future__ import annotations

import numpy as np
import pytest

from utils import data


@pytest.mark.parametrize("gate, outputs", [("and", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]), ("nand", [1, 1, 1, 0]),
                                           ("xor", [0, 1, 1, 0]), ("nor", [1, 0, 0, 0])])
def test_logic_gates(gate, outputs):
    X, y = data.logic_gate(gate)
    assert X.shape == (4, 2) and y.shape == (4,) and X.dtype == y.dtype == np.float64
    ops = {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor}
    assert y.tolist() == outputs
    base = gate.lower().removeprefix("n")
    if base in ops:
        want = ops[base](X[:, 0], X[:, 1])
        assert np.array_equal(y, ~want if gate.lower().startswith("n") else want)


def test_unknown_gate_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown gate 'xnor'"):
        data.logic_gate("xnor")


@pytest.mark.parametrize("make", [data.spirals, data.moons, data.blobs])
def test_toy_sets_are_seeded_and_shaped(make):
    X1, y1 = make(rng=np.random.default_rng(3))
    X2, y2 = make(rng=np.random.default_rng(3))
    X3, _ = make(rng=np.random.default_rng(4))
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2) and not np.array_equal(X1, X3)
    assert X1.ndim == 2 and X1.shape[1] == 2 and y1.shape == (len(X1),) and y1.dtype == np.int64
    assert np.all(np.bincount(y1) == np.bincount(y1)[0])  # balanced classes


def test_spirals_classes_and_rng_is_required():
    X, y = data.spirals(50, 4, rng=np.random.default_rng(0))
    assert X.shape == (200, 2) and set(y.tolist()) == {0, 1, 2, 3} and np.abs(X).max() <= 1.0
    with pytest.raises(ValueError, match="Generator"):
        data.spirals(rng=0)


def test_digits_split_is_stratified_scaled_and_reproducible():
    Xtr, Xte, ytr, yte = data.digits_split()
    assert Xtr.shape[1] == Xte.shape[1] == 64 and len(Xtr) + len(Xte) == 1797
    assert 0.0 <= Xtr.min() and Xtr.max() <= 1.0
    assert np.abs(np.bincount(ytr) / len(ytr) - np.bincount(yte) / len(yte)).max() < 0.01
    assert np.array_equal(data.digits_split()[1], Xte)


def test_iris():
    X, y, features, classes = data.iris()
    assert X.shape == (150, 4) and np.bincount(y).tolist() == [50, 50, 50]
    assert len(features) == 4 and classes == ["setosa", "versicolor", "virginica"]
    assert X[0].tolist() == [5.1, 3.5, 1.4, 0.2]
