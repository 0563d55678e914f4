"""Weight initializers in NumPy, following ``torch.nn.init``'s formulas, each drawing from an explicit ``rng``.

Weights use PyTorch's layout, ``(out_features, in_features)`` (or ``(out, in, *kernel)`` for convolutions), so

    fan_in  = shape[1] * receptive field      (how many inputs each output unit sums)
    fan_out = shape[0] * receptive field      (how many output units each input feeds)

The schemes and the standard deviation each one draws with (a uniform ``U(-a, a)`` has std ``a / √3``, so its
bound is ``a = √3 · std``):

============================  ==========================================  =================================
scheme                        std of the weights                          PyTorch
============================  ==========================================  =================================
``zeros``                     0 (every unit identical: symmetry problem)  ``nn.init.zeros_``
``normal(std)``               ``std`` (often 0.01 in introductory code)   ``nn.init.normal_(w, 0, std)``
``lecun_normal``              ``1 / √fan_in``                             ``kaiming_normal_(w, nonlinearity="linear")``
``xavier_uniform/_normal``    ``gain · √(2 / (fan_in + fan_out))``        ``nn.init.xavier_uniform_/_normal_``
``kaiming_uniform/_normal``   ``gain / √fan``, fan = fan_in or fan_out    ``nn.init.kaiming_uniform_/_normal_``
``linear_default``            ``1 / √(3 fan_in)``: U(±1/√fan_in)          ``nn.Linear``'s own initialization
============================  ==========================================  =================================

``gain`` is ``calculate_gain(nonlinearity, param)`` (1 for linear and sigmoid, 5/3 for tanh, √2 for ReLU,
√(2 / (1 + slope²)) for Leaky ReLU), exactly as ``torch.nn.init.calculate_gain``. Many tutorials call
``randn(fan_in, fan_out) * sqrt(1 / fan_in)`` "Xavier": that is LeCun's scheme (``lecun_normal``); Xavier
(Glorot) averages fan-in and fan-out. Our ``lecun_normal`` draws from a plain normal, as that code does (Keras's
``lecun_normal`` truncates it at two standard deviations).

Every initializer has the signature ``init(shape, rng, ...) -> ndarray`` (float64, a new array) and never
touches NumPy's global random state. ``SCHEME_TABLE`` is the one table of the named schemes the course's
notebooks and explorers use: name -> ``Scheme(label, draw, std)``, the label a learner reads, the
``(shape, rng) -> ndarray`` function and the standard deviation it draws with (the tests compare sample
statistics with it, never raw values). ``SCHEMES`` (name -> draw), ``LABELS`` (name -> label) and
``scheme_std(name, shape)`` are views of it; ``get_scheme(name)`` looks a row up.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from .module import check_number, check_rng

__all__ = [
    "LABELS",
    "SCHEMES",
    "SCHEME_TABLE",
    "Scheme",
    "calculate_gain",
    "compute_fans",
    "get_scheme",
    "kaiming_normal",
    "kaiming_std",
    "kaiming_uniform",
    "lecun_normal",
    "linear_default",
    "normal",
    "scheme_std",
    "uniform",
    "xavier_normal",
    "xavier_std",
    "xavier_uniform",
    "zeros",
]

_LINEAR_NAMES = ("linear", "identity", "conv1d", "conv2d", "conv3d", "sigmoid")


# ---------------------------------------------------------------------------------------------
# Checks shared by every initializer
# ---------------------------------------------------------------------------------------------
def _check_shape(shape) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    bad = ValueError(f"shape must be a tuple of non-negative integers, got {shape!r}")
    if isinstance(shape, (str, bytes)):
        raise bad
    try:
        dims = tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise bad from None
    if any(d < 0 for d in dims) or any(isinstance(d, (bool, float)) for d in shape):
        raise bad
    return dims


# ---------------------------------------------------------------------------------------------
# Fans and gains
# ---------------------------------------------------------------------------------------------
def compute_fans(shape) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape ``(out_features, in_features, *kernel)``.

    ``fan_in = shape[1] · prod(kernel)``, ``fan_out = shape[0] · prod(kernel)``, as PyTorch's
    ``_calculate_fan_in_and_fan_out``. For a Linear weight (out, in): ``fan_in = in``, ``fan_out = out``.

    Raises:
        ValueError: for fewer than two dimensions (a bias has no fan-in and fan-out).
    """
    dims = _check_shape(shape)
    if len(dims) < 2:
        raise ValueError(f"fan_in and fan_out need a weight with at least 2 dimensions (out, in, ...), "
                         f"got shape {dims}")
    receptive_field = math.prod(dims[2:])
    return dims[1] * receptive_field, dims[0] * receptive_field


