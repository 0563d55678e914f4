"""Activation functions from scratch in NumPy (float64), their derivatives, and ``torch.nn``-style modules.

Everything here matches PyTorch to ~1e-10 (the tests check it) and stays free of overflow warnings
for inputs as large as ±1000 (and ±1e300 where it makes sense).

Functions (``x`` is any-shaped and array-like; integers are converted to float64):

- elementwise: ``step``, ``identity``, ``sigmoid``, ``tanh``, ``relu``, ``leaky_relu``, ``prelu``,
  ``rrelu``, ``elu``, ``gelu``, ``silu``, ``softplus``
- along an axis: ``softmax``, ``log_softmax``, ``softmax_temperature`` (softmax of x / T), and
  ``entropy`` (of a distribution, in nats)

Derivatives, always with respect to the *input* ``x`` (the pre-activation), named
``<name>_derivative(x, ...)``; at kinks they follow PyTorch's autograd: ReLU'(0) = 0,
LeakyReLU'(0) = negative_slope, PReLU'(0) = weight, ELU'(0) = alpha. Also ``prelu_weight_grad``,
``rrelu_slopes`` (the slopes *are* RReLU's derivative), and for softmax / log-softmax
``softmax_jacobian``, ``softmax_vjp``, ``log_softmax_jacobian``, ``log_softmax_vjp``.

Modules (``forward`` keeps what ``backward`` needs; ``backward(grad_out)`` returns dL/dx):
``Identity``, ``Step``, ``Sigmoid``, ``Tanh``, ``ReLU``, ``LeakyReLU``, ``PReLU``, ``RReLU``, ``ELU``,
``GELU``, ``SiLU``, ``Softplus``, ``Softmax``, ``LogSoftmax``.

By name: ``ACTIVATION_TABLE`` is the one table of activations, lowercase name -> ``ActivationSpec`` (label,
function, derivative, module, PyTorch twin); ``make_activation(name)`` gives a fresh module,
``make_torch_activation(name)`` its ``torch.nn`` twin (PyTorch is imported only then), ``activation_spec(name)``
the row; ``ACTIVATIONS`` maps each elementwise name to its ``(function, derivative)`` pair (default settings).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .module import Module, Parameter, check_number, check_positive_int, to_float64

__all__ = [
    "ACTIVATIONS",
    "ACTIVATION_TABLE",
    "ALIASES",
    "ActivationSpec",
    "ELU",
    "GELU",
    "Identity",
    "LeakyReLU",
    "LogSoftmax",
    "PReLU",
    "RReLU",
    "ReLU",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Step",
    "Tanh",
    "activation_spec",
    "elu",
    "elu_derivative",
    "entropy",
    "gelu",
    "gelu_derivative",
    "identity",
    "identity_derivative",
    "leaky_relu",
    "leaky_relu_derivative",
    "log_softmax",
    "log_softmax_jacobian",
    "log_softmax_vjp",
    "make_activation",
    "make_torch_activation",
    "prelu",
    "prelu_derivative",
    "prelu_weight_grad",
    "relu",
    "relu_derivative",
    "rrelu",
    "rrelu_slopes",
    "sigmoid",
    "sigmoid_derivative",
    "silu",
    "silu_derivative",
    "softmax",
    "softmax_jacobian",
    "softmax_temperature",
    "softmax_vjp",
    "softplus",
    "softplus_derivative",
    "step",
    "step_derivative",
    "tanh",
    "tanh_derivative",
]

_SQRT_2_OVER_PI = np.sqrt(2.0 / np.pi)
_GELU_KAPPA = 0.044715


def _grad_like(grad_out, like: np.ndarray) -> np.ndarray:
    """``grad_out`` as float64, checked to have the shape of ``like`` (the output / input)."""
    g = to_float64(grad_out, name="grad_out")
    if g.shape != like.shape:
        raise ValueError(f"grad_out must have the output's shape {like.shape}, got {g.shape}")
    return g


# ---------------------------------------------------------------------------------------------
# Elementwise activations and their derivatives
# ---------------------------------------------------------------------------------------------
def step(x) -> np.ndarray:
    """Heaviside step: ``step(x) = 1 if x >= 0 else 0`` (so ``step(0) = 1``, like ``torch.heaviside(x, 1)``).

    Shapes: x (...) -> (...)
    """
    return np.heaviside(to_float64(x), 1.0)


def step_derivative(x) -> np.ndarray:
    """Zero everywhere (undefined at 0): the step gives gradient descent nothing to follow.

    PyTorch's ``heaviside`` has no gradient at all (autograd raises); the ``Step`` module returns zeros.

    Shapes: x (...) -> (...)
    """
    return np.zeros_like(to_float64(x))


def identity(x) -> np.ndarray:
    """``identity(x) = x`` (returned as a new float64 array).

    Shapes: x (...) -> (...)
    """
    return to_float64(x).copy()


def identity_derivative(x) -> np.ndarray:
    """``identity'(x) = 1``.

    Shapes: x (...) -> (...)
    """
    return np.ones_like(to_float64(x))


def sigmoid(x) -> np.ndarray:
    """Logistic sigmoid ``σ(x) = 1 / (1 + e^(-x))``, with values in (0, 1).

    Shapes: x (...) -> (...)
    """
    x = to_float64(x)
    # e^(-|x|) is at most 1, so it never overflows; use the form of σ that needs only it.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(x) -> np.ndarray:
    """``σ'(x) = σ(x) (1 - σ(x))``, largest (0.25) at x = 0.

    Shapes: x (...) -> (...)
    """
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x) -> np.ndarray:
    """Hyperbolic tangent ``tanh(x) = (e^x - e^(-x)) / (e^x + e^(-x)) = 2σ(2x) - 1``, values in (-1, 1).

    Shapes: x (...) -> (...)
    """
    return np.tanh(to_float64(x))  # NumPy's tanh is already stable at any |x|


def tanh_derivative(x) -> np.ndarray:
    """``tanh'(x) = 1 - tanh(x)²``.

    Shapes: x (...) -> (...)
    """
    return 1.0 - np.tanh(to_float64(x)) ** 2


def relu(x) -> np.ndarray:
    """Rectified linear unit ``relu(x) = max(x, 0)``.

    Shapes: x (...) -> (...)
    """
    return np.maximum(to_float64(x), 0.0)


def relu_derivative(x) -> np.ndarray:
    """``relu'(x) = 1 if x > 0 else 0`` (0 at x = 0, as PyTorch).

    Shapes: x (...) -> (...)
    """
    return (to_float64(x) > 0).astype(np.float64)


def leaky_relu(x, negative_slope: float = 0.01) -> np.ndarray:
    """``leaky_relu(x) = x if x > 0 else negative_slope · x``.

    Shapes: x (...) -> (...)
    """
    x = to_float64(x)
    return np.where(x > 0, x, check_number(negative_slope, "negative_slope") * x)


def leaky_relu_derivative(x, negative_slope: float = 0.01) -> np.ndarray:
    """``1 if x > 0 else negative_slope`` (``negative_slope`` at x = 0, as PyTorch).

    Shapes: x (...) -> (...)
    """
    return np.where(to_float64(x) > 0, 1.0, check_number(negative_slope, "negative_slope"))


def _prelu_weight(x: np.ndarray, weight) -> np.ndarray:
    """PReLU's weight reshaped to broadcast over ``x``: one slope, or one per channel (axis 1)."""
    w = to_float64(weight, name="weight")
    channels = x.shape[1] if x.ndim >= 2 else 1  # like PyTorch: no channel axis below 2-D
    if w.ndim > 1 or w.size not in (1, channels):
        raise ValueError(
            f"prelu weight must have shape (1,) or (C,) = ({channels},) with C = x.shape[1] "
            f"for x of shape {x.shape}; got weight of shape {w.shape}"
        )
    if w.size == 1:
        return w.reshape(())
    return w.reshape((channels,) + (1,) * (x.ndim - 2))  # (C,) -> (C, 1, ..., 1)


