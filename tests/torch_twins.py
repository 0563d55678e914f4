"""Helpers shared by the parity tests: NumPy arrays to float64 tensors, autograd gradients, and the one
function that copies our modules' weights into their ``torch.nn`` twins."""

from __future__ import annotations

import numpy as np
import torch


def float64_tensor(a, requires_grad: bool = False) -> torch.Tensor:
    """A float64 tensor with the values of ``a`` (a new copy, never sharing memory with ``a``)."""
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=requires_grad)


def torch_grad(fn, x, grad_out=None) -> np.ndarray:
    """``dL/dx`` from autograd for ``L = sum(fn(x) * grad_out)`` (``grad_out`` defaults to ones).

    ``fn`` takes and returns a tensor; ``x`` and ``grad_out`` are arrays. Returns a float64 array.
    """
    xt = float64_tensor(x, requires_grad=True)
    out = fn(xt)
    g = torch.ones_like(out) if grad_out is None else float64_tensor(grad_out)
    if g.shape != out.shape:
        raise ValueError(f"grad_out shape {tuple(g.shape)} != output shape {tuple(out.shape)}")
    out.backward(g)
    return xt.grad.numpy()


def copy_params_to_torch(our_module, torch_module: torch.nn.Module) -> None:
    """Copy each of our module's named parameters into the torch parameter of the same name.

    Both modules must have exactly the same parameter names and shapes (``layers.0.weight`` …).
    Build the torch module with ``dtype=torch.float64`` so nothing is rounded on the way.

    Raises:
        ValueError: naming the missing/extra parameters or the first shape mismatch.
    """
    ours = dict(our_module.named_parameters())
    theirs = dict(torch_module.named_parameters())
    if ours.keys() != theirs.keys():
        raise ValueError(
            f"parameter names differ: only ours {sorted(ours.keys() - theirs.keys())}, "
            f"only torch's {sorted(theirs.keys() - ours.keys())}"
        )
    for name, param in ours.items():
        if tuple(theirs[name].shape) != param.shape:
            raise ValueError(
                f"parameter {name!r}: our shape {param.shape}, torch's shape {tuple(theirs[name].shape)}"
            )
    with torch.no_grad():
        for name, param in ours.items():
            theirs[name].copy_(torch.from_numpy(param.data))
