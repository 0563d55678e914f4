"""utils.filters: the kernel table, apply_kernel and sobel_magnitude against torch.nn.functional.conv2d, and the
receptive-field formula against a brute-force probe (the input pixels one output unit's gradient reaches)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.torch_twins import float64_tensor
from utils import filters


def torch_apply(image, kernel, stride=1, padding=0, dilation=1) -> np.ndarray:
    return F.conv2d(float64_tensor(image)[None, None], float64_tensor(kernel)[None, None], stride=stride,
                    padding=padding, dilation=dilation)[0, 0].numpy()


def test_kernel_table():
    assert list(filters.KERNELS) == ["identity", "box_blur", "gaussian_blur", "sharpen", "sobel_x", "sobel_y",
                                     "laplacian", "edge"]
    sums = {name: k.sum() for name, k in filters.KERNELS.items()}
    for name, total in sums.items():
        assert filters.KERNELS[name].shape == (3, 3) and filters.KERNELS[name].dtype == np.float64
        assert total == pytest.approx(1.0 if name in ("identity", "box_blur", "gaussian_blur", "sharpen") else 0.0)
    with pytest.raises(ValueError, match="read-only"):
        filters.KERNELS["sharpen"][1, 1] = 9.0
    np.testing.assert_array_equal(filters.KERNELS["sobel_y"], filters.KERNELS["sobel_x"].T)
    assert filters.get_kernel("edge") is filters.KERNELS["edge"]


@pytest.mark.parametrize("name", list(filters.KERNELS))
@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (1, 1, 1), (2, 1, 1), (1, 2, 2), (3, 0, 2),
                                                       ((1, 2), (0, 1), (2, 1))])
def test_apply_kernel_is_torchs_conv2d(name, stride, padding, dilation):
    image = np.random.default_rng(8).random((13, 17))
    got = filters.apply_kernel(image, name, stride, padding, dilation)
    np.testing.assert_allclose(got, torch_apply(image, filters.KERNELS[name], stride, padding, dilation),
                               rtol=0, atol=1e-13)


def test_apply_kernel_random_and_extreme_kernels():
    rng = np.random.default_rng(81)
    image = rng.normal(size=(9, 11)) * 1e6
    for kernel in (rng.normal(size=(2, 5)), np.full((4, 4), 1e-8), np.array([[1.0]])):
        np.testing.assert_allclose(filters.apply_kernel(image, kernel, padding=1),
                                   torch_apply(image, kernel, padding=1), rtol=1e-12, atol=1e-6)


def test_what_the_kernels_do_on_a_step_edge():
    image = np.zeros((6, 8))
    image[:, 4:] = 1.0  # dark left half, bright right half
    np.testing.assert_array_equal(filters.apply_kernel(image, "identity"), image[1:-1, 1:-1])
    gx = filters.apply_kernel(image, "sobel_x")
    assert gx[:, 2].tolist() == [4.0] * 4 and gx[:, [0, 1, 4, 5]].max() == 0  # only at the step, positive
    assert np.all(filters.apply_kernel(image, "sobel_y") == 0)  # no change from top to bottom
    np.testing.assert_allclose(filters.sobel_magnitude(image, padding=0), np.abs(gx))
    assert filters.sobel_magnitude(image).shape == (6, 8)


def test_apply_kernel_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"image must be one grayscale image of shape \(H, W\).*got shape \(4, 4, 3\)"):
        filters.apply_kernel(np.zeros((4, 4, 3)), "sharpen")
    with pytest.raises(ValueError, match="kernel name must be one of identity, box_blur.*got 'blur'"):
        filters.apply_kernel(np.zeros((4, 4)), "blur")
    with pytest.raises(ValueError, match="the kernel does not fit in the padded input"):
        filters.apply_kernel(np.zeros((4, 4)), "sharpen", dilation=3)


def probed_field(layers, side: int = 64) -> tuple[int, int]:
    """(size, jump) along the rows, measured: the extent of the input pixels with a non-zero gradient of one output
    unit of a stack of torch convolutions with positive weights, and how far it moves to the next unit."""
    torch.manual_seed(0)
    x = torch.zeros(1, 1, side, side, dtype=torch.float64, requires_grad=True)
    out = x
    for kernel, stride, *dilation in layers:
        weight = torch.rand(1, 1, kernel, kernel, dtype=torch.float64) + 0.5  # > 0: no gradient cancels
        out = F.conv2d(out, weight, stride=stride, dilation=dilation[0] if dilation else 1)

    def rows_reached(i: int) -> np.ndarray:
        (grad,) = torch.autograd.grad(out[0, 0, i, 0], x, retain_graph=True)
        return np.flatnonzero(grad[0, 0].abs().sum(dim=1).numpy())

    first, second = rows_reached(0), rows_reached(1)
    return int(first[-1] - first[0] + 1), int(second[0] - first[0])


@pytest.mark.parametrize("layers", [
    [(3, 1)], [(3, 1), (3, 1), (3, 1)], [(3, 2), (3, 2)], [(5, 1), (2, 2), (3, 1)], [(3, 1, 2), (3, 1, 4)],
    [(7, 2), (3, 2), (3, 1, 2), (1, 1)], [(2, 2), (2, 2), (2, 2), (3, 1)], [(4, 3, 2), (3, 2, 3)],
])
def test_receptive_field_matches_the_gradient_probe(layers):
    fields = filters.receptive_field(layers)
    assert len(fields) == len(layers)
    for depth in range(1, len(layers) + 1):
        assert tuple(fields[depth - 1]) == probed_field(layers[:depth]), layers[:depth]


def test_receptive_field_worked_example():
    # three 3×3 convs see 7 pixels (as one 7×7 would); a 2×2 pool of stride 2 doubles the later jumps
    assert filters.receptive_field([(3, 1), (3, 1), (3, 1)])[-1] == (7, 1)
    assert filters.receptive_field([(3, 1), (2, 2), (3, 1)]) == [(3, 1), (4, 2), (8, 2)]


def test_receptive_field_rejects_bad_layers():
    with pytest.raises(ValueError, match="layers must be a non-empty list"):
        filters.receptive_field([])
    with pytest.raises(ValueError, match=r"layers\[1\] must be \(kernel_size, stride\) .*got 3"):
        filters.receptive_field([(3, 1), 3])
    with pytest.raises(ValueError, match=r"layers\[0\]'s stride must be a positive integer, got 0"):
        filters.receptive_field([(3, 0)])
