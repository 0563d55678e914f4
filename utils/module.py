"""The tiny base every from-scratch component builds on: ``Parameter`` and ``Module``.

It mirrors ``torch.nn.Parameter`` and ``torch.nn.Module`` closely enough that a learner sees the
correspondence, and small enough to read in one sitting:

- ``Parameter``: an array of learnable numbers (``.data``, float64 unless made with ``dtype=np.float32``) and the
  gradient of the loss with respect to it (``.grad``, same shape and dtype, ``None`` before the first backward).
- ``Module``: ``module(x)`` calls ``forward(x)``; ``backward(grad_out)`` returns the gradient with respect
  to the module's input and **adds** into each parameter's ``.grad`` (as PyTorch accumulates).
  Assigning a ``Parameter`` or a ``Module`` to an attribute registers it, so ``parameters()``,
  ``named_parameters()``, ``zero_grad()`` and ``train()``/``eval()`` reach everything inside.
- The input checks every component uses, each raising a ``ValueError`` (``TypeError`` for a wrong kind of
  object) that names the argument, what was expected and what was got: ``to_float64`` (real numbers in,
  float64 array out; ``to_float`` for a chosen float dtype, checked by ``check_float_dtype``), ``check_number``,
  ``check_positive_int``, ``check_seed``, ``check_rng`` and ``check_module``.

The backward convention, shared by every chapter::

    out = module(x)                  # forward keeps what backward needs (save_for_backward)
    grad_x = module.backward(g)      # g = dL/d(out), same shape as out; grad_x = dL/dx, same shape as x
                                     # and each parameter p gets p.grad += dL/dp
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

__all__ = ["Module", "Parameter", "check_float_dtype", "check_module", "check_number", "check_positive_int",
           "check_rng", "check_seed", "to_float", "to_float64"]

FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))
"""The dtypes a layer can compute in: float64 (the course's default, used by every gradient check) or float32."""


def check_float_dtype(dtype, name: str = "dtype") -> np.dtype:
    """``dtype`` as a ``np.dtype``, checked to be float64 or float32 (``np.float64``, ``"float32"``, ...).

    Raises:
        ValueError: ``"dtype must be np.float64 or np.float32, got int64"``.
    """
    try:
        checked = np.dtype(dtype) if dtype is not None else None
    except TypeError:
        checked = None
    if checked is None or checked not in FLOAT_DTYPES:  # (np.dtype(None) would be float64: None is refused)
        got = _shown(dtype) if checked is None else checked
        raise ValueError(f"{name} must be np.float64 or np.float32, got {got}")
    return checked


def to_float64(x, name: str = "x") -> np.ndarray:
    """Check that ``x`` holds real numbers and return it as a float64 ndarray (a copy if converted).

    Integers are converted; booleans, complex numbers, strings and objects are rejected.

    Shapes: x (...) -> (...)

    Raises:
        ValueError: if ``x`` is ragged or not made of real numbers; the message names what was got.
    """
    return to_float(x, np.float64, name)


def to_float(x, dtype, name: str = "x") -> np.ndarray:
    """``to_float64`` for a chosen dtype: check that ``x`` holds real numbers and return it as an ndarray of
    ``dtype`` (float64 or float32; a copy if converted).

    Shapes: x (...) -> (...)

    Raises:
        ValueError: if ``x`` is ragged or not made of real numbers, or ``dtype`` is not float64 or float32; the
            message names what was got.
    """
    dtype = check_float_dtype(dtype)
    try:
        arr = np.asarray(x)
    except ValueError as err:  # e.g. a ragged nested list
        raise ValueError(f"{name} must be a rectangular array of numbers: {err}") from None
    if arr.dtype.kind not in "iuf":
        raise ValueError(
            f"{name} must contain real numbers (an integer or float array), "
            f"got dtype {arr.dtype} (from {type(x).__name__})"
        )
    return arr.astype(dtype, copy=False)


def check_positive_int(value, name: str) -> int:
    """``value`` as an int, checked to be an integer >= 1 (a size, a count of epochs); bools are rejected.

    Raises:
        ValueError: ``"<name> must be a positive integer, got <value>"``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {_shown(value)}")
    return int(value)


def _shown(value) -> str:
    """``value`` as an error message shows it: ``repr``, but a NumPy number as the plain number (``0.5``, not
    ``np.float64(0.5)``)."""
    return repr(value.item()) if isinstance(value, np.generic) else repr(value)


def check_number(value, name: str, *, at_least: float | None = None, above: float | None = None,
                 finite: bool = True) -> float:
    """``value`` as a float, checked to be one real number (a Python or NumPy int or float, or a 0-d array of
    one), finite unless ``finite=False``, and ``>= at_least`` / ``> above`` when those are given.

    Bools, strings, None and arrays of several numbers are rejected (``float("0.1")`` would hide a mistake).

    Raises:
        ValueError: ``"<name> must be a finite number > 0, got <value>"`` (the words follow the conditions).
    """
    if type(value) is float:  # the common case, checked without NumPy (optimizers check their settings each step)
        number = value
    else:
        kind = np.asarray(value).dtype.kind if np.ndim(value) == 0 else ""
        number = float(value) if kind in ("i", "u", "f") else None
    if (number is None or (finite and not math.isfinite(number)) or (at_least is not None and not number >= at_least)
            or (above is not None and not number > above)):
        bound = f" >= {at_least:g}" if at_least is not None else f" > {above:g}" if above is not None else ""
        raise ValueError(f"{name} must be a {'finite ' if finite else ''}number{bound}, got {_shown(value)}")
    return number


def check_seed(seed, name: str = "seed") -> int:
    """``seed`` as an int, checked to be an integer >= 0 (what ``np.random.default_rng(seed)`` takes).

    Raises:
        ValueError: ``"seed must be an integer >= 0, got <seed>"``.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {_shown(seed)}")
    return int(seed)


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """``rng`` itself, checked to be a ``np.random.Generator`` (not a seed, ``None`` or ``np.random.RandomState``).

    Raises:
        ValueError: naming what was got and how to make one.
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"{name} must be a numpy.random.Generator (e.g. np.random.default_rng(0)), "
                         f"got {type(rng).__name__}")
    return rng


def check_module(value, name: str, expected: str = "a utils Module instance"):
    """``value`` itself, checked to be a ``Module`` instance (a from-scratch layer, activation or loss).

    ``expected`` says what was wanted, e.g. ``"a loss module such as CrossEntropyLoss()"``.

    Raises:
        TypeError: naming what was got; a class instead of an instance gets "write X(), not X".
    """
    if isinstance(value, Module):
        return value
    if isinstance(value, type):
        got = f"the class {value.__name__} (an instance is needed: write {value.__name__}(), not {value.__name__})"
    elif callable(value):
        got = f"the function {getattr(value, '__name__', repr(value))} (it has no backward)"
    else:
        got = type(value).__name__
    raise TypeError(f"{name} must be {expected}, got {got}")


class Parameter:
    """A learnable array: ``.data`` (float64, or float32 with ``dtype=np.float32``) and ``.grad`` (same shape and
    dtype, or ``None``).

    Not an ndarray subclass: use ``p.data`` for the numbers, so it is always clear whether code reads
    the value or the gradient.

    Shapes: data (...) -> .data (...), .grad (...) or None
    """

    def __init__(self, data, dtype=np.float64):
        self.data = to_float(data, dtype, name="Parameter data").copy()
        self.grad: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of ``.data`` (and of ``.grad``)."""
        return self.data.shape

    def zero_grad(self) -> None:
        """Forget the gradient: ``.grad = None`` (PyTorch's ``set_to_none=True`` default)."""
        self.grad = None

    def accumulate_grad(self, g) -> None:
        """Add ``g`` into ``.grad`` (creating it as a copy on first use), in ``.data``'s dtype: float32 for float32
        data, float64 otherwise.

        Shapes: g (same as .data)

        Raises:
            ValueError: if ``g`` does not have the parameter's shape.
        """
        g = to_float(g, np.float32 if getattr(self.data, "dtype", None) == np.float32 else np.float64, "gradient")
        if g.shape != self.data.shape:
            raise ValueError(f"gradient shape mismatch: expected {self.data.shape}, got {g.shape}")
        if self.grad is None:
            self.grad = g.copy()
        else:
            self.grad += g

    def __repr__(self) -> str:
        return f"Parameter(shape={self.shape})"


class Module:
    """Base class of every from-scratch layer, activation and loss (a minimal ``torch.nn.Module``).

    Subclasses call ``super().__init__()`` first, then assign parameters and sub-modules as attributes,
    and implement ``forward`` and ``backward``::

        class Scale(Module):
            def __init__(self):
                super().__init__()
                self.weight = Parameter(np.ones(1))

            def forward(self, x):                      # x (N, D) -> (N, D)
                self.save_for_backward(x)
                return x * self.weight.data

            def backward(self, grad_out):              # grad_out (N, D) -> grad_x (N, D)
                (x,) = self.saved_arrays
                self.weight.accumulate_grad([np.sum(grad_out * x)])
                return grad_out * self.weight.data
    """

    def __init__(self):
        # object.__setattr__: our own __setattr__ below needs these dicts to exist already.
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_saved", None)
        object.__setattr__(self, "training", True)

    # ---- registration -------------------------------------------------------------------------
    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, (Parameter, Module)) and "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {type(value).__name__} '{name}' before Module.__init__() call: "
                f"call super().__init__() first in {type(self).__name__}.__init__"
            )
        registries = (self.__dict__.get("_parameters", {}), self.__dict__.get("_modules", {}))
        for registry in registries:  # re-assigning a name replaces whatever it held
            registry.pop(name, None)
        if isinstance(value, Parameter):
            self.__dict__.pop(name, None)
            self._parameters[name] = value
        elif isinstance(value, Module):
            self.__dict__.pop(name, None)
            self._modules[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str):
        # Called only when normal lookup fails: look in the registries.
        for registry in ("_parameters", "_modules"):
            items = self.__dict__.get(registry, {})
            if name in items:
                return items[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._modules):
            if name in registry:
                del registry[name]
                return
        object.__delattr__(self, name)

    # ---- forward / backward -------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        """Compute the output. Subclasses override this (and keep what backward needs)."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def backward(self, grad_out):
        """Given dL/d(out), return dL/d(input) and add dL/dp into each parameter's ``.grad``.

        Shapes: grad_out (same as the output) -> (same as the input)
        """
        raise NotImplementedError(f"{type(self).__name__} must implement backward()")

    def save_for_backward(self, *arrays) -> None:
        """Keep arrays from forward that backward will need (like ``ctx.save_for_backward``)."""
        object.__setattr__(self, "_saved", arrays)

    @property
    def saved_arrays(self) -> tuple:
        """The arrays given to ``save_for_backward`` in the last forward.

        Raises:
            RuntimeError: if forward has not been called yet.
        """
        if self._saved is None:
            raise RuntimeError("call forward before backward")
        return self._saved

    # ---- walking the tree ---------------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Yield ``(name, module)`` for the direct sub-modules, in registration order."""
        yield from self._modules.items()

    def children(self) -> Iterator[Module]:
        """Yield the direct sub-modules, in registration order."""
        for _, module in self.named_children():
            yield module

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Yield ``(dotted_name, parameter)``: this module's own parameters first, then each child's.

        Names look like ``"layers.0.weight"``, the same as PyTorch's, so weights can be copied by name.
        A parameter shared by several modules is yielded once.
        """
        seen = set()
        for name, param in self._named_parameters_with_duplicates(prefix):
            if id(param) not in seen:
                seen.add(id(param))
                yield name, param

    def _named_parameters_with_duplicates(self, prefix: str) -> Iterator[tuple[str, Parameter]]:
        for name, param in self._parameters.items():
            yield prefix + name, param
        for name, module in self._modules.items():
            yield from module._named_parameters_with_duplicates(prefix + name + ".")

    def parameters(self) -> Iterator[Parameter]:
        """Yield every parameter (recursively, each once), in the order of ``named_parameters()``."""
        for _, param in self.named_parameters():
            yield param

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to ``None``."""
        for param in self.parameters():
            param.zero_grad()

    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=True``) or evaluation mode on this module and all below; return self."""
        if not isinstance(mode, bool):
            raise TypeError(f"training mode must be a bool, got {type(mode).__name__}")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (same as ``train(False)``); return self."""
        return self.train(False)

    # ---- printing -----------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The settings shown inside the parentheses, e.g. ``"negative_slope=0.01"``. Override it."""
        return ""

    def __repr__(self) -> str:
        lines = self.extra_repr().split("\n") if self.extra_repr() else []
        for name, module in self._modules.items():
            child = repr(module).replace("\n", "\n  ")  # indent the child's own lines
            lines.append(f"({name}): {child}")
        if not lines:
            return f"{type(self).__name__}()"
        if len(lines) == 1 and not self._modules:
            return f"{type(self).__name__}({lines[0]})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"