def prelu(x, weight) -> np.ndarray:
    """Parametric ReLU ``prelu(x) = x if x > 0 else a · x`` with a learnable slope ``a``.

    ``weight`` holds one slope (shape () or (1,)) or one per channel, shape (C,), applied along
    axis 1 of an (N, C, ...) input, as ``torch.nn.functional.prelu``.

    Shapes: x (N, C, ...) or any shape for one slope; weight (1,) or (C,) -> (N, C, ...)
    """
    x = to_float64(x)
    a = _prelu_weight(x, weight)
    return np.where(x > 0, x, a * x)


def prelu_derivative(x, weight) -> np.ndarray:
    """``∂prelu/∂x = 1 if x > 0 else a`` (``a`` at x = 0, as PyTorch).

    Shapes: x (N, C, ...), weight (1,) or (C,) -> (N, C, ...)
    """
    x = to_float64(x)
    a = _prelu_weight(x, weight)
    return np.where(x > 0, 1.0, a)


def prelu_weight_grad(x, weight, grad_out) -> np.ndarray:
    """Gradient of the loss w.r.t. the PReLU weight: ``Σ grad_out · (0 if x > 0 else x)``.

    The sum runs over every axis except the channel axis 1 (over everything for a single slope).

    Shapes: x (N, C, ...), weight (1,) or (C,), grad_out (N, C, ...) -> same shape as weight
    """
    x = to_float64(x)
    a = _prelu_weight(x, weight)
    g = _grad_like(grad_out, x)
    contrib = g * np.where(x > 0, 0.0, x)  # ∂prelu/∂a = x where x <= 0
    if a.ndim == 0:
        total = contrib.sum()
    else:
        total = contrib.sum(axis=tuple(i for i in range(x.ndim) if i != 1))  # (N, C, ...) -> (C,)
    return np.reshape(total, np.shape(weight))


