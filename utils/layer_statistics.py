"""What initialization does to a deep stack's signal: each layer's activations, summarised (Chapter 02).

``init_statistics(scheme, activation, depth, width)`` pushes ``N_SAMPLES`` random inputs through a deep
random network (``utils.network.deep_activations``: ``depth`` layers of ``width`` units, weights from
``utils.init.SCHEMES[scheme]``, zero biases) and returns an ``InitStatistics``: each layer's histogram over
``HIST_RANGE[activation]``, std, mean, share of exact zeros, share saturated, and a verdict in words (the
signal vanishes, explodes, saturates, stays constant or survives). Cached: the same arguments give the same
object, and a shallower network's statistics are the first layers of the deepest one's.

Usage::

    from utils.layer_statistics import init_statistics
    stats = init_statistics("kaiming_normal", "relu", depth=10, width=256)
    stats.std, stats.verdict
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .network import deep_activations

__all__ = ["HIST_RANGE", "INIT_ACTIVATIONS", "INIT_SCHEMES", "MAX_DEPTH", "N_BINS", "N_SAMPLES", "InitStatistics",
           "init_statistics"]

INIT_SCHEMES = ("zeros", "small_normal", "normal", "lecun_normal", "xavier_uniform", "xavier_normal",
                "kaiming_uniform", "kaiming_normal")
"""The schemes of ``utils.init.SCHEMES`` in the order menus and figures list them (labels in ``utils.init.LABELS``)."""

INIT_ACTIVATIONS = ("tanh", "relu", "sigmoid", "identity")
MAX_DEPTH = 10
N_SAMPLES = 250  # inputs pushed through the network: 250 × width values per layer
N_BINS = 40

HIST_RANGE = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "relu": (0.0, 4.0), "identity": (-4.0, 4.0)}
"""The histograms' x-range per activation: values outside are counted in the edge bins (and reported)."""


def _check_choice(value, allowed, what: str):
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; choose one of {', '.join(map(str, allowed))}")
    return value


@dataclass(frozen=True)
class InitStatistics:
    """Each layer's activations in a deep random network, summarised for one setting.

    counts (depth, N_BINS): each layer's histogram over ``edges`` (values outside counted in the edge bins);
    edges (N_BINS + 1,); std (depth,), mean (depth,); zero_fraction (depth,): share of activations exactly 0;
    outside (depth,): share outside the histogram's range; saturated (depth,): share with |a| > 0.99 of the
    activation's bound (tanh, sigmoid; 0 otherwise); verdict: one sentence saying what happens.
    """

    scheme: str
    activation: str
    depth: int
    width: int
    counts: np.ndarray
    edges: np.ndarray
    std: np.ndarray
    mean: np.ndarray
    zero_fraction: np.ndarray
    outside: np.ndarray
    saturated: np.ndarray
    verdict: str

    @property
    def fate(self) -> str:
        """What happens to the signal by the last layer: "constant", "saturates", "vanishes", "explodes" or
        "survives" (see ``_fate``)."""
        return _fate(self.std, self.saturated)


def _times(ratio: float) -> str:
    """A growth factor as a learner reads it: ×2.7, ×0.05, ×4·10⁹, ×3·10⁻⁸."""
    if 1e-3 <= ratio < 1e3:
        return f"×{ratio:.2g}"
    exponent = int(np.floor(np.log10(ratio)))
    mantissa = ratio / 10.0**exponent
    sup = str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"×{mantissa:.0f}·10{sup}"


def _fate(std: np.ndarray, saturated: np.ndarray) -> str:
    """What happens to the signal: "constant" (std 0: every unit outputs one value whatever the input, e.g. 0 for
    zero weights and tanh, 0.5 for sigmoid), "saturates", "vanishes", "explodes" or "survives"."""
    if not std.any():
        return "constant"
    if saturated[-1] > 0.5:
        return "saturates"
    ratio = std[-1] / std[0]
    if std[-1] < 1e-3 or ratio < 0.1:
        return "vanishes"
    return "explodes" if ratio > 10 else "survives"


