"""Fitting a line under MSE, MAE or Huber: how the loss decides what one outlier does to the fit (Chapter 03).

- ``fit_line(x, y, loss, delta)``: the line ``slope · x + intercept`` minimising the mean loss: least squares
  in closed form (MSE), least absolute deviations exactly (MAE), Huber by iteratively reweighted least squares;
- ``outlier_data()``: noisy points around a known line, one of which (``.outlier``) a demo drags away;
- ``outlier_fits`` / ``slopes_versus_shift``: every fit for one shift of that point, or each fit's slope over
  many shifts (vectorised: the 121 shifts of the Chapter 03 explorer take a few milliseconds).

Usage::

    from utils.regression import fit_line, outlier_data
    data = outlier_data()
    slope, intercept = fit_line(data.x, data.with_shift(15.0), "MAE")
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .losses import HuberLoss
from .module import check_number, check_positive_int, check_seed, to_float64

__all__ = ["FITS", "OutlierData", "fit_line", "outlier_data", "outlier_fits", "slopes_versus_shift"]

FITS = ("MSE", "MAE", "Huber")
"""The losses ``fit_line`` minimises, in the order figures list them."""


@dataclass(frozen=True)
class OutlierData:
    """Noisy points around a known line; ``outlier`` is the index of the point a demo drags away."""

    x: np.ndarray  # (n,)
    y: np.ndarray  # (n,)
    slope: float
    intercept: float
    outlier: int

    def with_shift(self, shift: float) -> np.ndarray:
        """The targets with the outlier moved up by ``shift``. Shapes: -> (n,)"""
        y = self.y.copy()
        y[self.outlier] += check_number(shift, "shift")
        return y


def outlier_data(n: int = 15, slope: float = 1.5, intercept: float = 2.0, noise: float = 1.0,
                 seed: int = 3) -> OutlierData:
    """``n`` points y = slope · x + intercept + N(0, noise²) on x in [0, 10]; the outlier is the one at x ≈ 9.

    Raises:
        ValueError: for n not an integer >= 2, slope, intercept or noise not finite numbers (noise >= 0), or a seed
            that is not an integer >= 0.
    """
    if check_positive_int(n, "n") < 2:
        raise ValueError(f"n must be an integer >= 2 (a line needs two points), got {n!r}")
    slope, intercept = check_number(slope, "slope"), check_number(intercept, "intercept")
    noise = check_number(noise, "noise", at_least=0)
    rng = np.random.default_rng(check_seed(seed))
    x = np.linspace(0.0, 10.0, n) + rng.uniform(-0.2, 0.2, size=n)
    y = slope * x + intercept + rng.normal(0.0, noise, size=n)
    return OutlierData(x, y, slope, intercept, int(np.argmin(np.abs(x - 9.0))))


def _checked_delta(delta) -> float:
    """Huber's δ, checked as ``HuberLoss`` checks it (a finite number > 0)."""
    return HuberLoss(delta=delta).delta


def _design(x: np.ndarray) -> np.ndarray:
    return np.stack([x, np.ones_like(x)], axis=-1)  # (n, 2): columns x and 1