def _check_bounds(lower, upper) -> tuple[float, float]:
    """RReLU's slope bounds, checked to be numbers with ``lower <= upper``."""
    lower, upper = check_number(lower, "lower"), check_number(upper, "upper")
    if lower > upper:
        raise ValueError(f"rrelu needs lower <= upper (slopes are drawn from U[lower, upper]), "
                         f"got lower={lower:g}, upper={upper:g}")
    return lower, upper


def rrelu_slopes(
    x, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False, rng=None
) -> np.ndarray:
    """The per-element slopes of randomized ReLU, which are also its derivative w.r.t. ``x``.

    Slope 1 where ``x > 0``; elsewhere (including x = 0, as PyTorch) a slope drawn uniformly from
    ``[lower, upper]`` per element in training mode, or the fixed mean ``(lower + upper) / 2`` in eval
    mode. ``rrelu(x) = x · slopes``.

    Shapes: x (...) -> (...)

    Raises:
        ValueError: in training mode without an ``rng`` (an ``np.random.Generator``), or for bounds that are
            not numbers with ``lower <= upper``.
    """
    x = to_float64(x)
    lower, upper = _check_bounds(lower, upper)
    if training:
        if not isinstance(rng, np.random.Generator):
            raise ValueError(
                "rrelu in training mode draws random slopes: expected rng=np.random.default_rng(seed), "
                f"got {type(rng).__name__} (or use training=False / .eval())"
            )
        negative_slope = rng.uniform(lower, upper, size=x.shape)
    else:
        negative_slope = (lower + upper) / 2
    return np.where(x > 0, 1.0, negative_slope)


def rrelu(x, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False, rng=None) -> np.ndarray:
    """Randomized leaky ReLU ``rrelu(x) = x if x > 0 else r · x``, ``r`` from ``rrelu_slopes``.

    Eval mode (the default) is leaky ReLU with slope ``(lower + upper) / 2``; training mode draws
    ``r ~ U[lower, upper]`` per element from ``rng``. Use ``rrelu_slopes`` (or the ``RReLU`` module)
    when you need the drawn slopes for the backward pass.

    Shapes: x (...) -> (...)
    """
    x = to_float64(x)
    return x * rrelu_slopes(x, lower, upper, training, rng)


def elu(x, alpha: float = 1.0) -> np.ndarray:
    """Exponential linear unit ``elu(x) = x if x > 0 else α (e^x - 1)``.

    Shapes: x (...) -> (...)
    """
    x = to_float64(x)
    alpha = check_number(alpha, "alpha")
    # exp only of the non-positive part: no overflow for large x; expm1 is exact near 0.
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_derivative(x, alpha: float = 1.0) -> np.ndarray:
    """``elu'(x) = 1 if x > 0 else α e^x`` (α at x = 0, as PyTorch).

    Shapes: x (...) -> (...)
    """
    x = to_float64(x)
    alpha = check_number(alpha, "alpha")
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))  # exp of x <= 0 only


def _check_approximate(approximate: str) -> None:
    if approximate not in ("none", "tanh"):
        raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")