def _verdict(std: np.ndarray, saturated: np.ndarray, mean: np.ndarray) -> str:
    fate = _fate(std, saturated)
    if fate == "constant":
        return (f"every activation is exactly {mean[-1]:.2g}, whatever the input: no signal gets through"
                if mean[-1] else "every activation is exactly 0: no signal gets through")
    if fate == "saturates":
        return f"{saturated[-1]:.0%} of the last layer's units are saturated (flat parts: tiny gradients)"
    return f"the spread changes {_times(std[-1] / std[0])} from layer 1 to {len(std)}: the signal {fate}"


@lru_cache(maxsize=64)
def init_statistics(scheme: str = "xavier_uniform", activation: str = "tanh", depth: int = MAX_DEPTH,
                    width: int = 256) -> InitStatistics:
    """Histograms and statistics of every layer's activations in a deep random network (cached).

    The network and its inputs are ``utils.network.deep_activations(scheme, activation, depth, width,
    n_samples=N_SAMPLES, seed=0)``: the same arguments always give the same figure. (Computed once for
    ``MAX_DEPTH`` layers per scheme, activation and width; a shallower network is its first layers.)

    Raises:
        ValueError: for an unknown scheme or activation, or depth / width out of range.
    """
    _check_choice(scheme, INIT_SCHEMES, "scheme")
    _check_choice(activation, INIT_ACTIVATIONS, "activation")
    if not (isinstance(depth, (int, np.integer)) and 1 <= depth <= MAX_DEPTH):
        raise ValueError(f"depth must be an integer from 1 to {MAX_DEPTH}, got {depth!r}")
    if not (isinstance(width, (int, np.integer)) and 2 <= width <= 1024):
        raise ValueError(f"width must be an integer from 2 to 1024, got {width!r}")
    full = _all_layers(scheme, activation, int(width))  # layers 1..depth of the deepest network are this one
    depth = int(depth)
    counts, std, mean, zeros, outside, saturated = (a[:depth] for a in full[1:])
    return InitStatistics(scheme, activation, depth, int(width), counts, full[0], std, mean, zeros, outside, saturated,
                          _verdict(std, saturated, mean))


@lru_cache(maxsize=64)
def _all_layers(scheme: str, activation: str, width: int) -> tuple[np.ndarray, ...]:
    """(edges, counts, std, mean, zero_fraction, outside, saturated) of all MAX_DEPTH layers.

    A shallower network's layers are the first layers of the deepest one (``deep_activations`` draws the inputs,
    then each layer's weights, in order), so moving the depth slider only slices these.
    """
    acts = deep_activations(scheme, activation, MAX_DEPTH, width, n_samples=N_SAMPLES, seed=0)
    lo, hi = HIST_RANGE[activation]
    edges = np.linspace(lo, hi, N_BINS + 1)
    flat = acts.reshape(MAX_DEPTH, -1)  # (depth, N * width)
    bins = np.clip(((flat - lo) * (N_BINS / (hi - lo))).astype(np.int64), 0, N_BINS - 1)  # values beyond: edge bins
    counts = np.stack([np.bincount(row, minlength=N_BINS) for row in bins]).astype(float)  # (depth, N_BINS)
    if activation in ("tanh", "sigmoid"):  # |a| > 0.99 of the way to the bounds ±1 (tanh), 0 and 1 (sigmoid)
        magnitude = np.abs(flat - 0.5) * 2.0 if activation == "sigmoid" else np.abs(flat)
        saturated = np.mean(magnitude > 0.99, axis=1)
    else:
        saturated = np.zeros(MAX_DEPTH)
    return (edges, counts, flat.std(axis=1), flat.mean(axis=1), np.mean(flat == 0.0, axis=1),
            np.mean((flat < lo) | (flat > hi), axis=1), saturated)
