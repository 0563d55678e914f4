"""utils.linear_maps: affine (= torch.nn.functional.linear), compose, and the 2×2 pictures' geometry."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from utils import linear_maps as lm


def _torch_linear(X, W, b=None):
    t = [None if a is None else torch.from_numpy(np.asarray(a, dtype=np.float64)) for a in (X, W, b)]
    return torch.nn.functional.linear(*t).numpy()


@pytest.mark.parametrize("scale", [1.0, 1e-8, 1e8])
@pytest.mark.parametrize("n, d_in, d_out", [(1, 3, 2), (7, 5, 4), (3, 1, 1), (2, 6, 9)])
def test_affine_matches_torch_linear(scale, n, d_in, d_out):
    rng = np.random.default_rng(n * 100 + d_in * 10 + d_out)
    X, W, b = scale * rng.normal(size=(n, d_in)), rng.normal(size=(d_out, d_in)), scale * rng.normal(size=d_out)
    np.testing.assert_allclose(lm.affine(X, W, b), _torch_linear(X, W, b), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(lm.affine(X, W), _torch_linear(X, W), rtol=1e-12, atol=1e-300)


def test_affine_on_the_seed_example():
    Z = lm.affine([[175.0, 70.0, 25.0]], [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [0.1, 0.2])
    np.testing.assert_allclose(Z, [[39.1, 120.2]])


@pytest.mark.parametrize("X, W, b, match", [
    (np.zeros((5, 3)), np.zeros((3, 4)), None, r"X has 3 features per row but W expects 4 \(X \(5, 3\), W \(3, 4\)"),
    (np.zeros(3), np.zeros((2, 3)), None, r"got X \(3,\) and W \(2, 3\)"),
    (np.zeros((5, 3)), np.zeros((2, 3)), np.zeros(3), r"b must have shape \(2,\).*got \(3,\)"),
])
def test_affine_errors_name_both_shapes(X, W, b, match):
    with pytest.raises(ValueError, match=match):
        lm.affine(X, W, b)


def test_compose_equals_applying_the_maps_in_turn():
    rng = np.random.default_rng(0)
    W1, W2, W3 = rng.normal(size=(4, 3)), rng.normal(size=(2, 4)), rng.normal(size=(5, 2))
    X = rng.normal(size=(6, 3))
    np.testing.assert_allclose(lm.affine(X, lm.compose(W1, W2)), lm.affine(lm.affine(X, W1), W2), rtol=1e-12)
    np.testing.assert_allclose(lm.compose(W1, W2, W3), W3 @ W2 @ W1, rtol=1e-12)
    assert lm.compose(W1, W2, W3).shape == (5, 3)
    np.testing.assert_array_equal(lm.compose(W1), W1)


def test_compose_order_matters_and_determinants_multiply():
    turn, shear = np.array([[0.0, -1.0], [1.0, 0.0]]), np.array([[1.0, 1.0], [0.0, 1.0]])
    assert not np.allclose(lm.compose(turn, shear), lm.compose(shear, turn))
    rng = np.random.default_rng(1)
    for _ in range(20):
        A, B = rng.normal(size=(2, 2)), rng.normal(size=(2, 2))
        assert lm.determinant(lm.compose(A, B)) == pytest.approx(lm.determinant(A) * lm.determinant(B))


def test_compose_errors():
    with pytest.raises(ValueError, match="at least one"):
        lm.compose()
    with pytest.raises(ValueError, match=r"W2 \(2, 5\) cannot follow a map with 4 outputs \(W1 \(4, 3\)\)"):
        lm.compose(np.zeros((4, 3)), np.zeros((2, 5)))
    with pytest.raises(ValueError, match="must be a matrix"):
        lm.compose(np.zeros(3))


def test_transform_is_batch_first_and_moves_the_basis_to_the_columns():
    A = np.array([[1.5, 0.5], [-0.3, 1.0]])
    np.testing.assert_allclose(lm.transform([[1.0, 0.0], [0.0, 1.0]], A), A.T)  # rows: A e1, A e2 = columns of A
    rng = np.random.default_rng(2)
    P = rng.normal(size=(3, 4, 2))
    np.testing.assert_allclose(lm.transform(P, A), np.einsum("ij,...j->...i", A, P))
    with pytest.raises(ValueError, match="2×2"):
        lm.transform(P, np.eye(3))
    with pytest.raises(ValueError, match=r"\(\.\.\., 2\)"):
        lm.transform(np.zeros((4, 3)), A)


def test_grid_segments_and_unit_shapes():
    segments = lm.grid_segments((-2.0, 2.0), 5)
    assert segments.shape == (10, 2, 2)
    np.testing.assert_array_equal(segments[:5, :, 0][:, 0], segments[:5, :, 0][:, 1])  # vertical: constant x
    np.testing.assert_array_equal(segments[5:, :, 1][:, 0], segments[5:, :, 1][:, 1])  # horizontal: constant y
    np.testing.assert_allclose(np.unique(segments), np.linspace(-2, 2, 5))
    circle = lm.unit_circle(50)
    np.testing.assert_allclose(np.linalg.norm(circle, axis=1), 1.0)
    np.testing.assert_allclose(circle[0], circle[-1], atol=1e-12)
    np.testing.assert_array_equal(lm.unit_square(), [[0, 0], [1, 0], [1, 1], [0, 1]])
    with pytest.raises(ValueError):
        lm.grid_segments((1.0, 1.0))
    with pytest.raises(ValueError):
        lm.unit_circle(3)


def test_the_circle_becomes_an_ellipse_of_area_pi_det():
    rng = np.random.default_rng(3)
    for _ in range(10):
        A = rng.normal(size=(2, 2))
        ellipse = lm.transform(lm.unit_circle(4001), A)
        x, y = ellipse[:, 0], ellipse[:, 1]
        area = 0.5 * abs(np.dot(x[:-1], y[1:]) - np.dot(y[:-1], x[1:]))  # shoelace formula
        assert area == pytest.approx(np.pi * abs(lm.determinant(A)), rel=1e-5)


def test_determinant_and_description():
    rng = np.random.default_rng(4)
    for _ in range(20):
        A = rng.normal(size=(2, 2))
        assert lm.determinant(A) == pytest.approx(np.linalg.det(A))
    assert lm.describe([[1.5, 0.5], [0.0, 1.0]]) == "keeps the orientation; areas × 1.50"
    assert lm.describe([[-1.0, 0.0], [0.0, 1.0]]).startswith("flips the orientation")
    assert "onto a line" in lm.describe([[1.0, 2.0], [0.5, 1.0]])
    assert "onto one point" in lm.describe(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="2×2"):
        lm.determinant(np.eye(3))
