"""Numerical assertions shared by the parity tests: ``strict_numerics`` (any NumPy floating-point event or warning
is an error) and ``assert_close`` (float64, same shape, finite, equal to a tolerance; ``assert_close32`` for
float32), plus ``stable_seed`` (a random seed derived from a test's parameters that is the same in every
process)."""

from __future__ import annotations

import contextlib
import warnings
import zlib

import numpy as np

RTOL, ATOL = 1e-10, 1e-12
"""The float64 parity tolerance of the course: our NumPy components against PyTorch's."""


@contextlib.contextmanager
def strict_numerics():
    """Turn any NumPy overflow / divide-by-zero / invalid-value event and any warning into an error.

    Underflow stays allowed: e^(-1000) rounding to 0 is the correct float64 answer, not a problem.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            yield


def assert_close(got, expected, rtol: float = RTOL, atol: float = ATOL) -> None:
    """``got`` is float64, has ``expected``'s shape, no NaN or inf where ``expected`` is finite, and equals it
    to ``rtol``/``atol``."""
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.dtype == np.float64, f"expected float64, got {got.dtype}"
    assert got.shape == expected.shape, f"shape {got.shape} != expected {expected.shape}"
    unexpected = ~np.isfinite(got) & np.isfinite(expected)
    assert not unexpected.any(), f"NaN or inf where a finite value was expected: {got}"
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


F32_RTOL = 1e-5
"""The float32 parity tolerance (a layer built with ``dtype=np.float32``), relative to an array's largest entry:
float32's rounding (~6e-8) summed over a few hundred terms, with room to spare."""


def assert_close32(got, expected, rtol: float = F32_RTOL) -> None:
    """``got`` is float32, has ``expected``'s shape, is finite, and equals ``expected`` (best the exact answer: float64
    on the same float32 numbers) to ``rtol`` of ``expected``'s largest entry."""
    got, expected = np.asarray(got), np.asarray(expected, dtype=np.float64)
    assert got.dtype == np.float32, f"expected float32, got {got.dtype}"
    assert got.shape == expected.shape, f"shape {got.shape} != expected {expected.shape}"
    assert np.isfinite(got).all(), f"NaN or inf in a float32 result: {got}"
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * np.abs(expected).max())


def stable_seed(*parts) -> int:
    """A seed from the text of ``parts``, the same in every run (``hash()`` of a str is salted per process)."""
    return zlib.crc32(repr(parts).encode())
