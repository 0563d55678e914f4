"""Loss functions from scratch in NumPy (float64), mirroring ``torch.nn``: values *and* input gradients.

Every loss is a ``Module`` (``utils/module.py``) with the PyTorch calling convention::

    loss_fn = CrossEntropyLoss()             # reduction="mean" (default), "sum" or "none"
    loss = loss_fn(logits, labels)           # forward(input, target): a float ("mean"/"sum"),
                                             #   an array of per-example losses ("none")
    grad = loss_fn.backward()                # d(loss)/d(input), same shape as input
                                             #   (for "none": backward(grad_out) with grad_out
                                             #    shaped like the loss, as torch's loss.backward(g))

``backward(grad_out=1.0)`` is the chain rule's first step: ``grad_out`` is d(final objective)/d(loss)
(1.0 when the loss *is* the objective), and the result is what Chapter 04 feeds into the network's last
layer. Targets never get a gradient. Losses have no parameters, so nothing is added to any ``.grad``.

Regression (input and target of the same shape ``(...)``; the loss per element, e the error input - target):

- ``MSELoss``: e²                                   gradient 2e
- ``L1Loss``: |e|                                    gradient sign(e) (0 at e = 0, as PyTorch)
- ``HuberLoss(delta)``: ½e² if |e| ≤ δ else δ(|e| − ½δ)   gradient clip(e, −δ, δ)
- ``SmoothL1Loss(beta)``: ½e²/β if |e| < β else |e| − ½β   gradient clip(e/β, −1, 1); β = 0 is L1.
  ``HuberLoss(δ) = δ · SmoothL1Loss(β=δ)``.

Binary classification (input and target of the same shape; targets in [0, 1]):

- ``BCELoss``: input = probabilities p in [0, 1]; −[y log p + (1 − y) log(1 − p)], each log clamped at
  −100 as PyTorch does (so p = 0 or 1 give at most 100, never inf); optional ``weight``.
- ``BCEWithLogitsLoss``: input = logits z; the same loss on p = σ(z), computed stably as
  ``(1 − y) z + softplus(−z)`` (no overflow at z = ±1000); optional ``weight`` and ``pos_weight``.

Multi-class classification (input of shape (N, C), or (C,) for one unbatched example):

- ``CrossEntropyLoss``: input = logits; target = class indices (integers, shape (N,)) *or* class
  probabilities (floats, shape (N, C): one-hot or soft); ``weight`` (C,), ``ignore_index`` (index
  targets), ``label_smoothing``. It is log-softmax followed by the negative log-likelihood.
- ``NLLLoss``: input = log-probabilities; target = class indices; ``weight``, ``ignore_index``.

Functional forms with ``torch.nn.functional``'s names: ``mse_loss``, ``l1_loss``, ``huber_loss``,
``smooth_l1_loss``, ``binary_cross_entropy``, ``binary_cross_entropy_with_logits``, ``cross_entropy``,
``nll_loss``; and ``kl_divergence(p, q)`` between distributions. ``optimal_margin(C, s)``: the logit margin
where cross-entropy with label smoothing s stops pushing (infinite without smoothing).

Symbols as in NOTATION.md: n an example, c a class, y a class index, t a target distribution, s the
label-smoothing amount, ε only a small constant (a clamp or a clip).

Bad input raises ``ValueError`` naming the expected and the actual shape, or the bad label. We are
stricter than PyTorch in two places: input and target must have exactly the same shape (PyTorch
broadcasts some losses with only a warning), and ``BCEWithLogitsLoss`` checks that targets lie in [0, 1].
"""

from __future__ import annotations

import numpy as np

from .activations import log_softmax, sigmoid, softmax
from .module import Module, check_number, to_float64

__all__ = [
    "REDUCTIONS",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "HuberLoss",
    "L1Loss",
    "MSELoss",
    "NLLLoss",
    "SmoothL1Loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "huber_loss",
    "kl_divergence",
    "l1_loss",
    "mse_loss",
    "nll_loss",
    "optimal_margin",
    "smooth_l1_loss",
]

