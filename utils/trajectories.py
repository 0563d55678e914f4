"""Run an optimizer on a test surface and record its path: the numbers behind Chapter 05's trajectory figures.

- ``run_optimizer(surface, make_optimizer, start, steps)``: the point (x, y) is one ``Parameter`` of shape (2,);
  at each step its ``.grad`` is ``surface.gradient`` at the point and ``optimizer.step()`` moves it (any
  optimizer of ``utils.optim``, and optionally a learning-rate scheduler stepped after it). Returns a
  ``Trajectory``: the points, f at each of them and, if the run blew up, the step where it did.
- ``gradient_descent_1d(f_grad, x0, lr, steps)``: plain gradient descent x ← x − lr·f′(x) on a 1-D function.
- ``race(surface, names, ...)``: the optimizer race: each optimizer of ``RACE_OPTIMIZERS`` from the same start,
  with shared settings (``RaceSettings``; ``RACE_SETTINGS`` has a sensible set per surface). Runs are cached.

A run stops, and says so (``Trajectory.diverged_at``, ``.status``), as soon as a point is not finite or
leaves ``|x| <= DIVERGENCE_LIMIT``: nothing is filled in with NaN.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import optim
from .module import Parameter, check_number, check_positive_int, to_float64
from .optim import check_lr
from .surfaces import SURFACES, Surface, get_surface

__all__ = ["DIVERGENCE_LIMIT", "RACE_OPTIMIZERS", "RACE_SETTINGS", "RaceSettings", "Trajectory",
           "gradient_descent_1d", "make_race_optimizer", "race", "run_optimizer"]

DIVERGENCE_LIMIT = 1e6
"""A run stops once a coordinate's absolute value exceeds this (or is not finite): it has diverged."""


@dataclass(frozen=True)
class Trajectory:
    """The path of one run.

    points: (k + 1, 2) for a 2-D surface, (k + 1,) in 1-D: the start, then the point after each step done;
    losses: (k + 1,) f at each point (None when no f was given); steps: the steps asked for; diverged_at: the
    step whose point was not finite or beyond ``DIVERGENCE_LIMIT`` (the run stopped there; that point is kept
    only if finite), or None when every step ran; label: the name a legend shows.
    """

    points: np.ndarray
    losses: np.ndarray | None
    steps: int
    diverged_at: int | None = None
    label: str = ""

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def status(self) -> str:
        """"diverged at step k", or "" for a run that did every step."""
        return "" if self.diverged_at is None else f"diverged at step {self.diverged_at}"

    @property
    def final(self) -> np.ndarray:
        """The last point recorded: (2,) on a surface, () in 1-D."""
        return self.points[-1]


def _check_surface(surface) -> Surface:
    if isinstance(surface, str):
        surface = get_surface(surface)
    if not isinstance(surface, Surface):
        raise TypeError(f"surface must be a 2-D surface of utils.surfaces (e.g. SURFACES['rosenbrock']) or its "
                        f"name, got {type(surface).__name__}")
    return surface


def _out_of_bounds(x: np.ndarray) -> bool:
    """Whether a point (x, y) is not finite or beyond DIVERGENCE_LIMIT (Python floats: NaN fails the test too)."""
    a, b = x.tolist()
    return not (abs(a) <= DIVERGENCE_LIMIT and abs(b) <= DIVERGENCE_LIMIT)


