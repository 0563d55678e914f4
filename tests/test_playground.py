"""utils.playground: the output of a random 2 → width → … → 1 network over the plane, rebuilt by hand from its
documented recipe; the decision boundary, the linear pieces of ReLU networks, the nested weights, validation."""

from __future__ import annotations

import numpy as np
import pytest

from utils import playground


@pytest.mark.parametrize("call, match", [
    (lambda: playground.playground_surface(depth=7), "depth"),
    (lambda: playground.playground_surface(width=0), "width"),
    (lambda: playground.playground_surface(width=33), "width"),
    (lambda: playground.playground_surface(activation="gelu"), "unknown activation"),
    (lambda: playground.playground_surface(scale=0.0), "scale"),
    (lambda: playground.playground_surface(scale=float("nan")), "scale"),
])
def test_bad_settings_raise_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_playground_surface_is_the_network_it_describes():
    s = playground.playground_surface(depth=2, width=5, activation="tanh", scale=1.5, seed=4)
    assert (
        s.output.shape == (playground.GRID, playground.GRID)
        and s.xs[0] == -playground.EXTENT
        and s.xs[-1] == playground.EXTENT
    )
    # rebuild the network by hand from the documented recipe and compare one point
    weights, biases = playground._master_weights(4)
    point = np.array([[s.xs[10], s.ys[20]]])  # column 10, row 20

    def score(p):
        a, fan_in = p, 2
        for layer in range(2):
            a = np.tanh(a @ (1.5 * weights[layer][:5, :fan_in] / np.sqrt(fan_in)).T + biases[layer][:5])
            fan_in = 5
        return (a @ (1.5 * weights[playground.MAX_HIDDEN + 2][:, :5] / np.sqrt(5)).T)[0, 0]

    assert s.output[20, 10] == pytest.approx(score(point) - score(np.zeros((1, 2))), rel=1e-12)
    assert s.n_params == (2 * 5 + 5) + (5 * 5 + 5) + (5 + 1)


def test_the_boundary_passes_through_the_origin_and_marks_sign_changes():
    s = playground.playground_surface(depth=3, width=8, activation="relu", seed=1)
    centre = playground.GRID // 2
    assert abs(s.output[centre, centre]) < 1e-12
    positive = s.output > 0
    assert positive.any() and (~positive).any() and s.boundary.any()
    rows, cols = np.nonzero(s.boundary)
    r, c = rows[0], cols[0]
    neighbours = [positive[r, c - 1]] if c > 0 else []
    neighbours += [positive[r - 1, c]] if r > 0 else []
    assert any(n != positive[r, c] for n in neighbours)


def test_linear_networks_have_straight_boundaries_and_one_piece():
    for activation, depth in (("identity", 4), ("relu", 0)):
        s = playground.playground_surface(depth=depth, width=8, activation=activation, seed=2)
        # a linear function on a grid: second differences vanish
        assert np.allclose(np.diff(s.output, 2, axis=0), 0, atol=1e-9)
        assert np.allclose(np.diff(s.output, 2, axis=1), 0, atol=1e-9)
        assert s.regions == 1 and not s.kinks.any()


def test_relu_pieces_grow_with_depth_and_width():
    pieces = [playground.playground_surface(depth=d, width=8, activation="relu", seed=0).regions for d in (1, 2, 4)]
    assert pieces[0] < pieces[1] < pieces[2]
    assert playground.playground_surface(1, 2, "relu", seed=0).regions <= 4  # two lines cut the plane into at most 4
    assert playground.playground_surface(2, 8, "relu", seed=0).kinks.any()


def test_smaller_networks_reuse_the_larger_ones_weights():
    """Adding a unit keeps every other weight: width 3 is the top-left corner of width 4's draws."""
    weights, _ = playground._master_weights(0)
    assert weights[0].shape == (playground.MAX_WIDTH, 2)
    a = playground.playground_surface(depth=1, width=3, activation="relu", seed=0)
    b = playground.playground_surface(depth=1, width=3, activation="relu", seed=0)
    np.testing.assert_array_equal(a.output, b.output)
    other = playground.playground_surface(depth=1, width=3, activation="relu", seed=1)
    assert not np.array_equal(a.output, other.output)


def test_distinct_rows_are_counted_exactly():
    rng = np.random.default_rng(3)
    for shape in [(500, 5), (2000, 48), (300, 130), (1, 7)]:
        bits = rng.random(shape) < 0.5
        bits[::4] = bits[0]  # repeated rows
        assert playground._count_distinct_rows(bits) == len(np.unique(bits, axis=0))