REDUCTIONS = ("mean", "sum", "none")
LOG_CLAMP = -100.0
"""PyTorch's ``BCELoss`` clamps each log at −100, so log(0) counts as −100 instead of −inf."""
BCE_GRAD_EPS = float(np.float32(1e-12))
"""PyTorch's ``BCELoss`` backward divides by ``max(p (1 − p), ε)``, finite at p = 0 and p = 1, with ε the
float32 number nearest 1e-12 (≈ 9.9999999600e-13; its C++ source writes ``1e-12f``)."""


# ---------------------------------------------------------------------------------------------
# Shared helpers: checking arguments, reducing, and the reduction's share of the gradient
# ---------------------------------------------------------------------------------------------
def _check_reduction(reduction) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of 'mean', 'sum', 'none'; got {reduction!r}")
    return reduction


def _check_same_shape(input, target) -> tuple[np.ndarray, np.ndarray]:
    """Both as float64 arrays, or a ValueError naming the expected (input's) and the actual shape."""
    input = to_float64(input, name="input")
    target = to_float64(target, name="target")
    if target.shape != input.shape:
        raise ValueError(f"target must have the input's shape {input.shape}, got shape {target.shape}")
    return input, target


def _check_in_unit_interval(values: np.ndarray, name: str, advice: str = "") -> None:
    outside = (values < 0) | (values > 1)
    if outside.any():
        bad = values[outside].flat[0]
        raise ValueError(f"{name} must lie in [0, 1], got {float(bad):g}{advice}")


def _reduce(losses: np.ndarray, reduction: str, denominator: float | None = None):
    """Per-example ``losses`` -> a float (the sum, or the sum / ``denominator``) or the array itself.

    ``denominator`` defaults to the number of losses. A mean over nothing is nan (as in PyTorch), silently.
    """
    if reduction == "none":
        return losses
    total = losses.sum()
    if reduction == "sum":
        return float(total)
    denominator = losses.size if denominator is None else denominator
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.float64(total) / np.float64(denominator))


def _upstream(grad_out, reduction: str, loss_shape: tuple[int, ...], denominator: float) -> np.ndarray:
    """d(objective)/d(each per-example loss), an array of ``loss_shape``: the reduction's backward.

    "none": ``grad_out`` itself (shaped like the loss); "sum": ``grad_out`` (a number) for every loss;
    "mean": ``grad_out / denominator`` for every loss.
    """
    g = to_float64(grad_out, name="grad_out")
    if reduction == "none":
        if g.shape != loss_shape:
            raise ValueError(f"with reduction='none', grad_out must have the loss's shape {loss_shape}, "
                             f"got shape {g.shape}")
        return g
    if g.size != 1:
        raise ValueError(f"with reduction={reduction!r} the loss is a number, so grad_out must be one number, "
                         f"got shape {g.shape}")
    scale = g.reshape(()) / denominator if reduction == "mean" else g.reshape(())
    return np.full(loss_shape, scale, dtype=np.float64)


class _Loss(Module):
    """Base of every loss: holds ``reduction`` and shows it in the repr when it is not the default."""

    def __init__(self, reduction: str = "mean"):
        super().__init__()
        self.reduction = _check_reduction(reduction)

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


