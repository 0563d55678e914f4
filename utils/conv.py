"""Convolution and pooling from scratch in NumPy: ``Conv1d``, ``Conv2d``, ``MaxPool2d``, ``AvgPool2d``,
``AdaptiveAvgPool2d(1)`` and ``Flatten``, each with ``forward`` and ``backward``, channels first as in PyTorch.

A convolution layer (a *cross-correlation*: the kernel is not flipped) slides F kernels of shape (C, KH, KW) over
an input of shape (N, C, H, W). Output pixel (n, f, i, j) is the dot product of kernel f with the window whose top
left corner is at (i·S, j·S) of the zero-padded input, plus the bias b_f::

    out[n, f, i, j] = b[f] + Σ_c Σ_u Σ_v  w[f, c, u, v] · x_pad[n, c, i·S + u·D, j·S + v·D]

with stride S, dilation D (the gap between the kernel's taps) and padding P (zeros on every side). Along each
axis the output size is::

    H_out = ⌊(H + 2P − D(K − 1) − 1) / S⌋ + 1          (conv_output_size)

Two implementations compute the same numbers:

- ``conv2d_naive``: the formula above as explicit loops, for reading (tiny inputs only: it is very slow);
- ``conv2d``: **im2col**. ``im2col`` copies every window into a column, giving shape (N, C·KH·KW, L) with
  L = H_out·W_out windows (exactly ``torch.nn.functional.unfold``'s layout); the convolution is then one matrix
  product of the weights reshaped to (F, C·KH·KW) with those columns. ``col2im`` (PyTorch's ``fold``) is its
  adjoint: it adds every column back where it came from, summing where windows overlap. That is the backward pass
  of im2col, so the input gradient of a convolution is ``col2im(Wᵀ · dL/dout)``. The windows are read through a
  view (``numpy.lib.stride_tricks.sliding_window_view``) and copied once. The layers keep the same columns with
  the N images side by side, one (C·KH·KW, N·L) matrix, so that in backward dL/dW = dL/dout · colsᵀ and
  dL/dcols = Wᵀ · dL/dout are each one matrix product over the whole batch.

Precision: float64 by default, as everywhere in the course (the gradient checks and the parity tests with PyTorch
use it). ``Conv2d(..., dtype=np.float32)`` (likewise ``Conv1d``) is a float32 layer: float32 parameters, inputs cast
to float32, float32 outputs and gradients, about twice as fast. The functions ``im2col``, ``col2im``, ``conv2d`` and
``conv2d_naive`` compute in float32 when every array they are given is float32, in float64 otherwise.

Pooling layers use the same windows, one channel at a time: ``MaxPool2d`` keeps each window's maximum (and sends
the gradient to the *first* maximum of the window, in reading order, as PyTorch does); ``AvgPool2d`` its mean
(padding zeros count in the mean, PyTorch's default); ``AdaptiveAvgPool2d(1)`` averages each whole channel
(global average pooling).
"""

from __future__ import annotations

import math

import numpy as np

from . import init
from .module import Module, Parameter, check_float_dtype, check_positive_int, to_float, to_float64

__all__ = ["AdaptiveAvgPool2d", "AvgPool2d", "Conv1d", "Conv2d", "Flatten", "MaxPool2d", "col2im", "conv2d",
           "conv2d_naive", "conv_output_size", "im2col"]


# ---------------------------------------------------------------------------------------------
# Checks of the arguments
# ---------------------------------------------------------------------------------------------
def _check_nonnegative_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return int(value)


def _pair(value, name: str, *, zero_ok: bool = False) -> tuple[int, int]:
    """``value`` as a pair ``(for H, for W)``: an int is used for both; a tuple or list must hold two ints."""
    check = _check_nonnegative_int if zero_ok else check_positive_int
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (for H, for W), got {value!r}")
        return check(value[0], name), check(value[1], name)
    value = check(value, name)
    return value, value


def _single(value, name: str, *, zero_ok: bool = False) -> int:
    """``value`` as one int (Conv1d's arguments); a 1-tuple is accepted, as PyTorch does."""
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise ValueError(f"{name} must be an int (or a 1-tuple) for a 1-D convolution, got {value!r}")
        value = value[0]
    return (_check_nonnegative_int if zero_ok else check_positive_int)(value, name)


def _as_float(x, name: str, dtype=np.float64) -> np.ndarray:
    """``x`` checked to hold real numbers, as ``dtype``; ``dtype=None`` keeps a float32 array float32 (anything else
    becomes float64), the rule of the functions im2col, col2im, conv2d and conv2d_naive."""
    if dtype is None:
        dtype = np.float32 if getattr(x, "dtype", None) == np.float32 else np.float64
    return to_float(x, dtype, name=name)


