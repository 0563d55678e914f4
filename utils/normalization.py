"""Normalization layers from scratch in NumPy: ``BatchNorm1d``, ``BatchNorm2d``, ``LayerNorm``, ``GroupNorm``.

All four standardize groups of numbers to mean 0 and variance 1, then scale and shift them with learned
per-channel (per-element for LayerNorm) parameters γ (``weight``, initialized to 1) and β (``bias``, 0)::

    μ = mean(x),  σ² = mean((x − μ)²)            over the group's m numbers (σ² is the *biased* variance)
    x̂ = (x − μ) / √(σ² + ε)
    y = γ x̂ + β

They differ in what a group is, for an input of N examples and C channels (features):

=============  ============================================  ==========================================
layer           input                                         μ and σ² over (one pair per …)
=============  ============================================  ==========================================
BatchNorm1d     (N, C) or (N, C, L)                            N (and L): one pair per channel
BatchNorm2d     (N, C, H, W)                                   N, H, W: one pair per channel
LayerNorm       (*, *normalized_shape)                         the last dims: one pair per example
GroupNorm       (N, C, *)                                      C/G channels and *: one pair per example and group
=============  ============================================  ==========================================

Backward, in its compact form (derived in Chapter 07): with ĝ = dL/dx̂ = γ ⊙ dL/dy and the means over a group,

    dL/dx = (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)) / √(σ² + ε)
    dL/dγ = Σ dL/dy ⊙ x̂,     dL/dβ = Σ dL/dy       (sums over everything but the parameter's own axes)

**Batch norm in training and evaluation.** In training mode (``module.train()``, the default) BatchNorm uses the
batch's own μ and σ², and updates running estimates with PyTorch's momentum convention (``momentum`` is the
weight of the *new* value, 0.1 by default; ``momentum=None`` gives the cumulative average over the batches so
far). The running variance stores the **unbiased** batch variance ``σ² · m/(m − 1)``, while the normalization
itself uses the biased σ²::

    running_mean ← (1 − momentum) · running_mean + momentum · μ
    running_var  ← (1 − momentum) · running_var  + momentum · σ² · m/(m − 1)

In evaluation mode (``module.eval()``) it uses the running estimates instead, so the output of one example no
longer depends on the rest of its batch (the layer is then a fixed affine map). LayerNorm and GroupNorm
compute their statistics per example and behave the same in both modes.

``batch_norm_run`` feeds a ``BatchNorm1d`` a number of training batches of shifted and scaled features and
normalizes one more batch in train or eval mode: the data of the batch-norm explorer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .module import Module, Parameter, check_number, check_positive_int, check_rng, to_float64

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNormRun", "GroupNorm", "LayerNorm", "batch_norm_run"]


# ---------------------------------------------------------------------------------------------
# The shared maths: standardize over some axes, and its backward pass
# ---------------------------------------------------------------------------------------------
def _standardize(x: np.ndarray, axes: tuple[int, ...], eps: float):
    """(x̂, μ, biased σ², 1/√(σ² + ε)) with μ and σ² over ``axes`` (kept as size-1 dims for broadcasting)."""
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    var = np.mean(centered * centered, axis=axes, keepdims=True)  # two passes: exact for large offsets
    inv_std = 1.0 / np.sqrt(var + eps)
    return centered * inv_std, mean, var, inv_std


def _standardize_backward(grad_xhat: np.ndarray, xhat: np.ndarray, inv_std: np.ndarray,
                          axes: tuple[int, ...]) -> np.ndarray:
    """dL/dx = (ĝ − mean(ĝ) − x̂ · mean(ĝ x̂)) / √(σ² + ε), the means over ``axes`` (the group's numbers)."""
    return inv_std * (grad_xhat - grad_xhat.mean(axis=axes, keepdims=True)
                      - xhat * np.mean(grad_xhat * xhat, axis=axes, keepdims=True))


def _check_eps(eps) -> float:
    return check_number(eps, "eps (added to the variance)", at_least=0.0)


def _check_bool(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def _affine(xhat: np.ndarray, weight: Parameter | None, bias: Parameter | None, shape: tuple[int, ...]):
    """y = γ x̂ + β, with γ and β reshaped to ``shape`` to broadcast (each skipped when it is None)."""
    out = xhat if weight is None else xhat * weight.data.reshape(shape)
    return out if bias is None else out + bias.data.reshape(shape)


def _affine_backward(g: np.ndarray, xhat: np.ndarray, weight: Parameter | None, bias: Parameter | None,
                     axes: tuple[int, ...], shape: tuple[int, ...]) -> np.ndarray:
    """Add Σ g x̂ into γ's ``.grad`` and Σ g into β's (sums over ``axes``); return dL/dx̂ = γ g."""
    if bias is not None:
        bias.accumulate_grad(np.sum(g, axis=axes))
    if weight is None:
        return g
    weight.accumulate_grad(np.sum(g * xhat, axis=axes))
    return g * weight.data.reshape(shape)


def _check_grad(grad_out, shape: tuple[int, ...]) -> np.ndarray:
    g = to_float64(grad_out, name="grad_out")
    if g.shape != shape:
        raise ValueError(f"grad_out must have the output's shape {shape}, got {g.shape}")
    return g


# ---------------------------------------------------------------------------------------------
# Batch normalization
# ---------------------------------------------------------------------------------------------
class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share; they differ only in the input shapes they accept."""

    _shapes = ""  # e.g. "(N, C) or (N, C, L)", for error messages

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, *, bias: bool = True):
        super().__init__()
        self.num_features = check_positive_int(num_features, "num_features")
        self.eps = _check_eps(eps)
        if momentum is not None:
            momentum = check_number(momentum, "momentum (the weight of the new batch's statistics, or None)",
                                    at_least=0.0)
            if momentum > 1:
                raise ValueError(f"momentum (the weight of the new batch's statistics, or None) must be a number "
                                 f"in [0, 1] or None, got {momentum!r}")
        self.momentum = momentum
        self.affine = _check_bool(affine, "affine")
        self.track_running_stats = _check_bool(track_running_stats, "track_running_stats")
        self.weight = Parameter(np.ones(self.num_features)) if self.affine else None
        self.bias = Parameter(np.zeros(self.num_features)) if self.affine and _check_bool(bias, "bias") else None
        self.running_mean: np.ndarray | None = None
        self.running_var: np.ndarray | None = None
        self.num_batches_tracked: int | None = None
        if self.track_running_stats:
            self.reset_running_stats()

    def reset_running_stats(self) -> None:
        """running_mean ← 0, running_var ← 1, num_batches_tracked ← 0 (as PyTorch's)."""
        if self.track_running_stats:
            self.running_mean = np.zeros(self.num_features)
            self.running_var = np.ones(self.num_features)
            self.num_batches_tracked = 0

    def reset_parameters(self) -> None:
        """Running statistics reset; γ ← 1, β ← 0 and their gradients forgotten."""
        self.reset_running_stats()
        for param, value in ((self.weight, 1.0), (self.bias, 0.0)):
            if param is not None:
                param.data, param.grad = np.full(self.num_features, value), None

    def _check_input(self, x) -> np.ndarray:
        x = to_float64(x, name="input")
        if x.ndim not in self._ndims or x.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}(num_features={self.num_features}) expects an input of shape "
                             f"{self._shapes} with C = {self.num_features}, got shape {x.shape}")
        return x

    def _uses_batch_statistics(self) -> bool:
        return self.training or not self.track_running_stats

    def forward(self, x) -> np.ndarray:
        """Normalize each channel: with the batch's statistics in training mode (and update the running ones),
        with the running statistics in eval mode; then ``y = γ x̂ + β``.

        Shapes: x (N, C, *) -> (N, C, *), * as the class accepts (see its docstring).

        Raises:
            ValueError: for a wrong shape or number of channels, or one value per channel when the batch's
                statistics are used (a variance of one number is meaningless; PyTorch raises too).
        """
        x = self._check_input(x)
        axes = (0, *range(2, x.ndim))  # everything but the channel axis
        per_channel = (1, self.num_features) + (1,) * (x.ndim - 2)
        if self._uses_batch_statistics():
            m = x.size // self.num_features
            if m < 2:
                raise ValueError(f"Expected more than 1 value per channel when training, got input of shape "
                                 f"{x.shape} (batch statistics need a batch of at least 2 examples, or more "
                                 f"positions; use .eval() to normalize one example with the running statistics)")
            xhat, mean, var, inv_std = _standardize(x, axes, self.eps)
            if self.training and self.track_running_stats:
                self._update_running_stats(mean.reshape(-1), var.reshape(-1), m)
        else:
            inv_std = (1.0 / np.sqrt(self.running_var + self.eps)).reshape(per_channel)
            xhat = (x - self.running_mean.reshape(per_channel)) * inv_std
        self.save_for_backward(xhat, inv_std, axes, self._uses_batch_statistics())
        return _affine(xhat, self.weight, self.bias, per_channel)

    def _update_running_stats(self, mean: np.ndarray, var: np.ndarray, m: int) -> None:
        self.num_batches_tracked += 1
        factor = 1.0 / self.num_batches_tracked if self.momentum is None else self.momentum
        unbiased = var * (m / (m - 1))
        self.running_mean = (1.0 - factor) * self.running_mean + factor * mean
        self.running_var = (1.0 - factor) * self.running_var + factor * unbiased

    def backward(self, grad_out) -> np.ndarray:
        """dL/dx by the compact formula (training mode) or ``γ dL/dy / √(running_var + ε)`` (eval mode); adds
        ``Σ dL/dy ⊙ x̂`` into ``weight.grad`` and ``Σ dL/dy`` into ``bias.grad`` (sums over N and *).

        Shapes: grad_out (N, C, *) -> (N, C, *); adds (C,) to weight.grad and bias.grad.

        Raises:
            RuntimeError: if ``forward`` has not been called.
            ValueError: if ``grad_out`` does not have the output's shape.
        """
        xhat, inv_std, axes, batch_statistics = self.saved_arrays
        g = _check_grad(grad_out, xhat.shape)
        per_channel = (1, self.num_features) + (1,) * (xhat.ndim - 2)
        g = _affine_backward(g, xhat, self.weight, self.bias, axes, per_channel)
        if batch_statistics:
            return _standardize_backward(g, xhat, inv_std, axes)
        return g * inv_std

    def extra_repr(self) -> str:
        bias = f", bias={self.bias is not None}"
        return (f"{self.num_features}, eps={self.eps:g}, momentum={self.momentum}, affine={self.affine}{bias}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization over a batch of feature vectors (or sequences), like ``torch.nn.BatchNorm1d``.

    Each channel c gets its own μ_c and σ²_c over the batch (and the length L)::

        x̂ = (x − μ_B) / √(σ²_B + ε),   y = γ x̂ + β

    Args:
        num_features: C, the number of channels (features).
        eps: added to the variance, ``1e-5``.
        momentum: weight of the new batch in the running estimates (0.1); None for a cumulative average.
        affine: learn γ (``weight``) and β (``bias``), shape (C,); without them y = x̂.
        track_running_stats: keep ``running_mean``, ``running_var`` (C,) and ``num_batches_tracked`` for eval
            mode; without them (None) the batch statistics are used in eval mode too.
        bias: learn β too (keyword only; only with ``affine``), as PyTorch's ``bias`` argument.

    Shapes: x (N, C) -> (N, C), or (N, C, L) -> (N, C, L).
    """

    _ndims = (2, 3)
    _shapes = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalization of images, per channel, like ``torch.nn.BatchNorm2d``: μ_c and σ²_c are taken over the
    batch and every pixel (N, H, W) of channel c. Arguments as ``BatchNorm1d``.

    Shapes: x (N, C, H, W) -> (N, C, H, W); weight, bias, running_mean, running_var (C,).
    """

    _ndims = (4,)
    _shapes = "(N, C, H, W)"


# ---------------------------------------------------------------------------------------------
# Layer and group normalization
# ---------------------------------------------------------------------------------------------
class LayerNorm(Module):
    """Layer normalization, like ``torch.nn.LayerNorm``: each example is standardized over its last dims
    (``normalized_shape``), then ``y = γ ⊙ x̂ + β`` with γ, β of shape ``normalized_shape`` (one per element).

    The statistics are per example, so training and eval mode behave the same and a batch of one is fine.

    Args:
        normalized_shape: the trailing shape to normalize over: an int D (the last axis) or a tuple.
        eps: added to the variance, ``1e-5``.
        elementwise_affine: learn ``weight`` (γ, ones) and ``bias`` (β, zeros) of shape ``normalized_shape``.
        bias: learn β too (only with ``elementwise_affine``), as PyTorch's ``bias`` argument.

    Shapes: x (*, *normalized_shape) -> same shape, e.g. (N, D) -> (N, D) with normalized_shape = D.
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else normalized_shape
        try:
            shape = tuple(shape)
        except TypeError:
            shape = None
        if shape is None or not shape or isinstance(normalized_shape, bool) or not all(
                isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1 for s in shape):
            raise ValueError(f"normalized_shape must be a positive integer D or a tuple of them (the trailing dims "
                             f"to normalize over), got {normalized_shape!r}")
        self.normalized_shape = tuple(int(s) for s in shape)
        self.eps = _check_eps(eps)
        self.elementwise_affine = _check_bool(elementwise_affine, "elementwise_affine")
        use_bias = _check_bool(bias, "bias")
        self.weight = Parameter(np.ones(self.normalized_shape)) if self.elementwise_affine else None
        self.bias = Parameter(np.zeros(self.normalized_shape)) if self.elementwise_affine and use_bias else None

    def forward(self, x) -> np.ndarray:
        """Shapes: x (*, *normalized_shape) -> same shape.

        Raises:
            ValueError: if the input's trailing dims are not ``normalized_shape``.
        """
        x = to_float64(x, name="input")
        k = len(self.normalized_shape)
        if x.shape[x.ndim - k:] != self.normalized_shape or x.ndim < k:
            raise ValueError(f"LayerNorm(normalized_shape={self.normalized_shape}) expects an input of shape "
                             f"(*, {', '.join(map(str, self.normalized_shape))}), got shape {x.shape}")
        axes = tuple(range(x.ndim - k, x.ndim))
        xhat, _, _, inv_std = _standardize(x, axes, self.eps)
        self.save_for_backward(xhat, inv_std, axes)
        return _affine(xhat, self.weight, self.bias, self.normalized_shape)

    def backward(self, grad_out) -> np.ndarray:
        """The compact formula over each example's normalized dims; adds ``Σ_examples dL/dy ⊙ x̂`` into
        ``weight.grad`` and ``Σ_examples dL/dy`` into ``bias.grad``.

        Shapes: grad_out (same as the input) -> (same as the input); adds normalized_shape to weight.grad, bias.grad.
        """
        xhat, inv_std, axes = self.saved_arrays
        g = _check_grad(grad_out, xhat.shape)
        leading = tuple(range(xhat.ndim - len(axes)))
        g = _affine_backward(g, xhat, self.weight, self.bias, leading, self.normalized_shape)
        return _standardize_backward(g, xhat, inv_std, axes)

    def extra_repr(self) -> str:
        bias = f", bias={self.bias is not None}"
        return f"{self.normalized_shape}, eps={self.eps:g}, elementwise_affine={self.elementwise_affine}{bias}"


class GroupNorm(Module):
    """Group normalization, like ``torch.nn.GroupNorm``: the C channels of each example are split into
    ``num_groups`` groups of C/G consecutive channels, each group standardized over its channels and positions,
    then ``y = γ_c x̂ + β_c`` per channel.

    ``num_groups = 1`` is LayerNorm over (C, *) with per-channel γ, β; ``num_groups = C`` is instance norm (each
    channel of each example on its own). Statistics are per example: training and eval mode are the same.

    Args:
        num_groups: G, dividing ``num_channels``.
        num_channels: C.
        eps: added to the variance, ``1e-5``.
        affine: learn ``weight`` (γ, ones) and ``bias`` (β, zeros), shape (C,).
        bias: learn β too (keyword only; only with ``affine``), as PyTorch's ``bias`` argument.

    Shapes: x (N, C, *) -> (N, C, *), e.g. (N, C, H, W).
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True, *,
                 bias: bool = True):
        super().__init__()
        self.num_groups = check_positive_int(num_groups, "num_groups")
        self.num_channels = check_positive_int(num_channels, "num_channels")
        if self.num_channels % self.num_groups:
            raise ValueError(f"num_channels must be divisible by num_groups, got num_channels={self.num_channels} "
                             f"and num_groups={self.num_groups}")
        self.eps = _check_eps(eps)
        self.affine = _check_bool(affine, "affine")
        self.weight = Parameter(np.ones(self.num_channels)) if self.affine else None
        self.bias = Parameter(np.zeros(self.num_channels)) if self.affine and _check_bool(bias, "bias") else None

    def _per_channel(self, ndim: int) -> tuple[int, ...]:
        return (1, self.num_channels) + (1,) * (ndim - 2)

    def forward(self, x) -> np.ndarray:
        """Shapes: x (N, C, *) -> (N, C, *).

        Raises:
            ValueError: if the input is not (N, C, *) with C = num_channels.
        """
        x = to_float64(x, name="input")
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm(num_groups={self.num_groups}, num_channels={self.num_channels}) expects an "
                             f"input of shape (N, {self.num_channels}, *), got shape {x.shape}")
        grouped = x.reshape(x.shape[0], self.num_groups, -1)  # (N, G, C/G · *): one row per example and group
        xhat, _, _, inv_std = _standardize(grouped, (2,), self.eps)
        xhat = xhat.reshape(x.shape)
        self.save_for_backward(xhat, inv_std)
        return _affine(xhat, self.weight, self.bias, self._per_channel(x.ndim))

    def backward(self, grad_out) -> np.ndarray:
        """The compact formula over each (example, group); adds Σ dL/dy ⊙ x̂ and Σ dL/dy (over N and *) into the
        per-channel ``weight.grad`` and ``bias.grad``.

        Shapes: grad_out (N, C, *) -> (N, C, *); adds (C,) to weight.grad and bias.grad.
        """
        xhat, inv_std = self.saved_arrays
        g = _check_grad(grad_out, xhat.shape)
        g = _affine_backward(g, xhat, self.weight, self.bias, (0, *range(2, xhat.ndim)), self._per_channel(xhat.ndim))
        n = xhat.shape[0]
        grad = _standardize_backward(g.reshape(n, self.num_groups, -1), xhat.reshape(n, self.num_groups, -1),
                                     inv_std, (2,))
        return grad.reshape(xhat.shape)

    def extra_repr(self) -> str:
        bias = f", bias={self.bias is not None}"
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps:g}, affine={self.affine}{bias}"