# ---------------------------------------------------------------------------------------------
# Losses computed element by element: L = reduce(ℓ(input, target)), dL/dinput = upstream · ℓ'
# ---------------------------------------------------------------------------------------------
class _PointwiseLoss(_Loss):
    """A loss that is a function ℓ(input_i, target_i) of each element, then reduced.

    Subclasses define ``elementwise(input, target)`` (ℓ, same shape) and ``derivative(input, target)``
    (∂ℓ/∂input, same shape). Then::

        forward:  L = mean(ℓ) | sum(ℓ) | ℓ
        backward: dL/dinput = grad_out / numel · ℓ'   (mean)
                            = grad_out · ℓ'           (sum)
                            = grad_out ⊙ ℓ'           (none: grad_out has the input's shape)
    """

    def elementwise(self, input: np.ndarray, target: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, input: np.ndarray, target: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def check(self, input: np.ndarray, target: np.ndarray) -> None:
        """Extra checks of the values (e.g. probabilities in [0, 1]); none by default."""

    def forward(self, input, target):
        """Shapes: input (...), target (same shape) -> a float, or (...) for reduction="none"."""
        input, target = _check_same_shape(input, target)
        self.check(input, target)
        self.save_for_backward(input, target)
        return _reduce(self.elementwise(input, target), self.reduction)

    def backward(self, grad_out=1.0) -> np.ndarray:
        """Shapes: grad_out a number (or the input's shape for "none") -> dL/dinput, the input's shape."""
        input, target = self.saved_arrays
        upstream = _upstream(grad_out, self.reduction, input.shape, input.size)
        return upstream * self.derivative(input, target)


class MSELoss(_PointwiseLoss):
    """Mean squared error (L2 loss), like ``torch.nn.MSELoss``: ℓ = (input − target)², ℓ' = 2 (input − target).

    Shapes: input (...), target (same shape) -> a float, or (...) for reduction="none".
    """

    def elementwise(self, input, target):
        return (input - target) ** 2

    def derivative(self, input, target):
        return 2.0 * (input - target)


class L1Loss(_PointwiseLoss):
    """Mean absolute error (L1 loss), like ``torch.nn.L1Loss``: ℓ = |input − target|, ℓ' = sign(input − target).

    At input = target the derivative is taken as 0, as PyTorch does.

    Shapes: input (...), target (same shape) -> a float, or (...) for reduction="none".
    """

    def elementwise(self, input, target):
        return np.abs(input - target)

    def derivative(self, input, target):
        return np.sign(input - target)


class HuberLoss(_PointwiseLoss):
    """Huber loss, like ``torch.nn.HuberLoss(delta)``: quadratic for small errors, linear for large ones.

    With e = input − target::

        ℓ  = ½ e²              if |e| ≤ δ        ℓ' = e
           = δ (|e| − ½ δ)     otherwise          ℓ' = δ · sign(e)       i.e. ℓ' = clip(e, −δ, δ)

    Value and slope are continuous at |e| = δ. ``HuberLoss(δ) = δ · SmoothL1Loss(beta=δ)``.

    Shapes: input (...), target (same shape) -> a float, or (...) for reduction="none".
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction)
        self.delta = check_number(delta, "delta", above=0)

    def elementwise(self, input, target):
        a = np.abs(input - target)
        return np.where(a <= self.delta, 0.5 * a**2, self.delta * (a - 0.5 * self.delta))

    def derivative(self, input, target):
        return np.clip(input - target, -self.delta, self.delta)

    def extra_repr(self) -> str:
        return ", ".join(filter(None, [super().extra_repr(), f"delta={self.delta}"]))


class SmoothL1Loss(_PointwiseLoss):
    """Smooth L1 loss, like ``torch.nn.SmoothL1Loss(beta)``: L1 with its kink rounded off over |e| < β.

    With e = input − target::

        ℓ  = ½ e² / β          if |e| < β         ℓ' = e / β
           = |e| − ½ β         otherwise          ℓ' = sign(e)           i.e. ℓ' = clip(e / β, −1, 1)

    Its slope is at most 1 whatever β; Huber's is at most δ. ``beta=0`` is exactly ``L1Loss`` (PyTorch too).

    Shapes: input (...), target (same shape) -> a float, or (...) for reduction="none".
    """

    def __init__(self, reduction: str = "mean", beta: float = 1.0):
        super().__init__(reduction)
        self.beta = check_number(beta, "beta", at_least=0)

    def elementwise(self, input, target):
        a = np.abs(input - target)
        if self.beta == 0:
            return a
        return np.where(a < self.beta, 0.5 * a**2 / self.beta, a - 0.5 * self.beta)

    def derivative(self, input, target):
        e = input - target
        if self.beta == 0:
            return np.sign(e)
        return np.clip(e / self.beta, -1.0, 1.0)

    def extra_repr(self) -> str:
        return ", ".join(filter(None, [super().extra_repr(), f"beta={self.beta}"]))


def _broadcast_weight(weight, shape: tuple[int, ...], name: str = "weight") -> np.ndarray | None:
    """``weight`` broadcast to ``shape`` (None stays None), or a ValueError naming both shapes."""
    if weight is None:
        return None
    w = to_float64(weight, name=name)
    try:
        return np.broadcast_to(w, shape)
    except ValueError:
        raise ValueError(f"{name} of shape {w.shape} cannot be broadcast to the input's shape {shape}") from None


def _clamped_log(x: np.ndarray) -> np.ndarray:
    """``max(log x, −100)`` for x in [0, 1], without the divide-by-zero warning of log(0)."""
    out = np.full_like(x, LOG_CLAMP)
    np.log(x, out=out, where=x > 0)
    return np.maximum(out, LOG_CLAMP)


class BCELoss(_PointwiseLoss):
    """Binary cross-entropy on probabilities, like ``torch.nn.BCELoss(weight)``.

    With p = input in [0, 1] (e.g. a sigmoid's output) and y = target in [0, 1]::

        ℓ  = −w [ y · max(log p, −100) + (1 − y) · max(log(1 − p), −100) ]
        ℓ' = w (p − y) / max(p (1 − p), 1e-12)

    Both follow PyTorch exactly, guards included: clamping the log at −100 keeps p = 0 and p = 1 finite
    (at most 100 per element), and the 1e-12 keeps the gradient finite there (up to ±1e12). This differs
    from the common ε-clipping ``log(clip(p, ε, 1 − ε))``, which caps the loss at −log ε instead. Prefer
    ``BCEWithLogitsLoss`` on logits: it needs no guard at all.

    ``weight`` (optional) rescales each element's loss; it must broadcast to the input's shape. "mean"
    divides by the number of elements, not by the sum of the weights.

    Shapes: input (...), target (same shape), weight broadcastable -> a float, or (...) for "none".

    Raises:
        ValueError: for mismatched shapes, or an input or target outside [0, 1].
    """

    def __init__(self, weight=None, reduction: str = "mean"):
        super().__init__(reduction)
        self.weight = None if weight is None else to_float64(weight, name="weight").copy()

    def check(self, input, target):
        _check_in_unit_interval(input, "BCELoss's input (probabilities)",
                                "; for logits (any real number) use BCEWithLogitsLoss")
        _check_in_unit_interval(target, "BCELoss's target")
        _broadcast_weight(self.weight, input.shape)

    def elementwise(self, input, target):
        # 0.0 - (...) rather than -(...): a perfect prediction gives 0.0, not -0.0
        losses = 0.0 - (target * _clamped_log(input) + (1.0 - target) * _clamped_log(1.0 - input))
        w = _broadcast_weight(self.weight, input.shape)
        return losses if w is None else w * losses

    def derivative(self, input, target):
        d = (input - target) / np.maximum(input * (1.0 - input), BCE_GRAD_EPS)
        w = _broadcast_weight(self.weight, input.shape)
        return d if w is None else w * d

    def extra_repr(self) -> str:
        return ", ".join(filter(None, ["weight=..." if self.weight is not None else "", super().extra_repr()]))


def _softplus(z: np.ndarray) -> np.ndarray:
    """``log(1 + e^z) = max(z, 0) + log1p(e^(−|z|))``: the exp never sees a positive number."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


class BCEWithLogitsLoss(_PointwiseLoss):
    """Binary cross-entropy on logits (sigmoid + BCE in one stable step), like ``torch.nn.BCEWithLogitsLoss``.

    With z = input (any real), y = target in [0, 1], σ the sigmoid and pw the ``pos_weight``::

        ℓ  = −w [ pw · y · log σ(z) + (1 − y) · log(1 − σ(z)) ]
           = w [ (1 − y) z + (pw y + 1 − y) · softplus(−z) ]          (log σ(z) = −softplus(−z))
        ℓ' = w [ (pw y + 1 − y) σ(z) − pw y ]                          (= w (σ(z) − y) when pw = 1)

    ``softplus(−z) = max(−z, 0) + log(1 + e^(−|z|))`` never overflows, so z = ±1000 is fine, and no
    probability is ever rounded to exactly 0 or 1 before its log is taken.

    ``weight`` rescales each element's loss (broadcast to the input's shape); ``pos_weight`` multiplies
    the positive (y = 1) term, e.g. ``n_negative / n_positive`` for rare positives; it broadcasts too,
    usually with shape (C,) for C independent labels (the input's last axis).

    Shapes: input (...), target (same shape) -> a float, or (...) for reduction="none".

    Raises:
        ValueError: for mismatched shapes, a target outside [0, 1] (PyTorch does not check this), or
        weights that do not broadcast.
    """

    def __init__(self, weight=None, reduction: str = "mean", pos_weight=None):
        super().__init__(reduction)
        self.weight = None if weight is None else to_float64(weight, name="weight").copy()
        self.pos_weight = None if pos_weight is None else to_float64(pos_weight, name="pos_weight").copy()

    def check(self, input, target):
        _check_in_unit_interval(target, "BCEWithLogitsLoss's target")
        _broadcast_weight(self.weight, input.shape)
        _broadcast_weight(self.pos_weight, input.shape, name="pos_weight")

    def _weights(self, input):
        w = _broadcast_weight(self.weight, input.shape)
        pw = _broadcast_weight(self.pos_weight, input.shape, name="pos_weight")
        return (1.0 if w is None else w), (1.0 if pw is None else pw)

    def elementwise(self, input, target):
        w, pw = self._weights(input)
        return w * ((1.0 - target) * input + (pw * target + 1.0 - target) * _softplus(-input))

    def derivative(self, input, target):
        w, pw = self._weights(input)
        return w * ((pw * target + 1.0 - target) * sigmoid(input) - pw * target)

    def extra_repr(self) -> str:
        parts = ["weight=..." if self.weight is not None else "", super().extra_repr(),
                 "pos_weight=..." if self.pos_weight is not None else ""]
        return ", ".join(filter(None, parts))


# ---------------------------------------------------------------------------------------------
# Multi-class: negative log-likelihood and cross-entropy over the class axis
# ---------------------------------------------------------------------------------------------
def _as_batch(input, what: str) -> tuple[np.ndarray, bool]:
    """``input`` as an (N, C) float64 array, and whether it was one unbatched example of shape (C,)."""
    x = to_float64(input, name="input")
    if x.ndim == 1:
        return x[None, :], True
    if x.ndim != 2:
        raise ValueError(f"input must be {what} of shape (N, C), or (C,) for one example; got shape {x.shape}")
    return x, False


def _class_weight(weight, n_classes: int) -> np.ndarray | None:
    if weight is None:
        return None
    w = to_float64(weight, name="weight")
    if w.shape != (n_classes,):
        raise ValueError(f"weight must have one entry per class, shape ({n_classes},), got shape {w.shape}")
    return w.copy()


def _check_class_indices(target: np.ndarray, n: int, n_classes: int, ignore_index: int, unbatched: bool,
                         input_shape: tuple[int, ...]) -> np.ndarray:
    """Integer class indices of shape (N,) with every value in [0, C) or equal to ``ignore_index``."""
    expected = () if unbatched else (n,)
    if target.shape != expected:
        raise ValueError(
            f"a target of class indices must have shape {expected} for an input of shape {input_shape}, "
            f"got shape {target.shape}; one-hot or soft targets are class probabilities: pass them as floats "
            f"with the input's shape")
    labels = target.reshape(n).astype(np.int64)
    bad = (labels != ignore_index) & ((labels < 0) | (labels >= n_classes))
    if bad.any():
        raise ValueError(f"target holds the class index {int(labels[bad][0])}, out of range for {n_classes} "
                         f"classes: expected 0 <= index <= {n_classes - 1} (or ignore_index={ignore_index})")
    return labels


def _check_ignore_index(ignore_index) -> int:
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise ValueError(f"ignore_index must be an integer (a class index whose examples are skipped), "
                         f"got {ignore_index!r}")
    return int(ignore_index)


def _is_integer_array(target: np.ndarray) -> bool:
    return target.dtype.kind in "iu"


class NLLLoss(_Loss):
    """Negative log-likelihood of the true class, like ``torch.nn.NLLLoss(weight, ignore_index)``.

    The input holds log-probabilities (e.g. ``log_softmax(logits)``); the target, the true class of each
    example. With w the class weights (all 1 by default)::

        ℓ_n = −w[y_n] · input[n, y_n]                  (0 where y_n == ignore_index)
        mean = Σ_n ℓ_n / Σ_n w[y_n]                     (a *weighted* mean, over the examples not ignored)
        ∂ℓ_n/∂input[n, c] = −w[y_n] if c == y_n else 0

    Shapes: input (N, C) or (C,), target (N,) or () integers in [0, C) -> a float, or (N,) / () for "none".

    Raises:
        ValueError: for a target that is not integer, has the wrong shape, or holds a class out of range.
    """

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__(reduction)
        self.weight = None if weight is None else to_float64(weight, name="weight").copy()
        self.ignore_index = _check_ignore_index(ignore_index)

    def forward(self, input, target):
        """Shapes: input (N, C) or (C,), target (N,) or () -> a float, or (N,) / () for "none"."""
        log_p, unbatched = _as_batch(input, "log-probabilities")
        n, c = log_p.shape
        target = np.asarray(target)
        if not _is_integer_array(target):
            raise ValueError(f"NLLLoss needs class indices as integers (e.g. labels.astype(int)), got dtype "
                             f"{target.dtype}")
        labels = _check_class_indices(target, n, c, self.ignore_index, unbatched, np.shape(input))
        keep = labels != self.ignore_index
        w = _class_weight(self.weight, c)
        picked_weight = np.where(keep, 1.0 if w is None else (w[np.where(keep, labels, 0)]), 0.0)  # (N,)
        safe = np.where(keep, labels, 0)  # any valid column for ignored rows; their weight is 0
        losses = 0.0 - picked_weight * log_p[np.arange(n), safe]  # (N,); 0.0 - x: never -0.0
        self.save_for_backward(np.asarray(log_p.shape), safe, picked_weight, np.asarray(unbatched))
        return _reduce(losses.reshape(()) if unbatched else losses, self.reduction, picked_weight.sum())

    def backward(self, grad_out=1.0) -> np.ndarray:
        """Shapes: grad_out a number (or the loss's shape for "none") -> dL/dinput, the input's shape."""
        shape, safe, picked_weight, unbatched = self.saved_arrays
        n, c = (int(s) for s in shape)
        loss_shape = () if unbatched else (n,)
        g = _upstream(grad_out, self.reduction, loss_shape, picked_weight.sum()).reshape(n)
        grad = np.zeros((n, c))
        grad[np.arange(n), safe] = -picked_weight * g
        return grad[0] if unbatched else grad

    def extra_repr(self) -> str:
        parts = ["weight=..." if self.weight is not None else "",
                 f"ignore_index={self.ignore_index}" if self.ignore_index != -100 else "", super().extra_repr()]
        return ", ".join(filter(None, parts))


def _check_label_smoothing(label_smoothing) -> float:
    """The label smoothing s as a float, checked to be a number in [0, 1]."""
    try:
        value = check_number(label_smoothing, "label_smoothing", at_least=0.0)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"label_smoothing must be a number in [0, 1], got {label_smoothing!r}")
    return value


class CrossEntropyLoss(_Loss):
    """Cross-entropy on logits, like ``torch.nn.CrossEntropyLoss(weight, ignore_index, label_smoothing)``.

    It is ``LogSoftmax`` over the classes followed by ``NLLLoss``, done in one step. The target is either

    - class **indices** (an integer array, shape (N,)), the usual case; or
    - class **probabilities** (a float array with the input's shape (N, C)): one-hot rows, or soft ones.

    Both become one matrix A (N, C) of "how much each log-probability counts", and then, with
    log p = log_softmax(z) and s the label smoothing, w the class weights (all 1 by default)::

        indices y:          A[n] = (1 − s) w[y_n] onehot(y_n) + (s / C) w      (0 where y_n == ignore_index)
                            mean = Σ_n ℓ_n / Σ_n w[y_n]        (a weighted mean over the examples kept)
        probabilities t:    A[n] = w ⊙ ((1 − s) t_n + s / C)
                            mean = Σ_n ℓ_n / N

        ℓ_n = −Σ_c A[n, c] log p[n, c]
        ∂ℓ_n/∂z[n] = (Σ_c A[n, c]) · p[n] − A[n]      (no weights, no smoothing:  p[n] − onehot(y_n))

    So with the default mean reduction over N examples the gradient is (p − t) / N, t = onehot(y), the formula that
    makes softmax + cross-entropy the standard output of a classifier (Chapter 04 starts from it).

    Shapes: input (N, C) or (C,); target (N,) / () integers, or (N, C) / (C,) floats
            -> a float, or (N,) / () for reduction="none".

    Raises:
        ValueError: for a target of the wrong shape or dtype (the message says which form was expected),
        a class index out of range, a weight that is not (C,), or label_smoothing outside [0, 1].
    """

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0):
        super().__init__(reduction)
        self.weight = None if weight is None else to_float64(weight, name="weight").copy()
        self.ignore_index = _check_ignore_index(ignore_index)
        self.label_smoothing = _check_label_smoothing(label_smoothing)

    def target_weights(self, target, n: int, c: int, unbatched: bool, input_shape) -> tuple[np.ndarray, float]:
        """The matrix A (N, C) described above, and the mean's denominator."""
        target = np.asarray(target)
        s, w = self.label_smoothing, _class_weight(self.weight, c)
        w_row = np.ones(c) if w is None else w  # (C,)
        if _is_integer_array(target):
            labels = _check_class_indices(target, n, c, self.ignore_index, unbatched, input_shape)
            keep = labels != self.ignore_index
            safe = np.where(keep, labels, 0)
            a = (s / c) * np.broadcast_to(w_row, (n, c)).copy()  # (N, C)
            a[np.arange(n), safe] += (1.0 - s) * w_row[safe]
            a[~keep] = 0.0
            return a, float(w_row[safe][keep].sum())
        if target.dtype.kind != "f":
            raise ValueError(f"target must be class indices (integers) or class probabilities (floats), "
                             f"got dtype {target.dtype}")
        if target.shape != tuple(input_shape):
            extra = ("; class indices must be integers (e.g. labels.astype(int))"
                     if target.shape == ((n,) if not unbatched else ()) else "")
            raise ValueError(f"a target of class probabilities (floats) must have the input's shape "
                             f"{tuple(input_shape)}, got shape {target.shape}{extra}")
        t = target.astype(np.float64).reshape(n, c)
        return w_row * ((1.0 - s) * t + s / c), float(n)

    def forward(self, input, target):
        """Shapes: input (N, C) or (C,), target (N,) ints or (N, C) floats -> a float, or (N,) for "none"."""
        logits, unbatched = _as_batch(input, "logits")
        n, c = logits.shape
        a, denominator = self.target_weights(target, n, c, unbatched, np.shape(input))
        log_p = log_softmax(logits, axis=1)  # (N, C)
        # where A is 0 the log-probability does not count, even if it is -inf (a logit of -inf)
        with np.errstate(invalid="ignore"):  # 0 * -inf where A is 0: replaced by 0 just below
            losses = 0.0 - np.sum(np.where(a != 0, a * log_p, 0.0), axis=1)  # (N, C) -> (N,); never -0.0
        self.save_for_backward(logits, a, np.float64(denominator), np.asarray(unbatched))
        return _reduce(losses.reshape(()) if unbatched else losses, self.reduction, denominator)

    def backward(self, grad_out=1.0) -> np.ndarray:
        """Shapes: grad_out a number (or the loss's shape for "none") -> dL/dinput, the input's shape."""
        logits, a, denominator, unbatched = self.saved_arrays
        n = logits.shape[0]
        g = _upstream(grad_out, self.reduction, () if unbatched else (n,), denominator).reshape(n, 1)
        p = softmax(logits, axis=1)  # (N, C)
        grad = g * (a.sum(axis=1, keepdims=True) * p - a)  # (N, 1) * ((N, 1) * (N, C) - (N, C))
        return grad[0] if unbatched else grad

    def extra_repr(self) -> str:
        parts = ["weight=..." if self.weight is not None else "",
                 f"ignore_index={self.ignore_index}" if self.ignore_index != -100 else "", super().extra_repr(),
                 f"label_smoothing={self.label_smoothing}" if self.label_smoothing else ""]
        return ", ".join(filter(None, parts))


