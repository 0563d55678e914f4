"""Chapter 08's exercises: the checker accepts correct answers (also ones written differently from the reference)
and rejects plausible wrong answers with the hint that names the mistake: the output size with the stride ignored,
the padding counted once, the dilation ignored, rounded up or not floored; a flipped kernel, padding on one side, a
forgotten bias, a sum over the output channels, the stride applied to the kernel; im2col transposed, channel-last
inside a column, windows column by column; the pooling gradient to every maximum, every element, shared or to the
last maximum; the input gradient instead of the weight gradient, the batch not summed, a flipped kernel gradient.
Each wrong answer is written here, as a learner would write it."""

from __future__ import annotations

import math

import numpy as np
import pytest


def _failed_with(verdict, hint: str):
    assert verdict.status == "failed", verdict.render()
    assert verdict.hint is not None and hint in verdict.hint, verdict.render()


# ---------------------------------------------------------------------------------------------
# 1. output_size
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("answer, hint", [
    (lambda size, kernel_size, stride=1, padding=0, dilation=1:
        size + 2 * padding - dilation * (kernel_size - 1), "stride is ignored"),
    (lambda size, kernel_size, stride=1, padding=0, dilation=1:
        (size + padding - dilation * (kernel_size - 1) - 1) // stride + 1, "padding is counted once"),
    (lambda size, kernel_size, stride=1, padding=0, dilation=1:
        (size + 2 * padding - kernel_size) // stride + 1, "dilation is ignored"),
    (lambda size, kernel_size, stride=1, padding=0, dilation=1:
        math.ceil((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1, "rounded up"),
    (lambda size, kernel_size, stride=1, padding=0, dilation=1:
        (size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1, "not floored"),
    (lambda size, kernel_size, stride=1, padding=0, dilation=1:
        (size + 2 * padding - dilation * (kernel_size - 1)) // stride + 1, "one too large"),
])
def test_output_size_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.output_size", answer), hint)


def test_output_size_written_another_way_passes(verdict_of):
    def answer(size, kernel_size, stride=1, padding=0, dilation=1):
        last_start = size + 2 * padding - (dilation * (kernel_size - 1) + 1)
        return len(range(0, last_start + 1, stride))
    assert verdict_of("cnns.output_size", answer).passed


# ---------------------------------------------------------------------------------------------
# 2. conv2d_single
# ---------------------------------------------------------------------------------------------
def _single(flip=False, pad_mode="both", stride_mode="window"):
    def answer(x, kernel, stride=1, padding=0):
        k = kernel[::-1, ::-1] if flip else kernel
        pad = {"both": padding, "before": ((padding, 0), (padding, 0)), "after": ((0, padding), (0, padding))}[pad_mode]
        x = np.pad(x, pad)
        kh, kw = k.shape
        step, tap = (stride, 1) if stride_mode == "window" else (1, 1) if stride_mode == "ignored" else (1, stride)
        oh = (x.shape[0] - tap * (kh - 1) - 1) // step + 1
        ow = (x.shape[1] - tap * (kw - 1) - 1) // step + 1
        out = np.zeros((oh, ow))
        for i in range(oh):
            for j in range(ow):
                out[i, j] = np.sum(x[i * step: i * step + tap * (kh - 1) + 1: tap,
                                     j * step: j * step + tap * (kw - 1) + 1: tap] * k)
        return out
    return answer


@pytest.mark.parametrize("answer, hint", [
    (_single(flip=True), "kernel is flipped"),
    (_single(pad_mode="before"), "padding is on one side only"),
    (_single(pad_mode="after"), "padding is on one side only"),
    (_single(stride_mode="ignored"), "stride is ignored"),
    (_single(stride_mode="taps"), "stride spaces the kernel's taps"),
])
def test_conv2d_single_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.conv2d_single", answer), hint)


def test_conv2d_single_with_scipy_flip_passes(verdict_of):
    from scipy.signal import convolve2d

    def answer(x, kernel, stride=1, padding=0):  # a true convolution of the flipped kernel is the cross-correlation
        return convolve2d(np.pad(x, padding), kernel[::-1, ::-1], mode="valid")[::stride, ::stride]
    assert verdict_of("cnns.conv2d_single", answer).passed


# ---------------------------------------------------------------------------------------------
# 3. conv2d_forward
# ---------------------------------------------------------------------------------------------
def _forward(flip=False, bias_on=True, pad_mode="both", over_outputs=False, taps=False):
    def answer(x, weight, bias, stride=1, padding=0):
        w = weight[:, :, ::-1, ::-1] if flip else weight
        pad = {"both": (padding, padding), "before": (padding, 0)}[pad_mode]
        x = np.pad(x, ((0, 0), (0, 0), pad, pad))
        n, c, h, wd = x.shape
        f, _, kh, kw = w.shape
        step, tap = (1, stride) if taps else (stride, 1)
        oh, ow = (h - tap * (kh - 1) - 1) // step + 1, (wd - tap * (kw - 1) - 1) // step + 1
        out = np.zeros((n, c if over_outputs else f, oh, ow))
        for i in range(oh):
            for j in range(ow):
                rows = slice(i * step, i * step + tap * (kh - 1) + 1, tap)
                cols = slice(j * step, j * step + tap * (kw - 1) + 1, tap)
                patch = x[:, :, rows, cols]
                if over_outputs:
                    out[:, :, i, j] = np.einsum("nchw,fchw->nc", patch, w)
                else:
                    out[:, :, i, j] = np.einsum("nchw,fchw->nf", patch, w) + (bias if bias_on else 0)
        return out
    return answer


@pytest.mark.parametrize("answer, hint", [
    (_forward(flip=True), "kernel is flipped"),
    (_forward(bias_on=False), "bias is missing"),
    (_forward(pad_mode="before"), "padding is on one side only"),
    (_forward(over_outputs=True), "sum runs over the output channels"),
    (_forward(taps=True), "stride spaces the kernel's taps"),
])
def test_conv2d_forward_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.conv2d_forward", answer), hint)


def test_conv2d_forward_per_channel_loops_pass(verdict_of):
    def answer(x, weight, bias, stride=1, padding=0):
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
        n, c, h, w = x.shape
        f, _, k, _ = weight.shape
        oh, ow = (h - k) // stride + 1, (w - k) // stride + 1
        out = np.empty((n, f, oh, ow))
        for a in range(n):
            for o in range(f):
                for i in range(oh):
                    for j in range(ow):
                        out[a, o, i, j] = bias[o] + np.sum(
                            x[a, :, i * stride:i * stride + k, j * stride:j * stride + k] * weight[o])
        return out
    assert verdict_of("cnns.conv2d_forward", answer).passed


# ---------------------------------------------------------------------------------------------
# 4. im2col
# ---------------------------------------------------------------------------------------------
def _windows(x, k, s, p):
    x = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    oh, ow = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    return [[x[:, :, i * s:i * s + k, j * s:j * s + k] for j in range(ow)] for i in range(oh)]


def im2col_transposed(x, kernel_size, stride=1, padding=0):  # (N, L, C·K·K)
    rows = [w.reshape(x.shape[0], -1) for row in _windows(x, kernel_size, stride, padding) for w in row]
    return np.stack(rows, axis=1)


def im2col_channel_last(x, kernel_size, stride=1, padding=0):  # a patch flattened as (K, K, C)
    cols = [w.transpose(0, 2, 3, 1).reshape(x.shape[0], -1)
            for row in _windows(x, kernel_size, stride, padding) for w in row]
    return np.stack(cols, axis=2)


def im2col_column_major(x, kernel_size, stride=1, padding=0):  # windows column by column
    grid = _windows(x, kernel_size, stride, padding)
    cols = [grid[i][j].reshape(x.shape[0], -1) for j in range(len(grid[0])) for i in range(len(grid))]
    return np.stack(cols, axis=2)


@pytest.mark.parametrize("answer, hint", [
    (im2col_transposed, "matrix is transposed"),
    (im2col_channel_last, "ordered channel-last"),
    (im2col_column_major, "windows are taken column by column"),
])
def test_im2col_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.im2col", answer), hint)


def test_im2col_with_sliding_window_view_passes(verdict_of):
    def answer(x, kernel_size, stride=1, padding=0):
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
        v = np.lib.stride_tricks.sliding_window_view(x, (kernel_size, kernel_size), axis=(2, 3))
        v = v[:, :, ::stride, ::stride]  # (N, C, OH, OW, K, K)
        n, c, oh, ow = v.shape[:4]
        return v.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kernel_size ** 2, oh * ow)
    assert verdict_of("cnns.im2col", answer).passed


# ---------------------------------------------------------------------------------------------
# 5. maxpool2d
# ---------------------------------------------------------------------------------------------
def _pool(rule="first", forward="max", stride=None):
    def answer(x, grad_out, kernel_size):
        k = kernel_size
        s = k if stride is None else stride
        n, c, h, w = x.shape
        oh, ow = (h - k) // s + 1, (w - k) // s + 1
        out = np.zeros((n, c, oh, ow))
        dx = np.zeros(x.shape)
        for i in range(oh):
            for j in range(ow):
                win = x[:, :, i * s:i * s + k, j * s:j * s + k]
                out[:, :, i, j] = win.max(axis=(2, 3)) if forward == "max" else win.mean(axis=(2, 3))
                if i >= grad_out.shape[2] or j >= grad_out.shape[3]:
                    continue
                g = grad_out[:, :, i, j][:, :, None, None]
                is_max = win == win.max(axis=(2, 3), keepdims=True)
                if rule == "every max":
                    share = is_max * 1.0
                elif rule == "every element":
                    share = np.ones_like(win)
                elif rule == "averaged":
                    share = is_max / is_max.sum(axis=(2, 3), keepdims=True)
                elif rule == "last":
                    flat = win.reshape(n, c, -1)
                    last = flat.shape[2] - 1 - np.argmax(flat[:, :, ::-1], axis=2)
                    share = (np.arange(k * k) == last[:, :, None]).reshape(win.shape) * 1.0
                else:
                    first = np.argmax(win.reshape(n, c, -1), axis=2)
                    share = (np.arange(k * k) == first[:, :, None]).reshape(win.shape) * 1.0
                dx[:, :, i * s:i * s + k, j * s:j * s + k] += share * g
        return out, dx
    return answer


@pytest.mark.parametrize("answer, hint", [
    (_pool("every max"), "went to every element equal to its maximum"),
    (_pool("every element"), "went to every element of the window"),
    (_pool("averaged"), "shared among the tied maxima"),
    (_pool("last"), "*last* maximum"),
    (_pool(forward="mean"), "averages each window"),
    (_pool(stride=1), "windows overlap"),
])
def test_maxpool_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.maxpool2d", answer), hint)


def test_maxpool_with_reshape_passes(verdict_of):
    def answer(x, grad_out, kernel_size):
        k = kernel_size
        n, c, h, w = x.shape
        oh, ow = h // k, w // k
        blocks = x[:, :, :oh * k, :ow * k].reshape(n, c, oh, k, ow, k).transpose(0, 1, 2, 4, 3, 5)
        flat = blocks.reshape(n, c, oh, ow, k * k)
        first = flat.argmax(axis=-1)
        mask = (np.arange(k * k) == first[..., None]) * grad_out[..., None]
        dx = np.zeros(x.shape)
        dx[:, :, :oh * k, :ow * k] = mask.reshape(n, c, oh, ow, k, k).transpose(0, 1, 2, 4, 3, 5).reshape(
            n, c, oh * k, ow * k)
        return flat.max(axis=-1), dx
    assert verdict_of("cnns.maxpool2d", answer).passed


# ---------------------------------------------------------------------------------------------
# 6. conv2d_weight_grad
# ---------------------------------------------------------------------------------------------
def _per_example(x, grad_out, kernel_size, stride, padding):
    k = kernel_size
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, f, oh, ow = grad_out.shape
    out = np.zeros((n, f, x.shape[1], k, k))
    for i in range(oh):
        for j in range(ow):
            out += np.einsum("nf,nchw->nfchw", grad_out[:, :, i, j],
                             xp[:, :, i * stride:i * stride + k, j * stride:j * stride + k])
    return out


def wg_no_batch_sum(x, grad_out, kernel_size, stride=1, padding=0):
    return _per_example(x, grad_out, kernel_size, stride, padding)


def wg_batch_mean(x, grad_out, kernel_size, stride=1, padding=0):
    return _per_example(x, grad_out, kernel_size, stride, padding).mean(axis=0)


def wg_first_example(x, grad_out, kernel_size, stride=1, padding=0):
    return _per_example(x, grad_out, kernel_size, stride, padding)[0]


def wg_flipped(x, grad_out, kernel_size, stride=1, padding=0):
    return _per_example(x, grad_out, kernel_size, stride, padding).sum(axis=0)[:, :, ::-1, ::-1]


def wg_input_gradient(x, grad_out, kernel_size, stride=1, padding=0):  # dL/dx with the weights it has not got: ones
    import torch
    import torch.nn.functional as F

    w = torch.ones((grad_out.shape[1], x.shape[1], kernel_size, kernel_size), dtype=torch.float64)
    t = torch.tensor(x, requires_grad=True)
    (F.conv2d(t, w, stride=stride, padding=padding) * torch.tensor(grad_out)).sum().backward()
    return t.grad.numpy()


@pytest.mark.parametrize("answer, hint", [
    (wg_no_batch_sum, "batch is not summed"),
    (wg_batch_mean, "batch is averaged"),
    (wg_first_example, "only one example's contribution"),
    (wg_flipped, "gradient is flipped"),
    (wg_input_gradient, "it is dL/dx"),
])
def test_weight_grad_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.conv2d_weight_grad", answer), hint)


def test_weight_grad_with_unfold_passes(verdict_of):
    import torch
    import torch.nn.functional as F

    def answer(x, grad_out, kernel_size, stride=1, padding=0):
        cols = F.unfold(torch.tensor(x), kernel_size, stride=stride, padding=padding).numpy()  # (N, C·K·K, L)
        n, f = grad_out.shape[:2]
        g = grad_out.reshape(n, f, -1)  # (N, F, L)
        return np.einsum("nfl,nkl->fk", g, cols).reshape(f, x.shape[1], kernel_size, kernel_size)
    assert verdict_of("cnns.conv2d_weight_grad", answer).passed


# ---------------------------------------------------------------------------------------------
# More plausible mistakes, found by working the chapter as a learner: each gets a hint naming it
# ---------------------------------------------------------------------------------------------
def _size(fn):
    return lambda size, kernel_size, stride=1, padding=0, dilation=1: fn(size, kernel_size, stride, padding, dilation)


@pytest.mark.parametrize("answer, hint", [
    (_size(lambda h, k, s, p, d: (h + 2 * p - d * (k - 1)) // s), "+ 1 went inside the floor"),
    (_size(lambda h, k, s, p, d: (h - d * (k - 1) - 1) // s + 2 * p + 1), "floor was taken before adding the padding"),
    (_size(lambda h, k, s, p, d: (h + 2 * p - d * k) // s + 1), "span of a dilated kernel is D(K − 1) + 1"),
    (_size(lambda h, k, s, p, d: round((h + 2 * p - d * (k - 1) - 1) / s) + 1), "rounded up"),
])
def test_output_size_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.output_size", answer), hint)


@pytest.mark.parametrize("answer", [
    _size(lambda h, k, s, p, d: int((h + 2 * p - d * (k - 1) - 1) / s) + 1),  # truncation = floor here (≥ 0)
    _size(lambda h, k, s, p, d: np.int64(math.floor((h + 2 * p - d * (k - 1) - 1) / s) + 1)),
])
def test_output_size_other_correct_forms_pass(verdict_of, answer):
    assert verdict_of("cnns.output_size", answer).passed


def _xcorr_loops(x, kernel, stride, pad, corner=lambda i, s: i * s, product=lambda win, k: np.sum(win * k)):
    x = np.pad(x, pad)
    kh, kw = kernel.shape
    oh, ow = (x.shape[0] - kh) // stride + 1, (x.shape[1] - kw) // stride + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            r, c = corner(i, stride), corner(j, stride)
            out[i, j] = product(x[r:r + kh, c:c + kw], kernel)
    return out


def single_hw_swapped(x, kernel, stride=1, padding=0):
    return _xcorr_loops(x, kernel, stride, padding).T


def single_full_padding(x, kernel, stride=1, padding=0):  # np.convolve's "full": K − 1 zeros on each side
    return _xcorr_loops(x, kernel, stride, ((kernel.shape[0] - 1,) * 2, (kernel.shape[1] - 1,) * 2))


def single_with_batch_axes(x, kernel, stride=1, padding=0):
    return _xcorr_loops(x, kernel, stride, padding)[None, None]


def single_padding_ignored(x, kernel, stride=1, padding=0):
    return _xcorr_loops(x, kernel, stride, 0)


def single_corner_not_strided(x, kernel, stride=1, padding=0):
    return _xcorr_loops(x, kernel, stride, padding, corner=lambda i, s: i)


def single_matrix_product(x, kernel, stride=1, padding=0):
    return _xcorr_loops(x, kernel, stride, padding, product=lambda win, k: np.sum(win @ k))


@pytest.mark.parametrize("answer, hint", [
    (single_hw_swapped, "rows and columns are swapped"),
    (single_full_padding, "'full' mode"),
    (single_with_batch_axes, "extra axes"),
    (single_padding_ignored, "padding is ignored"),
    (single_corner_not_strided, "top-left corner is at (i, j)"),
    (single_matrix_product, "multiplied as matrices"),
])
def test_conv2d_single_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.conv2d_single", answer), hint)


def test_conv2d_single_strided_by_slicing_passes(verdict_of):
    def answer(x, kernel, stride=1, padding=0):  # every position, then every S-th one
        return _xcorr_loops(x, kernel, 1, padding)[::stride, ::stride]
    assert verdict_of("cnns.conv2d_single", answer).passed


def _forward_ok(x, weight, bias, stride=1, padding=0):
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    f, _, kh, kw = weight.shape
    oh, ow = (x.shape[2] - kh) // stride + 1, (x.shape[3] - kw) // stride + 1
    out = np.zeros((x.shape[0], f, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", patch, weight) + bias
    return out


@pytest.mark.parametrize("answer, hint", [
    (lambda x, w, b, stride=1, padding=0:  # the weight taken as Keras's (KH, KW, C, F)
        _forward_ok(x, w.reshape(w.shape[2], w.shape[3], w.shape[1], w.shape[0]).transpose(3, 2, 0, 1), b, stride,
                    padding), "read channels-last"),
    (lambda x, w, b, stride=1, padding=0: _forward_ok(x, w.transpose(0, 1, 3, 2), b, stride, padding),
     "kernel is transposed"),
    (lambda x, w, b, stride=1, padding=0: _forward_ok(x, w, b, stride, padding)[0], "batch axis is missing"),
    (lambda x, w, b, stride=1, padding=0:
        _forward_ok(x, w, b, stride, padding) + (x.shape[1] - 1) * b[:, None, None], "once per input channel"),
    (lambda x, w, b, stride=1, padding=0: _forward_ok(x[:, :1], w[:, :1], b, stride, padding),
     "not every input channel is summed"),
    (lambda x, w, b, stride=1, padding=0:
        _forward_ok(x, w, 0 * b, stride, padding) / x.shape[1] + b[:, None, None], "not every input channel"),
    (lambda x, w, b, stride=1, padding=0: _forward_ok(x, w, b, stride, 0), "padding is ignored"),
    (lambda x, w, b, stride=1, padding=0:  # np.pad(x, P) pads the batch and channel axes too
        _forward_ok(np.pad(x, padding), np.pad(w, ((0, 0), (padding, padding), (0, 0), (0, 0))), b, stride, 0),
     "pads every axis"),
    (lambda x, w, b, stride=1, padding=0: _forward_ok(x, w, b, stride, padding).transpose(0, 2, 3, 1),
     "axes are in the wrong order"),
    (lambda x, w, b, stride=1, padding=0: _forward_ok(x, w, b, stride, padding).transpose(1, 0, 2, 3),
     "axes are in the wrong order"),
])
def test_conv2d_forward_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.conv2d_forward", answer), hint)


def _unfold_ok(x, k, s, p, pad=None, flatten=lambda w: w):
    x = np.pad(x, ((0, 0), (0, 0)) + (((p, p), (p, p)) if pad is None else pad))
    oh, ow = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    return np.stack([flatten(x[:, :, i * s:i * s + k, j * s:j * s + k]).reshape(x.shape[0], -1)
                     for i in range(oh) for j in range(ow)], axis=2)


@pytest.mark.parametrize("answer, hint", [
    (lambda x, kernel_size, stride=1, padding=0: _unfold_ok(x, kernel_size, stride, 0), "padding is ignored"),
    (lambda x, kernel_size, stride=1, padding=0:  # the padded size, the zeros all after the image
        _unfold_ok(x, kernel_size, stride, padding, pad=((0, 2 * padding), (0, 2 * padding))), "one side only"),
    (lambda x, kernel_size, stride=1, padding=0: _unfold_ok(x, kernel_size, 1, padding), "stride is ignored"),
    (lambda x, kernel_size, stride=1, padding=0: _unfold_ok(x, kernel_size, stride, padding)[0],
     "batch axis is missing"),
    (lambda x, kernel_size, stride=1, padding=0:
        _unfold_ok(x, kernel_size, stride, padding, flatten=lambda w: w.transpose(0, 1, 3, 2)),
     "rows and columns swapped"),
])
def test_im2col_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.im2col", answer), hint)


def _pool_loops(x, grad_out, k, where=lambda win: np.unravel_index(np.argmax(win), win.shape), scale=True,
                ceil=False):
    n, c, h, w = x.shape
    oh, ow = (-(-h // k), -(-w // k)) if ceil else (h // k, w // k)
    out, dx = np.zeros((n, c, oh, ow)), np.zeros(x.shape)
    for a in range(n):
        for b in range(c):
            for i in range(oh):
                for j in range(ow):
                    win = x[a, b, i * k:(i + 1) * k, j * k:(j + 1) * k]
                    out[a, b, i, j] = win.max()
                    if i < h // k and j < w // k:
                        r, cc = where(win)
                        dx[a, b, i * k + r, j * k + cc] += grad_out[a, b, i, j] if scale else 1.0
    return out, dx


def _first_by_column(win):
    c, r = divmod(int(np.argmax(win.T)), win.shape[0])
    return r, c


def _mutating_pool(x, grad_out, kernel_size):
    result = _pool_loops(x, grad_out, kernel_size)
    x[...] = 0.0  # "cleans up" the input
    return result


@pytest.mark.parametrize("answer, hint", [
    (lambda x, g, k: _pool_loops(x, g, k, where=_first_by_column), "first maximum column by column"),
    (lambda x, g, k: _pool_loops(x, g, k, where=lambda win: (np.argmax(win) % k, np.argmax(win) // k)),
     "(m % K, m // K)"),
    (lambda x, g, k: _pool_loops(x, g, k, scale=False), "marks each maximum with 1"),
    (lambda x, g, k: (_pool_loops(x, g, k)[0], g.copy()), "dx has grad_out's shape"),
    (lambda x, g, k: _pool_loops(x, g, k, ceil=True), "sticks out of the image"),
    (lambda x, g, k: _pool_loops(x, g, k)[::-1], "pair is in the wrong order"),
    (lambda x, g, k: _pool_loops(x, g, k)[1], "return a pair (out, dx)"),
    (_mutating_pool, "changed the array it was given"),
])
def test_maxpool_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.maxpool2d", answer), hint)


def _weight_grad_loops(x, g, k, s, pad):
    x = np.pad(x, ((0, 0), (0, 0)) + pad)
    out = np.zeros((g.shape[1], x.shape[1], k, k))
    for i in range(g.shape[2]):
        for j in range(g.shape[3]):
            out += np.einsum("nf,nchw->fchw", g[:, :, i, j], x[:, :, i * s:i * s + k, j * s:j * s + k])
    return out


def _both_sides(p):
    return ((p, p), (p, p))


@pytest.mark.parametrize("answer, hint", [
    (lambda x, g, k, stride=1, padding=0: _weight_grad_loops(x, g, k, stride, _both_sides(padding)).transpose(
        1, 0, 2, 3), "shape (C, F, K, K)"),
    (lambda x, g, k, stride=1, padding=0: _weight_grad_loops(x, g, k, 1, _both_sides(padding)),
     "moved one pixel at a time"),
    (lambda x, g, k, stride=1, padding=0: _weight_grad_loops(x, g, k, stride, ((0, 2 * padding),) * 2),
     "one side only"),
    (lambda x, g, k, stride=1, padding=0: g.sum(axis=(0, 2, 3)), "that is the bias's gradient"),
    (lambda x, g, k, stride=1, padding=0: _weight_grad_loops(x, g, k, stride, _both_sides(padding))
        + g.sum(axis=(0, 2, 3))[:, None, None, None], "bias's gradient was added in"),
    (lambda x, g, k, stride=1, padding=0:
        _weight_grad_loops(x, g, k, stride, _both_sides(padding)) / (g.shape[2] * g.shape[3]),
     "output positions are averaged"),
    (lambda x, g, k, stride=1, padding=0: _weight_grad_loops(x, g, k, stride, _both_sides(0)),
     "window runs past the edge"),
])
def test_weight_grad_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.conv2d_weight_grad", answer), hint)


def _pad_every_axis(x, p):
    return np.pad(x, p)  # pads N and C as well: the plausible slip for a 4-D batch


def forward_padding_every_axis(x, weight, bias, stride=1, padding=0):
    x = _pad_every_axis(x, padding)
    f, _, kh, kw = weight.shape
    oh, ow = (x.shape[2] - kh) // stride + 1, (x.shape[3] - kw) // stride + 1
    out = np.zeros((x.shape[0], f, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", patch, weight) + bias  # raises: C + 2P channels
    return out


def im2col_padding_every_axis(x, kernel_size, stride=1, padding=0):
    return _unfold_ok(_pad_every_axis(x, padding), kernel_size, stride, 0)


def weight_grad_padding_every_axis(x, grad_out, kernel_size, stride=1, padding=0):
    x = _pad_every_axis(x, padding)
    k = kernel_size
    out = np.zeros((grad_out.shape[1], x.shape[1], k, k))
    for i in range(grad_out.shape[2]):
        for j in range(grad_out.shape[3]):
            out += np.einsum("nf,nchw->fchw", grad_out[:, :, i, j], x[:, :, i * stride:i * stride + k,
                                                                      j * stride:j * stride + k])
    return out


@pytest.mark.parametrize("exercise, answer", [
    ("cnns.conv2d_forward", forward_padding_every_axis),
    ("cnns.im2col", im2col_padding_every_axis),
    ("cnns.conv2d_weight_grad", weight_grad_padding_every_axis),
])
def test_padding_every_axis_is_named(verdict_of, exercise, answer):
    _failed_with(verdict_of(exercise, answer), "pads every axis")


# =============================================================================================
# Part 2
# =============================================================================================
# ---------------------------------------------------------------------------------------------
# count_parameters: the classic Keras CNN on 1×28×28 digits
# ---------------------------------------------------------------------------------------------
RIGHT_COUNTS = {"conv1": 3 * 3 * 1 * 32 + 32, "pool1": 0, "conv2": 3 * 3 * 32 * 64 + 64,
                "conv3": 3 * 3 * 64 * 64 + 64, "dense1": 576 * 64 + 64, "dense2": 64 * 10 + 10}


def test_count_parameters_right_counts_pass_also_as_floats(verdict_of):
    assert verdict_of("cnns.count_parameters", lambda: RIGHT_COUNTS).passed
    assert verdict_of("cnns.count_parameters", lambda: {k: float(v) for k, v in RIGHT_COUNTS.items()}).passed


@pytest.mark.parametrize("wrong, hint", [
    ({"conv1": 3 * 3 * 1 * 32, "conv2": 3 * 3 * 32 * 64, "conv3": 3 * 3 * 64 * 64, "dense1": 576 * 64,
      "dense2": 640}, "biases are forgotten"),
    ({"conv2": 3 * 3 * 64 + 64, "conv3": 3 * 3 * 64 + 64}, "spans all C input channels"),
    ({"conv1": (3 * 3 * 32 + 32) * 26 * 26}, "shared by every position"),
    ({"conv2": (3 * 3 * 32 * 64 + 64) * 11 * 11}, "shared by every position"),
    ({"pool1": 2 * 2 * 32}, "max pooling learns nothing"),
    ({"pool1": 4}, "max pooling learns nothing"),
    ({"conv1": 3 * 3 * 3 * 32 + 32}, "colour image"),
    ({"conv2": 3 * 3 * 32 * 64 + 32}, "one bias per kernel"),
    ({"dense1": 64 * 5 * 5 * 64 + 64}, "third convolution has no padding"),
    ({"dense1": 64 * 64 + 64}, "flattened feature maps"),
    ({"dense1": 64 * 4 * 4 * 64 + 64}, "pooling rounds down"),
    ({"dense2": 64 * 10}, "biases are forgotten"),
    # from the review's learner pass in a kernel:
    ({"dense1": 64 * 9 * 9 * 64 + 64}, "second max pooling is missing"),
    ({"dense1": 64 * 7 * 7 * 64 + 64}, "default padding is 'valid'"),
    ({"dense2": 64 * 10 + 64}, "one bias per output unit"),
    ({"dense1": 576 * 64 + 576}, "one bias per output unit"),
    ({"conv1": 28 * 28 * 32 + 32}, "dense layer from every pixel"),
])
def test_count_parameters_wrong_answers(verdict_of, wrong, hint):
    _failed_with(verdict_of("cnns.count_parameters", lambda: {**RIGHT_COUNTS, **wrong}), hint)


def test_count_parameters_total_or_missing_pool_is_named(verdict_of):
    _failed_with(verdict_of("cnns.count_parameters", lambda: sum(RIGHT_COUNTS.values())), "not the network's total")
    no_pool = {k: v for k, v in RIGHT_COUNTS.items() if k != "pool1"}
    _failed_with(verdict_of("cnns.count_parameters", lambda: no_pool), "pool1 (it has 0)")


def test_count_parameters_text_is_not_a_count(verdict_of):
    verdict = verdict_of("cnns.count_parameters", lambda: {**RIGHT_COUNTS, "conv1": "320"})
    assert verdict.status == "failed" and "whole number" in verdict.render()


# ---------------------------------------------------------------------------------------------
# residual_forward
# ---------------------------------------------------------------------------------------------
def _conv_same(x, w, b=None, padding=None):
    """A learner's convolution through torch (padding 1 for 3×3 unless told otherwise)."""
    import torch
    import torch.nn.functional as F

    p = w.shape[2] // 2 if padding is None else padding
    bias = None if b is None else torch.tensor(b)
    return F.conv2d(torch.tensor(x), torch.tensor(w), bias, padding=p).numpy()


def _residual(skip="shortcut", relu_mid=True, relu_branch=False, relu_out=True, add_early=False, padding=None,
              skip_padding=0):
    def answer(x, w1, b1, w2, b2, w_skip=None):
        shortcut = x if (w_skip is None or skip == "x") else _conv_same(x, w_skip, padding=skip_padding)
        h = _conv_same(x, w1, b1, padding)
        if relu_mid:
            h = np.maximum(h, 0)
        if add_early:
            h = h + shortcut
        out = _conv_same(h, w2, b2, padding)
        if relu_branch:
            out = np.maximum(out, 0)
        if skip and not add_early:
            out = out + shortcut
        return np.maximum(out, 0) if relu_out else out
    return answer


def test_residual_forward_with_torch_passes(verdict_of):
    assert verdict_of("cnns.residual_forward", _residual()).passed


@pytest.mark.parametrize("answer, hint", [
    (_residual(skip=None), "skip connection is missing"),
    (_residual(relu_out=False), "last ReLU is missing"),
    (_residual(relu_branch=True, relu_out=False), "ReLU is applied to the branch before the sum"),
    (_residual(relu_branch=True), "extra ReLU on the branch"),
    (_residual(add_early=True), "added before the second convolution"),
    (_residual(relu_mid=False), "ReLU between the two convolutions is missing"),
    (_residual(skip="x"), "the channels change"),
    (_residual(padding=0), "no padding"),
    (_residual(skip_padding=1), "projection takes no padding"),
])
def test_residual_forward_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.residual_forward", answer), hint)


def _residual_numpy(first_bias=True, second_w=None, combine=np.add, relu=np.maximum, skip_test="is None",
                    project_branch=False, pre_activation=False):
    """A learner's block with utils.conv (the course's convolution), with one slip."""
    from utils import conv

    def answer(x, w1, b1, w2, b2, w_skip=None):
        has_skip = bool(w_skip) if skip_test == "truth" else w_skip is not None
        if pre_activation:
            h = conv.conv2d(np.maximum(x, 0), w1, b1, padding=1)
            out = conv.conv2d(np.maximum(h, 0), w2, b2, padding=1)
            return out + (conv.conv2d(x, w_skip) if has_skip else x)
        h = relu(conv.conv2d(x, w1, b1 if first_bias else None, padding=1), 0)
        w, b = (w2, b2) if second_w is None else second_w(w1, b1, w2, b2)
        out = conv.conv2d(h, w, b, padding=1)
        if project_branch and has_skip:
            return relu(conv.conv2d(out, w_skip) + x, 0)
        return relu(combine(out, conv.conv2d(x, w_skip) if has_skip else x), 0)
    return answer


@pytest.mark.parametrize("answer, hint", [
    (_residual_numpy(first_bias=False, second_w=lambda w1, b1, w2, b2: (w2, None)), "biases are forgotten"),
    (_residual_numpy(first_bias=False), "biases are forgotten"),
    (_residual_numpy(skip_test="truth"), "`if w_skip:`"),
    (_residual_numpy(relu=np.max), "np.maximum(z, 0)"),
    (_residual_numpy(combine=lambda branch, shortcut: np.max(branch + shortcut, 0)), "np.maximum(z, 0)"),
    (_residual_numpy(second_w=lambda w1, b1, w2, b2: (w1, b1)), "reuses w1 and b1"),
    (_residual_numpy(combine=np.multiply), "added, not multiplied"),
    (_residual_numpy(pre_activation=True), "pre-activation block"),
    (_residual_numpy(project_branch=True), "projection is applied to F(x)"),
])
def test_residual_forward_more_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.residual_forward", answer), hint)


def test_residual_forward_numpy_broadcast_error_names_the_projection(verdict_of):
    from utils import conv

    def answer(x, w1, b1, w2, b2, w_skip=None):
        h = np.maximum(conv.conv2d(x, w1, b1, padding=1), 0)
        return np.maximum(conv.conv2d(h, w2, b2, padding=1) + x, 0)  # w_skip never used

    _failed_with(verdict_of("cnns.residual_forward", answer), "the channels change")


# ---------------------------------------------------------------------------------------------
# build_cnn: LeNet-5 with ReLU and max pooling
# ---------------------------------------------------------------------------------------------
def _lenet(conv1=(1, 6, 5, 2), conv2=(6, 16, 5, 0), fc1=(400, 120), relu_after=("conv1", "conv2", "fc1", "fc2"),
           pool="max", flatten=True, end=None, bias=True, activation="relu"):
    """A learner's LeNet-5, with the slips given (``end``: "softmax" or "relu" after the last Linear)."""
    def build():
        from torch import nn

        pooling = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}[pool]
        act = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]
        relu = {name: [act()] if name in relu_after else [] for name in ("conv1", "conv2", "fc1", "fc2")}
        layers = [nn.Conv2d(*conv1[:3], padding=conv1[3], bias=bias), *relu["conv1"], pooling(2),
                  nn.Conv2d(*conv2[:3], padding=conv2[3]), *relu["conv2"], pooling(2)]
        layers += [nn.Flatten()] if flatten else []
        layers += [nn.Linear(*fc1), *relu["fc1"], nn.Linear(120, 84), *relu["fc2"], nn.Linear(84, 10)]
        layers += {None: [], "softmax": [nn.Softmax(dim=1)], "relu": [nn.ReLU()]}[end]
        return nn.Sequential(*layers)
    return build


def test_build_cnn_another_way_passes(verdict_of):
    from torch import nn

    class LeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(1, 6, kernel_size=5, padding="same"), nn.ReLU(),
                                          nn.MaxPool2d(kernel_size=2, stride=2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                                          nn.MaxPool2d(2))
            self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84),
                                            nn.ReLU(), nn.Linear(84, 10))

        def forward(self, x):
            return self.classifier(self.features(x))

    assert verdict_of("cnns.build_cnn", lambda: LeNet()).passed
    _failed_with(verdict_of("cnns.build_cnn", lambda: LeNet), "return an instance")
    _failed_with(verdict_of("cnns.build_cnn", LeNet()), "without parentheses")


@pytest.mark.parametrize("answer, hint", [
    (_lenet(conv1=(1, 6, 5, 0)), "first convolution needs padding=2"),
    (_lenet(conv1=(1, 6, 5, 0), fc1=(256, 120)), "first convolution needs padding=2"),
    (_lenet(fc1=(16 * 7 * 7, 120)), "second convolution has no padding"),
    (_lenet(conv2=(6, 16, 5, 2)), "second convolution has no padding"),
    (_lenet(fc1=(16 * 4 * 4, 120)), "first convolution is padded by 2"),
    (_lenet(fc1=(120, 400)), "nn.Linear(in_features, out_features)"),
    (_lenet(conv1=(6, 1, 5, 2)), "looks swapped"),
    (_lenet(conv2=(16, 6, 5, 0)), "looks swapped"),
    (_lenet(relu_after=("conv1", "conv2", "fc2")), "no ReLU after the first Linear"),
    (_lenet(relu_after=("conv2", "fc1", "fc2")), "no ReLU after the first convolution"),
    (_lenet(end="softmax"), "no softmax at the end"),
    (_lenet(flatten=False), "nn.Flatten()"),
    (_lenet(end="relu"), "no ReLU after the last Linear"),
    (_lenet(bias=False), "keeps its bias"),
    (_lenet(pool="avg"), "max pooling"),
    # from the learner pass in a kernel:
    (_lenet(conv2=(6, 16, 5, 2), fc1=(16 * 7 * 7, 120)), "second convolution has no padding"),
    (_lenet(relu_after=("conv1", "conv2", "fc1")), "no ReLU after the second Linear"),
    (_lenet(activation="tanh"), "not Tanh"),
    (_lenet(conv1=(1, 6, 5, 1)), "26×26 with padding=1"),
    (_lenet(conv1=(1, 6, 5, 1), fc1=(256, 120)), "first convolution needs padding=2"),
])
def test_build_cnn_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.build_cnn", answer), hint)


def _lenet_with(conv1=None, pool1=None, skip_fc2=False, as_list=False):
    """A learner's LeNet-5 as an nn.Sequential, with a slip: ``conv1`` / ``pool1`` (functions of nn) replace the first
    convolution / pooling, ``skip_fc2`` leaves out the second Linear, ``as_list`` passes the layers as one list."""
    def build():
        from torch import nn

        head = [nn.Linear(400, 120), nn.ReLU()] + (
            [nn.Linear(120, 10)] if skip_fc2 else [nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)])
        layers = [conv1(nn) if conv1 else nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(),
                  pool1(nn) if pool1 else nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Flatten(), *head]
        return nn.Sequential(layers) if as_list else nn.Sequential(*layers)
    return build


def _lenet_functional_relu():
    """A class whose forward applies F.relu and flattens with x.flatten(1): the layers hold neither."""
    import torch.nn.functional as F
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.conv2 = nn.Conv2d(1, 6, 5, padding=2), nn.Conv2d(6, 16, 5)
            self.pool = nn.MaxPool2d(2)
            self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv2(self.pool(F.relu(self.conv1(x))))))
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x.flatten(1))))))

    return Net()


@pytest.mark.parametrize("answer, hint", [
    # from the review's learner pass in a kernel:
    (_lenet_with(conv1=lambda nn: nn.Conv2d(1, 6, 5, 2)), "the fourth positional argument is the stride"),
    (_lenet_with(pool1=lambda nn: nn.MaxPool2d(2, 1)), "nn.MaxPool2d(2, 1) moves its window by 1"),
    (_lenet_with(as_list=True), "nn.Sequential(*layers)"),
    (_lenet_functional_relu, "F.relu"),
    (_lenet_with(skip_fc2=True), "(missing Linear)"),
])
def test_build_cnn_review_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.build_cnn", answer), hint)


# ---------------------------------------------------------------------------------------------
# mnist1d_cnn: trained by the checker
# ---------------------------------------------------------------------------------------------
def _sequential(*make_layers):
    def build():
        from torch import nn

        return nn.Sequential(*(make(nn) for make in make_layers))
    return build


@pytest.mark.parametrize("answer, hint", [
    (_sequential(lambda nn: nn.Flatten(), lambda nn: nn.Linear(40, 100), lambda nn: nn.ReLU(),
                 lambda nn: nn.Linear(100, 10)), "stays far below the target"),
    (_sequential(lambda nn: nn.Conv1d(40, 32, 3, padding=1), lambda nn: nn.ReLU(), lambda nn: nn.Flatten(),
                 lambda nn: nn.Linear(32, 10)), "in_channels is 1"),
    (_sequential(lambda nn: nn.Conv1d(1, 16, 5, padding=2), lambda nn: nn.ReLU(), lambda nn: nn.MaxPool1d(2),
                 lambda nn: nn.Linear(20, 10)), "nn.Flatten()"),
    (_sequential(lambda nn: nn.Conv1d(1, 16, 5), lambda nn: nn.ReLU(), lambda nn: nn.MaxPool1d(2),
                 lambda nn: nn.Flatten(), lambda nn: nn.Linear(16 * 20, 10)), "nn.Linear(288, 10)"),
    (_sequential(lambda nn: nn.Conv1d(1, 16, 5, padding=2), lambda nn: nn.ReLU(), lambda nn: nn.MaxPool1d(2),
                 lambda nn: nn.Flatten(), lambda nn: nn.Linear(320, 10), lambda nn: nn.Softmax(dim=1)),
     "no softmax at the end"),
    (_sequential(lambda nn: nn.Conv1d(1, 32, 3, padding=1), lambda nn: nn.ReLU(), lambda nn: nn.MaxPool1d(2),
                 lambda nn: nn.Flatten(), lambda nn: nn.Linear(640, 10), lambda nn: nn.LogSoftmax(dim=1)),
     "no softmax at the end"),
    (_sequential(lambda nn: nn.Conv1d(1, 32, 5), lambda nn: nn.ReLU(), lambda nn: nn.MaxPool1d(2),
                 lambda nn: nn.Conv1d(32, 32, 5), lambda nn: nn.ReLU(), lambda nn: nn.MaxPool1d(2),
                 lambda nn: nn.Flatten(), lambda nn: nn.Linear(32 * 10, 10)), "nn.Linear(224, 10)"),
    (_sequential(lambda nn: nn.Conv1d(1, 8, 3, padding=1), lambda nn: nn.MaxPool1d(2), lambda nn: nn.Flatten(),
                 lambda nn: nn.Linear(160, 10)), "there is no activation"),
])
def test_mnist1d_cnn_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.mnist1d_cnn", answer), hint)


@pytest.mark.parametrize("answer, hint", [
    # from the review's learner pass in a kernel (each fails before any training, or trains once: ~1 s):
    (_sequential(lambda nn: nn.Conv2d(1, 16, 5, padding=2), lambda nn: nn.ReLU(), lambda nn: nn.MaxPool2d(2),
                 lambda nn: nn.Flatten(), lambda nn: nn.Linear(320, 10)), "use nn.Conv1d and nn.MaxPool1d"),
    (_sequential(lambda nn: nn.Conv1d(1, 16, 5, padding=2), lambda nn: nn.ReLU(), lambda nn: nn.MaxPool1d(2),
                 lambda nn: nn.Flatten(), lambda nn: nn.Linear(320, 1)), "gives 1 number per signal"),
    (_sequential(lambda nn: nn.Unflatten(1, (1, 40)), lambda nn: nn.Conv1d(1, 16, 5, padding=2), lambda nn: nn.ReLU(),
                 lambda nn: nn.MaxPool1d(2), lambda nn: nn.Flatten(), lambda nn: nn.Linear(320, 10)),
     "already arrive as (N, 1, 40)"),
    (_sequential(lambda nn: nn.Conv1d(1, 16, 40), lambda nn: nn.ReLU(), lambda nn: nn.Flatten(),
                 lambda nn: nn.Linear(16, 10)), "covers (nearly) the whole signal"),
    (_sequential(lambda nn: nn.Conv1d(1, 8, 5, padding=2), lambda nn: nn.Sigmoid(), lambda nn: nn.MaxPool1d(4),
                 lambda nn: nn.Flatten(), lambda nn: nn.Linear(80, 10)), "Sigmoid saturates"),
])
def test_mnist1d_cnn_review_wrong_answers(verdict_of, answer, hint):
    _failed_with(verdict_of("cnns.mnist1d_cnn", answer), hint)


def test_mnist1d_cnn_a_network_instead_of_its_builder(verdict_of):
    _failed_with(verdict_of("cnns.mnist1d_cnn", _sequential(lambda nn: nn.Conv1d(1, 4, 3))()), "without parentheses")


# ---------------------------------------------------------------------------------------------
# read_confusion: the shipped CNN's confusion matrix
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped_cm():
    from sklearn.metrics import confusion_matrix

    from utils.data import load_mnist5k
    from utils.mnist_cnn import load_mnist_cnn, predict_labels

    test = load_mnist5k(0)
    return confusion_matrix(test.y_test, predict_labels(load_mnist_cnn(), test.X_test))


def _right_readings(cm):
    off = cm - np.diag(np.diag(cm))
    return {"missed_8": int(off[8].sum()), "true_3_as_5": int(cm[3, 5]), "recall_7": round(cm[7, 7] / cm[7].sum(), 2),
            "precision_5": round(cm[5, 5] / cm[:, 5].sum(), 2), "wrongly_predicted_4": int(off[:, 4].sum())}


def test_read_confusion_right_readings_pass_rounded(verdict_of, shipped_cm):
    assert verdict_of("cnns.read_confusion", lambda: _right_readings(shipped_cm)).passed


@pytest.mark.parametrize("mistake, hint", [
    (lambda cm: {"missed_8": int(cm[8, 8])}, "number of 8s recognised"),
    (lambda cm: {"missed_8": int((cm - np.diag(np.diag(cm)))[:, 8].sum())}, "wrongly *predicted* as 8"),
    (lambda cm: {"missed_8": int((cm - np.diag(np.diag(cm))).sum())}, "counts every error"),
    (lambda cm: {"true_3_as_5": int(cm[5, 3])}, "rows are the true digits"),
    (lambda cm: {"recall_7": cm[7, 7] / cm[:, 7].sum()}, "that is the precision of 7"),
    (lambda cm: {"recall_7": 100 * cm[7, 7] / cm[7].sum()}, "not a percentage"),
    (lambda cm: {"recall_7": 1 - cm[7, 7] / cm[7].sum()}, "missed"),
    (lambda cm: {"precision_5": cm[5, 5] / cm[5].sum()}, "that is the recall of 5"),
    (lambda cm: {"wrongly_predicted_4": int((cm - np.diag(np.diag(cm)))[4].sum())}, "true 4s it got wrong (row 4)"),
    # from the review's learner pass in a kernel:
    (lambda cm: {"wrongly_predicted_4": int(cm[:, 4].sum())}, "the right ones included"),
    (lambda cm: {"wrongly_predicted_4": int(cm[4, 4])}, "number of 4s recognised"),
    (lambda cm: {"precision_5": cm[5, 5] / cm.sum()}, "not by every test image"),
    (lambda cm: {"recall_7": round(cm[7, 7] / cm[7].sum(), 1)}, "rounded too far"),
    (lambda cm: {"recall_7": int(cm[7, 7])}, "nor a count"),
])
def test_read_confusion_wrong_answers(verdict_of, shipped_cm, mistake, hint):
    answer = {**_right_readings(shipped_cm), **mistake(shipped_cm)}
    _failed_with(verdict_of("cnns.read_confusion", lambda: answer), hint)
