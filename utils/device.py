"""Pick the PyTorch device: a GPU when one is there, the CPU otherwise. The course never requires a GPU."""

from __future__ import annotations


def pick_device(prefer: str | None = None):
    """Return a ``torch.device``: ``prefer`` if given (e.g. ``"cpu"``), else CUDA, then Apple MPS, then CPU."""
    import torch

    if prefer is not None:
        return torch.device(prefer)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