# ---------------------------------------------------------------------------------------------
# Functional forms (torch.nn.functional's names) and the KL divergence
# ---------------------------------------------------------------------------------------------
def mse_loss(input, target, reduction: str = "mean"):
    """``MSELoss(reduction)(input, target)``."""
    return MSELoss(reduction)(input, target)


def l1_loss(input, target, reduction: str = "mean"):
    """``L1Loss(reduction)(input, target)``."""
    return L1Loss(reduction)(input, target)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0):
    """``HuberLoss(reduction, delta)(input, target)``."""
    return HuberLoss(reduction, delta)(input, target)


def smooth_l1_loss(input, target, reduction: str = "mean", beta: float = 1.0):
    """``SmoothL1Loss(reduction, beta)(input, target)``."""
    return SmoothL1Loss(reduction, beta)(input, target)


def binary_cross_entropy(input, target, weight=None, reduction: str = "mean"):
    """``BCELoss(weight, reduction)(input, target)``: input = probabilities."""
    return BCELoss(weight, reduction)(input, target)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction: str = "mean", pos_weight=None):
    """``BCEWithLogitsLoss(weight, reduction, pos_weight)(input, target)``: input = logits."""
    return BCEWithLogitsLoss(weight, reduction, pos_weight)(input, target)


def cross_entropy(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0):
    """``CrossEntropyLoss(weight, ignore_index, reduction, label_smoothing)(input, target)``: input = logits."""
    return CrossEntropyLoss(weight, ignore_index, reduction, label_smoothing)(input, target)