# ---------------------------------------------------------------------------------------------
# The explorer's data: training batches, then one batch in train or eval mode
# ---------------------------------------------------------------------------------------------
FEATURE_MEANS = (-2.0, 0.5, 3.0)
"""The three features' means before the shift and scale (the explorer's layer inputs)."""
FEATURE_STDS = (0.5, 1.0, 2.0)
"""The three features' standard deviations before the shift and scale."""


@dataclass(frozen=True)
class BatchNormRun:
    """What ``batch_norm_run`` returns: the batch shown, before and after the layer, and the statistics.

    Shapes: inputs, outputs (N, C); batch_mean, batch_var (biased), running_mean, running_var (unbiased), gamma,
    beta (C,).
    """

    inputs: np.ndarray
    outputs: np.ndarray
    batch_mean: np.ndarray
    batch_var: np.ndarray
    running_mean: np.ndarray
    running_var: np.ndarray
    num_batches_tracked: int
    training: bool
    gamma: np.ndarray
    beta: np.ndarray


def batch_norm_run(shift: float = 0.0, scale: float = 1.0, batch_size: int = 64, batches: int = 20, *,
                   training: bool = True, gamma: float = 1.0, beta: float = 0.0, momentum: float | None = 0.1,
                   shift_training_batches: bool = True, means=FEATURE_MEANS, stds=FEATURE_STDS,
                   rng: np.random.Generator | None = None) -> BatchNormRun:
    """A ``BatchNorm1d(C)`` trained on ``batches`` batches, then applied to one more batch in train or eval mode.

    Every batch holds ``batch_size`` examples of C features, feature c drawn from N(means[c], stds[c]²) and then
    shifted and scaled as a layer's inputs might drift: ``x = scale · z + shift`` (with
    ``shift_training_batches=False`` only the batch shown is, as if the inputs drifted after training, while the
    training batches keep ``z``; ``rng`` draws the same numbers either way). The layer's γ and β are set to
    ``gamma`` and ``beta`` for every channel. After the training batches (which update the running statistics
    with ``momentum``), the next batch is normalized with its own statistics (``training=True``) or with the
    running ones (``training=False``, eval mode).

    Shapes: means, stds (C,) -> a ``BatchNormRun``: inputs, outputs (batch_size, C); statistics (C,).

    Raises:
        ValueError: for a non-positive scale or batch size below 2, batches < 0, means and stds of different
            shapes, or an ``rng`` that is not a ``np.random.Generator``.
    """
    shift = check_number(shift, "shift")
    scale = check_number(scale, "scale", above=0.0)
    batch_size = check_positive_int(batch_size, "batch_size")
    if batch_size < 2:
        raise ValueError(f"batch_size must be at least 2 (a batch's variance needs two examples), got {batch_size}")
    if isinstance(batches, bool) or not isinstance(batches, (int, np.integer)) or batches < 0:
        raise ValueError(f"batches (training batches before the one shown) must be an integer >= 0, got {batches!r}")
    training = _check_bool(training, "training")
    means, stds = to_float64(means, name="means"), to_float64(stds, name="stds")
    if means.ndim != 1 or means.shape != stds.shape or np.any(stds < 0):
        raise ValueError(f"means and stds must be 1-D of the same length (one per feature, stds >= 0), got shapes "
                         f"{means.shape} and {stds.shape}")
    rng = np.random.default_rng(0) if rng is None else check_rng(rng)
    layer = BatchNorm1d(means.size, momentum=momentum)
    layer.weight.data[:] = check_number(gamma, "gamma")
    layer.bias.data[:] = check_number(beta, "beta")

    shift_training_batches = _check_bool(shift_training_batches, "shift_training_batches")

    def batch(a: float, b: float) -> np.ndarray:
        return a * (means + stds * rng.standard_normal((batch_size, means.size))) + b

    for _ in range(int(batches)):
        layer(batch(scale, shift) if shift_training_batches else batch(1.0, 0.0))
    x = batch(scale, shift)
    layer.train(training)
    mean, var = x.mean(axis=0), x.var(axis=0)
    running_mean, running_var, tracked = layer.running_mean.copy(), layer.running_var.copy(), layer.num_batches_tracked
    y = layer(x)  # in training mode this updates the running statistics once more: report those it was given
    return BatchNormRun(x, y, mean, var, running_mean, running_var, tracked, training, layer.weight.data.copy(),
                        layer.bias.data.copy())
