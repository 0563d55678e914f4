"""Where the computation runs: the PyTorch device (a GPU when one is there, the CPU otherwise; the course never
requires a GPU), and how many threads NumPy's matrix products use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

__all__ = ["one_blas_thread", "one_torch_thread", "pick_device"]


def one_blas_thread() -> AbstractContextManager:
    """A context in which NumPy's matrix products run on one thread (``threadpoolctl``, installed with
    scikit-learn), with the same results.

    For the small products of the course's networks, BLAS threads cost more than they give, and on a busy
    machine far more. Measured on a loaded 2-core machine: 500 epochs of a 2 → 64 → 64 → 3 network took 4.2 s
    with two BLAS threads and 0.33 s with one; in a kernel where PyTorch has run, a (250, 256) @ (256, 256)
    product took ~4× longer on two threads (they wait on each other and on PyTorch's). Without
    ``threadpoolctl`` nothing changes.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn brings it
        return nullcontext()
    return threadpool_limits(1, user_api="blas")


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """A context in which PyTorch computes on one CPU thread (``torch.set_num_threads(1)``); the caller's thread count
    comes back after.

    Seeded training on one thread reproduces its weights exactly on the same machine (several threads may add
    partial sums in another order); for the course's small networks it is also the fastest on a busy machine.
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


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