def _check_images(x, name: str = "x", who: str = "", dtype=np.float64) -> np.ndarray:
    x = _as_float(x, name, dtype)
    if x.ndim != 4:
        raise ValueError(f"{who or name} expected {name} of shape (N, C, H, W), got shape {x.shape} "
                         f"({x.ndim}-D; a single image needs a batch axis: x[None])")
    return x


def _check_grad(grad_out, shape: tuple[int, ...], dtype=np.float64) -> np.ndarray:
    g = to_float(grad_out, dtype, name="grad_out")
    if g.shape != shape:
        raise ValueError(f"grad_out must have the output's shape {shape}, got {g.shape}")
    return g


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """The number of positions a kernel takes along one axis: ``⌊(size + 2P − D(K − 1) − 1) / S⌋ + 1``.

    ``D(K − 1) + 1`` is the span of a dilated kernel; the padded input has ``size + 2P`` positions.

    Raises:
        ValueError: for a non-positive size, kernel, stride or dilation, a negative padding, or a kernel that
            does not fit in the padded input (output size ≤ 0), naming the numbers.
    """
    size = check_positive_int(size, "size")
    kernel_size = check_positive_int(kernel_size, "kernel_size")
    stride = check_positive_int(stride, "stride")
    padding = _check_nonnegative_int(padding, "padding")
    dilation = check_positive_int(dilation, "dilation")
    span = dilation * (kernel_size - 1) + 1
    out = (size + 2 * padding - span) // stride + 1
    if out <= 0:
        raise ValueError(f"the kernel does not fit in the padded input: kernel_size={kernel_size} with "
                         f"dilation={dilation} spans {span} positions, the padded input has size + 2·padding = "
                         f"{size} + 2·{padding} = {size + 2 * padding} (output size {out} <= 0)")
    return out


# ---------------------------------------------------------------------------------------------
# im2col / col2im: every window as a column, and back
# ---------------------------------------------------------------------------------------------
def _window_geometry(x_shape, kernel_size, stride, padding, dilation):
    """The checked pairs (KH, KW), (SH, SW), (PH, PW), (DH, DW) and the output size (OH, OW)."""
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(stride, "stride")
    ph, pw = _pair(padding, "padding", zero_ok=True)
    dh, dw = _pair(dilation, "dilation")
    oh = conv_output_size(x_shape[2], kh, sh, ph, dh)
    ow = conv_output_size(x_shape[3], kw, sw, pw, dw)
    return (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow)


def _pad(x: np.ndarray, padding, value: float = 0.0) -> np.ndarray:
    """``x`` with ``value`` added around H and W (x itself when there is no padding). (N, C, H, W) -> (N, C, H + 2PH,
    W + 2PW)."""
    (ph, pw) = padding
    return x if ph == pw == 0 else np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def _window_view(x_padded: np.ndarray, kernel, stride, dilation, out_size, writeable: bool = False) -> np.ndarray:
    """Every window of an already padded input as a *view* (no copy): element (n, c, u, v, i, j) is tap (u, v) of
    the window of output pixel (i, j), i.e. ``x_padded[n, c, i·S + u·D, j·S + v·D]``.

    Shapes: x_padded (N, C, Hp, Wp) -> (N, C, KH, KW, OH, OW).
    """
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_size
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)  # the extent of a dilated kernel
    every = np.lib.stride_tricks.sliding_window_view(x_padded, span, axis=(2, 3), writeable=writeable)
    # every: (N, C, Hp − spanH + 1, Wp − spanW + 1, spanH, spanW), one window per position; keep every S-th position
    # and every D-th tap of each window
    windows = every[:, :, : sh * (oh - 1) + 1: sh, : sw * (ow - 1) + 1: sw, ::dh, ::dw]  # (N, C, OH, OW, KH, KW)
    return windows.transpose(0, 1, 4, 5, 2, 3)  # (N, C, KH, KW, OH, OW)


def _patches(x_padded: np.ndarray, kernel, stride, dilation, out_size) -> np.ndarray:
    """The windows of an already padded input, in unfold's layout. Shapes: (N, C, Hp, Wp) -> (N, C·KH·KW, L)."""
    (kh, kw), (oh, ow) = kernel, out_size
    n, c = x_padded.shape[:2]
    windows = _window_view(x_padded, kernel, stride, dilation, out_size)  # (N, C, KH, KW, OH, OW), a view
    return windows.reshape(n, c * kh * kw, oh * ow)  # the one copy: (N, C, KH, KW, OH, OW) -> (N, C·KH·KW, L)