def run_optimizer(surface, make_optimizer: Callable, start=None, steps: int = 100, *,
                  make_scheduler: Callable | None = None, label: str = "") -> Trajectory:
    """Minimise ``surface`` from ``start`` with the optimizer ``make_optimizer([point])`` for ``steps`` steps.

    Args:
        surface: a 2-D surface of ``utils.surfaces`` (or its name in ``SURFACES``).
        make_optimizer: ``params -> optimizer``, e.g. ``lambda params: Adam(params, lr=0.1)``; it gets a list
            holding one ``Parameter`` of shape (2,), the point.
        start: (x, y), shape (2,); None for the surface's own ``start``.
        steps: how many optimizer steps (>= 1).
        make_scheduler: optional ``optimizer -> scheduler``; its ``step()`` runs after each optimizer step.
        label: the name a legend shows.

    Shapes: start (2,) -> Trajectory.points (k + 1, 2), losses (k + 1,), k = steps unless the run diverged.

    Raises:
        TypeError: for a surface that is not one, a make_optimizer / make_scheduler that is not callable, or
            make_optimizer not returning an optimizer of ``utils.optim``.
        ValueError: for a start not of shape (2,) or not finite, or steps not a positive integer.
    """
    surface = _check_surface(surface)
    point = surface.start_point if start is None else to_float64(start, name="start")
    if point.shape != (2,) or not np.all(np.isfinite(point)):
        raise ValueError(f"start must be one finite point (x, y) of shape (2,), got {start!r}")
    steps = check_positive_int(steps, "steps")
    for name, fn, example in (("make_optimizer", make_optimizer, "lambda params: SGD(params, lr=0.01)"),
                              ("make_scheduler", make_scheduler, "lambda opt: StepLR(opt, step_size=50)")):
        if (fn is not None or name == "make_optimizer") and not callable(fn):
            raise TypeError(f"{name} must be a function, e.g. {example}, got {type(fn).__name__}")
    p = Parameter(point)
    optimizer = make_optimizer([p])
    if not isinstance(optimizer, optim.Optimizer):
        raise TypeError(f"make_optimizer must return an optimizer of utils.optim (e.g. SGD(params, lr=0.01)), "
                        f"got {type(optimizer).__name__}")
    scheduler = make_scheduler(optimizer) if make_scheduler is not None else None
    return _Walk(surface, p, optimizer, scheduler).trajectory(steps, str(label))


class _Walk:
    """One optimizer's walk on a surface that can be continued: ``trajectory(steps)`` runs it on until it has
    done ``steps`` steps (or left the bounds, where it stops for good) and returns its first ``steps`` steps. A
    walk continued to 300 steps is exactly a 300-step run: the optimizer race's steps slider reuses its runs."""

    def __init__(self, surface: Surface, p: Parameter, optimizer, scheduler=None):
        self.surface, self.p, self.optimizer, self.scheduler = surface, p, optimizer, scheduler
        self.points = np.empty((101, 2))
        self.points[0] = p.data
        self.done = 0  # steps done (without leaving the bounds)
        self.diverged_at: int | None = None
        self.kept = 1  # points recorded (the start, then one per step done; the point out of bounds if finite)

    def _advance(self, steps: int) -> None:
        if self.diverged_at is not None or self.done >= steps:
            return
        if len(self.points) < steps + 1:
            grown = np.empty((max(steps + 1, 2 * len(self.points)), 2))
            grown[:self.kept] = self.points[:self.kept]
            self.points = grown
        p, points = self.p, self.points
        gradient = self.surface._gradient  # the checked gradient() costs more than an optimizer step
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(self.done + 1, steps + 1):
                x, y = p.data
                p.grad = np.array(gradient(x, y), dtype=np.float64)
                self.optimizer.step()
                if self.scheduler is not None:
                    self.scheduler.step()
                points[t] = p.data
                if _out_of_bounds(p.data):
                    self.diverged_at = t
                    self.kept = t + 1 if np.all(np.isfinite(p.data)) else t
                    return
                self.done, self.kept = t, t + 1

    def trajectory(self, steps: int, label: str) -> Trajectory:
        self._advance(steps)
        diverged = self.diverged_at is not None and self.diverged_at <= steps
        points = self.points[:self.kept if diverged else steps + 1].copy()
        with np.errstate(over="ignore", invalid="ignore"):
            losses = self.surface.value(points)
        return Trajectory(points, losses, steps, self.diverged_at if diverged else None, label)


