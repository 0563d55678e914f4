"""Gradient checking: numerical gradients by central differences, compared with a backward pass.

A backward pass is easy to get subtly wrong (a missing transpose, a sum over the wrong axis, a forgotten
1/N) and still produce numbers of the right shape. The check that catches all of these compares it with
the definition of the derivative, one coordinate at a time::

    ∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / 2h          (central difference: error O(h²))

It costs two evaluations of ``f`` per coordinate, far too slow to train with, fine to test with.

- ``numerical_gradient(f, x, h)``: the gradient of a scalar function of an array, any shape; ``x`` is
  left unchanged.
- ``relative_error(a, b)``: ``‖a − b‖ / (‖a‖ + ‖b‖)`` with Euclidean norms over the whole array: about
  1e-9 or below for a correct float64 backward, 1e-6 and above means a bug (or a kink such as ReLU's at 0).
  (Element by element, as CS231n does, a tiny entry's round-off can look like a large relative error.)
- ``check_gradient(f, x, analytic)``: one comparison as a ``GradientCheck`` (passed, errors, worst element).
- ``gradcheck_module(module, *inputs)``: every gradient of a ``utils.module.Module`` — its input's and each
  parameter's — against numerical ones, as a ``GradcheckReport`` that prints as a table. The scalar checked
  is ``sum(module(*inputs) * G)`` for a fixed random ``G`` (or the loss itself for a loss module), whose
  gradient with respect to the output is ``G``: what ``module.backward(G)`` receives.

Modules must be deterministic for the check (put dropout-like modules in eval mode), and inputs should sit
away from kinks (ReLU at 0, L1 at a zero error), where no derivative exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .module import Module, check_number, to_float64

__all__ = [
    "DEFAULT_H",
    "DEFAULT_TOL",
    "GradcheckReport",
    "GradientCheck",
    "check_gradient",
    "gradcheck_module",
    "numerical_gradient",
    "relative_error",
]

DEFAULT_H = 1e-6
"""Step of the central differences: in float64 their error is ~h² (truncation) + ~1e-16/h (round-off)."""
DEFAULT_TOL = 1e-6
"""Largest relative error a check accepts; correct float64 backward passes give ~1e-9 or less."""
ERROR_FLOOR = 1e-8
"""Denominator floor of ``relative_error``: where both gradients are ~0, the absolute difference counts."""


def _scalar(value, what: str) -> float:
    arr = np.asarray(value, dtype=float)
    if arr.size != 1:
        raise ValueError(f"{what} must return one number (a scalar), got an array of shape {arr.shape}")
    return float(arr.reshape(()))


def numerical_gradient(f: Callable[[np.ndarray], float], x, h: float = DEFAULT_H) -> np.ndarray:
    """The gradient of the scalar function ``f`` at ``x`` by central differences, one coordinate at a time.

    ``f`` is called with arrays of ``x``'s shape (a working copy, changed one entry at a time and restored);
    ``x`` itself is never modified.

    Shapes: x (...) -> (...)

    Raises:
        ValueError: if ``h`` is not a positive number or ``f`` does not return a scalar.
        TypeError: if ``f`` is not callable.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of x returning one number, got {type(f).__name__}")
    h = check_number(h, "h", above=0)
    x = to_float64(x).copy()  # our own working copy
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + h
        f_plus = _scalar(f(x), "f")
        x[i] = original - h
        f_minus = _scalar(f(x), "f")
        x[i] = original  # restore before the next coordinate
        grad[i] = (f_plus - f_minus) / (2.0 * h)
    return grad