def _columns_side_by_side(x: np.ndarray, kernel, stride, padding, dilation, out_size) -> np.ndarray:
    """im2col with the N images' columns side by side in one matrix, the layout ``Conv2d`` computes in: column
    n·L + l is image n's window of output pixel l (``im2col(x)[n]`` is the block of columns n·L … n·L + L − 1).

    Shapes: x (N, C, H, W) -> (C·KH·KW, N·L).
    """
    (kh, kw), (oh, ow) = kernel, out_size
    n, c = x.shape[:2]
    channels_first = _pad(x.transpose(1, 0, 2, 3), padding)  # (C, N, H + 2PH, W + 2PW) (a view when no padding)
    windows = _window_view(channels_first, kernel, stride, dilation, out_size)  # (C, N, KH, KW, OH, OW), a view
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(c * kh * kw, n * oh * ow)  # one copy via (C, KH, KW, N, OH, OW)


def im2col(x, kernel_size, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Every window of the zero-padded input as a column, in ``torch.nn.functional.unfold``'s layout.

    Row ``c·KH·KW + u·KW + v`` holds tap (u, v) of channel c; column ``i·W_out + j`` is the window of output
    pixel (i, j). Sizes follow ``conv_output_size``. A float32 ``x`` gives float32 columns, anything else float64.

    Shapes: x (N, C, H, W) -> (N, C·KH·KW, L), L = H_out·W_out.

    Raises:
        ValueError: for an input that is not 4-D, a bad kernel_size/stride/padding/dilation (each an int or a
            pair), or a kernel larger than the padded input.
    """
    x = _check_images(x, who="im2col", dtype=None)
    kernel, stride, padding, dilation, out_size = _window_geometry(x.shape, kernel_size, stride, padding, dilation)
    return _patches(_pad(x, padding), kernel, stride, dilation, out_size)


def _add_windows(grad_windows: np.ndarray, padded_shape, kernel, stride, dilation, out_size) -> np.ndarray:
    """The adjoint of ``_window_view``: add each window's numbers back where they came from (overlaps sum), in
    their dtype. Shapes: grad_windows (A, B, KH, KW, OH, OW) -> (A, B, Hp, Wp), (A, B) = (N, C) or (C, N)."""
    (kh, kw) = kernel
    x_padded = np.zeros(padded_shape, dtype=grad_windows.dtype)
    windows = _window_view(x_padded, kernel, stride, dilation, out_size, writeable=True)  # a view into x_padded
    for u in range(kh):  # one tap at a time: its OH·OW pixels are distinct, so += adds each number once;
        for v in range(kw):  # windows overlap across taps, and the taps' loop sums them
            windows[:, :, u, v] += grad_windows[:, :, u, v]  # (A, B, OH, OW)
    return x_padded


def _add_patches(cols: np.ndarray, padded_shape, kernel, stride, dilation, out_size) -> np.ndarray:
    """The adjoint of ``_patches``. Shapes: cols (N, C·KH·KW, L) -> (N, C, Hp, Wp)."""
    (kh, kw), (oh, ow) = kernel, out_size
    n, c = padded_shape[:2]
    windows = cols.reshape(n, c, kh, kw, oh, ow)  # (N, C·KH·KW, L) -> (N, C, KH, KW, OH, OW)
    return _add_windows(windows, padded_shape, kernel, stride, dilation, out_size)


def _add_columns_side_by_side(cols: np.ndarray, x_shape, kernel, stride, padding, dilation, out_size) -> np.ndarray:
    """The adjoint of ``_columns_side_by_side``. Shapes: cols (C·KH·KW, N·L) -> (N, C, H, W)."""
    (kh, kw), (ph, pw), (oh, ow) = kernel, padding, out_size
    n, c, h, w = x_shape
    windows = cols.reshape(c, kh, kw, n, oh, ow).transpose(0, 3, 1, 2, 4, 5)  # (C, N, KH, KW, OH, OW), a view
    x_padded = _add_windows(windows, (c, n, h + 2 * ph, w + 2 * pw), kernel, stride, dilation, out_size)
    return np.ascontiguousarray(x_padded[:, :, ph: ph + h, pw: pw + w].transpose(1, 0, 2, 3))  # -> (N, C, H, W)


def col2im(cols, input_shape, kernel_size, stride=1, padding=0, dilation=1) -> np.ndarray:
    """The adjoint of ``im2col`` (``torch.nn.functional.fold``): add each column back into its window of an
    image of shape ``input_shape``, summing where windows overlap, then drop the padding.

    ``⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩`` for every x and y, which makes it im2col's backward pass. Float32 columns
    give a float32 image, anything else float64.

    Shapes: cols (N, C·KH·KW, L), input_shape (N, C, H, W) -> (N, C, H, W).

    Raises:
        ValueError: if ``input_shape`` is not 4 positive ints, or ``cols`` does not have the shape im2col would
            give for it; for bad kernel_size/stride/padding/dilation as im2col.
    """
    if (not isinstance(input_shape, (tuple, list)) or len(input_shape) != 4
            or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0
                       for s in input_shape)):
        raise ValueError(f"input_shape must be the image shape (N, C, H, W), 4 positive ints, got {input_shape!r}")
    n, c, h, w = (int(s) for s in input_shape)
    kernel, stride, (ph, pw), dilation, out_size = _window_geometry((n, c, h, w), kernel_size, stride, padding,
                                                                    dilation)
    expected = (n, c * kernel[0] * kernel[1], out_size[0] * out_size[1])
    cols = _as_float(cols, "cols", dtype=None)
    if cols.shape != expected:
        raise ValueError(f"cols must have shape (N, C·KH·KW, L) = {expected} for input_shape {(n, c, h, w)}, "
                         f"got shape {cols.shape}")
    x_padded = _add_patches(cols, (n, c, h + 2 * ph, w + 2 * pw), kernel, stride, dilation, out_size)
    return x_padded[:, :, ph: ph + h, pw: pw + w]  # (N, C, H + 2PH, W + 2PW) -> (N, C, H, W)


# ---------------------------------------------------------------------------------------------
# conv2d: naive loops, and im2col + one matrix product
# ---------------------------------------------------------------------------------------------
def _check_conv_arguments(x, weight, bias, who: str):
    """(x, weight, bias) checked, all float32 if all three are float32 arrays (bias may be None), else all float64."""
    x = _check_images(x, who=who, dtype=None)
    weight = _as_float(weight, "weight", dtype=None)
    if weight.ndim != 4:
        raise ValueError(f"{who} expected weight of shape (F, C, KH, KW), got shape {weight.shape}")
    if weight.shape[1] != x.shape[1]:
        raise ValueError(f"{who}: weight of shape {weight.shape} expects C = {weight.shape[1]} input channels, "
                         f"got x with C = {x.shape[1]} (shape {x.shape})")
    if bias is not None:
        bias = _as_float(bias, "bias", dtype=None)
        if bias.shape != (weight.shape[0],):
            raise ValueError(f"{who}: bias must have shape (F,) = ({weight.shape[0]},), got shape {bias.shape}")
    dtype = np.result_type(x, weight, *([] if bias is None else [bias]))  # float32 only if all are float32
    return x.astype(dtype, copy=False), weight.astype(dtype, copy=False), None if bias is None else bias.astype(
        dtype, copy=False)


def conv2d_naive(x, weight, bias=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """The convolution formula as explicit loops over examples, filters and output pixels (slow: tiny inputs only).
    Float32 if x, weight and bias are all float32, else float64.

    Shapes: x (N, C, H, W), weight (F, C, KH, KW), bias (F,) or None -> (N, F, H_out, W_out).

    Raises:
        ValueError: as ``conv2d``.
    """
    x, weight, bias = _check_conv_arguments(x, weight, bias, "conv2d_naive")
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow) = _window_geometry(x.shape, weight.shape[2:], stride,
                                                                         padding, dilation)
    x_padded = _pad(x, (ph, pw))  # (N, C, H + 2PH, W + 2PW)
    n_images, n_filters = x.shape[0], weight.shape[0]
    out = np.zeros((n_images, n_filters, oh, ow), dtype=x.dtype)
    for n in range(n_images):
        for f in range(n_filters):
            for i in range(oh):
                for j in range(ow):
                    # the window of output pixel (i, j): every D-th pixel from (i·S, j·S), all channels
                    window = x_padded[n, :, i * sh: i * sh + dh * (kh - 1) + 1: dh,
                                      j * sw: j * sw + dw * (kw - 1) + 1: dw]  # (C, KH, KW)
                    out[n, f, i, j] = np.sum(window * weight[f]) + (0.0 if bias is None else bias[f])
    return out


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """2-D cross-correlation via im2col and one matrix product, like ``torch.nn.functional.conv2d``.

    ``out = W₂ · im2col(x) + b`` with ``W₂`` the weight reshaped to (F, C·KH·KW); sizes follow
    ``H_out = ⌊(H + 2P − D(KH − 1) − 1)/S⌋ + 1`` (likewise W_out). Float32 if x, weight and bias are all float32
    arrays, else float64.

    Shapes: x (N, C, H, W), weight (F, C, KH, KW), bias (F,) or None -> (N, F, H_out, W_out).

    Raises:
        ValueError: for an input that is not (N, C, H, W), a weight that is not (F, C, KH, KW) with x's C, a
            bias that is not (F,), bad stride/padding/dilation, or a kernel larger than the padded input.
    """
    x, weight, bias = _check_conv_arguments(x, weight, bias, "conv2d")
    return _conv2d_forward(x, weight, bias, stride, padding, dilation)[0]


def _conv2d_forward(x, weight, bias, stride, padding, dilation):
    """(out, cols) for checked arrays of one dtype: what conv2d computes, and the columns its backward needs (the
    N images' columns side by side, (C·KH·KW, N·L): then dL/dW and dL/dcols are each one matrix product)."""
    n, f = x.shape[0], weight.shape[0]
    kernel, stride, padding, dilation, (oh, ow) = _window_geometry(x.shape, weight.shape[2:], stride, padding,
                                                                   dilation)
    cols = _columns_side_by_side(x, kernel, stride, padding, dilation, (oh, ow))  # (C·KH·KW, N·L)
    per_image = cols.reshape(len(cols), n, oh * ow).transpose(1, 0, 2)  # (N, C·KH·KW, L): im2col(x), a view
    out = weight.reshape(f, -1) @ per_image  # (F, C·KH·KW) @ (N, C·KH·KW, L) -> (N, F, L), one product per image
    if bias is not None:
        out += bias[:, None]  # (F, 1) broadcasts over N and L
    return out.reshape(n, f, oh, ow), cols  # (N, F, L) -> (N, F, H_out, W_out)


def _conv2d_backward(g, cols, weight, x_shape, stride, padding, dilation):
    """(dL/dx, dL/dW, dL/db) from dL/dout ``g`` (N, F, H_out, W_out) and the forward's columns (C·KH·KW, N·L), in
    their dtype."""
    n, f = g.shape[:2]
    kernel, stride, padding, dilation, out_size = _window_geometry(x_shape, weight.shape[2:], stride, padding,
                                                                   dilation)
    g = g.reshape(n, f, -1).transpose(1, 0, 2).reshape(f, -1)  # (N, F, L) -> (F, N·L): side by side, as the columns
    grad_weight = (g @ cols.T).reshape(weight.shape)  # Σ_n g_n · im2col(x)_nᵀ in one product: (F, N·L) @ (N·L, CKK)
    grad_bias = g.sum(axis=1)  # (F, N·L) -> (F,)
    grad_cols = weight.reshape(f, -1).T @ g  # (C·KH·KW, F) @ (F, N·L) -> (C·KH·KW, N·L)
    grad_x = _add_columns_side_by_side(grad_cols, x_shape, kernel, stride, padding, dilation, out_size)  # col2im
    return grad_x, grad_weight, grad_bias


# ---------------------------------------------------------------------------------------------
# Convolution layers
# ---------------------------------------------------------------------------------------------
class Conv2d(Module):
    """A 2-D convolution layer, like ``torch.nn.Conv2d`` (zero padding, float64 unless ``dtype=np.float32``).

    Args:
        in_channels: C, the channels of the input.
        out_channels: F, the number of filters (channels of the output).
        kernel_size, stride, padding, dilation: each an int (the same along H and W) or a pair (for H, for W).
        bias: learn a bias per filter (``self.bias`` is None otherwise).
        rng: the ``np.random.Generator`` the initial weights are drawn from (None: a fresh, unseeded one).
        dtype: what the layer computes in, ``np.float64`` (the default: gradient checks need it) or ``np.float32``
            (about twice as fast). The parameters hold this dtype, inputs and output gradients are cast to it, and
            the output, the input gradient and the parameters' ``.grad`` come out in it. With the same ``rng``, a
            float32 layer starts from the float64 layer's weights rounded to float32.

    Shapes: x (N, C, H, W) -> (N, F, H_out, W_out), H_out = ⌊(H + 2P − D(KH − 1) − 1)/S⌋ + 1 (likewise W_out);
    ``weight`` (F, C, KH, KW), ``bias`` (F,).

    Raises:
        ValueError: for a channel count or kernel_size that is not a positive int (or pair), a bad stride/padding/
            dilation, or a ``dtype`` other than float64 and float32.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 bias: bool = True, rng: np.random.Generator | None = None, dtype=np.float64):
        super().__init__()
        self.dtype = check_float_dtype(dtype)
        self.in_channels = check_positive_int(in_channels, "in_channels")
        self.out_channels = check_positive_int(out_channels, "out_channels")
        self.kernel_size = self._arg(kernel_size, "kernel_size")
        self.stride = self._arg(stride, "stride")
        self.padding = self._arg(padding, "padding", zero_ok=True)
        self.dilation = self._arg(dilation, "dilation")
        self.weight = Parameter(np.zeros((self.out_channels, self.in_channels, *self.kernel_size)), self.dtype)
        self.bias = Parameter(np.zeros(self.out_channels), self.dtype) if bias else None
        self.reset_parameters(rng)

    _ndim, _shape = 4, "(N, C, H, W)"

    @staticmethod
    def _arg(value, name, zero_ok=False):
        return _pair(value, name, zero_ok=zero_ok)

    def reset_parameters(self, rng: np.random.Generator | None = None) -> None:
        """PyTorch's default initialization: weight ``kaiming_uniform(a=√5)``, i.e. ``U(±1/√fan_in)``, and bias
        ``U(±1/√fan_in)``, with fan_in = C·KH·KW (the numbers each output pixel sums over), drawn in float64 and
        stored in the layer's dtype; gradients are reset."""
        rng = np.random.default_rng() if rng is None else rng
        self.weight.data = init.kaiming_uniform(self.weight.shape, rng, a=math.sqrt(5.0)).astype(self.dtype)
        self.weight.grad = None
        if self.bias is not None:
            bound = 1.0 / math.sqrt(init.compute_fans(self.weight.shape)[0])
            self.bias.data = init.uniform(self.bias.shape, rng, -bound, bound).astype(self.dtype)
            self.bias.grad = None

    def _check_input(self, x) -> np.ndarray:
        x = to_float(x, self.dtype, name="input")
        if x.ndim != self._ndim:
            raise ValueError(f"{self._name()} expected an input of shape {self._shape}, got shape {x.shape} "
                             f"({x.ndim}-D; a single example needs a batch axis: x[None])")
        if x.shape[1] != self.in_channels:
            raise ValueError(f"{self._name()} expects in_channels={self.in_channels} input channels, got x with "
                             f"C = {x.shape[1]} (shape {x.shape})")
        return x

    def _name(self) -> str:
        return f"{type(self).__name__}(in_channels={self.in_channels}, out_channels={self.out_channels})"

    def _as_2d(self):
        """(weight as (F, C, KH, KW) in the layer's dtype, stride, padding, dilation) for the 2-D maths."""
        return self.weight.data.astype(self.dtype, copy=False), self.stride, self.padding, self.dilation

    def forward(self, x) -> np.ndarray:
        """``conv2d(x, weight, bias)`` by im2col; keeps the columns for backward.

        Shapes: x (N, C, H, W) -> (N, F, H_out, W_out).

        Raises:
            ValueError: for an input that is not 4-D, has not ``in_channels`` channels, or is smaller than the
                kernel's span (with the padding).
        """
        x = self._check_input(x)
        weight, stride, padding, dilation = self._as_2d()
        x4 = x.reshape(x.shape[0], x.shape[1], -1, x.shape[-1]) if x.ndim == 3 else x  # (N, C, L) -> (N, C, 1, L)
        bias = None if self.bias is None else self.bias.data.astype(self.dtype, copy=False)
        out, cols = _conv2d_forward(x4, weight, bias, stride, padding, dilation)
        self.save_for_backward(cols, x4.shape, out.shape)
        return out.reshape(out.shape[0], out.shape[1], -1) if x.ndim == 3 else out

    def backward(self, grad_out) -> np.ndarray:
        """dL/dx = col2im(W₂ᵀ · g); adds dL/dW = Σ_n g_n · im2col(x)_nᵀ into ``weight.grad`` and dL/db = Σ g over
        N and the output pixels into ``bias.grad``.

        Shapes: grad_out (N, F, H_out, W_out) -> (N, C, H, W); adds (F, C, KH, KW) and (F,).

        Raises:
            RuntimeError: if ``forward`` has not been called.
            ValueError: if ``grad_out`` does not have the output's shape.
        """
        cols, x4_shape, out4_shape = self.saved_arrays
        out_shape = out4_shape if self._ndim == 4 else out4_shape[:2] + (out4_shape[3],)
        g = _check_grad(grad_out, out_shape, self.dtype).reshape(out4_shape)
        weight, stride, padding, dilation = self._as_2d()
        grad_x, grad_weight, grad_bias = _conv2d_backward(g, cols, weight, x4_shape, stride, padding, dilation)
        self.weight.accumulate_grad(grad_weight.reshape(self.weight.shape))
        if self.bias is not None:
            self.bias.accumulate_grad(grad_bias)
        return grad_x.reshape(grad_x.shape[0], grad_x.shape[1], -1) if self._ndim == 3 else grad_x

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, dilation={self.dilation}, bias={self.bias is not None}"
                + ("" if self.dtype == np.float64 else f", dtype={self.dtype}"))


class Conv1d(Conv2d):
    """A 1-D convolution layer over sequences, like ``torch.nn.Conv1d``: a ``Conv2d`` on an input of height 1.

    Arguments as ``Conv2d`` (dtype included), kernel_size, stride, padding and dilation each a single int.

    Shapes: x (N, C, L) -> (N, F, L_out), L_out = ⌊(L + 2P − D(K − 1) − 1)/S⌋ + 1; ``weight`` (F, C, K),
    ``bias`` (F,).
    """

    _ndim, _shape = 3, "(N, C, L)"

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 bias: bool = True, rng: np.random.Generator | None = None, dtype=np.float64):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, bias, rng, dtype)
        self.weight.data = self.weight.data.reshape(self.out_channels, self.in_channels, -1)  # -> (F, C, K)
        self.kernel_size, self.stride = self.kernel_size[1:], self.stride[1:]
        self.padding, self.dilation = self.padding[1:], self.dilation[1:]

    @staticmethod
    def _arg(value, name, zero_ok=False):
        return (1 if name != "padding" else 0, _single(value, name, zero_ok=zero_ok))

    def _as_2d(self):
        w = self.weight.data.astype(self.dtype, copy=False)
        return (w[:, :, None, :],  # (F, C, K) -> (F, C, 1, K)
                (1, *self.stride), (0, *self.padding), (1, *self.dilation))