def gradient_descent_1d(f_grad: Callable, x0: float, lr: float, steps: int, f: Callable | None = None,
                        label: str = "") -> Trajectory:
    """Plain gradient descent on a 1-D function: x ← x − lr·f′(x), ``steps`` times from ``x0``.

    Args:
        f_grad: the derivative f′, e.g. ``SURFACES["parabola"].gradient``.
        x0: the start; lr: the learning rate (> 0); steps: how many steps (>= 1).
        f: optional, f itself, to record f at each point (``Trajectory.losses``).

    Shapes: -> Trajectory.points (k + 1,), losses (k + 1,) or None; k = steps unless the run diverged.

    Raises:
        TypeError: for f_grad (or f) not callable. ValueError: for x0 not a finite number, a bad lr or steps.
    """
    for name, fn in (("f_grad", f_grad), ("f", f)):
        if (fn is not None or name == "f_grad") and not callable(fn):
            raise TypeError(f"{name} must be a function of x (e.g. SURFACES['parabola'].gradient), "
                            f"got {type(fn).__name__}")
    x = check_number(x0, "x0")
    lr, steps = check_lr(lr), check_positive_int(steps, "steps")
    xs = [x]
    diverged_at = None
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, steps + 1):
            x = float(x - lr * float(f_grad(x)))
            if not (np.isfinite(x) and abs(x) <= DIVERGENCE_LIMIT):
                diverged_at = t
                if np.isfinite(x):
                    xs.append(x)
                break
            xs.append(x)
        points = np.array(xs)
        losses = None if f is None else np.asarray(f(points), dtype=np.float64)
    return Trajectory(points, losses, steps, diverged_at, str(label))


# ---------------------------------------------------------------------------------------------
# The optimizer race
# ---------------------------------------------------------------------------------------------
RACE_OPTIMIZERS = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
}
"""Name -> label of the optimizers in the race, in legend order."""

ADAPTIVE = ("adagrad", "rmsprop", "adam", "adamw")
"""The race's optimizers that divide by a running gradient size: their step is about lr, whatever |∇f|; they take
``adaptive_lr``. The others (step = lr·∇f) take ``lr``."""

ADAMW_WEIGHT_DECAY = 0.01  # PyTorch's default
RMSPROP_ALPHA = 0.99  # PyTorch's default


def make_race_optimizer(name: str, params, *, lr: float, momentum: float = 0.9,
                        betas: tuple[float, float] = (0.9, 0.999)) -> optim.Optimizer:
    """The race's optimizer ``name`` over ``params``: PyTorch's defaults except the settings given.

    ``momentum`` is SGD's (Momentum, Nesterov); ``betas`` are Adam's and AdamW's; Adagrad and RMSprop
    (α = 0.99) take ``lr`` only; AdamW decays weights by 0.01 (PyTorch's default). Nesterov with momentum 0
    is plain SGD (the look-ahead is zero steps ahead): PyTorch's ``SGD`` refuses ``nesterov=True`` with
    momentum 0, so that case builds the same update without the flag.

    Raises:
        ValueError: for an unknown name, or settings the optimizer rejects.
    """
    if name not in RACE_OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(RACE_OPTIMIZERS)}")
    if name == "sgd":
        return optim.SGD(params, lr=lr)
    if name in ("momentum", "nesterov"):
        return optim.SGD(params, lr=lr, momentum=momentum, nesterov=name == "nesterov" and momentum != 0)
    if name == "adagrad":
        return optim.Adagrad(params, lr=lr)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, alpha=RMSPROP_ALPHA)
    if name == "adam":
        return optim.Adam(params, lr=lr, betas=tuple(betas))
    return optim.AdamW(params, lr=lr, betas=tuple(betas), weight_decay=ADAMW_WEIGHT_DECAY)


@dataclass(frozen=True)
class RaceSettings:
    """The settings every optimizer of a race shares: ``lr`` (SGD, Momentum, Nesterov), ``adaptive_lr``
    (Adagrad, RMSprop, Adam, AdamW), ``momentum``, ``beta1``, ``beta2`` and ``steps``."""

    lr: float
    adaptive_lr: float
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    steps: int = 200