def _fit_mse(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least squares in closed form, for one or many target vectors. Shapes: x (n,), y (..., n) -> (..., 2)"""
    a = _design(x)
    solution = np.linalg.solve(a.T @ a, a.T @ np.moveaxis(np.atleast_2d(y), -1, 0))  # (2, S)
    return solution.T.reshape(np.shape(y)[:-1] + (2,))


def _fit_mae(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least absolute deviations, exactly: some optimal line passes through two of the points (a vertex of
    the linear program), so try every pair and keep the best. Shapes: x (n,), y (..., n) -> (..., 2)"""
    y2 = np.atleast_2d(y)  # (S, n)
    i, j = np.triu_indices(x.size, k=1)
    keep = x[i] != x[j]
    i, j = i[keep], j[keep]
    slopes = (y2[:, j] - y2[:, i]) / (x[j] - x[i])  # (S, P): every line through two points
    intercepts = y2[:, i] - slopes * x[i]
    cost = np.abs(y2[:, None, :] - slopes[..., None] * x - intercepts[..., None]).sum(axis=-1)  # (S, P)
    best = np.argmin(cost, axis=1)
    rows = np.arange(y2.shape[0])
    return np.stack([slopes[rows, best], intercepts[rows, best]], axis=-1).reshape(np.shape(y)[:-1] + (2,))


def _fit_huber(x: np.ndarray, y: np.ndarray, delta: float, iterations: int = 500, tol: float = 1e-12) -> np.ndarray:
    """Huber regression by iteratively reweighted least squares (weights min(1, δ/|r|)), from the MSE fit.

    Each step minimises a quadratic that lies above the Huber loss and touches it at the current line, so
    the loss never increases; it converges to the (unique for δ > 0 with enough points) minimiser.
    Vectorised over many target vectors at once. Shapes: x (n,), y (..., n) -> (..., 2)
    """
    a = _design(x)  # (n, 2)
    y2 = np.atleast_2d(y)  # (S, n)
    theta = _fit_mse(x, y2)  # (S, 2)
    for _ in range(iterations):
        r = np.abs(y2 - theta @ a.T)  # (S, n)
        w = np.where(r <= delta, 1.0, delta / np.maximum(r, delta))  # (S, n)
        ata = np.einsum("sn,ni,nj->sij", w, a, a)  # (S, 2, 2)
        aty = np.einsum("sn,ni,sn->si", w, a, y2)  # (S, 2)
        new = np.linalg.solve(ata, aty[..., None])[..., 0]
        done = np.max(np.abs(new - theta)) < tol
        theta = new
        if done:
            break
    return theta.reshape(np.shape(y)[:-1] + (2,))


def fit_line(x, y, loss: str = "MSE", delta: float = 1.0) -> tuple[float, float]:
    """The line ``slope · x + intercept`` minimising the mean ``loss`` ("MSE", "MAE" or "Huber" with δ).

    MSE: closed form (least squares). MAE: exact, by trying every line through two points. Huber:
    iteratively reweighted least squares. Each takes well under a millisecond for a few dozen points.

    Shapes: x (n,), y (n,) -> (slope, intercept)

    Raises:
        ValueError: for x and y not 1-D of one length >= 2, an unknown loss, or δ not a finite number > 0.
    """
    x, y = to_float64(x, name="x"), to_float64(y, name="y")
    if x.ndim != 1 or y.shape != x.shape or x.size < 2:
        raise ValueError(f"x and y must be 1-D of the same length >= 2, got shapes {x.shape} and {y.shape}")
    if loss == "MSE":
        theta = _fit_mse(x, y)
    elif loss == "MAE":
        theta = _fit_mae(x, y)
    elif loss == "Huber":
        theta = _fit_huber(x, y, _checked_delta(delta))
    else:
        raise ValueError(f"loss must be one of {', '.join(FITS)}, got {loss!r}")
    return float(theta[0]), float(theta[1])


def outlier_fits(shift: float, delta: float = 1.0, data: OutlierData | None = None) -> dict[str, tuple[float, float]]:
    """The (slope, intercept) of each fit when the outlier is moved up by ``shift``."""
    data = outlier_data() if data is None else data
    y = data.with_shift(shift)
    return {name: fit_line(data.x, y, name, delta) for name in FITS}


def slopes_versus_shift(shifts, delta: float = 1.0, data: OutlierData | None = None) -> dict[str, np.ndarray]:
    """The slope of each fit for every shift of the outlier (vectorised over the shifts).

    Shapes: shifts (S,) -> {"MSE" | "MAE" | "Huber": (S,)}

    Raises:
        ValueError: for shifts that are not a 1-D array of numbers, or δ not a finite number > 0.
    """
    data = outlier_data() if data is None else data
    shifts = to_float64(shifts, name="shifts")
    if shifts.ndim != 1:
        raise ValueError(f"shifts must be a 1-D array of shifts, shape (S,), got shape {shifts.shape}")
    ys = np.repeat(data.y[None, :], shifts.size, axis=0)  # (S, n)
    ys[:, data.outlier] += shifts
    return {"MSE": _fit_mse(data.x, ys)[:, 0], "MAE": _fit_mae(data.x, ys)[:, 0],
            "Huber": _fit_huber(data.x, ys, _checked_delta(delta))[:, 0]}