# ---------------------------------------------------------------------------------------------
# Pooling and flattening
# ---------------------------------------------------------------------------------------------
class _Pool2d(Module):
    """What MaxPool2d and AvgPool2d share: windows of one channel at a time, stride = kernel_size by default."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride")
        self.padding = _pair(padding, "padding", zero_ok=True)
        for p, k in zip(self.padding, self.kernel_size):
            if p > k // 2:  # PyTorch's rule: a window must never lie entirely in the padding
                raise ValueError(f"padding must be at most half of kernel_size, got padding={self.padding} "
                                 f"and kernel_size={self.kernel_size}")

    _pad_value = 0.0

    def _windows(self, x) -> np.ndarray:
        """Each channel's windows as columns. Shapes: x (N, C, H, W) -> (N·C, KH·KW, L)."""
        x = _check_images(x, name="input", who=type(self).__name__)
        kernel, stride, (ph, pw), dilation, out_size = _window_geometry(x.shape, self.kernel_size, self.stride,
                                                                        self.padding, 1)
        n, c, h, w = x.shape
        x_padded = _pad(x.reshape(n * c, 1, h, w), (ph, pw), self._pad_value)  # (N·C, 1, H + 2PH, W + 2PW):
        # channels as examples
        self._geometry = (x.shape, x_padded.shape, out_size)
        return _patches(x_padded, kernel, stride, dilation, out_size)  # (N·C, KH·KW, L)

    def _unwindow(self, grad_cols: np.ndarray) -> np.ndarray:
        """The adjoint of ``_windows``. Shapes: (N·C, KH·KW, L) -> (N, C, H, W)."""
        x_shape, padded_shape, out_size = self._geometry
        grad = _add_patches(grad_cols, padded_shape, self.kernel_size, self.stride, (1, 1), out_size)
        (ph, pw), (h, w) = self.padding, x_shape[2:]
        return grad[:, :, ph: ph + h, pw: pw + w].reshape(x_shape)  # crop, then (N·C, 1, H, W) -> (N, C, H, W)

    def _output_shape(self) -> tuple[int, ...]:
        x_shape, _, out_size = self._geometry
        return (*x_shape[:2], *out_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """Max pooling, like ``torch.nn.MaxPool2d``: each window's largest value, channel by channel.

    The gradient of a window goes to its **first** maximum in reading order (row by row), as PyTorch does, so a
    tie never splits it; where windows overlap, a pixel collects the gradient of every window it wins. Padding is
    −∞ (it never wins) and may be at most half the kernel.

    Args:
        kernel_size: an int or a pair (KH, KW).
        stride: an int or a pair; None (the default) means kernel_size (windows side by side).
        padding: an int or a pair.

    Shapes: x (N, C, H, W) -> (N, C, H_out, W_out), H_out = ⌊(H + 2P − KH)/S⌋ + 1 (likewise W_out).
    """

    _pad_value = -np.inf

    def forward(self, x) -> np.ndarray:
        """Shapes: x (N, C, H, W) -> (N, C, H_out, W_out).

        Raises:
            ValueError: for an input that is not 4-D, or smaller than the kernel (with the padding).
        """
        cols = self._windows(x)  # (N·C, KH·KW, L)
        first_max = np.argmax(cols, axis=1)  # (N·C, L): argmax returns the first of tied maxima
        self.save_for_backward(first_max, cols.shape)
        out = np.take_along_axis(cols, first_max[:, None, :], axis=1)  # (N·C, 1, L)
        return out.reshape(self._output_shape())

    def backward(self, grad_out) -> np.ndarray:
        """Each window's gradient goes to its first maximum; overlapping windows add up.

        Shapes: grad_out (N, C, H_out, W_out) -> (N, C, H, W).

        Raises:
            RuntimeError: if ``forward`` has not been called.
            ValueError: if ``grad_out`` does not have the output's shape.
        """
        first_max, cols_shape = self.saved_arrays
        g = _check_grad(grad_out, self._output_shape()).reshape(cols_shape[0], 1, cols_shape[2])  # (N·C, 1, L)
        grad_cols = np.zeros(cols_shape)
        np.put_along_axis(grad_cols, first_max[:, None, :], g, axis=1)  # only the winner of each window
        return self._unwindow(grad_cols)


class AvgPool2d(_Pool2d):
    """Average pooling, like ``torch.nn.AvgPool2d``: each window's mean, channel by channel. Padding zeros count
    in the mean (PyTorch's default ``count_include_pad=True``). Arguments as ``MaxPool2d``.

    Shapes: x (N, C, H, W) -> (N, C, H_out, W_out), H_out = ⌊(H + 2P − KH)/S⌋ + 1 (likewise W_out).
    """

    def forward(self, x) -> np.ndarray:
        """Shapes: x (N, C, H, W) -> (N, C, H_out, W_out).

        Raises:
            ValueError: for an input that is not 4-D, or smaller than the kernel (with the padding).
        """
        cols = self._windows(x)  # (N·C, KH·KW, L)
        self.save_for_backward(cols.shape)
        return cols.mean(axis=1).reshape(self._output_shape())  # (N·C, L) -> (N, C, H_out, W_out)

    def backward(self, grad_out) -> np.ndarray:
        """Each window's gradient is shared equally by its KH·KW pixels; overlapping windows add up.

        Shapes: grad_out (N, C, H_out, W_out) -> (N, C, H, W).

        Raises:
            RuntimeError: if ``forward`` has not been called.
            ValueError: if ``grad_out`` does not have the output's shape.
        """
        (cols_shape,) = self.saved_arrays
        g = _check_grad(grad_out, self._output_shape()).reshape(cols_shape[0], 1, cols_shape[2])  # (N·C, 1, L)
        return self._unwindow(np.broadcast_to(g / cols_shape[1], cols_shape))


class AdaptiveAvgPool2d(Module):
    """Global average pooling, ``torch.nn.AdaptiveAvgPool2d(1)``: the mean of each channel over all its pixels.

    Only ``output_size=1`` (or ``(1, 1)``) is implemented, the size used before a classifier head.

    Shapes: x (N, C, H, W) -> (N, C, 1, 1).
    """

    def __init__(self, output_size=1):
        super().__init__()
        if output_size not in (1, (1, 1), [1, 1]) or isinstance(output_size, bool):
            raise ValueError(f"output_size must be 1 or (1, 1) (global average pooling; other sizes are not "
                             f"implemented here), got {output_size!r}")
        self.output_size = (1, 1)

    def forward(self, x) -> np.ndarray:
        """Shapes: x (N, C, H, W) -> (N, C, 1, 1).

        Raises:
            ValueError: for an input that is not 4-D.
        """
        x = _check_images(x, name="input", who="AdaptiveAvgPool2d")
        self.save_for_backward(x.shape)
        return x.mean(axis=(2, 3), keepdims=True)  # (N, C, H, W) -> (N, C, 1, 1)

    def backward(self, grad_out) -> np.ndarray:
        """Every pixel of a channel gets 1/(H·W) of its gradient. Shapes: grad_out (N, C, 1, 1) -> (N, C, H, W).

        Raises:
            RuntimeError: if ``forward`` has not been called.
            ValueError: if ``grad_out`` does not have the output's shape.
        """
        (x_shape,) = self.saved_arrays
        g = _check_grad(grad_out, (*x_shape[:2], 1, 1))
        return np.broadcast_to(g / (x_shape[2] * x_shape[3]), x_shape).copy()

    def extra_repr(self) -> str:
        return "output_size=1"


class Flatten(Module):
    """Merge the dimensions ``start_dim`` … ``end_dim`` into one, like ``torch.nn.Flatten`` (the bridge from
    feature maps to a ``Linear`` layer).

    Shapes: with the defaults, x (N, C, H, W) -> (N, C·H·W); in general (*a, *merged, *b) -> (*a, prod(merged), *b).
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        for value, name in ((start_dim, "start_dim"), (end_dim, "end_dim")):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ValueError(f"{name} must be an integer (a dimension, negative counts from the end), "
                                 f"got {value!r}")
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x) -> np.ndarray:
        """Shapes: (*a, *merged, *b) -> (*a, prod(merged), *b).

        Raises:
            ValueError: if start_dim or end_dim is not a dimension of x, or start_dim comes after end_dim.
        """
        x = to_float64(x, name="input")
        start = self.start_dim + x.ndim if self.start_dim < 0 else self.start_dim
        end = self.end_dim + x.ndim if self.end_dim < 0 else self.end_dim
        if not (0 <= start < max(x.ndim, 1) and 0 <= end < max(x.ndim, 1)) or start > end:
            raise ValueError(f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim}) needs dimensions of the "
                             f"input with start_dim <= end_dim, got an input of shape {x.shape} ({x.ndim}-D)")
        out = x.reshape(*x.shape[:start], -1, *x.shape[end + 1:])
        self.save_for_backward(x.shape, out.shape)
        return out

    def backward(self, grad_out) -> np.ndarray:
        """Shapes: grad_out (the output's shape) -> (the input's shape).

        Raises:
            RuntimeError: if ``forward`` has not been called.
            ValueError: if ``grad_out`` does not have the output's shape.
        """
        x_shape, out_shape = self.saved_arrays
        return _check_grad(grad_out, out_shape).reshape(x_shape)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
