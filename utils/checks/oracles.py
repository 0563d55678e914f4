"""Maths the checker trusts, defined once for every chapter.

PyTorch oracles (``torch_*``): the independent implementations a reference is checked against
(``validate_reference``), and that some properties compare an answer with. They never use ``utils``, so a bug
there cannot make a wrong reference pass. They take NumPy arrays (any float dtype), compute in float64 and
return NumPy arrays, or a Python float for a scalar result. torch is imported on first use.

NumPy maths for hint predicates (``sigmoid``, ``softmax``, ``log_softmax``, ``softmax_with``, ``one_hot``):
stable float64 computations that the chapters' mistakes are built from. ``softmax_with`` also makes the usual
slips of a softmax's axes, which several chapters recognise.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


# ---------------------------------------------------------------------------------------------
# PyTorch oracles
# ---------------------------------------------------------------------------------------------
def as_tensor(a):
    """``a`` as a float64 torch tensor."""
    import torch

    return torch.as_tensor(np.asarray(a, dtype=np.float64))


def tensor_copy(a):
    """A float64 torch tensor holding a *copy* of ``a`` (``as_tensor`` may share the array's memory): for oracles that
    update their tensors in place, as ``torch.optim`` does with parameters, so a case's arrays stay as they were."""
    import torch

    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64)


def to_numpy(t):
    """A tensor's values: a NumPy array, or a Python float when it holds one number and has no axes."""
    t = t.detach()
    return t.item() if t.ndim == 0 else t.numpy()


def torch_elementwise(name: str) -> Callable:
    """``x -> torch.<name>(x)``: an element-wise function (sigmoid, relu, tanh, ...)."""

    def oracle(x):
        import torch

        return to_numpy(getattr(torch, name)(as_tensor(x)))

    return oracle


def torch_gradient(fn: Callable, x, *args, **kwargs) -> np.ndarray:
    """d sum(fn(x, *args, **kwargs)) / dx by PyTorch's autograd, with x a float64 tensor (``args`` as given)."""
    t = as_tensor(x).clone().requires_grad_(True)
    fn(t, *args, **kwargs).sum().backward()
    return t.grad.numpy()


def torch_derivative(name: str) -> Callable:
    """``x -> d/dx torch.<name>(x)`` element by element, by autograd."""

    def oracle(x):
        import torch

        return torch_gradient(getattr(torch, name), x)

    return oracle


def torch_functional(name: str, n_tensors: int = 1, **fixed) -> Callable:
    """``(*args, **kwargs) -> torch.nn.functional.<name>(...)``: the first ``n_tensors`` arguments become float64
    tensors, the others (and ``fixed``, e.g. ``reduction``) are passed as they are."""

    def oracle(*args, **kwargs):
        import torch.nn.functional as F

        tensors = [as_tensor(a) for a in args[:n_tensors]]
        return to_numpy(getattr(F, name)(*tensors, *args[n_tensors:], **fixed, **kwargs))

    return oracle


def torch_softmax(log: bool = False) -> Callable:
    """``(x, temperature=1) -> softmax(x / temperature)`` along the last axis (its log with ``log``)."""

    def oracle(x, temperature=1.0):
        import torch

        t = as_tensor(x) / temperature
        return to_numpy(torch.log_softmax(t, dim=-1) if log else torch.softmax(t, dim=-1))

    return oracle


def torch_linear(X, W, b=None) -> np.ndarray:
    """Z = X Wᵀ + b for X (N, in), W (out, in), b (out,) or None: ``torch.nn.functional.linear``."""
    import torch.nn.functional as F

    return to_numpy(F.linear(as_tensor(X), as_tensor(W), None if b is None else as_tensor(b)))


# ---------------------------------------------------------------------------------------------
# NumPy maths for hint predicates
# ---------------------------------------------------------------------------------------------
def sigmoid(z) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(-z)), stable for any z (np.exp only sees -|z|)."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _reduce(values: np.ndarray, how: str, axis: int | None, keepdims: bool) -> np.ndarray:
    return getattr(values, how)() if axis is None else getattr(values, how)(axis=axis, keepdims=keepdims)


def softmax_with(z, max_axis: int | None, sum_axis: int | None, keep_max: bool = True, keep_sum: bool = True,
                 log: bool = False) -> np.ndarray:
    """Softmax (its log with ``log``, computed in log space) with the maximum subtracted along ``max_axis`` and
    the exponentials summed along ``sum_axis`` (None: the whole array), with or without keepdims.

    ``softmax_with(z, -1, -1)`` is the right softmax along the last axis; the other combinations are the usual
    slips: (None, -1) one global maximum, (0, 0) down the batch, (None, None) over the whole array, keepdims
    forgotten.
    """
    z = np.asarray(z, dtype=float)
    shifted = z - _reduce(z, "max", max_axis, keep_max)
    total = _reduce(np.exp(shifted), "sum", sum_axis, keep_sum)
    return shifted - np.log(total) if log else np.exp(shifted) / total


def softmax(z, axis: int | None = -1) -> np.ndarray:
    """Stable softmax along ``axis`` (None: over the whole array)."""
    return softmax_with(z, axis, axis)


def log_softmax(z, axis: int | None = -1) -> np.ndarray:
    """Stable log-softmax along ``axis``: (z − m) − log Σ e^(z − m), with m the maximum."""
    return softmax_with(z, axis, axis, log=True)


def one_hot(labels, n_classes: int) -> np.ndarray:
    """Labels (N,) of class indices as one-hot rows (N, n_classes)."""
    return np.eye(n_classes)[np.asarray(labels)]
