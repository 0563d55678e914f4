"""Chapter 02's network playground: a random network 2 → width → … → 1 evaluated over the plane.

``playground_surface(depth, width, activation, scale, seed)`` returns a ``PlaygroundSurface``: the network's
output on a ``GRID`` × ``GRID`` grid over [−3, 3]², its decision boundary (where the output changes sign),
where a hidden unit switches on or off, and how many linear pieces a ReLU network cuts the plane into. The
networks of one seed are nested: a smaller one uses the top-left corners of the largest one's weights, so
adding a unit or a layer changes the picture by that unit only.

Usage::

    from utils.playground import playground_surface
    surface = playground_surface(depth=3, width=8, activation="relu")
    surface.output.shape, surface.regions        # (161, 161), the number of linear pieces
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .module import check_seed
from .network import activation_function, count_parameters

__all__ = ["EXTENT", "GRID", "MAX_HIDDEN", "MAX_WIDTH", "PLAYGROUND_ACTIVATIONS", "PlaygroundSurface",
           "playground_surface"]

PLAYGROUND_ACTIVATIONS = ("relu", "tanh", "sigmoid", "identity", "step")
MAX_WIDTH = 32
MAX_HIDDEN = 6
GRID = 161  # points per side of the plane's grid
EXTENT = 3.0  # the plane shown is [-3, 3]²


@dataclass(frozen=True)
class PlaygroundSurface:
    """The network's output over the plane: ``output`` (GRID, GRID), row i at y = ``ys[i]``, column j at
    x = ``xs[j]``; ``boundary`` (GRID, GRID) bool, True where the output changes sign next to that point;
    ``kinks`` (GRID, GRID) bool, True where a hidden ReLU/step unit switches on or off next to that point;
    ``regions``: the number of distinct on/off patterns of the hidden units seen on the grid (for ReLU, the
    linear pieces of the surface; 0 when not counted); ``n_params``: the number of parameters."""

    depth: int
    width: int
    activation: str
    scale: float
    seed: int
    xs: np.ndarray
    ys: np.ndarray
    output: np.ndarray
    boundary: np.ndarray
    kinks: np.ndarray
    regions: int
    n_params: int


@lru_cache(maxsize=16)
def _master_weights(seed: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Standard-normal draws for the largest playground network; smaller ones use the top-left corners.

    So adding a unit or a layer keeps every other weight: the picture changes by that unit only.
    """
    rng = np.random.default_rng(seed)
    shapes = [(MAX_WIDTH, 2)] + [(MAX_WIDTH, MAX_WIDTH)] * (MAX_HIDDEN - 1)
    weights = [rng.normal(size=s) for s in shapes]
    biases = [rng.normal(size=MAX_WIDTH) for _ in shapes]
    out_weights = [rng.normal(size=(1, MAX_WIDTH)) for _ in range(MAX_HIDDEN + 1)]  # one per depth
    return weights + out_weights, biases


@lru_cache(maxsize=1)
def _plane() -> tuple[np.ndarray, np.ndarray]:
    """The grid's coordinates (GRID,) and its points plus the origin as the last row: (GRID² + 1, 2)."""
    xs = np.linspace(-EXTENT, EXTENT, GRID)
    gx, gy = np.meshgrid(xs, xs)  # row i at y = xs[i], column j at x = xs[j]
    return xs, np.r_[np.c_[gx.ravel(), gy.ravel()], [[0.0, 0.0]]]


def _changes(values: np.ndarray) -> np.ndarray:
    """(GRID, GRID) mask of the points whose right or upper neighbour differs; ``values`` (GRID, GRID, ...)."""
    differs = np.zeros(values.shape[:2], dtype=bool)
    horizontal = values[:, 1:] != values[:, :-1]
    vertical = values[1:, :] != values[:-1, :]
    if values.ndim == 3:
        horizontal, vertical = horizontal.any(axis=2), vertical.any(axis=2)
    differs[:, 1:] |= horizontal
    differs[1:, :] |= vertical
    return differs


