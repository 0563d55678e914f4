"""Pick the PyTorch device: a GPU when one is there, the CPU otherwise. The course never requires a GPU."""

from __future__ import annotations

__all__ = ["pick_device"]


def pick_device(prefer: str | None = None):
    """Return a ``torch.device``: ``prefer`` if given (e.g. ``"cpu"``), else CUDA, then Apple MPS, then CPU.

    Raises:
        ValueError: if ``prefer`` is not a device name PyTorch knows (``"cpu"``, ``"cuda"``, ``"cuda:0"``, ``"mps"``).
    """
    import torch

    if prefer is not None:
        if isinstance(prefer, torch.device):
            return prefer
        if not isinstance(prefer, str):
            raise ValueError(f"prefer must be a device name such as 'cpu', 'cuda' or 'mps', got {prefer!r}")
        try:
            return torch.device(prefer)
        except RuntimeError:
            raise ValueError(f"prefer must be a device name such as 'cpu', 'cuda' or 'mps', got {prefer!r}") from None
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