def nll_loss(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean"):
    """``NLLLoss(weight, ignore_index, reduction)(input, target)``: input = log-probabilities."""
    return NLLLoss(weight, ignore_index, reduction)(input, target)


def kl_divergence(p, q, axis: int = -1) -> np.ndarray:
    """``KL(p ‖ q) = Σ_i p_i log(p_i / q_i)`` in nats along ``axis``, with ``0 log(0 / q) = 0``.

    Zero when p = q, positive otherwise, and not symmetric. It is what cross-entropy adds to the entropy:
    ``H(p, q) = H(p) + KL(p ‖ q)``. Infinite (no warning) where q_i = 0 < p_i. Same as
    ``torch.nn.functional.kl_div(q.log(), p, reduction="none").sum(axis)``.

    Shapes: p (..., C), q (same shape) -> (...)

    Raises:
        ValueError: for mismatched shapes or negative entries.
    """
    p, q = to_float64(p, name="p"), to_float64(q, name="q")
    if q.shape != p.shape:
        raise ValueError(f"q must have p's shape {p.shape}, got shape {q.shape}")
    for name, dist in (("p", p), ("q", q)):
        if (dist < 0).any():
            raise ValueError(f"p and q must be probability distributions (no negative entries), got {name} with a "
                             f"minimum of {dist.min():g}")
    with np.errstate(divide="ignore"):
        log_ratio = np.log(np.where(p > 0, p, 1.0)) - np.log(np.where(p > 0, q, 1.0))  # +inf where q = 0 < p
    return np.sum(np.where(p > 0, p * log_ratio, 0.0), axis=axis)


def optimal_margin(n_classes: int, label_smoothing: float) -> float:
    """The margin m (true class's logit minus the others', all equal) where ``CrossEntropyLoss`` with label
    smoothing s over C classes is smallest: there p(true) equals the smoothed target t = 1 − s + s/C, i.e.
    m* = ln(t (C − 1) / (1 − t)).

    Infinite for s = 0: with a hard label the loss keeps falling as the margin grows.

    Raises:
        ValueError: for C not an integer >= 2, or s outside [0, 1].
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
        raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}")
    label_smoothing = _check_label_smoothing(label_smoothing)
    c = int(n_classes)
    t = 1.0 - label_smoothing + label_smoothing / c
    return float("inf") if t >= 1.0 else float(np.log(t * (c - 1) / (1.0 - t)))
