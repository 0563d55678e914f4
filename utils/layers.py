"""Layers from scratch in NumPy: ``Linear`` (a dense, fully connected layer) and ``Sequential`` (a chain).

Both mirror ``torch.nn`` in names, shapes, parameter names and printing, so our parameters copy straight into
the PyTorch twins (``tests/torch_twins.copy_params_to_torch``) and the outputs agree to ~1e-15.

``Linear(in_features, out_features, bias=True, rng=...)`` computes, for a batch ``X`` (one example per row),

    Z = X Wᵀ + b        X (N, in_features), W (out_features, in_features), b (out_features,) -> Z (N, out_features)

``weight`` and ``bias`` are ``utils.module.Parameter``\\ s, initialized as PyTorch does
(``kaiming_uniform_(a=√5)``, i.e. ``U(-1/√in_features, 1/√in_features)`` for both) from the ``rng`` given.

Backward, the convention of every chapter (derived in Chapter 04)::

    grad_X = module.backward(grad_Z)   # grad_Z = dL/dZ (N, out) -> returns dL/dX (N, in) = grad_Z W
                                       # and ADDS dL/dW = grad_Zᵀ X (out, in) into weight.grad,
                                       #          dL/db = Σ_rows grad_Z (out,) into bias.grad

``Sequential(*modules)`` runs its modules in order (forward) and in reverse order (backward), and supports
``len``, indexing (``model[0]``, a slice gives a new ``Sequential``), iteration and ``append``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from . import init
from .module import Module, Parameter, check_positive_int, to_float64

__all__ = ["Linear", "Sequential"]



class Linear(Module):
    """A dense layer ``Z = X Wᵀ + b``, like ``torch.nn.Linear`` (float64).

    Args:
        in_features: size of each input row.
        out_features: size of each output row (the number of neurons).
        bias: whether to learn an additive bias (``self.bias`` is None otherwise, as in PyTorch).
        rng: the ``np.random.Generator`` the initial weights are drawn from; pass one for reproducible weights
            (``None`` draws from a fresh, unseeded generator, like PyTorch without ``manual_seed``).

    Shapes: X (*, in_features) -> (*, out_features), where * is any number of leading (batch) dimensions,
    usually one: (N, in_features) -> (N, out_features). ``weight`` (out_features, in_features),
    ``bias`` (out_features,).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 rng: np.random.Generator | None = None):
        super().__init__()
        self.in_features = check_positive_int(in_features, "in_features")
        self.out_features = check_positive_int(out_features, "out_features")
        self.weight = Parameter(np.zeros((self.out_features, self.in_features)))
        self.bias = Parameter(np.zeros(self.out_features)) if bias else None
        self.reset_parameters(rng)

    def reset_parameters(self, rng: np.random.Generator | None = None) -> None:
        """PyTorch's default initialization: weight and bias from ``U(-1/√in_features, 1/√in_features)``.

        The weight uses ``kaiming_uniform(a=√5)``, whose bound simplifies to ``1/√fan_in``; gradients are reset.
        """
        rng = np.random.default_rng() if rng is None else rng
        self.weight.data = init.kaiming_uniform(self.weight.shape, rng, a=math.sqrt(5.0))
        self.weight.grad = None
        if self.bias is not None:
            bound = 1.0 / math.sqrt(self.in_features)
            self.bias.data = init.uniform(self.bias.shape, rng, -bound, bound)
            self.bias.grad = None

    def forward(self, x) -> np.ndarray:
        """``x Wᵀ + b``. Shapes: x (*, in_features) -> (*, out_features).

        Raises:
            ValueError: if the last dimension of ``x`` is not ``in_features`` (naming both shapes).
        """
        x = to_float64(x, name="input")
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(f"Linear(in_features={self.in_features}, out_features={self.out_features}) expects "
                             f"an input of shape (N, {self.in_features}), got shape {x.shape} (its weight has shape "
                             f"{self.weight.shape} = (out_features, in_features))")
        self.save_for_backward(x)
        out = x @ self.weight.data.T  # (*, in) @ (in, out) -> (*, out)
        if self.bias is not None:
            out = out + self.bias.data  # (out,) broadcasts over every row
        return out

    def backward(self, grad_out) -> np.ndarray:
        """Given ``dL/dZ``, return ``dL/dX = dL/dZ · W`` and add ``dL/dW``, ``dL/db`` into the parameters' ``.grad``.

        Shapes: grad_out (*, out_features) -> (*, in_features); adds (out_features, in_features) to
        ``weight.grad`` and (out_features,) to ``bias.grad`` (summed over every leading dimension).

        Raises:
            RuntimeError: if ``forward`` has not been called.
            ValueError: if ``grad_out`` does not have the output's shape (naming both shapes).
        """
        (x,) = self.saved_arrays
        expected = x.shape[:-1] + (self.out_features,)
        g = to_float64(grad_out, name="grad_out")
        if g.shape != expected:
            raise ValueError(f"grad_out must have the output's shape {expected}, got shape {g.shape}")
        g2 = g.reshape(-1, self.out_features)  # (*, out) -> (M, out), M = all leading dims together
        x2 = x.reshape(-1, self.in_features)  # (*, in) -> (M, in)
        self.weight.accumulate_grad(g2.T @ x2)  # (out, M) @ (M, in) -> (out, in)
        if self.bias is not None:
            self.bias.accumulate_grad(g2.sum(axis=0))  # (M, out) -> (out,)
        return g @ self.weight.data  # (*, out) @ (out, in) -> (*, in)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Sequential(Module):
    """Modules applied one after the other, like ``torch.nn.Sequential``.

    The modules are registered under the names ``"0"``, ``"1"``, …, so parameter names read ``"0.weight"``,
    ``"2.bias"``, exactly as PyTorch's. ``forward`` feeds each module's output to the next; ``backward`` walks
    back in reverse order, each module adding into its own parameters' ``.grad``.

    Shapes: whatever the first module takes -> whatever the last module returns.
    """

    def __init__(self, *modules: Module):
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end; return self.

        Raises:
            TypeError: if ``module`` is not a ``Module`` (e.g. a plain function or a class instead of an instance).
        """
        if not isinstance(module, Module):
            hint = (" (an instance is needed: write ReLU(), not ReLU)" if isinstance(module, type)
                    else " (unpack the list: Sequential(*modules))" if isinstance(module, (list, tuple)) else "")
            raise TypeError(f"Sequential takes Module instances, got {type(module).__name__} {module!r}{hint}")
        setattr(self, str(len(self)), module)
        return self

    def forward(self, x) -> np.ndarray:
        """Shapes: x (N, ...) -> (N, ...), through every module in order.

        Raises:
            ValueError: from the first module that rejects its input, prefixed by its position.
        """
        for i, module in enumerate(self):
            try:
                x = module(x)
            except ValueError as err:
                raise ValueError(f"module ({i}) {type(module).__name__}: {err}") from None
        return x

    def backward(self, grad_out) -> np.ndarray:
        """Shapes: grad_out (like the output) -> (like the input); every module's parameters get their ``.grad``."""
        for module in reversed(list(self)):
            grad_out = module.backward(grad_out)
        return grad_out

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"Sequential indices must be integers or slices, got {type(index).__name__}")
        if not -len(modules) <= index < len(modules):
            raise IndexError(f"index {index} is out of range for a Sequential of {len(modules)} modules")
        return modules[index]