RACE_SETTINGS = {
    "quadratic": RaceSettings(lr=0.1, adaptive_lr=0.3, steps=100),
    "rotated_quadratic": RaceSettings(lr=0.1, adaptive_lr=0.3, steps=100),
    "rosenbrock": RaceSettings(lr=1e-3, adaptive_lr=0.1, steps=300),
    "saddle": RaceSettings(lr=0.02, adaptive_lr=0.02, steps=60),
    "double_well": RaceSettings(lr=0.05, adaptive_lr=0.02, steps=100),
}
"""A 2-D surface's name -> race settings that show something on it (the race explorer starts from them)."""


@lru_cache(maxsize=64)
def _race_walk(surface: str, name: str, lr: float, momentum: float | None, beta1: float | None,
               beta2: float | None) -> _Walk:
    """The race's walk of one optimizer with these settings, continued as more steps are asked for."""
    p = Parameter(SURFACES[surface].start_point)
    optimizer = make_race_optimizer(name, [p], lr=lr, momentum=0.0 if momentum is None else momentum,
                                    betas=(0.9 if beta1 is None else beta1, 0.999 if beta2 is None else beta2))
    return _Walk(SURFACES[surface], p, optimizer)


@lru_cache(maxsize=512)
def _race_run(surface: str, name: str, lr: float, momentum: float | None, beta1: float | None,
              beta2: float | None, steps: int) -> Trajectory:
    walk = _race_walk(surface, name, lr, momentum, beta1, beta2)  # more steps than before: only the new ones run
    return walk.trajectory(steps, RACE_OPTIMIZERS[name])


def race(surface: str, names: Sequence[str] = tuple(RACE_OPTIMIZERS), settings: RaceSettings | None = None,
         **changes) -> dict[str, Trajectory]:
    """Each optimizer of ``names`` on the surface ``surface`` from its start: name -> ``Trajectory``.

    ``settings`` default to ``RACE_SETTINGS[surface]``; keywords (``lr=…``, ``beta2=…``, ``steps=…``) change
    some of them. A setting reaches only the optimizers that use it, so runs it does not change come from a
    cache (moving the β₂ slider reruns Adam and AdamW only).

    Raises:
        ValueError: for an unknown surface (or a 1-D one), optimizer or setting, or a setting out of range
            (lr > 0, 0 <= momentum < 1, 0 <= β < 1, 1 <= steps <= 5000).
    """
    if not isinstance(surface, str) or surface not in RACE_SETTINGS:
        raise ValueError(f"unknown surface for the race {surface!r}; choose one of {', '.join(RACE_SETTINGS)}")
    if isinstance(names, str):
        raise ValueError(f"names must be a list of optimizer names, e.g. ['sgd', 'adam'], got the string {names!r}")
    settings = RACE_SETTINGS[surface] if settings is None else settings
    if not isinstance(settings, RaceSettings):
        raise TypeError(f"settings must be a RaceSettings, got {type(settings).__name__}")
    unknown = set(changes) - set(RaceSettings.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown race settings {sorted(unknown)}; the settings are "
                         f"{', '.join(RaceSettings.__dataclass_fields__)}")
    s = {**settings.__dict__, **changes}
    lr, adaptive_lr = check_lr(s["lr"]), check_lr(s["adaptive_lr"])
    for key in ("momentum", "beta1", "beta2"):
        s[key] = check_number(s[key], key, at_least=0)
        if not s[key] < 1:
            raise ValueError(f"{key} must be a number in [0, 1), got {s[key]!r}")
    steps = check_positive_int(s["steps"], "steps")
    if steps > 5000:
        raise ValueError(f"steps must be at most 5000, got {steps}")
    runs = {}
    for name in names:
        if name not in RACE_OPTIMIZERS:
            raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(RACE_OPTIMIZERS)}")
        adaptive = name in ADAPTIVE
        runs[name] = _race_run(surface, name, adaptive_lr if adaptive else lr,
                               s["momentum"] if name in ("momentum", "nesterov") else None,
                               s["beta1"] if name in ("adam", "adamw") else None,
                               s["beta2"] if name in ("adam", "adamw") else None, steps)
    return runs
