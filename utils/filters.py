"""Classic image filters, applied with the course's own convolution (``utils.conv.conv2d``), and receptive fields.

``KERNELS`` is the one table of classic 3×3 kernels, name -> array (read-only). A kernel is applied by
cross-correlation, as every deep-learning library does (the kernel is not flipped)::

    out[i, j] = Σ_u Σ_v  kernel[u, v] · image_pad[i·S + u·D, j·S + v·D]

so ``sobel_x`` (−1 on the left column, +1 on the right) is large where the image gets brighter from left to right.

- ``apply_kernel(image, kernel, stride, padding, dilation)``: one kernel on one grayscale image (H, W);
- ``sobel_magnitude(image)``: the edge strength √(G_x² + G_y²) of the two Sobel kernels;
- ``receptive_field(layers)``: how many input pixels one unit of each layer of a stack of convolutions sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .conv import conv2d
from .module import check_positive_int, to_float64

__all__ = ["KERNELS", "LayerField", "apply_kernel", "get_kernel", "receptive_field", "sobel_magnitude"]


def _frozen(rows, scale: float = 1.0) -> np.ndarray:
    kernel = np.array(rows, dtype=np.float64) * scale
    kernel.setflags(write=False)  # a shared table: nobody changes a preset by accident
    return kernel


KERNELS = {
    "identity": _frozen([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    "box_blur": _frozen(np.ones((3, 3)), 1 / 9),
    "gaussian_blur": _frozen([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 1 / 16),
    "sharpen": _frozen([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "sobel_x": _frozen([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "sobel_y": _frozen([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "laplacian": _frozen([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "edge": _frozen([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
}
"""Kernel name -> its 3×3 weights (float64, read-only; ``.copy()`` to change one). The blurs sum to 1 (a weighted
average: brightness kept), sharpen sums to 1 (the pixel plus its difference from its neighbours), Sobel, Laplacian
and edge sum to 0 (a flat region gives 0: they respond to changes only). ``name.replace("_", " ")`` is its label."""


def get_kernel(name: str) -> np.ndarray:
    """The 3×3 kernel ``KERNELS[name]``.

    Raises:
        ValueError: for a name that is not in ``KERNELS``, listing the names.
    """
    if not isinstance(name, str) or name not in KERNELS:
        raise ValueError(f"kernel name must be one of {', '.join(KERNELS)}, got {name!r}")
    return KERNELS[name]


def _check_2d(x, name: str, what: str) -> np.ndarray:
    if isinstance(x, str):
        x = get_kernel(x) if name == "kernel" else x
    x = to_float64(x, name=name)
    if x.ndim != 2:
        raise ValueError(f"{name} must be {what}, got shape {x.shape}")
    return x


def apply_kernel(image, kernel, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Cross-correlate one grayscale image with one kernel, through ``utils.conv.conv2d`` (im2col).

    Shapes: image (H, W), kernel (KH, KW) or a name of ``KERNELS`` -> (H_out, W_out), with along each axis
    ``⌊(H + 2P − D(K − 1) − 1) / S⌋ + 1``. ``stride``, ``padding`` (zeros on every side) and ``dilation`` are
    ints or pairs (for H, for W), as in ``conv2d``.

    Raises:
        ValueError: for an image or kernel that is not 2-D, an unknown kernel name, a bad stride, padding or
            dilation, or a kernel that does not fit in the padded image.
    """
    image = _check_2d(image, "image", "one grayscale image of shape (H, W) (a colour photo: load it with gray=True)")
    kernel = _check_2d(kernel, "kernel", "a 2-D array of shape (KH, KW) or a name of KERNELS")
    return conv2d(image[None, None], kernel[None, None], None, stride, padding, dilation)[0, 0]


def sobel_magnitude(image, padding=1) -> np.ndarray:
    """The edge strength √(G_x² + G_y²), G_x and G_y the image filtered by ``sobel_x`` and ``sobel_y``.

    Shapes: image (H, W) -> (H, W) with the default ``padding=1`` (zeros around the image, so its border
    shows as an edge too), (H − 2, W − 2) with ``padding=0``.

    Raises:
        ValueError: as ``apply_kernel``.
    """
    gx = apply_kernel(image, KERNELS["sobel_x"], padding=padding)
    gy = apply_kernel(image, KERNELS["sobel_y"], padding=padding)
    return np.hypot(gx, gy)


class LayerField(NamedTuple):
    """One layer's receptive field: ``size`` input pixels along an axis, ``jump`` input pixels between the fields
    of two neighbouring units of the layer (its effective stride)."""

    size: int
    jump: int


def _check_layer(layer, index: int) -> tuple[int, int, int]:
    if not isinstance(layer, (tuple, list)) or len(layer) not in (2, 3):
        raise ValueError(f"layers[{index}] must be (kernel_size, stride) or (kernel_size, stride, dilation), "
                         f"got {layer!r}")
    kernel, stride, *rest = layer
    return (check_positive_int(kernel, f"layers[{index}]'s kernel_size"),
            check_positive_int(stride, f"layers[{index}]'s stride"),
            check_positive_int(rest[0] if rest else 1, f"layers[{index}]'s dilation"))


def receptive_field(layers: Sequence) -> list[LayerField]:
    """The receptive field of one unit of each layer of a stack of convolutions (or poolings), along one axis.

    ``layers`` lists ``(kernel_size, stride)`` or ``(kernel_size, stride, dilation)`` from the input up. Starting
    from one input pixel (r₀ = 1, j₀ = 1), layer l with kernel k_l, stride s_l and dilation d_l gives::

        r_l = r_{l−1} + (k_l − 1) · d_l · j_{l−1}        (the field grows by the kernel's span, in input pixels)
        j_l = j_{l−1} · s_l                              (strides multiply)

    Padding moves the field but does not change its size. Returns one ``LayerField(size, jump)`` per layer.

    Raises:
        ValueError: for an empty stack or a layer that is not 2 or 3 positive integers, naming the layer.
    """
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence) or len(layers) == 0:
        raise ValueError(f"layers must be a non-empty list of (kernel_size, stride[, dilation]), got {layers!r}")
    size, jump, fields = 1, 1, []
    for index, layer in enumerate(layers):
        kernel, stride, dilation = _check_layer(layer, index)
        size += (kernel - 1) * dilation * jump
        jump *= stride
        fields.append(LayerField(size, jump))
    return fields
