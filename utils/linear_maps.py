"""Matrices as linear maps, in the course's batch-first layout (one point or example per row).

A weight matrix ``W`` of shape ``(out_features, in_features)`` maps a batch ``X`` of shape ``(N, in)`` to
``X Wᵀ + b`` of shape ``(N, out)``, as ``torch.nn.functional.linear(X, W, b)`` does. For the pictures, a
2×2 matrix ``A`` moves every point ``p`` (a row) to ``p Aᵀ``: the grid lines stay straight and parallel,
the unit circle becomes an ellipse, and areas are multiplied by ``|det A|``.

Functions: ``affine`` (what a linear layer computes), ``compose`` (several linear maps as one matrix),
``transform`` (points through a 2×2 matrix), ``grid_segments``, ``unit_circle``, ``unit_square``,
``determinant`` and ``describe`` (what the determinant says about a 2×2 map); ``check_limits`` checks the
``(lo, hi)`` window of a figure (``utils.perceptron`` uses it too).
"""

from __future__ import annotations

import numpy as np

from .module import check_number, check_positive_int, to_float64

__all__ = ["affine", "check_limits", "compose", "describe", "determinant", "grid_segments", "transform",
           "unit_circle", "unit_square"]


def affine(X, W, b=None) -> np.ndarray:
    """``Z = X Wᵀ + b``: the output of a linear (dense, fully connected) layer for a batch.

    Shapes: X (N, in_features), W (out_features, in_features), b (out_features,) or None -> Z (N, out_features)

    Raises:
        ValueError: naming both shapes when they do not fit together.
    """
    X, W = to_float64(X, name="X"), to_float64(W, name="W")
    if X.ndim != 2 or W.ndim != 2:
        raise ValueError(f"X must be (N, in_features) and W (out_features, in_features); "
                         f"got X {X.shape} and W {W.shape}")
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"X has {X.shape[1]} features per row but W expects {W.shape[1]} "
                         f"(X {X.shape}, W {W.shape}: W is (out_features, in_features))")
    Z = X @ W.T  # (N, in) @ (in, out) -> (N, out)
    if b is None:
        return Z
    b = to_float64(b, name="b")
    if b.shape != (W.shape[0],):
        raise ValueError(f"b must have shape ({W.shape[0]},), one bias per output; got {b.shape}")
    return Z + b  # b (out,) broadcasts over the N rows


def compose(*weights) -> np.ndarray:
    """The one matrix that does what the linear maps ``weights`` do one after the other (first listed first).

    Applying ``W1`` then ``W2`` to a batch gives ``(X W1ᵀ) W2ᵀ = X (W2 W1)ᵀ``, so ``compose(W1, W2) = W2 @ W1``:
    the *last* map stands on the *left*, as in ``f(g(x))``.

    Shapes: W1 (d1, d0), W2 (d2, d1), ... -> (d_last, d0)

    Raises:
        ValueError: if no matrix is given or two neighbours do not fit (naming both shapes).
    """
    if not weights:
        raise ValueError("compose needs at least one matrix")
    mats = [to_float64(W, name=f"W{i + 1}") for i, W in enumerate(weights)]
    for i, W in enumerate(mats):
        if W.ndim != 2:
            raise ValueError(f"W{i + 1} must be a matrix (out_features, in_features); got shape {W.shape}")
    result = mats[0].copy()
    for i, W in enumerate(mats[1:], start=2):
        if W.shape[1] != result.shape[0]:
            raise ValueError(f"W{i} {W.shape} cannot follow a map with {result.shape[0]} outputs "
                             f"(W{i - 1} {mats[i - 2].shape}): W{i} needs {result.shape[0]} input features")
        result = W @ result
    return result


def _check_2x2(A) -> np.ndarray:
    A = to_float64(A, name="A")
    if A.shape != (2, 2):
        raise ValueError(f"A must be a 2×2 matrix; got shape {A.shape}")
    return A


def transform(points, A) -> np.ndarray:
    """Move each point (a row) by the 2×2 matrix ``A``: ``points Aᵀ``.

    Shapes: points (..., 2), A (2, 2) -> (..., 2)
    """
    A = _check_2x2(A)
    P = to_float64(points, name="points")
    if P.shape[-1:] != (2,):
        raise ValueError(f"points must have 2 coordinates in the last axis, shape (..., 2); got {P.shape}")
    return P @ A.T


def check_limits(limits, name: str = "limits") -> tuple[float, float]:
    """``(lo, hi)`` as two floats, checked to be two finite numbers with ``lo < hi`` (a square window ``[lo, hi]²``).

    Raises:
        ValueError: ``"limits must be (lo, hi) with lo < hi; got ..."``.
    """
    bad = ValueError(f"{name} must be (lo, hi) with lo < hi; got {limits!r}")
    if np.ndim(limits) != 1 or np.shape(limits) != (2,):
        raise bad
    try:
        lo, hi = (check_number(v, name) for v in limits)
    except ValueError:
        raise bad from None
    if not lo < hi:
        raise bad
    return lo, hi


def grid_segments(limits=(-2.0, 2.0), n: int = 9) -> np.ndarray:
    """A square grid as straight segments: ``n`` vertical then ``n`` horizontal lines across ``[lo, hi]²``.

    Two end points per line are enough, because a linear map keeps straight lines straight.

    Shapes: -> (2n, 2, 2): segment, end point, (x, y)

    Raises:
        ValueError: for limits that are not (lo, hi) with lo < hi, or n not an integer >= 2.
    """
    lo, hi = check_limits(limits)
    if check_positive_int(n, "n") < 2:
        raise ValueError(f"n must be an integer >= 2 (lines per direction); got {n!r}")
    ticks = np.linspace(lo, hi, int(n))
    vertical = np.stack([np.stack([ticks, np.full_like(ticks, lo)], -1),
                         np.stack([ticks, np.full_like(ticks, hi)], -1)], axis=1)
    horizontal = vertical[:, :, ::-1]
    return np.concatenate([vertical, horizontal])


def unit_circle(n: int = 121) -> np.ndarray:
    """``n`` points of the unit circle, the first repeated at the end (a closed curve). Shapes: -> (n, 2)

    Raises:
        ValueError: for n not an integer >= 4.
    """
    if check_positive_int(n, "n") < 4:
        raise ValueError(f"n must be an integer >= 4; got {n!r}")
    angle = np.linspace(0.0, 2.0 * np.pi, int(n))
    return np.stack([np.cos(angle), np.sin(angle)], axis=-1)


def unit_square() -> np.ndarray:
    """The corners of the unit square (0,0), (1,0), (1,1), (0,1), i.e. 0, e₁, e₁ + e₂, e₂. Shapes: -> (4, 2)"""
    return np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])


def determinant(A) -> float:
    """``det A = a·d − b·c`` of a 2×2 matrix ``[[a, b], [c, d]]``: the factor by which ``A`` scales areas,
    negative when it flips the orientation (a mirror image)."""
    A = _check_2x2(A)
    return float(A[0, 0] * A[1, 1] - A[0, 1] * A[1, 0])


def describe(A, tol: float = 1e-12) -> str:
    """What the determinant says about the map ``A``, in words (for titles)."""
    A = _check_2x2(A)
    det = determinant(A)
    if abs(det) <= tol:
        if np.abs(A).max() <= tol:
            return "squashes the whole plane onto one point (det = 0): not invertible"
        return "squashes the plane onto a line (det = 0): not invertible"
    orientation = "keeps the orientation" if det > 0 else "flips the orientation (a mirror image)"
    return f"{orientation}; areas × {abs(det):.2f}"