def _gelu_tanh_inner(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The clipped input and ``√(2/π) (x + 0.044715 x³)`` of the tanh approximation."""
    # Beyond |x| = 100, tanh(inner) is exactly ±1 in float64, so clipping changes nothing
    # while keeping x³ from overflowing for huge |x|.
    xc = np.clip(x, -100.0, 100.0)
    return xc, _SQRT_2_OVER_PI * (xc + _GELU_KAPPA * xc**3)


def gelu(x, approximate: str = "none") -> np.ndarray:
    """Gaussian error linear unit ``gelu(x) = x Φ(x) = x · ½ (1 + erf(x / √2))``.

    ``approximate="tanh"`` uses PyTorch's ``½ x (1 + tanh(√(2/π) (x + 0.044715 x³)))``.

    Shapes: x (...) -> (...)
    """
    _check_approximate(approximate)
    x = to_float64(x)
    if approximate == "tanh":
        _, inner = _gelu_tanh_inner(x)
        return 0.5 * x * (1.0 + np.tanh(inner))
    from scipy.special import erf  # here, not at the top: importing SciPy costs every notebook ~0.3 s

    return x * 0.5 * (1.0 + erf(x / np.sqrt(2.0)))


def gelu_derivative(x, approximate: str = "none") -> np.ndarray:
    """``gelu'(x) = Φ(x) + x φ(x)`` with the normal pdf ``φ(x) = e^(-x²/2) / √(2π)``.

    For ``approximate="tanh"``, with ``t = tanh(u)``, ``u = √(2/π) (x + 0.044715 x³)``:
    ``½ (1 + t) + ½ x (1 - t²) √(2/π) (1 + 3 · 0.044715 x²)``.

    Shapes: x (...) -> (...)
    """
    _check_approximate(approximate)
    x = to_float64(x)
    if approximate == "tanh":
        xc, inner = _gelu_tanh_inner(x)
        t = np.tanh(inner)
        # for |x| > 100 the second term is exactly 0 (1 - t² = 0), so xc is as good as x there
        return 0.5 * (1.0 + t) + 0.5 * xc * (1.0 - t**2) * _SQRT_2_OVER_PI * (1.0 + 3 * _GELU_KAPPA * xc**2)
    # φ(x) is exactly 0 in float64 beyond |x| = 40; clipping keeps x² from overflowing.
    xc = np.clip(x, -40.0, 40.0)
    pdf = np.exp(-0.5 * xc**2) / np.sqrt(2.0 * np.pi)
    from scipy.special import erf

    return 0.5 * (1.0 + erf(x / np.sqrt(2.0))) + xc * pdf


def silu(x) -> np.ndarray:
    """Sigmoid linear unit (swish) ``silu(x) = x σ(x)``.

    Shapes: x (...) -> (...)
    """
    x = to_float64(x)
    return x * sigmoid(x)


def silu_derivative(x) -> np.ndarray:
    """``silu'(x) = σ(x) (1 + x (1 - σ(x)))``.

    Shapes: x (...) -> (...)
    """
    x = to_float64(x)
    s = sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


def _check_softplus(beta, threshold) -> tuple[float, float]:
    """Softplus's β (a number other than 0: it divides by it) and threshold (a number, inf allowed)."""
    beta = check_number(beta, "beta")
    if beta == 0:
        raise ValueError("beta must be a number other than 0 (softplus divides by it), got 0")
    return beta, check_number(threshold, "threshold", finite=False)


def softplus(x, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
    """``softplus(x) = (1/β) log(1 + e^(βx))``, a smooth ReLU; exactly ``x`` where ``βx > threshold``.

    The switch to ``x`` above the threshold is PyTorch's (there the two differ by < e^(-threshold)).

    Shapes: x (...) -> (...)
    """
    x = to_float64(x)
    beta, threshold = _check_softplus(beta, threshold)
    bx = beta * x
    # log(1 + e^z) = max(z, 0) + log(1 + e^(-|z|)): the exp is at most 1, so it never overflows.
    smooth = (np.maximum(bx, 0.0) + np.log1p(np.exp(-np.abs(bx)))) / beta
    return np.where(bx > threshold, x, smooth)


def softplus_derivative(x, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
    """``softplus'(x) = σ(βx)``, and exactly 1 where ``βx > threshold`` (PyTorch's linear region).

    Shapes: x (...) -> (...)
    """
    beta, threshold = _check_softplus(beta, threshold)
    bx = beta * to_float64(x)
    return np.where(bx > threshold, 1.0, sigmoid(bx))


# ---------------------------------------------------------------------------------------------
# Softmax and log-softmax (along an axis)
# ---------------------------------------------------------------------------------------------
def _check_axis(axis, name: str = "axis") -> int:
    """An axis (or ``dim``), checked to be an integer; NumPy itself says when it is out of range."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"{name} must be an integer (the axis to normalise along), got {axis!r}")
    return int(axis)


def _shifted(x: np.ndarray, axis: int) -> np.ndarray:
    """``x - max(x)`` along ``axis``: the exps of the result are all <= 1, so they never overflow."""
    # A slice that is all -inf gives -inf - (-inf) = nan, as in PyTorch; no warning for that case.
    with np.errstate(invalid="ignore"):
        return x - np.max(x, axis=axis, keepdims=True)


def softmax(x, axis: int = -1) -> np.ndarray:
    """``softmax(x)_i = e^(x_i) / Σ_j e^(x_j)`` along ``axis``: positive, sums to 1.

    Computed as ``e^(x - max x) / Σ e^(x - max x)`` (same value, no overflow). An entry of -inf gets
    probability 0; a slice that is entirely -inf (or holds +inf) gives nan, as in PyTorch.

    Shapes: x (...) -> (...)
    """
    axis = _check_axis(axis)
    e = np.exp(_shifted(to_float64(x), axis))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis: int = -1) -> np.ndarray:
    """``log_softmax(x)_i = x_i - log Σ_j e^(x_j)`` along ``axis``.

    Computed as ``z - log Σ e^z`` with ``z = x - max x`` (same value, no overflow, no log(0) for
    very negative entries). An entry of -inf gives -inf; an all -inf slice gives nan, as in PyTorch.

    Shapes: x (...) -> (...)
    """
    axis = _check_axis(axis)
    z = _shifted(to_float64(x), axis)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def softmax_jacobian(x, axis: int = -1) -> np.ndarray:
    """The Jacobian ``J_ij = ∂s_i/∂x_j = s_i (δ_ij - s_j)`` (``diag(s) - s sᵀ``) of each softmax slice.

    Shapes: x (...) with C = x.shape[axis] -> (..., C, C), the batch axes being x's other axes in order
    """
    s = np.moveaxis(softmax(x, axis), axis, -1)  # (..., C)
    eye = np.eye(s.shape[-1])
    return s[..., :, None] * (eye - s[..., None, :])  # (..., C, 1) * (..., C, C)


def softmax_vjp(x, grad_out, axis: int = -1) -> np.ndarray:
    """Backward pass of softmax: ``Jᵀ g = s ⊙ (g - Σ_j g_j s_j)`` along ``axis``.

    The softmax Jacobian is symmetric, so this vector-Jacobian product equals the Jacobian-vector
    product ``J g``. It never builds the C × C matrix.

    Shapes: x (...), grad_out (...) -> (...)
    """
    s = softmax(x, axis)
    g = _grad_like(grad_out, s)
    return s * (g - np.sum(g * s, axis=axis, keepdims=True))


def log_softmax_jacobian(x, axis: int = -1) -> np.ndarray:
    """The Jacobian ``J_ij = ∂(log s_i)/∂x_j = δ_ij - s_j`` (``I - 1 sᵀ``, not symmetric).

    Shapes: x (...) with C = x.shape[axis] -> (..., C, C), the batch axes being x's other axes in order
    """
    s = np.moveaxis(softmax(x, axis), axis, -1)  # (..., C)
    return np.eye(s.shape[-1]) - s[..., None, :]  # (C, C) - (..., 1, C)


def log_softmax_vjp(x, grad_out, axis: int = -1) -> np.ndarray:
    """Backward pass of log-softmax: ``Jᵀ g = g - s Σ_i g_i`` along ``axis``.

    Shapes: x (...), grad_out (...) -> (...)
    """
    s = softmax(x, axis)
    g = _grad_like(grad_out, s)
    return g - s * np.sum(g, axis=axis, keepdims=True)


def softmax_temperature(x, temperature: float = 1.0, axis: int = -1) -> np.ndarray:
    """Softmax with a temperature: ``softmax(x / T)`` along ``axis``.

    ``T < 1`` sharpens the distribution (towards one-hot on the largest logit as T -> 0); ``T > 1``
    flattens it (towards uniform as T -> ∞); ``T = 1`` is the plain softmax. Stable for any finite
    logits, because it is ``softmax`` (which subtracts the max) of the scaled logits.

    Shapes: x (..., C) -> (..., C) (C along ``axis``)

    Raises:
        ValueError: if ``temperature`` is not a finite number > 0 (the message shows what was got).
    """
    temperature = check_number(temperature, "temperature", above=0)
    return softmax(to_float64(x) / temperature, axis)


def entropy(p, axis: int = -1) -> np.ndarray:
    """Shannon entropy in nats, ``H(p) = -Σ_i p_i log p_i`` along ``axis``, with ``0 log 0 = 0``.

    ``p`` should be a probability distribution along ``axis`` (non-negative, summing to 1; it is not
    renormalised). ``H`` is 0 for a one-hot ``p`` and largest, ``log C``, for the uniform one.
    Exact zeros give no warning.

    Shapes: p (..., C) -> (...) (the ``axis`` is summed away)

    Raises:
        ValueError: if ``p`` has a negative entry.
    """
    p = to_float64(p, name="p")
    axis = _check_axis(axis)
    if np.any(p < 0):
        raise ValueError(f"p must be non-negative (probabilities), got a minimum of {p.min()}")
    log_p = np.log(np.where(p > 0, p, 1.0))  # log 1 = 0 where p = 0, so 0 · log 0 counts as 0
    return -np.sum(p * log_p, axis=axis)


# ---------------------------------------------------------------------------------------------
# Modules: forward keeps what backward needs; backward(grad_out) returns grad_out · f'(x)
# ---------------------------------------------------------------------------------------------
class _Elementwise(Module):
    """An activation applied elementwise: backward is ``grad_out * derivative(x)`` (chain rule)."""

    def function(self, x: np.ndarray) -> np.ndarray:
        """The activation, e.g. ``relu(x)``. Subclasses override it."""
        raise NotImplementedError

    def derivative(self, x: np.ndarray) -> np.ndarray:
        """Its derivative w.r.t. x, e.g. ``relu_derivative(x)``. Subclasses override it."""
        raise NotImplementedError

    def forward(self, x) -> np.ndarray:
        """Shapes: x (...) -> (...)"""
        x = to_float64(x)
        self.save_for_backward(x)
        return self.function(x)

    def backward(self, grad_out) -> np.ndarray:
        """Shapes: grad_out (...) -> (...)"""
        (x,) = self.saved_arrays
        return _grad_like(grad_out, x) * self.derivative(x)


class Identity(_Elementwise):
    """``Identity()(x) = x``; backward passes the gradient through unchanged."""

    def function(self, x):
        return identity(x)

    def derivative(self, x):
        return identity_derivative(x)


class Step(_Elementwise):
    """Heaviside step (``step(0) = 1``); backward returns zeros (PyTorch has no gradient for it)."""

    def function(self, x):
        return step(x)

    def derivative(self, x):
        return step_derivative(x)


class ReLU(_Elementwise):
    """``ReLU()(x) = max(x, 0)``, like ``torch.nn.ReLU``."""

    def function(self, x):
        return relu(x)

    def derivative(self, x):
        return relu_derivative(x)


class SiLU(_Elementwise):
    """``SiLU()(x) = x σ(x)``, like ``torch.nn.SiLU``."""

    def function(self, x):
        return silu(x)

    def derivative(self, x):
        return silu_derivative(x)


class Sigmoid(Module):
    """``Sigmoid()(x) = σ(x)``; backward reuses the output: ``σ' = σ (1 - σ)``."""

    def forward(self, x) -> np.ndarray:
        """Shapes: x (...) -> (...)"""
        out = sigmoid(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad_out) -> np.ndarray:
        """Shapes: grad_out (...) -> (...)"""
        (out,) = self.saved_arrays
        return _grad_like(grad_out, out) * out * (1.0 - out)


class Tanh(Module):
    """``Tanh()(x) = tanh(x)``; backward reuses the output: ``tanh' = 1 - tanh²``."""

    def forward(self, x) -> np.ndarray:
        """Shapes: x (...) -> (...)"""
        out = tanh(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad_out) -> np.ndarray:
        """Shapes: grad_out (...) -> (...)"""
        (out,) = self.saved_arrays
        return _grad_like(grad_out, out) * (1.0 - out**2)


class LeakyReLU(_Elementwise):
    """``LeakyReLU(negative_slope)(x) = x if x > 0 else negative_slope · x``."""

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        check_number(negative_slope, "negative_slope")
        self.negative_slope = negative_slope

    def function(self, x):
        return leaky_relu(x, self.negative_slope)

    def derivative(self, x):
        return leaky_relu_derivative(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(_Elementwise):
    """``ELU(alpha)(x) = x if x > 0 else α (e^x - 1)``."""

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        check_number(alpha, "alpha")
        self.alpha = alpha

    def function(self, x):
        return elu(x, self.alpha)

    def derivative(self, x):
        return elu_derivative(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class GELU(_Elementwise):
    """``GELU(approximate)(x) = x Φ(x)`` (or PyTorch's tanh approximation)."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        _check_approximate(approximate)
        self.approximate = approximate

    def function(self, x):
        return gelu(x, self.approximate)

    def derivative(self, x):
        return gelu_derivative(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(_Elementwise):
    """``Softplus(beta, threshold)(x) = (1/β) log(1 + e^(βx))``, linear where ``βx > threshold``."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        _check_softplus(beta, threshold)
        self.beta = beta
        self.threshold = threshold

    def function(self, x):
        return softplus(x, self.beta, self.threshold)

    def derivative(self, x):
        return softplus_derivative(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class PReLU(Module):
    """``PReLU(num_parameters, init)(x) = x if x > 0 else a · x`` with learnable slope(s) ``a``.

    ``self.weight`` is a Parameter of shape (num_parameters,): 1, or C to learn one slope per
    channel (axis 1 of an (N, C, ...) input). backward adds dL/da into ``self.weight.grad``.
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25):
        super().__init__()
        self.num_parameters = check_positive_int(num_parameters, "num_parameters")
        self.weight = Parameter(np.full(self.num_parameters, check_number(init, "init")))

    def forward(self, x) -> np.ndarray:
        """Shapes: x (N, C, ...) -> (N, C, ...)"""
        x = to_float64(x)
        self.save_for_backward(x)
        return prelu(x, self.weight.data)

    def backward(self, grad_out) -> np.ndarray:
        """Shapes: grad_out (N, C, ...) -> (N, C, ...); adds a (num_parameters,) gradient to weight."""
        (x,) = self.saved_arrays
        self.weight.accumulate_grad(prelu_weight_grad(x, self.weight.data, grad_out))
        return _grad_like(grad_out, x) * prelu_derivative(x, self.weight.data)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class RReLU(Module):
    """Randomized leaky ReLU: in training mode each non-positive element gets a slope drawn from
    ``U[lower, upper]`` with ``rng``; in eval mode the slope is ``(lower + upper) / 2``.

    backward multiplies by the slopes drawn in the last forward.
    """

    def __init__(self, lower: float = 1 / 8, upper: float = 1 / 3, rng: np.random.Generator | None = None):
        super().__init__()
        _check_bounds(lower, upper)
        self.lower = lower
        self.upper = upper
        self.rng = rng

    def forward(self, x) -> np.ndarray:
        """Shapes: x (...) -> (...)"""
        x = to_float64(x)
        slopes = rrelu_slopes(x, self.lower, self.upper, self.training, self.rng)
        self.save_for_backward(slopes)
        return x * slopes

    def backward(self, grad_out) -> np.ndarray:
        """Shapes: grad_out (...) -> (...)"""
        (slopes,) = self.saved_arrays
        return _grad_like(grad_out, slopes) * slopes

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}"


class Softmax(Module):
    """``Softmax(dim)(x)``: softmax along axis ``dim``; backward ``s ⊙ (g - Σ g s)`` from the output."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = _check_axis(dim, "dim")

    def forward(self, x) -> np.ndarray:
        """Shapes: x (...) -> (...)"""
        out = softmax(x, self.dim)
        self.save_for_backward(out)
        return out

    def backward(self, grad_out) -> np.ndarray:
        """Shapes: grad_out (...) -> (...)"""
        (s,) = self.saved_arrays
        g = _grad_like(grad_out, s)
        return s * (g - np.sum(g * s, axis=self.dim, keepdims=True))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """``LogSoftmax(dim)(x)``: log-softmax along ``dim``; backward ``g - e^out Σ g`` from the output."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = _check_axis(dim, "dim")

    def forward(self, x) -> np.ndarray:
        """Shapes: x (...) -> (...)"""
        out = log_softmax(x, self.dim)
        self.save_for_backward(out)
        return out

    def backward(self, grad_out) -> np.ndarray:
        """Shapes: grad_out (...) -> (...)"""
        (out,) = self.saved_arrays
        g = _grad_like(grad_out, out)
        return g - np.exp(out) * np.sum(g, axis=self.dim, keepdims=True)  # e^out = softmax

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


# ---------------------------------------------------------------------------------------------
# The one table of activations by name
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ActivationSpec:
    """Everything the course knows about an activation by its name: a row of ``ACTIVATION_TABLE``.

    ``label``: what a learner reads. ``function`` / ``derivative``: the NumPy function and its derivative at
    default settings (``derivative`` is None when it is not elementwise: softmax). ``module``: makes a fresh
    from-scratch module. ``torch_module``: the name of its ``torch.nn`` twin (None when PyTorch has no module
    for it), built with ``torch_kwargs`` by ``make_torch_activation``.
    """

    label: str
    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray] | None
    module: Callable[[], Module]
    torch_module: str | None
    torch_kwargs: tuple[tuple[str, object], ...] = ()

    @property
    def elementwise(self) -> bool:
        """Whether the activation acts on each number alone (then ``derivative`` is its derivative)."""
        return self.derivative is not None


ACTIVATION_TABLE: dict[str, ActivationSpec] = {
    "identity": ActivationSpec("identity", identity, identity_derivative, Identity, "Identity"),
    "step": ActivationSpec("step", step, step_derivative, Step, None),
    "sigmoid": ActivationSpec("sigmoid", sigmoid, sigmoid_derivative, Sigmoid, "Sigmoid"),
    "tanh": ActivationSpec("tanh", tanh, tanh_derivative, Tanh, "Tanh"),
    "relu": ActivationSpec("ReLU", relu, relu_derivative, ReLU, "ReLU"),
    "leaky_relu": ActivationSpec("Leaky ReLU", leaky_relu, leaky_relu_derivative, LeakyReLU, "LeakyReLU"),
    "elu": ActivationSpec("ELU", elu, elu_derivative, ELU, "ELU"),
    "gelu": ActivationSpec("GELU", gelu, gelu_derivative, GELU, "GELU"),
    "silu": ActivationSpec("SiLU", silu, silu_derivative, SiLU, "SiLU"),
    "softplus": ActivationSpec("softplus", softplus, softplus_derivative, Softplus, "Softplus"),
    "softmax": ActivationSpec("softmax", softmax, None, Softmax, "Softmax", (("dim", -1),)),
}
"""Lowercase name -> ``ActivationSpec``: the one name -> component table (default settings; softmax along the
last axis). To add an activation, add a row here; ``ACTIVATIONS``, ``make_activation``,
``make_torch_activation``, ``utils.network`` and the widgets' menus read it."""

ALIASES = {"linear": "identity"}
"""Other names accepted for a row of ``ACTIVATION_TABLE`` (a "linear" layer has no activation)."""

ACTIVATIONS = {name: (spec.function, spec.derivative) for name, spec in ACTIVATION_TABLE.items() if spec.elementwise}
"""Lowercase name -> (function, derivative) for the elementwise activations, at default settings (a view of
``ACTIVATION_TABLE``)."""


def activation_spec(name: str) -> ActivationSpec:
    """The row of ``ACTIVATION_TABLE`` for ``name`` (any case; ``"linear"`` is ``"identity"``).

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    key = name.lower() if isinstance(name, str) else name
    key = ALIASES.get(key, key) if isinstance(key, str) else key
    if key not in ACTIVATION_TABLE:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATION_TABLE)}")
    return ACTIVATION_TABLE[key]


def make_activation(name: str) -> Module:
    """A fresh from-scratch module for the activation ``name``, e.g. ``make_activation("relu")`` -> ``ReLU()``.

    Raises:
        ValueError: for an unknown name.
    """
    return activation_spec(name).module()


def make_torch_activation(name: str):
    """A fresh ``torch.nn`` module for the activation ``name``, the twin of ``make_activation(name)``.

    PyTorch is imported here, only when asked for.

    Raises:
        ValueError: for an unknown name, or one PyTorch has no module for (``step``).
    """
    spec = activation_spec(name)
    if spec.torch_module is None:
        twins = ", ".join(key for key, row in ACTIVATION_TABLE.items() if row.torch_module is not None)
        raise ValueError(f"PyTorch has no module for the activation {name!r}; choose one of {twins}")
    import torch

    return getattr(torch.nn, spec.torch_module)(**dict(spec.torch_kwargs))