def relative_error(a, b, floor: float = ERROR_FLOOR) -> float:
    """``‖a − b‖ / max(‖a‖ + ‖b‖, floor)`` (Euclidean norms): 0 for equal arrays, at most 1 (``b = −a``: 1).

    Scale-free (multiplying both by 1000 changes nothing), and robust to entries that happen to be tiny.

    Shapes: a (...), b (same shape) -> a float

    Raises:
        ValueError: if the shapes differ.
    """
    a, b = to_float64(a, "a"), to_float64(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"cannot compare gradients of different shapes: {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), floor))


@dataclass(frozen=True)
class GradientCheck:
    """One analytic gradient compared with its numerical estimate."""

    name: str
    shape: tuple[int, ...]
    relative_error: float
    max_abs_error: float
    worst_index: tuple[int, ...]
    analytic: np.ndarray = field(repr=False)
    numerical: np.ndarray = field(repr=False)
    tol: float = DEFAULT_TOL

    @property
    def passed(self) -> bool:
        return bool(np.isfinite(self.relative_error) and self.relative_error <= self.tol)

    def line(self) -> str:
        verdict = "ok" if self.passed else "MISMATCH"
        shape = "x".join(map(str, self.shape)) if self.shape else "scalar"
        text = f"{self.name:<14s} {shape:>9s}  rel. error {self.relative_error:8.1e}  {verdict}"
        if not self.passed:
            i = self.worst_index
            text += (f"  (worst at {i}: backward {self.analytic[i]:.6g}, numerical {self.numerical[i]:.6g})")
        return text


def check_gradient(f: Callable[[np.ndarray], float], x, analytic, name: str = "x", h: float = DEFAULT_H,
                   tol: float = DEFAULT_TOL) -> GradientCheck:
    """Compare ``analytic`` (a claimed gradient of ``f`` at ``x``) with ``numerical_gradient(f, x, h)``.

    Shapes: x (...), analytic (same shape)

    Raises:
        ValueError: if ``analytic`` does not have ``x``'s shape (naming both shapes).
    """
    x = to_float64(x)
    tol = check_number(tol, "tol", at_least=0)
    analytic = to_float64(analytic, "analytic gradient")
    if analytic.shape != x.shape:
        raise ValueError(f"the gradient of {name} must have its shape {x.shape}, got shape {analytic.shape}")
    numerical = numerical_gradient(f, x, h)
    diff = np.abs(analytic - numerical)
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.size else ()
    return GradientCheck(name, x.shape, relative_error(analytic, numerical), float(diff.max(initial=0.0)),
                         tuple(int(i) for i in worst), analytic, numerical, tol)


@dataclass(frozen=True)
class GradcheckReport:
    """The checks of one module: its input's gradient and every parameter's. ``print(report)`` shows a table."""

    module: str
    checks: tuple[GradientCheck, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def max_relative_error(self) -> float:
        return max((c.relative_error for c in self.checks), default=0.0)

    def __getitem__(self, name: str) -> GradientCheck:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(f"no check named {name!r}; the checks are {[c.name for c in self.checks]}")

    def __str__(self) -> str:
        status = "all gradients agree" if self.passed else "SOME GRADIENTS DISAGREE"
        lines = [f"gradient check of {self.module}: {status}"]
        lines += ["  " + c.line() for c in self.checks]
        return "\n".join(lines)


def _loss_of_output(out, weights) -> float:
    """sum(out * weights): a scalar whose gradient with respect to ``out`` is ``weights``."""
    return float(np.sum(np.asarray(out, dtype=float) * weights))


def gradcheck_module(module: Module, *inputs, grad_out=None, rng: np.random.Generator | None = None,
                     h: float = DEFAULT_H, tol: float = DEFAULT_TOL) -> GradcheckReport:
    """Check ``module.backward`` against numerical gradients, for its first input and every parameter.

    The scalar is ``L = sum(module(*inputs) * G)``. ``G`` is ``grad_out`` if given, else drawn from N(0, 1)
    with ``rng`` (a fixed generator when None) for an array output, and 1.0 for a scalar output (a loss with
    reduction "mean" or "sum"). Only the first input gets a gradient: the others (a loss's target) are held
    fixed. Every parameter's ``.grad`` is reset before and holds the backward's gradient after.

    Returns a ``GradcheckReport``: checks named ``"input"`` and each parameter's dotted name.
    """
    if not isinstance(module, Module):
        raise TypeError(f"gradcheck_module takes a utils Module, got {type(module).__name__}")
    if not inputs:
        raise ValueError("give the module's input(s): gradcheck_module(module, x) or (loss, input, target)")
    rng = np.random.default_rng(0) if rng is None else rng
    x = to_float64(inputs[0], "input").copy()
    rest = inputs[1:]

    out = module(x, *rest)
    if grad_out is None:
        G = 1.0 if np.ndim(out) == 0 else rng.normal(size=np.shape(out))
    else:
        G = to_float64(grad_out, "grad_out")
    module.zero_grad()
    grad_x = module.backward(G)
    analytic = {name: (p, None if p.grad is None else p.grad.copy()) for name, p in module.named_parameters()}

    def loss_at_input(x_try):
        return _loss_of_output(module(x_try, *rest), G)

    checks = [check_gradient(loss_at_input, x, grad_x, "input", h, tol)]
    for name, (param, grad) in analytic.items():
        original = param.data

        def loss_at_param(p_try, param=param):
            param.data = p_try
            return _loss_of_output(module(x, *rest), G)

        grad = np.zeros_like(param.data) if grad is None else grad  # no gradient reached it: it claims 0
        try:
            checks.append(check_gradient(loss_at_param, original, grad, name, h, tol))
        finally:
            param.data = original
    # leave the module as backward left it: its gradients, and its cache from a forward at the given input
    module(x, *rest)
    for param, grad in analytic.values():
        param.grad = grad
    return GradcheckReport(repr(module).split("\n")[0].rstrip("("), tuple(checks))
