"""Regularization from scratch in NumPy: inverted dropout (``dropout_mask``, ``dropout``, the module ``Dropout``).

Dropout zeroes each input element with probability ``p`` (PyTorch's meaning: ``p`` is the probability to *drop*,
not to keep) while training, and scales the survivors by ``1/(1 − p)`` so that the expected output equals the
input ("inverted" dropout: nothing to rescale at test time)::

    m_i ~ Bernoulli(1 − p)                 (1 = keep, 0 = drop, one draw per element)
    y = x ⊙ m / (1 − p)                    training;   E[y] = x
    y = x                                  evaluation (module.eval())
    dL/dx = dL/dy ⊙ m / (1 − p)            the backward pass uses the same mask as the forward

Edge cases follow ``torch.nn.Dropout``: ``p = 0`` is the identity, ``p = 1`` gives zeros (no division by 0).

Randomness: the mask is drawn from an explicit ``np.random.Generator`` given when the module is made
(``Dropout(0.5, rng=np.random.default_rng(0))``), as ``RReLU``'s slopes are: the same generator gives the same
masks, call after call, and the global NumPy state is never touched. Training mode without one is an error.
"""

from __future__ import annotations

import numpy as np

from .module import Module, check_number, check_rng, to_float64

__all__ = ["Dropout", "dropout", "dropout_mask"]


def _check_p(p) -> float:
    """``p`` as a float in [0, 1], else a ValueError saying what ``p`` means (PyTorch raises one too)."""
    message = "p (the probability to drop an element) must be a number in [0, 1], got {}"
    try:
        value = check_number(p, "p")
    except ValueError:
        raise ValueError(message.format(repr(p.item() if isinstance(p, np.generic) else p))) from None
    if not 0.0 <= value <= 1.0:
        raise ValueError(message.format(repr(value)))
    return value


def dropout_mask(shape, p: float, rng: np.random.Generator) -> np.ndarray:
    """The keep mask of dropout: 1.0 where an element is kept (probability ``1 − p``), 0.0 where it is dropped.

    Each element is kept when a uniform draw ``u ~ U[0, 1)`` satisfies ``u >= p``: ``p = 0`` keeps everything,
    ``p = 1`` drops everything.

    Shapes: shape (a tuple) -> mask (shape), float64 of 0.0 and 1.0

    Raises:
        ValueError: if ``p`` is not a number in [0, 1] or ``rng`` is not a ``np.random.Generator``.
    """
    p = _check_p(p)
    rng = check_rng(rng)
    try:
        shape = tuple(int(s) for s in np.atleast_1d(shape)) if np.ndim(shape) else (int(shape),)
    except (TypeError, ValueError):
        raise ValueError(f"shape must be a tuple of sizes such as (N, D), got {shape!r}") from None
    if any(s < 0 for s in shape):
        raise ValueError(f"shape must be a tuple of sizes >= 0 such as (N, D), got {shape}")
    return (rng.random(shape) >= p).astype(np.float64)


def _scaled_mask(mask: np.ndarray, p: float) -> np.ndarray:
    """``mask / (1 − p)``: what the input is multiplied by (zeros for ``p = 1``, where every element is dropped)."""
    return np.zeros_like(mask) if p == 1.0 else mask / (1.0 - p)


def dropout(x, p: float = 0.5, training: bool = True, rng: np.random.Generator | None = None) -> np.ndarray:
    """Inverted dropout of ``x``: ``x ⊙ m / (1 − p)`` with a fresh mask ``m = dropout_mask(x.shape, p, rng)`` in
    training, ``x`` itself (a float64 copy) otherwise. Use the ``Dropout`` module when the backward pass needs the mask.

    Shapes: x (...) -> (...)

    Raises:
        ValueError: for ``p`` outside [0, 1], or training without an ``rng`` (an ``np.random.Generator``).
    """
    x = to_float64(x)
    p = _check_p(p)
    if not isinstance(training, bool):
        raise TypeError(f"training must be a bool, got {type(training).__name__}")
    if not training:
        return x.copy()
    rng = _training_rng(rng)
    return x * _scaled_mask(dropout_mask(x.shape, p, rng), p)


def _training_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError("dropout in training mode draws a random mask: expected rng=np.random.default_rng(seed), "
                         f"got {type(rng).__name__} (or use .eval() / training=False)")
    return rng


class Dropout(Module):
    """Inverted dropout, like ``torch.nn.Dropout(p)``: in training mode each element is zeroed with probability ``p``
    and the others are scaled by ``1/(1 − p)``; in evaluation mode (``.eval()``) the input passes unchanged.

    Args:
        p: the probability to **drop** an element (PyTorch's meaning), in [0, 1]. Default 0.5.
        rng: the ``np.random.Generator`` every mask is drawn from (required in training mode): the same
            generator state gives the same masks.

    After a forward pass, ``.mask`` holds the keep mask used (1.0 kept, 0.0 dropped; None in eval mode), and
    ``backward(grad_out)`` returns ``grad_out ⊙ mask / (1 − p)``. No parameters.

    Shapes: x (...) -> (...), any shape (elementwise).
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None):
        super().__init__()
        self.p = _check_p(p)
        if rng is not None:
            check_rng(rng)
        self.rng = rng
        self.mask: np.ndarray | None = None

    def forward(self, x) -> np.ndarray:
        """``x ⊙ mask / (1 − p)`` in training mode (a fresh mask from ``self.rng``), ``x`` in eval mode.

        Shapes: x (...) -> (...)

        Raises:
            ValueError: in training mode without an ``rng``, or for an input that is not real numbers.
        """
        x = to_float64(x, name="input")
        if not self.training:
            self.mask = None
            self.save_for_backward(np.ones(()), x.shape)
            return x.copy()
        self.mask = dropout_mask(x.shape, self.p, _training_rng(self.rng))
        scale = _scaled_mask(self.mask, self.p)
        self.save_for_backward(scale, x.shape)
        return x * scale

    def backward(self, grad_out) -> np.ndarray:
        """``dL/dx = dL/dy ⊙ mask / (1 − p)`` with the mask of the last forward (``dL/dy`` itself in eval mode).

        Shapes: grad_out (same as the input) -> (same as the input)

        Raises:
            RuntimeError: if ``forward`` has not been called.
            ValueError: if ``grad_out`` does not have the input's shape.
        """
        scale, shape = self.saved_arrays
        g = to_float64(grad_out, name="grad_out")
        if g.shape != shape:
            raise ValueError(f"grad_out must have the output's shape {shape}, got {g.shape}")
        return g * scale

    def extra_repr(self) -> str:
        return f"p={self.p}"
