"""utils.trajectories: a run of each race optimizer on each surface retraces torch.optim's run on the same function
(torch.autograd's gradient, float64, 1e-10); divergence stops a run and says where; 1-D gradient descent follows
its closed form; the race shares its settings and caches what a setting does not change."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from tests.numerics import assert_close
from utils import optim, trajectories
from utils.surfaces import SURFACES
from utils.trajectories import (
    DIVERGENCE_LIMIT,
    RACE_OPTIMIZERS,
    RACE_SETTINGS,
    RaceSettings,
    gradient_descent_1d,
    make_race_optimizer,
    race,
    run_optimizer,
)

TORCH_FORMULAS = {  # from the definitions, independently of utils.surfaces
    "quadratic": lambda x, y: 0.5 * (x**2 + 10 * y**2),
    "rotated_quadratic": lambda x, y: 0.5 * ((math.cos(math.pi / 6) * x + math.sin(math.pi / 6) * y) ** 2
                                             + 10 * (-math.sin(math.pi / 6) * x + math.cos(math.pi / 6) * y) ** 2),
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "saddle": lambda x, y: x**2 - y**2,
    "double_well": lambda x, y: x**4 / 4 - x**2 / 2 + y**2 / 2,
}


def _torch_optimizer(name, params, lr, momentum=0.9, betas=(0.9, 0.999)):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=name == "nesterov")
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=0.99)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas)
    return torch.optim.AdamW(params, lr=lr, betas=betas, weight_decay=0.01)


def _torch_run(surface_name, make_torch_optimizer, start, steps, make_scheduler=None):
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = make_torch_optimizer([p])
    scheduler = make_scheduler(opt) if make_scheduler else None
    points = [p.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        TORCH_FORMULAS[surface_name](p[0], p[1]).backward()
        opt.step()
        if scheduler:
            scheduler.step()
        points.append(p.detach().numpy().copy())
    return np.array(points)


def test_every_race_surface_has_a_torch_formula():
    assert set(RACE_SETTINGS) == set(TORCH_FORMULAS) == {n for n, s in SURFACES.items() if s.ndim == 2}


@pytest.mark.parametrize("name", list(RACE_OPTIMIZERS))
@pytest.mark.parametrize("surface", list(RACE_SETTINGS))
def test_each_optimizer_retraces_torch_optim(surface, name):
    settings = RACE_SETTINGS[surface]
    lr = settings.adaptive_lr if name in trajectories.ADAPTIVE else settings.lr
    steps = 60
    ours = run_optimizer(surface, lambda params: make_race_optimizer(name, params, lr=lr, momentum=0.8,
                                                                     betas=(0.85, 0.99)), None, steps)
    theirs = _torch_run(surface, lambda params: _torch_optimizer(name, params, lr, 0.8, (0.85, 0.99)),
                        SURFACES[surface].start, steps)
    assert not ours.diverged and ours.points.shape == (steps + 1, 2)
    assert_close(ours.points, theirs, rtol=1e-10, atol=1e-12)
    assert_close(ours.losses, SURFACES[surface].value(theirs), rtol=1e-10, atol=1e-12)
    assert np.abs(ours.points[-1] - ours.points[0]).max() > 1e-3  # it moved: the comparison is not trivial


class Halving:
    """A scheduler written here: halve every group's lr at each step (torch's ExponentialLR(gamma=0.5))."""

    def __init__(self, optimizer):
        self.optimizer = optimizer

    def step(self):
        for group in self.optimizer.param_groups:
            group["lr"] *= 0.5


def test_a_scheduler_steps_after_each_optimizer_step():
    ours = run_optimizer("quadratic", lambda params: optim.SGD(params, lr=0.15), [3.0, 1.0], 20,
                         make_scheduler=Halving)
    theirs = _torch_run("quadratic", lambda params: torch.optim.SGD(params, lr=0.15), [3.0, 1.0], 20,
                        make_scheduler=lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5))
    assert_close(ours.points, theirs, rtol=1e-12, atol=1e-14)
    # with the lr halving, the steps shrink geometrically: x stops near 3·Π(1 − 0.15·2⁻ᵗ), far from 0
    assert ours.points[-1, 0] == pytest.approx(3.0 * np.prod(1 - 0.15 * 0.5 ** np.arange(20)), rel=1e-12)


def test_a_diverging_run_stops_and_says_where():
    q = SURFACES["quadratic"]  # lr 0.21 > 2/L = 0.2: y grows by |1 − 0.21·10| = 1.1 per step
    run = run_optimizer(q, lambda params: optim.SGD(params, lr=0.21), None, 500, label="SGD")
    k = next(t for t in range(1, 500) if abs(1.5 * 1.1**t) > DIVERGENCE_LIMIT)
    assert run.diverged and run.diverged_at == k and run.status == "diverged at step " + str(k)
    assert run.points.shape == (k + 1, 2) and np.all(np.isfinite(run.points)) and np.all(np.isfinite(run.losses))
    assert abs(run.points[-1, 1]) > DIVERGENCE_LIMIT >= np.abs(run.points[:-1]).max()
    assert run.steps == 500 and run.label == "SGD"


def test_a_run_that_overflows_keeps_only_finite_points():
    run = run_optimizer("rosenbrock", lambda params: optim.SGD(params, lr=1.0), [3.0, -3.0], 50)
    assert run.diverged and np.all(np.isfinite(run.points)) and len(run.points) <= run.diverged_at + 1


def test_a_run_that_converges_has_no_status():
    run = run_optimizer("quadratic", lambda params: optim.SGD(params, lr=0.1), None, 300)
    assert not run.diverged and run.status == "" and run.diverged_at is None
    assert np.abs(run.final).max() < 1e-6 and run.losses[-1] < run.losses[0]


@pytest.mark.parametrize("lr", [0.05, 0.5, 0.9, 0.999])
def test_gradient_descent_1d_follows_its_closed_form_on_the_parabola(lr):
    parabola = SURFACES["parabola"]  # f = x²: x_t = (1 − 2·lr)^t · x_0
    run = gradient_descent_1d(parabola.gradient, 2.0, lr, 30, f=parabola.value)
    assert_close(run.points, 2.0 * (1 - 2 * lr) ** np.arange(31), rtol=1e-12, atol=1e-15)
    assert_close(run.losses, run.points**2, rtol=1e-12, atol=1e-15)
    assert not run.diverged


def test_gradient_descent_1d_diverges_above_two_over_l():
    parabola = SURFACES["parabola"]
    run = gradient_descent_1d(parabola.gradient, 2.0, 1.05, 1000)  # |1 − 2.1| = 1.1 per step
    k = next(t for t in range(1, 1000) if 2.0 * 1.1**t > DIVERGENCE_LIMIT)
    assert run.diverged_at == k and len(run.points) == k + 1 and run.losses is None


def test_gradient_descent_1d_stops_at_a_non_finite_point():
    run = gradient_descent_1d(lambda x: float("nan") if x < 0 else 1.0, 0.5, 0.3, 10)
    assert run.diverged_at == 3 and run.points.tolist() == pytest.approx([0.5, 0.2, -0.1])


def test_the_learning_rate_decides_which_minimum_two_minima_ends_in():
    f = SURFACES["two_minima"]
    small = gradient_descent_1d(f.gradient, f.start, 0.05, 300)
    large = gradient_descent_1d(f.gradient, f.start, 0.6, 300)
    assert small.final == pytest.approx(f.minima[1], abs=1e-6)  # the nearer, shallower one
    assert large.final == pytest.approx(f.minima[0], abs=1e-6)  # overshoots into the deeper one


def test_race_shares_settings_and_reuses_unchanged_runs():
    runs = race("quadratic", ["sgd", "momentum", "adam"])
    assert list(runs) == ["sgd", "momentum", "adam"] and runs["adam"].label == "Adam"
    assert all(r.steps == RACE_SETTINGS["quadratic"].steps for r in runs.values())
    again = race("quadratic", ["sgd", "momentum", "adam"], beta2=0.9)
    assert again["sgd"] is runs["sgd"] and again["momentum"] is runs["momentum"]  # β₂ is Adam's only
    assert not np.array_equal(again["adam"].points, runs["adam"].points)
    faster = race("quadratic", ["momentum"], momentum=0.5)["momentum"]
    assert not np.array_equal(faster.points, runs["momentum"].points)
    custom = race("rosenbrock", ["sgd"], RaceSettings(lr=1e-4, adaptive_lr=0.1, steps=7))["sgd"]
    assert custom.points.shape == (8, 2)


@pytest.mark.parametrize("surface, lr", [("rosenbrock", 1e-3), ("quadratic", 0.21)])  # 0.21 > 2/L: SGD diverges
def test_race_runs_with_more_or_fewer_steps_are_the_fresh_runs(surface, lr):
    # the race continues a cached run when more steps are asked for, and cuts it for fewer: exactly a fresh run
    names = list(RACE_OPTIMIZERS)
    for steps in (40, 250, 90, 250, 600):
        runs = race(surface, names, lr=lr, steps=steps)
        for name, run in runs.items():
            fresh = run_optimizer(surface, lambda params, name=name: make_race_optimizer(
                name, params, lr=lr if name not in ("adagrad", "rmsprop", "adam", "adamw") else
                RACE_SETTINGS[surface].adaptive_lr), None, steps, label=RACE_OPTIMIZERS[name])
            np.testing.assert_array_equal(run.points, fresh.points, err_msg=f"{name}, {steps} steps")
            np.testing.assert_array_equal(run.losses, fresh.losses)
            assert (run.steps, run.diverged_at, run.label) == (fresh.steps, fresh.diverged_at, fresh.label)
    assert race("quadratic", ["sgd"], lr=0.21, steps=200)["sgd"].diverged  # the diverging case is one


def test_momentum_zero_makes_momentum_and_nesterov_plain_sgd():
    # the race explorer's momentum slider starts at 0: Nesterov must run there (PyTorch's SGD refuses
    # nesterov=True with momentum 0), and with no momentum both momentum methods are SGD's update
    runs = race("rosenbrock", ["sgd", "momentum", "nesterov"], momentum=0.0)
    assert not any(run.diverged for run in runs.values())
    np.testing.assert_array_equal(runs["nesterov"].points, runs["sgd"].points)
    np.testing.assert_array_equal(runs["momentum"].points, runs["sgd"].points)
    assert runs["nesterov"].label == "Nesterov"


def test_race_learning_rates_split_by_family():
    a = race("double_well", ["sgd", "adam"], lr=0.05)
    b = race("double_well", ["sgd", "adam"], adaptive_lr=0.02)
    assert a["adam"] is race("double_well", ["adam"])["adam"]  # lr is the SGD family's only
    assert b["sgd"] is race("double_well", ["sgd"])["sgd"]


@pytest.mark.parametrize("call, error, match", [
    (lambda: run_optimizer("himmelblau", optim.SGD, None, 5), ValueError, r"unknown surface 'himmelblau'"),
    (lambda: run_optimizer(SURFACES["parabola"], optim.SGD, None, 5), TypeError,
     r"surface must be a 2-D surface.*got Polynomial1D"),
    (lambda: run_optimizer("saddle", lambda p: optim.SGD(p, lr=0.1), [1.0, 2.0, 3.0], 5), ValueError,
     r"start must be one finite point \(x, y\) of shape \(2,\), got \[1.0, 2.0, 3.0\]"),
    (lambda: run_optimizer("saddle", lambda p: optim.SGD(p, lr=0.1), None, 0), ValueError,
     r"steps must be a positive integer, got 0"),
    (lambda: run_optimizer("saddle", "adam", None, 5), TypeError, r"make_optimizer must be a function.*got str"),
    (lambda: run_optimizer("saddle", lambda p: p, None, 5), TypeError,
     r"make_optimizer must return an optimizer of utils.optim \(e.g. SGD\(params, lr=0.01\)\), got list"),
    (lambda: gradient_descent_1d(2.0, 1.0, 0.1, 5), TypeError, r"f_grad must be a function of x.*got float"),
    (lambda: gradient_descent_1d(np.cos, float("nan"), 0.1, 5), ValueError, r"x0 must be a finite number, got nan"),
    (lambda: gradient_descent_1d(np.cos, 1.0, -0.1, 5), ValueError, r"learning rate must be a positive number"),
    (lambda: make_race_optimizer("lion", [], lr=0.1), ValueError, r"unknown optimizer 'lion'; choose one of sgd"),
    (lambda: race("parabola"), ValueError, r"unknown surface for the race 'parabola'"),
    (lambda: race("saddle", "adam"), ValueError, r"names must be a list of optimizer names.*got the string 'adam'"),
    (lambda: race("saddle", ["adam"], beta1=1.0), ValueError, r"beta1 must be a number in \[0, 1\), got 1.0"),
    (lambda: race("saddle", ["adam"], gamma=0.5), ValueError, r"unknown race settings \['gamma'\]"),
    (lambda: race("saddle", ["adam"], steps=10_000), ValueError, r"steps must be at most 5000, got 10000"),
])
def test_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