def _count_distinct_rows(bits: np.ndarray) -> int:
    """How many different rows a boolean (M, K) array has (exact; ~10× faster than ``np.unique(axis=0)``).

    Each row's bits are packed into 64-bit words, which ``np.lexsort`` orders; a new row starts wherever a word
    changes between neighbours in that order.
    """
    packed = np.packbits(bits, axis=1)  # (M, ceil(K / 8)) bytes
    packed = np.pad(packed, ((0, 0), (0, -packed.shape[1] % 8)))  # whole 8-byte words
    words = packed.view(np.uint64)  # (M, W)
    ordered = words[np.lexsort(words.T[::-1])]
    return int(1 + np.any(ordered[1:] != ordered[:-1], axis=1).sum()) if len(words) else 0


@lru_cache(maxsize=128)
def playground_surface(depth: int = 2, width: int = 8, activation: str = "relu", scale: float = 1.0,
                       seed: int = 0) -> PlaygroundSurface:
    """The output of a random network 2 → width (× depth hidden layers) → 1 on a grid over [-3, 3]².

    Weights: ``W = scale · N(0, 1) / √fan_in`` (so ``scale = 1`` is LeCun's scale: each layer roughly keeps its
    input's spread), hidden biases N(0, 1); all from ``seed``, the smaller networks reusing the larger one's
    draws. ``depth = 0`` is a single linear layer. The output layer is linear (a score); its bias is chosen so
    that the score is 0 at the origin, so the decision boundary (score = 0) always crosses the square.
    ``kinks`` marks where a hidden unit switches between its regimes (ReLU/step: on/off), the borders of the
    linear (or constant) pieces. Cached (the same arguments return the same object: do not modify its arrays).

    Raises:
        ValueError: for depth, width, scale or activation out of range, or a seed that is not an integer >= 0.
    """
    if not (isinstance(depth, (int, np.integer)) and 0 <= depth <= MAX_HIDDEN):
        raise ValueError(f"depth must be an integer from 0 to {MAX_HIDDEN}, got {depth!r}")
    if not (isinstance(width, (int, np.integer)) and 1 <= width <= MAX_WIDTH):
        raise ValueError(f"width must be an integer from 1 to {MAX_WIDTH}, got {width!r}")
    if activation not in PLAYGROUND_ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(PLAYGROUND_ACTIVATIONS)}")
    scale = float(scale)
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a number > 0, got {scale}")
    weights, biases = _master_weights(check_seed(seed))
    xs, points = _plane()
    f = activation_function(activation)
    a, fan_in, patterns = points, 2, []
    for layer in range(depth):
        W = scale * weights[layer][:width, :fan_in] / np.sqrt(fan_in)  # (width, fan_in)
        z = a @ W.T + biases[layer][:width]  # (G² + 1, fan_in) -> (G² + 1, width)
        patterns.append(z[:-1] > 0)
        a, fan_in = f(z), width
    w_out = scale * weights[MAX_HIDDEN + depth][:, :fan_in] / np.sqrt(fan_in)  # (1, fan_in)
    score = (a @ w_out.T)[:, 0]  # (G² + 1,)
    grid = (score[:-1] - score[-1]).reshape(GRID, GRID)  # output bias: the score is 0 at the origin
    boundary = _changes(grid > 0)
    if patterns and activation in ("relu", "step"):
        on_off = np.concatenate(patterns, axis=1)  # (G², depth * width) which units are on
        regions = _count_distinct_rows(on_off)
        kinks = _changes(on_off.reshape(GRID, GRID, -1))
    else:
        regions = 1 if activation == "identity" or depth == 0 else 0
        kinks = np.zeros((GRID, GRID), dtype=bool)
    n_params = count_parameters([2] + [int(width)] * int(depth) + [1])
    return PlaygroundSurface(int(depth), int(width), activation, scale, int(seed), xs, xs.copy(), grid, boundary,
                             kinks, int(regions), int(n_params))