def calculate_gain(nonlinearity: str = "linear", param: float | None = None) -> float:
    """The recommended scale for an activation function, as ``torch.nn.init.calculate_gain``.

    ``linear``/``identity``/``conv*``/``sigmoid``: 1; ``tanh``: 5/3; ``relu``: √2;
    ``leaky_relu``: √(2 / (1 + slope²)) with slope ``param`` (default 0.01); ``selu``: 3/4.

    Raises:
        ValueError: for an unknown name or a non-numeric ``param``.
    """
    name = str(nonlinearity).lower()
    if name in _LINEAR_NAMES:
        return 1.0
    if name == "tanh":
        return 5.0 / 3.0
    if name == "relu":
        return math.sqrt(2.0)
    if name == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float, np.integer, np.floating)) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1.0 + slope**2))
    if name == "selu":
        return 3.0 / 4.0
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}; choose one of linear, identity, sigmoid, tanh, "
                     "relu, leaky_relu, selu")


def xavier_std(shape, gain: float = 1.0) -> float:
    """The std Xavier/Glorot draws with: ``gain · √(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = compute_fans(shape)
    if fan_in + fan_out == 0:
        raise ValueError(f"Xavier needs fan_in + fan_out > 0, got shape {tuple(shape)}")
    return check_number(gain, "gain", at_least=0) * math.sqrt(2.0 / (fan_in + fan_out))


def _fan(shape, mode: str) -> int:
    fan_in, fan_out = compute_fans(shape)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan = fan_in if mode == "fan_in" else fan_out
    if fan == 0:
        raise ValueError(f"cannot initialize a weight with {mode} = 0 (shape {tuple(shape)})")
    return fan


def kaiming_std(shape, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> float:
    """The std Kaiming/He draws with: ``calculate_gain(nonlinearity, a) / √fan`` (fan = fan_in or fan_out).

    PyTorch's defaults (``a=0``, ``nonlinearity="leaky_relu"``) give the ReLU gain √2: std = √(2 / fan_in).
    """
    return calculate_gain(nonlinearity, a) / math.sqrt(_fan(shape, mode))


# ---------------------------------------------------------------------------------------------
# Initializers: (shape, rng, ...) -> a new float64 array
# ---------------------------------------------------------------------------------------------
def zeros(shape, rng: np.random.Generator | None = None) -> np.ndarray:
    """All zeros (``torch.nn.init.zeros_``). ``rng`` is accepted, and unused, so every scheme is called alike.

    Fine for biases; for weights it makes every unit of a layer compute the same thing (the symmetry problem).
    """
    if rng is not None:
        check_rng(rng)
    return np.zeros(_check_shape(shape))


def normal(shape, rng: np.random.Generator, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """Draws from ``N(mean, std²)`` (``torch.nn.init.normal_``)."""
    rng = check_rng(rng)
    mean, std = check_number(mean, "mean"), check_number(std, "std", at_least=0)
    return rng.normal(mean, std, size=_check_shape(shape))


def uniform(shape, rng: np.random.Generator, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """Draws from ``U(low, high)`` (``torch.nn.init.uniform_``)."""
    low, high = check_number(low, "low"), check_number(high, "high")
    if not low <= high:
        raise ValueError(f"uniform needs low <= high, got low={low}, high={high}")
    return check_rng(rng).uniform(low, high, size=_check_shape(shape))


def lecun_normal(shape, rng: np.random.Generator) -> np.ndarray:
    """LeCun: ``N(0, 1 / fan_in)``, keeps the variance through linear layers (what many tutorials call "Xavier").

    Same as ``torch.nn.init.kaiming_normal_(w, nonlinearity="linear")``.
    """
    return normal(shape, rng, std=kaiming_std(shape, nonlinearity="linear"))


def xavier_uniform(shape, rng: np.random.Generator, gain: float = 1.0) -> np.ndarray:
    """Xavier/Glorot uniform: ``U(-a, a)`` with ``a = gain · √(6 / (fan_in + fan_out))``."""
    bound = math.sqrt(3.0) * xavier_std(shape, gain)
    return uniform(shape, rng, -bound, bound)


def xavier_normal(shape, rng: np.random.Generator, gain: float = 1.0) -> np.ndarray:
    """Xavier/Glorot normal: ``N(0, std²)`` with ``std = gain · √(2 / (fan_in + fan_out))``."""
    return normal(shape, rng, std=xavier_std(shape, gain))


def kaiming_uniform(shape, rng: np.random.Generator, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> np.ndarray:
    """Kaiming/He uniform: ``U(-bound, bound)``, ``bound = gain · √(3 / fan)`` (``torch.nn.init.kaiming_uniform_``).

    With ``a = √5`` (what ``torch.nn.Linear`` uses) the bound is ``1 / √fan_in``.
    """
    bound = math.sqrt(3.0) * kaiming_std(shape, a, mode, nonlinearity)
    return uniform(shape, rng, -bound, bound)


def kaiming_normal(shape, rng: np.random.Generator, a: float = 0.0, mode: str = "fan_in",
                   nonlinearity: str = "leaky_relu") -> np.ndarray:
    """Kaiming/He normal: ``N(0, std²)``, ``std = gain / √fan`` (``torch.nn.init.kaiming_normal_``).

    PyTorch's defaults give the ReLU gain: std = √(2 / fan_in).
    """
    return normal(shape, rng, std=kaiming_std(shape, a, mode, nonlinearity))


# ---------------------------------------------------------------------------------------------
# The named schemes of the notebooks and explorers: one table
# ---------------------------------------------------------------------------------------------
def linear_default(shape, rng: np.random.Generator) -> np.ndarray:
    """``torch.nn.Linear``'s default weights: ``kaiming_uniform(a=√5)``, i.e. ``U(-1/√fan_in, 1/√fan_in)``."""
    return kaiming_uniform(shape, rng, a=math.sqrt(5.0))


