"""utils.surfaces: every test function's gradient equals torch.autograd's of an independent PyTorch formula (float64,
random and extreme points), the minima are minima, and the quadratic's curvature bound 2/L is where gradient
descent turns from converging to diverging."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from tests.numerics import assert_close, stable_seed
from utils import surfaces
from utils.surfaces import SURFACES, DoubleWell, Polynomial1D, Quadratic, Rosenbrock, Saddle, get_surface


def _torch_quadratic(a, b, angle):
    c, s = math.cos(angle), math.sin(angle)
    return lambda x, y: 0.5 * (a * (c * x + s * y) ** 2 + b * (-s * x + c * y) ** 2)  # u, v: (x, y) turned by -angle


TORCH_FORMULAS = {  # written from the definitions, independently of utils.surfaces
    "quadratic": _torch_quadratic(1.0, 10.0, 0.0),
    "rotated_quadratic": _torch_quadratic(1.0, 10.0, math.pi / 6),
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "saddle": lambda x, y: x**2 - y**2,
    "double_well": lambda x, y: x**4 / 4 - x**2 / 2 + y**2 / 2,
    "parabola": lambda x: x**2,
    "quartic": lambda x: x**4 / 4,
    "two_minima": lambda x: x**4 / 4 - x**2 / 2 + x / 5,
}
EXTREME = [0.0, 1e-8, -1e-8, 1e3, -1e3, 1e5]


def _points(name, ndim):
    rng = np.random.default_rng(stable_seed("surfaces", name))
    if ndim == 1:
        return np.concatenate([rng.normal(scale=2.0, size=50), EXTREME])
    extreme = np.array([(a, b) for a in EXTREME for b in EXTREME[:4]])
    return np.concatenate([rng.normal(scale=2.0, size=(50, 2)), extreme])


def test_the_table_holds_every_surface_with_a_torch_formula():
    assert set(SURFACES) == set(TORCH_FORMULAS)


@pytest.mark.parametrize("name", list(SURFACES))
def test_value_and_gradient_match_torch_autograd(name):
    surface = SURFACES[name]
    pts = _points(name, surface.ndim)
    t = torch.tensor(pts, dtype=torch.float64, requires_grad=True)
    f = TORCH_FORMULAS[name](t) if surface.ndim == 1 else TORCH_FORMULAS[name](t[:, 0], t[:, 1])
    f.sum().backward()
    assert_close(surface.value(pts), f.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert_close(surface.gradient(pts), t.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", [n for n, s in SURFACES.items() if s.ndim == 2])
def test_shapes_broadcast_over_leading_axes(name):
    surface = SURFACES[name]
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-2, 2, 3)), axis=-1)  # (3, 4, 2)
    assert surface.value(grid).shape == (3, 4) and surface.gradient(grid).shape == (3, 4, 2)
    assert surface.value([0.5, -0.5]).shape == () and surface.gradient([0.5, -0.5]).shape == (2,)
    np.testing.assert_array_equal(surface.gradient(grid)[1, 2], surface.gradient(grid[1, 2]))


@pytest.mark.parametrize("name", list(SURFACES))
def test_minima_are_stationary_and_lowest_nearby(name):
    surface = SURFACES[name]
    if surface.minimum_value is None:  # the saddle: unbounded below, no minimum
        assert surface.minima.shape == (0, 2) and surface.value([0.0, 10.0]) < surface.value([0.0, 0.0])
        return
    assert len(surface.minima) >= 1
    rng = np.random.default_rng(stable_seed("minima", name))
    for m in surface.minima:
        np.testing.assert_allclose(surface.gradient(m), 0.0, atol=1e-9)
        near = m + rng.normal(scale=1e-3, size=(100,) + m.shape)
        assert np.all(surface.value(near) > surface.value(m))
    assert min(surface.value(m) for m in surface.minima) == pytest.approx(surface.minimum_value, abs=1e-12)


@pytest.mark.parametrize("name", list(SURFACES))
def test_start_is_inside_the_window_and_not_a_minimum(name):
    surface = SURFACES[name]
    lo, hi = surface.window[0::2], surface.window[1::2]
    start = np.atleast_1d(surface.start)
    assert np.all((np.array(lo) < start) & (start < np.array(hi)))
    assert np.max(np.abs(surface.gradient(surface.start))) > 1e-4
    for m in surface.minima:
        assert np.all((np.array(lo) < np.atleast_1d(m)) & (np.atleast_1d(m) < np.array(hi)))


def test_quadratic_curvatures_condition_number_and_rotation():
    q = Quadratic(a=2.0, b=50.0, angle=0.7)
    np.testing.assert_allclose(np.linalg.eigvalsh(q.hessian), [2.0, 50.0], rtol=1e-13)
    assert (q.lipschitz, q.max_stable_lr, q.condition_number) == (50.0, 0.04, 25.0)
    p = np.array([0.3, -1.2])
    assert q.value(p) == pytest.approx(0.5 * p @ q.hessian @ p, rel=1e-14)
    assert_close(q.gradient(p), q.hessian @ p)
    u = np.array([math.cos(0.7), math.sin(0.7)])  # the first axis turned by angle: curvature a along it
    assert q.value(u) == pytest.approx(1.0, rel=1e-13)  # ½·2·1²


@pytest.mark.parametrize("factor, converges", [(0.99, True), (1.01, False)])
def test_gradient_descent_converges_iff_lr_below_two_over_l(factor, converges):
    q = SURFACES["rotated_quadratic"]
    p = q.start_point
    for _ in range(3000):
        p = p - factor * q.max_stable_lr * q.gradient(p)
    assert (np.linalg.norm(p) < 1e-6) == converges
    assert (np.linalg.norm(p) > 1e3) == (not converges)


def test_parabola_and_its_stable_learning_rates():
    parabola = SURFACES["parabola"]
    assert (parabola.lipschitz, parabola.max_stable_lr) == (2.0, 1.0)
    assert parabola.second_derivative(np.array([-3.0, 0.0, 5.0])).tolist() == [2.0, 2.0, 2.0]
    assert SURFACES["quartic"].lipschitz is None and SURFACES["two_minima"].max_stable_lr is None


def test_the_quartic_minimum_is_found_although_its_curvature_is_zero():
    np.testing.assert_array_equal(SURFACES["quartic"].minima, [0.0])
    two = SURFACES["two_minima"]
    assert len(two.minima) == 2 and two.value(two.minima[0]) < two.value(two.minima[1])  # the left one is deeper


def test_surfaces_are_hashable_and_compare_by_their_parameters():
    assert Rosenbrock() == Rosenbrock() and hash(Quadratic()) == hash(Quadratic())
    assert Quadratic(angle=0.1) != Quadratic()
    assert get_surface("saddle") is SURFACES["saddle"]
    assert isinstance(SURFACES["double_well"], DoubleWell) and isinstance(SURFACES["saddle"], Saddle)


@pytest.mark.parametrize("call, match", [
    (lambda: Quadratic(a=0.0), r"a must be a finite number > 0, got 0.0"),
    (lambda: Quadratic(b=float("inf")), r"b must be a finite number > 0, got inf"),
    (lambda: Rosenbrock(window=(1.0, 0.0, 0.0, 1.0)), r"window must be \(x_min, x_max, y_min, y_max\)"),
    (lambda: Saddle(start=(1.0, 2.0, 3.0)), r"xy must have shape \(\.\.\., 2\).*got shape \(3,\)"),
    (lambda: SURFACES["rosenbrock"].value([1.0, 2.0, 3.0]), r"xy must have shape \(\.\.\., 2\).*got shape \(3,\)"),
    (lambda: SURFACES["saddle"].gradient("ab"), r"xy must contain real numbers"),
    (lambda: Polynomial1D((1.0, 0.0), "a line"), r"even-degree polynomial with a positive leading coefficient"),
    (lambda: Polynomial1D((-1.0, 0.0, 0.0), "upside down"), r"positive leading coefficient.*got \(-1.0, 0.0, 0.0\)"),
    (lambda: get_surface("himmelblau"), r"unknown surface 'himmelblau'; choose one of quadratic"),
])
def test_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_module_exports():
    assert set(surfaces.__all__) >= {"SURFACES", "Quadratic", "Rosenbrock", "Saddle", "DoubleWell", "Polynomial1D"}