@dataclass(frozen=True)
class Scheme:
    """One named weight initializer, a row of ``SCHEME_TABLE``.

    ``label``: what a learner reads; ``draw(shape, rng)``: the weights (a new float64 array); ``std(shape)``:
    the standard deviation of the distribution it draws from (the tests compare sample statistics with it).
    """

    label: str
    draw: Callable[[Sequence[int], np.random.Generator], np.ndarray]
    std: Callable[[Sequence[int]], float]


SCHEME_TABLE: dict[str, Scheme] = {
    "zeros": Scheme("zeros", zeros, lambda shape: 0.0),
    "small_normal": Scheme("N(0, 0.01²)", lambda shape, rng: normal(shape, rng, std=0.01), lambda shape: 0.01),
    "normal": Scheme("N(0, 1)", lambda shape, rng: normal(shape, rng, std=1.0), lambda shape: 1.0),
    "lecun_normal": Scheme("LeCun normal", lecun_normal, lambda shape: kaiming_std(shape, nonlinearity="linear")),
    "xavier_uniform": Scheme("Xavier uniform", xavier_uniform, xavier_std),
    "xavier_normal": Scheme("Xavier normal", xavier_normal, xavier_std),
    "kaiming_uniform": Scheme("He uniform", kaiming_uniform, kaiming_std),
    "kaiming_normal": Scheme("He normal", kaiming_normal, kaiming_std),
    "pytorch": Scheme("PyTorch default", linear_default, lambda shape: kaiming_std(shape, a=math.sqrt(5.0))),
}
"""Name -> ``Scheme``: every named initializer of the course; Xavier with gain 1, Kaiming with PyTorch's defaults
(ReLU gain √2), ``pytorch`` what ``torch.nn.Linear`` (and ``utils.layers.Linear``) draws its weights with.
To add a scheme, add a row here: ``SCHEMES``, ``LABELS`` and ``scheme_std`` follow."""

SCHEMES: dict[str, Callable[[Sequence[int], np.random.Generator], np.ndarray]] = {
    name: scheme.draw for name, scheme in SCHEME_TABLE.items()}
"""Name -> ``(shape, rng) -> weights`` (a view of ``SCHEME_TABLE``)."""

LABELS = {name: scheme.label for name, scheme in SCHEME_TABLE.items()}
"""Name -> the label a learner reads (a view of ``SCHEME_TABLE``)."""


def get_scheme(name: str) -> Scheme:
    """The row of ``SCHEME_TABLE`` called ``name``.

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    if not isinstance(name, str) or name not in SCHEME_TABLE:
        raise ValueError(f"unknown scheme {name!r}; choose one of {', '.join(SCHEME_TABLE)}")
    return SCHEME_TABLE[name]


def scheme_std(name: str, shape) -> float:
    """The standard deviation of the distribution the scheme ``name`` (a key of ``SCHEMES``) draws from.

    Raises:
        ValueError: for an unknown scheme.
    """
    stds = {key: partial(scheme.std, shape) for key, scheme in SCHEME_TABLE.items()}
    if name not in stds:
        raise ValueError(f"unknown scheme {name!r}; choose one of {', '.join(SCHEMES)}")
    return stds[name]()
