"""Chapter 08 (convolutional networks): batteries, oracles and hints of its exercises.

- ``cnns.output_size``: the output-size formula ⌊(H + 2P − D(K − 1) − 1)/S⌋ + 1;
- ``cnns.conv2d_single``: a naive single-channel 2-D cross-correlation with stride and padding;
- ``cnns.conv2d_forward``: the multi-channel forward pass ``(N, C, H, W) ⋆ (F, C, KH, KW) + b``;
- ``cnns.im2col``: the patches of a batch in ``torch.nn.functional.unfold``'s layout ``(N, C·KH·KW, L)``;
- ``cnns.maxpool2d``: max pooling's forward pass and its backward pass, the gradient to the first maximum of each
  window (as PyTorch does), on inputs with ties;
- ``cnns.conv2d_weight_grad``: dL/dW of a convolution, checked against autograd.

Expected values come from PyTorch (``torch.nn.functional.conv2d``, ``unfold``, ``max_pool2d`` and autograd), never
from ``utils``. The hints name the classic mistakes: the stride ignored, the padding counted once, the dilation
ignored, a rounded-up or unfloored size; a flipped kernel (true convolution), padding on one side only, the bias
forgotten, a sum over the output channels instead of the input channels, the stride applied to the kernel's taps;
im2col transposed, channel-last ordering inside a column, windows taken column by column; the pooling gradient sent
to every maximum, to every element, averaged or to the last maximum; the input gradient instead of the weight
gradient, the batch not summed, the kernel gradient flipped. A learner pass added the shape slips (rows and columns
swapped, np.pad on every axis of a batch, a missing or extra batch axis, axes out of order, (C, F, K, K)), the
formula slips (+ 1 inside the floor, a dilated span of D·K), the padding or stride ignored, a channels-last weight,
a matrix product for the element-wise one, and the pooling index unravelled wrongly. A review of part 2 in a kernel
added: the second pooling forgotten, 'same' padding, a bias per input and a dense conv1 in the counts; the biases
forgotten, ``if w_skip:``, np.max for np.maximum, w1 reused, the shortcut multiplied, the pre-activation block and the
projection on F(x) in the residual block; a positional stride, an overlapping pooling, F.relu in forward and a list
given to nn.Sequential in LeNet-5; the 2-D layers, one output, an Unflatten, sigmoids and a kernel as long as the signal
on MNIST-1D; a precision over every image, a share rounded to one decimal, and the column's readings of the wrong
predictions of 4 in the confusion matrix. They are tested in ``tests/test_checks_cnns.py``.
"""

from __future__ import annotations

import functools

import numpy as np

from ..compare import fmt
from ..kinds import EXCEPTION, STRUCTURE, VALUE, Case, DictExercise, FunctionExercise, Hint, PropertyExercise
from ..oracles import tensor_copy
from ..predicates import raised, same_values
from ..registry import register
from ..sandbox import Raised, quiet_torch, run

RTOL, ATOL = 1e-9, 1e-12
"""Agreement with PyTorch: the same float64 sums in another order, ~1e-15 apart; every mistake is far further off."""


def _got(attempt):
    """The answer as a float array (None when it is not one)."""
    value = attempt.got
    if isinstance(value, (dict, str, bytes)) or value is None:
        return None
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def _is(mistake):
    """The answer equals ``mistake(*case.args)`` (shape included: a wrong shape may be the mistake's own)."""
    def predicate(attempt) -> bool:
        got = _got(attempt)
        if got is None:
            return False
        try:
            want = np.asarray(mistake(*attempt.case.args), dtype=float)
        except Exception:  # noqa: BLE001 - a mistake that does not apply to this case
            return False
        return got.shape == want.shape and same_values(got, want)
    return predicate


def _shape_is(shape_of):
    """The answer is an array whose shape is ``shape_of(got_shape, *case.args)``'s truth (a wrong shape's test)."""
    def predicate(attempt) -> bool:
        got = _got(attempt)
        if got is None or got.shape == np.shape(attempt.expected):
            return False
        try:
            return bool(shape_of(got.shape, np.shape(attempt.expected), *attempt.case.args))
        except Exception:  # noqa: BLE001 - a shape test that does not apply to this case
            return False
    return predicate


def _permuted(got, want):
    """``got`` is ``want`` with its axes in another order."""
    return len(got) == len(want) and sorted(got) == sorted(want)


_PAD_EVERY_AXIS = ("np.pad(x, P) pads every axis, the batch and the channels too: pad the last two only, "
                   "np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)))")


def _padded_every_axis(padding_position):
    """The answer raised on an array of shape (N + 2P, C + 2P, ...): x went through np.pad(x, P)."""
    def predicate(attempt) -> bool:
        exc, args = attempt.result.exception, attempt.case.args
        p = args[padding_position] if len(args) > padding_position else 0
        if exc is None or not p:
            return False
        n, c = np.shape(args[0])[:2]
        text = str(exc).replace(" ", "")
        return f"({n + 2 * p},{c + 2 * p}," in text
    return predicate


_PAD_IGNORED = ("the padding is ignored: pad x with P zeros on every side first (np.pad), then count and take the "
                "windows on the padded image, H + 2P rows tall")


# ---------------------------------------------------------------------------------------------
# 1. The output-size formula
# ---------------------------------------------------------------------------------------------
def output_size_cases() -> list[Case]:
    return [
        Case("H = 28, K = 3, no padding", 28, 3, 1, 0, 1),
        Case("H = 28, K = 3, padding 1 ('same')", 28, 3, 1, 1, 1),
        Case("H = 32, K = 5, stride 2, padding 2", 32, 5, 2, 2, 1),
        Case("H = 7, K = 2, stride 2: the last row does not fit", 7, 2, 2, 0, 1),
        Case("H = 10, K = 3, dilation 2", 10, 3, 1, 0, 2),
        Case("H = 224, K = 7, stride 2, padding 3 (ResNet's first layer)", 224, 7, 2, 3, 1),
        Case("H = 20, K = 3, stride 3, padding 1, dilation 3", 20, 3, 3, 1, 3),
        Case("H = 5, K = 5, the kernel as large as the input", 5, 5, 1, 0, 1),
    ]


def torch_output_size(size, kernel_size, stride, padding, dilation):
    """The spatial size of ``F.conv2d``'s output on a (1, 1, size, 1) input with a (1, 1, K, 1) kernel."""
    import torch.nn.functional as F

    x, w = tensor_copy(np.zeros((1, 1, size, 1))), tensor_copy(np.zeros((1, 1, kernel_size, 1)))
    return int(F.conv2d(x, w, stride=(stride, 1), padding=(padding, 0), dilation=(dilation, 1)).shape[2])


def _size_is(fn):
    return lambda attempt: _is(fn)(attempt) and not _is(torch_output_size)(attempt)


register(
    FunctionExercise(
        id="cnns.output_size",
        reference="output_size",
        arg_names=("size", "kernel_size", "stride", "padding", "dilation"),
        cases=output_size_cases,
        oracle=torch_output_size,
        praise="The output-size formula, as PyTorch computes it.",
        hints=(
            Hint(VALUE, "the + 1 went inside the floor: ⌊(H + 2P − D(K − 1) − 1)/S⌋ + 1 counts the first window, "
                        "then one more per S pixels; add the 1 after dividing",
                 _size_is(lambda h, k, s, p, d: (h + 2 * p - d * (k - 1)) // s)),
            Hint(VALUE, "the floor was taken before adding the padding: 2P belongs inside, "
                        "⌊(H + 2P − D(K − 1) − 1)/S⌋ + 1",
                 _size_is(lambda h, k, s, p, d: (h - d * (k - 1) - 1) // s + 2 * p + 1)),
            Hint(VALUE, "the span of a dilated kernel is D(K − 1) + 1, not D·K: its K taps have K − 1 gaps of D pixels",
                 _size_is(lambda h, k, s, p, d: (h + 2 * p - d * k) // s + 1)),
            Hint(VALUE, "the stride is ignored: a window that moves S pixels at a time fits about 1/S as often, "
                        "divide by S before adding 1",
                 _size_is(lambda h, k, s, p, d: (h + 2 * p - d * (k - 1) - 1) + 1)),
            Hint(VALUE, "the padding is counted once: P zeros are added on *both* sides, so the padded size is H + 2P",
                 _size_is(lambda h, k, s, p, d: (h + p - d * (k - 1) - 1) // s + 1)),
            Hint(VALUE, "the dilation is ignored: a kernel of K taps spaced D apart spans D(K − 1) + 1 pixels",
                 _size_is(lambda h, k, s, p, d: (h + 2 * p - (k - 1) - 1) // s + 1)),
            Hint(VALUE, "the division is rounded up: a window that does not fit entirely is dropped, so round "
                        "*down*, ⌊(H + 2P − D(K − 1) − 1)/S⌋ + 1 (integer division //)",
                 _size_is(lambda h, k, s, p, d: -((h + 2 * p - d * (k - 1) - 1) // -s) + 1)),
            Hint(VALUE, "the division is not floored: a size is a whole number of windows, "
                        "⌊(H + 2P − D(K − 1) − 1)/S⌋ + 1, use // (floor division)",
                 _size_is(lambda h, k, s, p, d: (h + 2 * p - d * (k - 1) - 1) / s + 1)),
            Hint(VALUE, "the size is one too large: the formula is ⌊(H + 2P − D(K − 1) − 1)/S⌋ + 1, with the − 1 "
                        "inside the floor (the last window must start at or before H + 2P − span)",
                 _size_is(lambda h, k, s, p, d: (h + 2 * p - d * (k - 1)) // s + 1)),
            Hint(STRUCTURE, "a size is a whole number: a true division / gives a float, use // (floor division)"),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# 2. A naive single-channel cross-correlation
# ---------------------------------------------------------------------------------------------
def conv2d_single_cases() -> list[Case]:
    rng = np.random.default_rng(801)
    return [
        Case("a 5×5 image, a 3×3 kernel", rng.normal(size=(5, 5)), rng.normal(size=(3, 3)), 1, 0),
        Case("a 6×7 image, a 2×3 kernel", rng.normal(size=(6, 7)), rng.normal(size=(2, 3)), 1, 0),
        Case("a 6×6 image, padding 1", rng.normal(size=(6, 6)), rng.normal(size=(3, 3)), 1, 1),
        Case("a 7×7 image, stride 2", rng.normal(size=(7, 7)), rng.normal(size=(3, 3)), 2, 0),
        Case("an 8×9 image, stride 2, padding 2", rng.normal(size=(8, 9)), rng.normal(size=(3, 2)), 2, 2),
    ]


def torch_conv2d_single(x, kernel, stride, padding):
    import torch.nn.functional as F

    out = F.conv2d(tensor_copy(x)[None, None], tensor_copy(kernel)[None, None], stride=stride, padding=padding)
    return out[0, 0].numpy()


def _xcorr(x, k, stride=1, pad=((0, 0), (0, 0)), dilation=1):
    """Cross-correlation of a 2-D ``x`` with ``k`` after padding ``pad`` (NumPy, to write mistakes with)."""
    x = np.pad(np.asarray(x, dtype=float), pad)
    kh, kw = k.shape
    oh = (x.shape[0] - dilation * (kh - 1) - 1) // stride + 1
    ow = (x.shape[1] - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[i * stride: i * stride + dilation * (kh - 1) + 1: dilation,
                      j * stride: j * stride + dilation * (kw - 1) + 1: dilation]
            out[i, j] = np.sum(patch * k)
    return out


def _xcorr_matmul(x, k, s, p):
    """The mistake of ``np.sum(window @ kernel)`` for the element-wise product."""
    x = np.pad(np.asarray(x, dtype=float), p)
    kh, kw = k.shape
    oh, ow = (x.shape[0] - kh) // s + 1, (x.shape[1] - kw) // s + 1
    return np.array([[np.sum(x[i * s: i * s + kh, j * s: j * s + kw] @ k) for j in range(ow)] for i in range(oh)])


def _both(p):
    return ((p, p), (p, p))


def _one_side(p):
    return ((p, 0), (p, 0))


def _after(p):
    return ((0, p), (0, p))


_FLIPPED = ("the kernel is flipped: that is the convolution of mathematics. Deep-learning layers compute the "
            "cross-correlation, out[i, j] = Σ x[i·S + a, j·S + b]·w[a, b], with the kernel as it is")
_ONE_SIDE = ("the padding is on one side only: P rows and columns of zeros go on *every* side (top and bottom, left "
             "and right), np.pad(x, P)")
_STRIDE_IGNORED = "the stride is ignored: the window moves S pixels at a time, its top-left corner at (i·S, j·S)"
_STRIDE_ON_KERNEL = ("the stride spaces the kernel's taps (that is the dilation): the stride moves the *window*, its "
                     "taps stay next to each other, x[i·S + a, j·S + b]")

_HW_SWAPPED = ("rows and columns are swapped: out[i, j] is the window i·S rows down and j·S columns right; "
               "OH = ⌊(H + 2P − KH)/S⌋ + 1 rows come from the heights (x.shape[0], kernel.shape[0])")

register(
    FunctionExercise(
        id="cnns.conv2d_single",
        reference="conv2d_single",
        arg_names=("x", "kernel", "stride", "padding"),
        cases=conv2d_single_cases,
        oracle=torch_conv2d_single,
        rtol=RTOL,
        atol=ATOL,
        praise="Your loops compute torch.nn.functional.conv2d.",
        hints=(
            Hint(VALUE, _FLIPPED, _is(lambda x, k, s, p: _xcorr(x, k[::-1, ::-1], s, _both(p)))),
            Hint(VALUE, _ONE_SIDE, _is(lambda x, k, s, p: _xcorr(x, k, s, _one_side(p)))),
            Hint(VALUE, _ONE_SIDE, _is(lambda x, k, s, p: _xcorr(x, k, s, _after(p)))),
            Hint(STRUCTURE, _ONE_SIDE, _is(lambda x, k, s, p: _xcorr(x, k, s, _one_side(p)))),
            Hint(STRUCTURE, _ONE_SIDE, _is(lambda x, k, s, p: _xcorr(x, k, s, _after(p)))),
            Hint(STRUCTURE, _STRIDE_IGNORED, _is(lambda x, k, s, p: _xcorr(x, k, 1, _both(p)))),
            Hint(STRUCTURE, _STRIDE_ON_KERNEL, _is(lambda x, k, s, p: _xcorr(x, k, 1, _both(p), dilation=s))),
            Hint(STRUCTURE, _STRIDE_ON_KERNEL, _is(lambda x, k, s, p: _xcorr(x, k, s, _both(p), dilation=s))),
            Hint(VALUE, _STRIDE_ON_KERNEL, _is(lambda x, k, s, p: _xcorr(x, k, s, _both(p), dilation=s))),
            Hint(VALUE, _STRIDE_ON_KERNEL, _is(lambda x, k, s, p: _xcorr(x, k, 1, _both(p), dilation=s))),
            Hint(STRUCTURE, _HW_SWAPPED, _shape_is(lambda got, want, *_: len(got) == 2 and got == want[::-1])),
            Hint(VALUE, _HW_SWAPPED, _is(lambda x, k, s, p: torch_conv2d_single(x, k, s, p).T)),
            Hint(STRUCTURE, "the image was padded by K − 1 on each side (the 'full' mode of np.convolve): pad by "
                            "the padding argument P only",
                 _shape_is(lambda got, want, x, k, s, p: got == tuple(
                     (n + 2 * (m - 1) - m) // s + 1 for n, m in zip(x.shape, k.shape)))),
            Hint(STRUCTURE, "extra axes: for one 2-D image return the 2-D map (OH, OW), not (1, 1, OH, OW)",
                 _shape_is(lambda got, want, *_: tuple(d for d in got if d != 1) == tuple(d for d in want if d != 1))),
            Hint(STRUCTURE, _PAD_IGNORED,
                 _shape_is(lambda got, want, x, k, s, p: p > 0 and got == tuple(
                     (n - m) // s + 1 for n, m in zip(x.shape, k.shape)))),
            Hint(VALUE, "the window's top-left corner is at (i, j): with stride S it is at (i·S, j·S)",
                 _is(lambda x, k, s, p: _xcorr(x, k, 1, _both(p))[:(x.shape[0] + 2 * p - k.shape[0]) // s + 1,
                                                                  :(x.shape[1] + 2 * p - k.shape[1]) // s + 1])),
            Hint(VALUE, "the window and the kernel were multiplied as matrices (@ or np.dot): the cross-correlation "
                        "multiplies them element by element, np.sum(window * kernel)",
                 _is(lambda x, k, s, p: _xcorr_matmul(x, k, s, p))),
            Hint(STRUCTURE, "the output has ⌊(H + 2P − K)/S⌋ + 1 rows and ⌊(W + 2P − K)/S⌋ + 1 columns, one per "
                            "position where the whole kernel fits inside the padded image"),
            Hint(EXCEPTION, "a window runs past the edge of the (padded) image: the last window starts at "
                            "H + 2P − KH, so there are ⌊(H + 2P − KH)/S⌋ + 1 of them",
                 raised("could not be broadcast", "operands", error=ValueError)),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# 3. The multi-channel forward pass
# ---------------------------------------------------------------------------------------------
def conv2d_forward_cases() -> list[Case]:
    rng = np.random.default_rng(802)

    def case(name, n, c, f, h, w, k, stride, padding):
        return Case(name, rng.normal(size=(n, c, h, w)), rng.normal(size=(f, c, k, k)), rng.normal(size=f),
                    stride, padding)

    return [
        case("1 image, 3 channels in, 2 out, 5×5, a 3×3 kernel", 1, 3, 2, 5, 5, 3, 1, 0),
        case("2 images, 2 channels in, 4 out, padding 1", 2, 2, 4, 6, 6, 3, 1, 1),
        case("3 images, 1 channel in, 3 out, stride 2", 3, 1, 3, 7, 7, 3, 2, 0),
        case("2 images, 3 channels in, 5 out, 8×8, stride 2, padding 1", 2, 3, 5, 8, 8, 3, 2, 1),
        case("1 image, 4 channels in, 2 out, a 1×1 kernel", 1, 4, 2, 4, 5, 1, 1, 0),
    ]


def torch_conv2d_forward(x, weight, bias, stride, padding):
    import torch.nn.functional as F

    return F.conv2d(tensor_copy(x), tensor_copy(weight), tensor_copy(bias), stride=stride, padding=padding).numpy()


def _conv(x, w, b, s, pad, *, dilation=1, flip=False, bias=True):
    """The multi-channel cross-correlation written with ``_xcorr`` (a mistake changes one argument)."""
    n, c = x.shape[:2]
    f = w.shape[0]
    rows = []
    for i in range(n):
        maps = []
        for o in range(f):
            acc = sum(_xcorr(x[i, ch], w[o, ch][::-1, ::-1] if flip else w[o, ch], s, pad, dilation)
                      for ch in range(c))
            maps.append(acc + (b[o] if bias else 0.0))
        rows.append(maps)
    return np.array(rows)


def _sum_over_outputs(x, w, b, s, p):
    """out[n, c] = Σ_f x[n, c] ⋆ w[f, c] (+ b[c] when it fits): the sum over the wrong channel axis."""
    n, c = x.shape[:2]
    f = w.shape[0]
    out = np.array([[sum(_xcorr(x[i, ch], w[o, ch], s, _both(p)) for o in range(f)) for ch in range(c)]
                    for i in range(n)])
    return out


register(
    FunctionExercise(
        id="cnns.conv2d_forward",
        reference="conv2d_forward",
        arg_names=("x", "weight", "bias", "stride", "padding"),
        cases=conv2d_forward_cases,
        oracle=torch_conv2d_forward,
        rtol=RTOL,
        atol=ATOL,
        praise="Your loops compute torch.nn.functional.conv2d.",
        hints=(
            Hint(VALUE, _FLIPPED, _is(lambda x, w, b, s, p: _conv(x, w, b, s, _both(p), flip=True))),
            Hint(VALUE, "the bias is missing: each output channel f adds its own b[f] to every position",
                 _is(lambda x, w, b, s, p: _conv(x, w, b, s, _both(p), bias=False))),
            Hint(VALUE, _ONE_SIDE, _is(lambda x, w, b, s, p: _conv(x, w, b, s, _one_side(p)))),
            Hint(STRUCTURE, _ONE_SIDE, _is(lambda x, w, b, s, p: _conv(x, w, b, s, _one_side(p)))),
            Hint(STRUCTURE, _ONE_SIDE, _is(lambda x, w, b, s, p: _conv(x, w, b, s, _after(p)))),
            Hint(STRUCTURE, "the sum runs over the output channels: each output channel f sums over the *input* "
                            "channels c, out[n, f] = b[f] + Σ_c x[n, c] ⋆ w[f, c], so the output has F channels",
                 _is(_sum_over_outputs)),
            Hint(STRUCTURE, "the sum runs over the output channels: each output channel f sums over the *input* "
                            "channels c, out[n, f] = b[f] + Σ_c x[n, c] ⋆ w[f, c], so the output has F channels",
                 _is(lambda x, w, b, s, p: _sum_over_outputs(x, w, b, s, p) + b[:, None, None])),
            Hint(STRUCTURE, _STRIDE_ON_KERNEL, _is(lambda x, w, b, s, p: _conv(x, w, b, 1, _both(p), dilation=s))),
            Hint(STRUCTURE, _STRIDE_ON_KERNEL, _is(lambda x, w, b, s, p: _conv(x, w, b, s, _both(p), dilation=s))),
            Hint(VALUE, _STRIDE_ON_KERNEL, _is(lambda x, w, b, s, p: _conv(x, w, b, s, _both(p), dilation=s))),
            Hint(VALUE, _STRIDE_ON_KERNEL, _is(lambda x, w, b, s, p: _conv(x, w, b, 1, _both(p), dilation=s))),
            Hint(STRUCTURE, _STRIDE_IGNORED, _is(lambda x, w, b, s, p: _conv(x, w, b, 1, _both(p)))),
            Hint(VALUE, "the weight was read channels-last, (KH, KW, C, F) as in Keras: PyTorch's is channels-first, "
                        "(F, C, KH, KW), weight[f] is output channel f's (C, KH, KW) kernel",
                 _is(lambda x, w, b, s, p: _conv(x, w.reshape(w.shape[2], w.shape[3], w.shape[1], w.shape[0])
                                                 .transpose(3, 2, 0, 1), b, s, _both(p)))),
            Hint(VALUE, "the kernel is transposed: weight[f, c, a, b] multiplies the pixel a rows down and b "
                        "columns right of the window's corner, x[n, c, i·S + a, j·S + b]",
                 _is(lambda x, w, b, s, p: _conv(x, w.transpose(0, 1, 3, 2), b, s, _both(p)))),
            Hint(VALUE, "the bias was added once per input channel: add b[f] once, after the sum over c",
                 _is(lambda x, w, b, s, p: _conv(x, w, b, s, _both(p)) + (x.shape[1] - 1) * b[:, None, None])),
            Hint(VALUE, "not every input channel is summed: out[n, f] = b[f] + Σ_c x[n, c] ⋆ w[f, c], a plain sum "
                        "over all C channels (not one channel, not their mean)",
                 lambda attempt: attempt.x.shape[1] > 1 and (
                     _is(lambda x, w, b, s, p: _conv(x[:, :1], w[:, :1], b, s, _both(p)))(attempt)
                     or _is(lambda x, w, b, s, p: _conv(x, w, 0 * b, s, _both(p)) / x.shape[1]
                            + b[:, None, None])(attempt))),
            Hint(STRUCTURE, "the batch axis is missing: return one map per image and output channel, (N, F, OH, OW), "
                            "even when N = 1",
                 _shape_is(lambda got, want, *_: got == want[1:])),
            Hint(EXCEPTION, _PAD_EVERY_AXIS, _padded_every_axis(4)),
            Hint(STRUCTURE, _PAD_EVERY_AXIS,
                 _shape_is(lambda got, want, x, w, b, s, p: p > 0 and got[0] == x.shape[0] + 2 * p)),
            Hint(STRUCTURE, _PAD_IGNORED,
                 _shape_is(lambda got, want, x, w, b, s, p: p > 0 and got[2:] == tuple(
                     (n - w.shape[2]) // s + 1 for n in x.shape[2:]))),
            Hint(STRUCTURE, "the axes are in the wrong order: (N, F, OH, OW), the batch, then the output channels, "
                            "then the map (channels first, as PyTorch)",
                 _shape_is(lambda got, want, *_: _permuted(got, want))),
            Hint(STRUCTURE, "the output has shape (N, F, OH, OW): one map per image and per output channel "
                            "(weight.shape[0] of them)"),
            Hint(EXCEPTION, "a shape mismatch: the patch x[n, :, rows, cols] has shape (C, KH, KW), the shape of "
                            "one output channel's kernel weight[f] (weight is (F, C, KH, KW), not Keras's "
                            "channels-last (KH, KW, C, F))",
                 raised("could not be broadcast", "operands", error=ValueError)),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# 4. im2col in F.unfold's layout
# ---------------------------------------------------------------------------------------------
def im2col_cases() -> list[Case]:
    rng = np.random.default_rng(803)
    return [
        Case("1 image, 1 channel, 4×4, a 2×2 kernel", rng.normal(size=(1, 1, 4, 4)), 2, 1, 0),
        Case("1 image, 3 channels, 5×5, a 3×3 kernel", rng.normal(size=(1, 3, 5, 5)), 3, 1, 0),
        Case("2 images, 2 channels, 5×6, stride 2", rng.normal(size=(2, 2, 5, 6)), 2, 2, 0),
        Case("2 images, 3 channels, 4×5, padding 1", rng.normal(size=(2, 3, 4, 5)), 3, 1, 1),
        Case("1 image, 2 channels, 7×7, stride 2, padding 1", rng.normal(size=(1, 2, 7, 7)), 3, 2, 1),
    ]


def torch_im2col(x, kernel_size, stride, padding):
    import torch.nn.functional as F

    return F.unfold(tensor_copy(x), kernel_size, stride=stride, padding=padding).numpy()


def _patches(x, k, s, p):
    """(N, OH, OW, C, K, K): every window of the padded batch (NumPy, to write mistakes with)."""
    x = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    n, c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    out = np.empty((n, oh, ow, c, k, k))
    for i in range(oh):
        for j in range(ow):
            out[:, i, j] = x[:, :, i * s: i * s + k, j * s: j * s + k]
    return out


def _cols_transposed(x, k, s, p):
    pt = _patches(x, k, s, p)
    n, oh, ow = pt.shape[:3]
    return pt.reshape(n, oh * ow, -1)


def _cols_channel_last(x, k, s, p):
    pt = _patches(x, k, s, p)
    n, oh, ow = pt.shape[:3]
    return pt.transpose(0, 1, 2, 4, 5, 3).reshape(n, oh * ow, -1).transpose(0, 2, 1)  # a patch as (K, K, C)


def _cols_column_major(x, k, s, p):
    pt = _patches(x, k, s, p)
    n, oh, ow = pt.shape[:3]
    return pt.transpose(0, 2, 1, 3, 4, 5).reshape(n, oh * ow, -1).transpose(0, 2, 1)


def _cols_right(x, k, s, p):
    pt = _patches(x, k, s, p)
    n, oh, ow = pt.shape[:3]
    return pt.reshape(n, oh * ow, -1).transpose(0, 2, 1)


def _cols_kernel_transposed(x, k, s, p):
    pt = _patches(x, k, s, p)
    n, oh, ow = pt.shape[:3]
    return pt.transpose(0, 1, 2, 3, 5, 4).reshape(n, oh * ow, -1).transpose(0, 2, 1)


def _same_entries(mistake):
    """The answer has the right shape and the right entries, arranged as ``mistake`` arranges them."""
    return lambda attempt: _is(mistake)(attempt) and not _is(_cols_right)(attempt)


register(
    FunctionExercise(
        id="cnns.im2col",
        reference="im2col",
        arg_names=("x", "kernel_size", "stride", "padding"),
        cases=im2col_cases,
        oracle=torch_im2col,
        rtol=RTOL,
        atol=ATOL,
        praise="Your columns are torch.nn.functional.unfold's.",
        hints=(
            Hint(STRUCTURE, "the matrix is transposed: F.unfold's layout is (N, C·K·K, L), one *column* per window "
                            "(L windows) and one row per entry of a patch",
                 _is(_cols_transposed)),
            Hint(VALUE, "the entries of a column are ordered channel-last (row, column, channel): F.unfold flattens a "
                        "patch channels-first, as patch.reshape(-1) of x[n, :, rows, cols] of shape (C, K, K) does",
                 _same_entries(_cols_channel_last)),
            Hint(VALUE, "the windows are taken column by column: F.unfold numbers them row by row, window (i, j) is "
                        "column i·OW + j (the top row of windows first, left to right)",
                 _same_entries(_cols_column_major)),
            Hint(VALUE, "each patch was flattened with its rows and columns swapped: flatten the window "
                        "x[n, :, rows, cols] of shape (C, K, K) as it is, patch.reshape(-1)",
                 _same_entries(_cols_kernel_transposed)),
            Hint(VALUE, _ONE_SIDE,
                 _is(lambda x, k, s, p: _cols_right(np.pad(x, ((0, 0), (0, 0), (0, 2 * p), (0, 2 * p))), k, s, 0))),
            Hint(STRUCTURE, _PAD_EVERY_AXIS,
                 _shape_is(lambda got, want, x, k, s, p: p > 0 and got[0] == x.shape[0] + 2 * p)),
            Hint(STRUCTURE, "the batch axis is missing: F.unfold returns one matrix per image, (N, C·K·K, L), even "
                            "when N = 1",
                 _shape_is(lambda got, want, *_: len(got) == 2)),
            Hint(STRUCTURE, _PAD_IGNORED,
                 _shape_is(lambda got, want, x, k, s, p: p > 0 and got == _cols_right(x, k, s, 0).shape)),
            Hint(STRUCTURE, _STRIDE_IGNORED,
                 _shape_is(lambda got, want, x, k, s, p: s > 1 and got == _cols_right(x, k, 1, p).shape)),
            Hint(STRUCTURE, "the columns of F.unfold: shape (N, C·K·K, L), with L = OH·OW windows, "
                            "OH = ⌊(H + 2P − K)/S⌋ + 1"),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# 5. Max pooling forward and backward, with ties
# ---------------------------------------------------------------------------------------------
def maxpool_cases() -> list[Case]:
    rng = np.random.default_rng(804)

    def ints(shape, high):  # small integers: ties inside a window are frequent
        return rng.integers(0, high, size=shape).astype(float)

    def grad(x, k):
        n, c, h, w = x.shape
        return rng.normal(size=(n, c, h // k, w // k))

    cases = []
    for name, x, k in (
        ("1 image, 1 channel, 4×4, 2×2 windows, no ties", rng.permutation(16).astype(float).reshape(1, 1, 4, 4), 2),
        ("2 images, 2 channels, 4×4, 2×2 windows with ties", ints((2, 2, 4, 4), 3), 2),
        ("a constant image: every element of a window ties", np.ones((1, 1, 4, 4)), 2),
        ("1 image, 3 channels, 6×6, 3×3 windows with ties", ints((1, 3, 6, 6), 4), 3),
        ("2 images, 1 channel, 5×5, 2×2 windows (the last row and column are left out)", ints((2, 1, 5, 5), 3), 2),
    ):
        cases.append(Case(name, x, grad(x, k), k))
    return cases


def torch_maxpool(x, grad_out, kernel_size):
    """``F.max_pool2d``'s output and, by autograd, d(Σ grad_out ⊙ out)/dx."""
    import torch.nn.functional as F

    t = tensor_copy(x).requires_grad_(True)
    out = F.max_pool2d(t, kernel_size)
    (out * tensor_copy(grad_out)).sum().backward()
    return out.detach().numpy(), t.grad.numpy()


def _pool_grad(x, g, k, rule):
    """The pooling gradient with ``rule`` deciding where each window's gradient goes."""
    n, c, h, w = x.shape
    oh, ow = h // k, w // k
    dx = np.zeros_like(x, dtype=float)
    for i in range(oh):
        for j in range(ow):
            win = x[:, :, i * k:(i + 1) * k, j * k:(j + 1) * k].reshape(n, c, -1)
            top = win.max(axis=2, keepdims=True)
            is_max = (win == top).astype(float)
            if rule == "every max":
                share = is_max
            elif rule == "every element":
                share = np.ones_like(win)
            elif rule == "averaged":
                share = is_max / is_max.sum(axis=2, keepdims=True)
            elif rule == "mean pool":
                share = np.full_like(win, 1.0 / (k * k))
            elif rule == "ones":
                share = np.zeros_like(win)
                np.put_along_axis(share, np.argmax(win, axis=2)[:, :, None], 1.0, axis=2)
                share = share / g[:, :, i, j][:, :, None]
            elif rule == "column first":
                by_col = win.reshape(n, c, k, k).transpose(0, 1, 3, 2).reshape(n, c, -1)
                m = np.argmax(by_col, axis=2)
                share = np.zeros_like(win)
                np.put_along_axis(share, ((m % k) * k + m // k)[:, :, None], 1.0, axis=2)
            elif rule == "unravel swapped":
                m = np.argmax(win, axis=2)
                share = np.zeros_like(win)
                np.put_along_axis(share, ((m % k) * k + m // k)[:, :, None], 1.0, axis=2)
            else:  # "last max"
                last = win.shape[2] - 1 - np.argmax(win[:, :, ::-1], axis=2)
                share = np.zeros_like(win)
                np.put_along_axis(share, last[:, :, None], 1.0, axis=2)
            dx[:, :, i * k:(i + 1) * k, j * k:(j + 1) * k] += (share * g[:, :, i, j][:, :, None]).reshape(
                n, c, k, k)
    return dx


def _gradient_is(rule):
    def predicate(attempt) -> bool:
        got = attempt.got
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return False
        try:
            dx = np.asarray(got[1], dtype=float)
        except (TypeError, ValueError):
            return False
        x, g, k = attempt.case.args
        want = _pool_grad(x, g, k, rule)
        right = np.asarray(attempt.expected[1])
        return dx.shape == want.shape and same_values(dx, want) and not same_values(dx, right)
    return predicate


def _forward_is(fn):
    def predicate(attempt) -> bool:
        got = attempt.got
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return False
        try:
            out = np.asarray(got[0], dtype=float)
        except (TypeError, ValueError):
            return False
        want = fn(*attempt.case.args)
        return out.shape == want.shape and same_values(out, want)
    return predicate


def _pair_shapes(attempt, test) -> bool:
    """``test(x.shape, K, out.shape, dx.shape)`` on an answer that is a pair of arrays."""
    got = attempt.got
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return False
    try:
        out, dx = (np.shape(np.asarray(a, dtype=float)) for a in got)
    except (TypeError, ValueError):
        return False
    x, _, k = attempt.case.args
    return bool(test(x.shape, k, out, dx))


def _mean_pool(x, g, k):
    n, c, h, w = x.shape
    return x[:, :, :h // k * k, :w // k * k].reshape(n, c, h // k, k, w // k, k).mean(axis=(3, 5))


def _overlapping_pool(x, g, k):
    n, c, h, w = x.shape
    out = np.empty((n, c, h - k + 1, w - k + 1))
    for i in range(h - k + 1):
        for j in range(w - k + 1):
            out[:, :, i, j] = x[:, :, i:i + k, j:j + k].max(axis=(2, 3))
    return out


register(
    FunctionExercise(
        id="cnns.maxpool2d",
        reference="maxpool2d",
        arg_names=("x", "grad_out", "kernel_size"),
        cases=maxpool_cases,
        oracle=torch_maxpool,
        rtol=RTOL,
        atol=ATOL,
        praise="Forward and backward agree with torch.nn.functional.max_pool2d and autograd, ties included.",
        hints=(
            Hint(VALUE, "each window's gradient went to every element equal to its maximum: with ties it is counted "
                        "several times. PyTorch sends it to the *first* maximum only (np.argmax of the flattened "
                        "window), so the gradient's total equals grad_out's",
                 _gradient_is("every max")),
            Hint(VALUE, "the gradient went to every element of the window: that is average pooling's spread (without "
                        "its 1/K²). Max pooling's output depends on the maximum alone, so only that element gets "
                        "the gradient, the others 0",
                 _gradient_is("every element")),
            Hint(VALUE, "the gradient was shared among the tied maxima: PyTorch gives it whole to the *first* maximum "
                        "(np.argmax of the flattened window), the other maxima get 0",
                 _gradient_is("averaged")),
            Hint(VALUE, "the gradient was spread as average pooling spreads it, grad/K² to every element: max pooling "
                        "sends it whole to the window's maximum",
                 _gradient_is("mean pool")),
            Hint(VALUE, "with ties the gradient went to the *last* maximum: PyTorch picks the first one in row-major "
                        "order (np.argmax returns the first), and so must you",
                 _gradient_is("last max")),
            Hint(VALUE, "with ties the gradient went to the first maximum column by column: PyTorch's first is in "
                        "row-major order, np.argmax of the window flattened row by row, window.reshape(-1)",
                 _gradient_is("column first")),
            Hint(VALUE, "the flat index m of the maximum was turned into (m % K, m // K): in a K×K window flattened "
                        "row by row it is row m // K, column m % K (np.unravel_index(m, (K, K)))",
                 _gradient_is("unravel swapped")),
            Hint(VALUE, "dx marks each maximum with 1: the chain rule multiplies by the gradient that arrives, so the "
                        "maximum gets grad_out[n, c, i, j]",
                 _gradient_is("ones")),
            Hint(VALUE, "the forward pass averages each window: max pooling keeps each window's maximum",
                 _forward_is(_mean_pool)),
            Hint(STRUCTURE, "the windows overlap: max_pool2d's stride defaults to the kernel size, so windows of "
                            "K×K tile the image without overlap and the output is (N, C, H // K, W // K)",
                 _forward_is(_overlapping_pool)),
            Hint(STRUCTURE, "a window that sticks out of the image was kept: windows that do not fit entirely are left "
                            "out (PyTorch's default), so the output is (N, C, H // K, W // K)",
                 lambda attempt: _pair_shapes(attempt, lambda x, k, out, dx: out == x[:2] + tuple(
                     -(-d // k) for d in x[2:]) and any(d % k for d in x[2:]))),
            Hint(STRUCTURE, "dx has grad_out's shape: dx = ∂L/∂x has the shape of x, zeros except at each window's "
                            "first maximum",
                 lambda attempt: _pair_shapes(attempt, lambda x, k, out, dx: dx == out and dx != x)),
            Hint(STRUCTURE, "the pair is in the wrong order: return (out, dx), the pooled map first",
                 lambda attempt: _pair_shapes(attempt, lambda x, k, out, dx: out == x and dx != x)),
            Hint(STRUCTURE, "return a pair (out, dx): out of shape (N, C, H // K, W // K), dx of the shape of x"),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# 6. The weight gradient of a convolution
# ---------------------------------------------------------------------------------------------
def weight_grad_cases() -> list[Case]:
    rng = np.random.default_rng(805)

    def case(name, n, c, f, h, k, stride, padding):
        oh = (h + 2 * padding - k) // stride + 1
        return Case(name, rng.normal(size=(n, c, h, h)), rng.normal(size=(n, f, oh, oh)), k, stride, padding)

    return [
        case("1 image, 1 channel in and out, 5×5, a 3×3 kernel", 1, 1, 1, 5, 3, 1, 0),
        case("3 images, 2 channels in, 3 out, 6×6, a 3×3 kernel", 3, 2, 3, 6, 3, 1, 0),
        case("2 images, 3 channels in, 2 out, padding 1", 2, 3, 2, 5, 3, 1, 1),
        case("4 images, 1 channel in, 2 out, 7×7, stride 2", 4, 1, 2, 7, 3, 2, 0),
        case("2 images, 2 channels in, 2 out, a 2×2 kernel, stride 2, padding 1", 2, 2, 2, 6, 2, 2, 1),
    ]


def torch_weight_grad(x, grad_out, kernel_size, stride, padding):
    """d(Σ grad_out ⊙ conv2d(x, W))/dW by autograd, for W of shape (F, C, K, K)."""
    import torch
    import torch.nn.functional as F

    f, c = grad_out.shape[1], x.shape[1]
    w = torch.zeros((f, c, kernel_size, kernel_size), dtype=torch.float64, requires_grad=True)
    (F.conv2d(tensor_copy(x), w, stride=stride, padding=padding) * tensor_copy(grad_out)).sum().backward()
    return w.grad.numpy()


def _per_example(x, g, k, s, p):
    """dW of each example, shape (N, F, C, K, K)."""
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    n, f, oh, ow = g.shape
    c = x.shape[1]
    out = np.zeros((n, f, c, k, k))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * s: i * s + k, j * s: j * s + k]  # (N, C, K, K)
            out += g[:, :, i, j][:, :, None, None, None] * patch[:, None]
    return out


def _grad_stride_one(x, g, k, s, pad):
    """dL/dW with the windows ``s`` apart after padding ``pad`` (rows, columns): mistakes change s or pad."""
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple(pad))
    out = np.zeros((g.shape[1], x.shape[1], k, k))
    for i in range(g.shape[2]):
        for j in range(g.shape[3]):
            out += np.einsum("nf,nchw->fchw", g[:, :, i, j], xp[:, :, i * s: i * s + k, j * s: j * s + k])
    return out


register(
    FunctionExercise(
        id="cnns.conv2d_weight_grad",
        reference="conv2d_weight_grad",
        arg_names=("x", "grad_out", "kernel_size", "stride", "padding"),
        cases=weight_grad_cases,
        oracle=torch_weight_grad,
        rtol=RTOL,
        atol=ATOL,
        praise="Your gradient is autograd's.",
        hints=(
            Hint(VALUE, "the kernel's gradient is flipped: dL/dW[f, c, a, b] = Σ_n Σ_(i,j) G[n, f, i, j]·"
                        "x[n, c, i·S + a, j·S + b], the cross-correlation of the input with G, no flip",
                 _is(lambda x, g, k, s, p: _per_example(x, g, k, s, p).sum(axis=0)[:, :, ::-1, ::-1])),
            Hint(VALUE, "the batch is averaged: the loss already includes its 1/N (it is in grad_out), so dL/dW is "
                        "the *sum* over the batch of each example's contribution",
                 _is(lambda x, g, k, s, p: _per_example(x, g, k, s, p).mean(axis=0))),
            Hint(VALUE, "only one example's contribution is there: W is shared by the whole batch, so its gradient "
                        "sums the contributions of every example n",
                 lambda attempt: attempt.x.shape[0] > 1 and (
                     _is(lambda x, g, k, s, p: _per_example(x, g, k, s, p)[0])(attempt)
                     or _is(lambda x, g, k, s, p: _per_example(x, g, k, s, p)[-1])(attempt))),
            Hint(STRUCTURE, "the batch is not summed: W is shared by every example, so dL/dW has W's shape "
                            "(F, C, K, K), the sum over n of each example's contribution",
                 _is(_per_example)),
            Hint(STRUCTURE, "that has the input's shape (N, C, H, W): it is dL/dx, the gradient sent back to the "
                            "layer below. The exercise asks for dL/dW, of the kernel's shape (F, C, K, K)",
                 lambda attempt: _got(attempt) is not None and _got(attempt).shape == attempt.case.args[0].shape),
            Hint(VALUE, "the windows moved one pixel at a time: output (i, j) saw the window at (i·S, j·S), the same "
                        "windows as the forward pass",
                 lambda attempt: attempt.case.args[3] > 1 and _is(
                     lambda x, g, k, s, p: _grad_stride_one(x, g, k, 1, ((p, p), (p, p))))(attempt)),
            Hint(VALUE, _ONE_SIDE, lambda attempt: attempt.case.args[4] > 0 and (
                _is(lambda x, g, k, s, p: _grad_stride_one(x, g, k, s, ((0, 2 * p), (0, 2 * p))))(attempt)
                or _is(lambda x, g, k, s, p: _grad_stride_one(x, g, k, s, ((p, 0), (p, 0))))(attempt))),
            Hint(VALUE, "the output positions are averaged: W is used at every position (i, j), so its gradient is "
                        "the sum over them, not the mean",
                 _is(lambda x, g, k, s, p: _per_example(x, g, k, s, p).sum(axis=0) / (g.shape[2] * g.shape[3]))),
            Hint(VALUE, "the bias's gradient was added in: dL/dW = Σ G·X alone, dL/db = Σ G is separate",
                 _is(lambda x, g, k, s, p: _per_example(x, g, k, s, p).sum(axis=0)
                     + g.sum(axis=(0, 2, 3))[:, None, None, None])),
            Hint(STRUCTURE, "that is the bias's gradient, Σ G over n, i, j, of shape (F,): the weight's gradient "
                            "multiplies G by the input's windows, shape (F, C, K, K)",
                 _shape_is(lambda got, want, x, g, *_: got == (g.shape[1],))),
            Hint(STRUCTURE, "the gradient has shape (C, F, K, K): the weight is (F, C, K, K), output channels first "
                            "(swap the axes, transpose(1, 0, 2, 3), or the einsum's output indices)",
                 _shape_is(lambda got, want, *_: got == (want[1], want[0]) + tuple(want[2:]))),
            Hint(STRUCTURE, "dL/dW has the shape of the weight, (F, C, K, K) with F = grad_out.shape[1] and "
                            "C = x.shape[1]"),
            Hint(EXCEPTION, _PAD_EVERY_AXIS, _padded_every_axis(4)),
            Hint(EXCEPTION, "a window runs past the edge of the input: pad x with P zeros on every side first, the "
                            "windows are the forward pass's, at (i·S, j·S) in the padded input",
                 raised("could not be broadcast", "operands", error=ValueError)),
        ),
    ),
)


# =============================================================================================
# Part 2: CNNs in practice
# =============================================================================================
# ---------------------------------------------------------------------------------------------
# 7. Counting the parameters of the classic Keras CNN (one channel, 28×28)
# ---------------------------------------------------------------------------------------------
KERAS_LAYERS = ("conv1", "pool1", "conv2", "conv3", "dense1", "dense2")
"""The keys of the answer: Conv2D(32, 3) -> MaxPool(2) -> Conv2D(64, 3) -> MaxPool(2) -> Conv2D(64, 3) -> Flatten ->
Dense(64) -> Dropout(0.5) -> Dense(10), on a 1×28×28 image (the second pooling, flatten and dropout hold nothing
either, and are not asked)."""


def torch_keras_cnn_parameters() -> dict:
    """The parameters of each layer, counted by PyTorch on the network built here (not from ``utils``)."""
    from torch import nn

    layers = {
        "conv1": nn.Conv2d(1, 32, 3, device="meta"), "pool1": nn.MaxPool2d(2),
        "conv2": nn.Conv2d(32, 64, 3, device="meta"), "conv3": nn.Conv2d(64, 64, 3, device="meta"),
        # 28 -conv-> 26 -pool-> 13 -conv-> 11 -pool-> 5 -conv-> 3: the flatten gives 64·3·3 values
        "dense1": nn.Linear(64 * 3 * 3, 64, device="meta"), "dense2": nn.Linear(64, 10, device="meta"),
    }
    return {name: sum(p.numel() for p in layer.parameters()) for name, layer in layers.items()}


def _count(value):
    """A parameter count: a whole number >= 0 (an int, or a float or NumPy number that is one), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    if not np.isfinite(value) or value < 0 or value != int(value):
        return None
    return int(value)


def _conv_count(c, f, k=3, bias=True):
    return k * k * c * f + (f if bias else 0)


_NO_BIAS = "the biases are forgotten: each kernel (output channel) has one bias, so add F to the F·C·K·K weights"
_SHARED = ("a convolution's weights are shared by every position: its count is F·C·K·K + F whatever the image size, "
           "not multiplied by the number of positions")
_INPUT_CHANNELS = ("each kernel spans all C input channels: F·C·K·K weights (C = the previous layer's filters), "
                   "not F·K·K")
_BIAS_PER_INPUT = "one bias per kernel, that is per *output* channel F, not per input channel"
_POOL = "max pooling learns nothing: it keeps the largest value of each 2×2 window, so it has 0 parameters"


def _keras_explain() -> dict:
    explain = {("pool1", value): _POOL for value in (1, 4, 32, 64, 128, 4 * 32 + 32)}
    for key, (c, f, out) in {"conv1": (1, 32, 26), "conv2": (32, 64, 11), "conv3": (64, 64, 3)}.items():
        explain[(key, _conv_count(c, f, bias=False))] = _NO_BIAS
        explain[(key, _conv_count(c, f) - f + c)] = _BIAS_PER_INPUT
        inp = {"conv1": 28, "conv2": 13, "conv3": 5}[key]
        for area in (out * out, inp * inp):
            explain[(key, _conv_count(c, f) * area)] = _SHARED
            explain[(key, _conv_count(c, f, bias=False) * area)] = _SHARED
        if c > 1:
            explain[(key, _conv_count(1, f))] = _INPUT_CHANNELS
    explain[("conv1", _conv_count(3, 32))] = ("3 input channels is a colour image (the Keras CNN's CIFAR-10 "
                                              "version): here the digits have one channel, C = 1")
    explain[("dense1", 64 * 3 * 3 * 64)] = _NO_BIAS.replace("each kernel (output channel)", "each unit").replace(
        "F to the F·C·K·K weights", "64 to the in·out weights")
    explain[("dense2", 64 * 10)] = "the biases are forgotten: each of the 10 outputs has one, in·out + out"
    explain[("dense1", 64 * 5 * 5 * 64 + 64)] = ("the third convolution has no padding: it turns the 5×5 maps into "
                                                 "3×3, so the flatten gives 64·3·3 values")
    explain[("dense1", 64 * 64 + 64)] = ("the first Dense layer receives the flattened feature maps, 64 maps of 3×3, "
                                         "not 64 numbers")
    explain[("dense1", 64 * 4 * 4 * 64 + 64)] = ("pooling rounds down: 11×11 pooled by 2 gives 5×5 (the last row and "
                                                 "column are dropped), then the 3×3 convolution leaves 3×3")
    explain[("dense1", 64 * 26 * 26 * 64 + 64)] = ("the maps shrink on the way: 28 -> 26 (conv) -> 13 (pool) -> 11 "
                                                   "(conv) -> 5 (pool) -> 3 (conv)")
    explain[("dense1", 64 * 9 * 9 * 64 + 64)] = ("the second max pooling is missing: 11×11 pooled by 2 gives 5×5, and "
                                                 "the third convolution leaves 3×3, so the flatten gives 64·3·3 values")
    explain[("dense1", 64 * 7 * 7 * 64 + 64)] = ("Keras's default padding is 'valid', none: each 3×3 convolution takes "
                                                 "2 pixels off, 28 -> 26 -> 13 -> 11 -> 5 -> 3, not 28 -> 14 -> 7")
    bias_per_input = "one bias per output unit, not per input: in·out + out"
    explain[("dense1", 576 * 64 + 576)] = bias_per_input
    explain[("dense2", 64 * 10 + 64)] = bias_per_input
    explain[("conv1", 28 * 28 * 32 + 32)] = ("that is a dense layer from every pixel: a convolution's kernel covers "
                                             "only a 3×3 window, F·C·K·K + F = 32·1·3·3 + 32")
    return explain


register(
    DictExercise(
        id="cnns.count_parameters",
        reference="keras_cnn_parameters",
        normalise=_count,
        what="a whole number of parameters",
        invalid_hint="give each count as a whole number (an int), e.g. 3 * 3 * 1 * 32 + 32",
        explain=_keras_explain(),
        default_hint=("count layer by layer: a Conv2D with F kernels of K×K over C input channels has F·C·K·K "
                      "weights + F biases; a Dense layer in·out + out, where `in` is what the flatten gives (follow "
                      "the maps' size: a 3×3 convolution without padding takes 2 off, pooling halves and rounds "
                      "down); pooling, flatten and dropout have none"),
        noun="counts",
        not_dict_hint=("return one count per layer, a dict {\"conv1\": …, \"pool1\": …, \"conv2\": …, \"conv3\": …, "
                       "\"dense1\": …, \"dense2\": …}, not the network's total"),
        keys_hint=("the keys are the layers of the exercise's text: conv1, pool1 (it has 0), conv2, conv3, dense1, "
                   "dense2"),
        oracle=torch_keras_cnn_parameters,
    ),
)


# ---------------------------------------------------------------------------------------------
# 8. A residual block's forward pass (batch norm left out)
# ---------------------------------------------------------------------------------------------
def residual_cases() -> list[Case]:
    rng = np.random.default_rng(808)

    def weights(c, f, *, project):
        w1, b1 = rng.normal(size=(f, c, 3, 3)) / np.sqrt(9 * c), rng.normal(size=f) * 0.1
        w2, b2 = rng.normal(size=(f, f, 3, 3)) / np.sqrt(9 * f), rng.normal(size=f) * 0.1
        w_skip = rng.normal(size=(f, c, 1, 1)) / np.sqrt(c) if project else None
        return w1, b1, w2, b2, w_skip

    return [
        Case("4 channels in and out: the identity shortcut", rng.normal(size=(2, 4, 5, 5)),
             *weights(4, 4, project=False)),
        Case("3 -> 6 channels: the 1×1 projection", rng.normal(size=(2, 3, 5, 5)), *weights(3, 6, project=True)),
        Case("one 6×4 image, 2 channels", rng.normal(size=(1, 2, 6, 4)), *weights(2, 2, project=False)),
        Case("2 -> 5 channels, a 4×7 batch of 3", rng.normal(size=(3, 2, 4, 7)), *weights(2, 5, project=True)),
    ]


def torch_residual(x, w1, b1, w2, b2, w_skip):
    import torch.nn.functional as F

    x_t = tensor_copy(x)
    h = F.relu(F.conv2d(x_t, tensor_copy(w1), tensor_copy(b1), padding=1))
    out = F.conv2d(h, tensor_copy(w2), tensor_copy(b2), padding=1)
    shortcut = x_t if w_skip is None else F.conv2d(x_t, tensor_copy(w_skip))
    return F.relu(out + shortcut).numpy()


def _same_conv(x, w, b=None, pad=True):
    """A 3×3 (padding 1, or none when ``pad`` is False) or 1×1 (no padding) cross-correlation in NumPy, to write the
    mistakes with."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    p = w.shape[2] // 2 if pad else 0
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    h, wd = xp.shape[2] - w.shape[2] + 1, xp.shape[3] - w.shape[3] + 1
    out = np.zeros((x.shape[0], w.shape[0], h, wd))
    for a in range(w.shape[2]):
        for b_ in range(w.shape[3]):
            out += np.einsum("fc,nchw->nfhw", w[:, :, a, b_], xp[:, :, a:a + h, b_:b_ + wd])
    return out if b is None else out + np.asarray(b)[None, :, None, None]


def _relu(z):
    return np.maximum(z, 0.0)


def _block(*, skip=True, relu_mid=True, relu_branch=False, relu_out=True, add_before_conv2=False, pad=True,
           bias1=True, bias2=True, w1_twice=False, multiply=False):
    """A residual block computed with one of the classic slips."""
    def forward(x, w1, b1, w2, b2, w_skip):
        if w1_twice:
            w2, b2 = w1, b1
        shortcut = x if w_skip is None else _same_conv(x, w_skip)
        h = _same_conv(x, w1, b1 if bias1 else None, pad)
        h = _relu(h) if relu_mid else h
        if add_before_conv2:
            h = h + shortcut
        out = _same_conv(h, w2, b2 if bias2 else None, pad)
        out = _relu(out) if relu_branch else out
        if skip and not add_before_conv2:
            out = out * shortcut if multiply else out + shortcut
        return _relu(out) if relu_out else out
    return forward


def _pre_activation(x, w1, b1, w2, b2, w_skip):
    """ResNet v2's block: x + conv2(ReLU(conv1(ReLU(x)))), no ReLU after the sum."""
    shortcut = x if w_skip is None else _same_conv(x, w_skip)
    return _same_conv(_relu(_same_conv(_relu(x), w1, b1)), w2, b2) + shortcut


def _lost_axis_0(attempt) -> bool:
    """An array lost its first axis on the way (np.max(z, 0), a reduction, where np.maximum was meant): the answer has
    the shape (F, H, W), or a convolution refused a 3-D input."""
    got, exc = _got(attempt), attempt.result.exception
    if exc is not None:
        return "3-D" in str(exc) or "got 3D" in str(exc) or "3-dimensional" in str(exc)
    return got is not None and got.shape == np.shape(attempt.expected)[1:]


def _projection_on_branch(attempt) -> bool:
    """A 1×1 convolution with w_skip (F, C, 1, 1) met F channels: it was applied to F(x), not to x."""
    exc, w_skip = attempt.result.exception, attempt.case.args[5]
    if exc is None or w_skip is None:
        return False
    f, c = w_skip.shape[:2]
    text = str(exc).replace(" ", "")
    n = attempt.case.args[0].shape[0]
    return (f"({f},{c},1,1)" in text and f"C={f}" in text) or f"expectedinput[{n},{f}," in text


def _broadcast_error(axis_test):
    """The answer raised adding two arrays whose shapes differ where ``axis_test(got_shape, case)`` says: NumPy's
    "could not be broadcast together with shapes (…) (…)" or PyTorch's "size of tensor a (…) must match"."""
    import re

    def predicate(attempt) -> bool:
        exc = attempt.result.exception
        if exc is None:
            return False
        text = str(exc).replace(" ", "")
        shapes = [tuple(int(v) for v in s.split(",") if v) for s in re.findall(r"\(([\d,]+)\)", text)]
        if "broadcast" in text and len(shapes) >= 2:
            return any(axis_test(shape, attempt.case.args) for shape in shapes)
        dim = re.search(r"non-singletondimension(\d)", text)
        return dim is not None and axis_test(int(dim.group(1)), attempt.case.args)
    return predicate


def _channel_clash(shape_or_dim, args) -> bool:
    """The sum met the input's C channels where the branch has F ≠ C (no projection)."""
    x, w1, w_skip = args[0], args[1], args[5]
    if isinstance(shape_or_dim, int):
        return shape_or_dim == 1 and w_skip is not None
    return w_skip is not None and shape_or_dim == tuple(x.shape) and w1.shape[0] != x.shape[1]


def _shrunk(shape_or_dim, args) -> bool:
    """The sum met a map 2 or 4 pixels smaller than the input: a convolution ran without padding."""
    if isinstance(shape_or_dim, int):
        return shape_or_dim in (2, 3)
    h, w = args[0].shape[2:]
    return len(shape_or_dim) == 4 and shape_or_dim[2:] in ((h - 2, w - 2), (h - 4, w - 4))


def _grown(shape_or_dim, args) -> bool:
    """The sum met a map 2 pixels larger than the input: the 1×1 projection ran with padding 1."""
    h, w = args[0].shape[2:]
    return not isinstance(shape_or_dim, int) and len(shape_or_dim) == 4 and shape_or_dim[2:] == (h + 2, w + 2)


_NO_PADDING = ("the convolutions have no padding: a 3×3 convolution without it makes the maps 2 pixels smaller, "
               "so F(x) no longer has x's H×W (NumPy may even broadcast a 1×1 map over x). Use padding=1 in both")


register(
    FunctionExercise(
        id="cnns.residual_forward",
        reference="residual_forward",
        arg_names=("x", "w1", "b1", "w2", "b2", "w_skip"),
        cases=residual_cases,
        oracle=torch_residual,
        rtol=RTOL,
        atol=ATOL,
        praise="Your block computes ReLU(F(x) + shortcut(x)), as PyTorch does.",
        hints=(
            Hint(VALUE, "the skip connection is missing: that is a plain two-layer block, ReLU(F(x)). A residual block "
                        "adds the input back, ReLU(F(x) + x), so F only has to learn the change",
                 _is(_block(skip=False))),
            Hint(VALUE, "the last ReLU is missing: the block outputs ReLU(F(x) + shortcut), the ReLU applied *after* "
                        "the sum",
                 _is(_block(relu_out=False))),
            Hint(VALUE, "the ReLU is applied to the branch before the sum and not after it: F(x) ends with the second "
                        "convolution (no activation), and the ReLU comes after adding the shortcut",
                 _is(_block(relu_branch=True, relu_out=False))),
            Hint(VALUE, "there is an extra ReLU on the branch before the sum: F(x) ends with the second convolution; "
                        "only the sum goes through the final ReLU",
                 _is(_block(relu_branch=True))),
            Hint(VALUE, "the input was added before the second convolution: the shortcut skips *both* convolutions, "
                        "out = ReLU(conv2(ReLU(conv1(x))) + shortcut(x))",
                 _is(_block(add_before_conv2=True))),
            Hint(VALUE, "the ReLU between the two convolutions is missing: F(x) = conv2(ReLU(conv1(x)))",
                 _is(_block(relu_mid=False))),
            Hint(VALUE, _NO_PADDING, _is(_block(pad=False))),
            Hint(VALUE, "the biases are forgotten: each convolution adds its bias, conv.conv2d(x, w1, b1, padding=1) "
                        "and conv.conv2d(h, w2, b2, padding=1)",
                 lambda a: any(_is(_block(bias1=b1, bias2=b2))(a) for b1, b2 in ((False, False), (False, True),
                                                                                   (True, False)))),
            Hint(VALUE, "the second convolution reuses w1 and b1: F(x) = conv(ReLU(conv(x, w1, b1)), w2, b2)",
                 _is(_block(w1_twice=True))),
            Hint(VALUE, "the shortcut is added, not multiplied: ReLU(F(x) + s(x))", _is(_block(multiply=True))),
            Hint(VALUE, "that is the pre-activation block of ResNet v2 (ReLU before each convolution, nothing after "
                        "the sum); this exercise's block is the original one: ReLU(conv2(ReLU(conv1(x))) + s(x))",
                 _is(_pre_activation)),
            Hint(EXCEPTION, "`if w_skip:` asks whether a whole array is true, which NumPy refuses: test "
                            "`if w_skip is None` (or `is not None`)",
                 raised("truth value of an array")),
            Hint(EXCEPTION, "the projection is applied to F(x), which already has F channels: it belongs on the "
                            "shortcut, s(x) = conv.conv2d(x, w_skip), and F(x) + s(x) is summed after",
                 _projection_on_branch),
            Hint(EXCEPTION, "an axis was lost: np.max(z, 0) is the largest value *along* axis 0 (it removes the batch "
                            "axis); the ReLU is np.maximum(z, 0), element by element",
                 _lost_axis_0),
            Hint(STRUCTURE, "an axis was lost: np.max(z, 0) is the largest value *along* axis 0 (it removes the batch "
                            "axis); the ReLU is np.maximum(z, 0), element by element",
                 _lost_axis_0),
            Hint(EXCEPTION, "the channels change (C -> F) but the shortcut is x itself: a tensor of C channels cannot "
                            "be added to one of F. When w_skip is given, the shortcut is the 1×1 convolution of x with "
                            "w_skip (no padding), which has F channels",
                 _broadcast_error(_channel_clash)),
            Hint(EXCEPTION, _NO_PADDING,
                 lambda attempt: _broadcast_error(_shrunk)(attempt) or raised("larger than the padded input")(attempt)),
            Hint(EXCEPTION, "the 1×1 projection takes no padding: with padding=1 its output grows by 2 pixels",
                 _broadcast_error(_grown)),
            Hint(STRUCTURE, "the block keeps the image size: the output is (N, F, H, W) with F = w1.shape[0] (3×3 "
                            "convolutions with padding 1)"),
        ),
    ),
)


# ---------------------------------------------------------------------------------------------
# 9. Build a given CNN: LeNet-5 with ReLU and max pooling, checked layer by layer
# ---------------------------------------------------------------------------------------------
LENET_INPUT = (2, 1, 28, 28)
"""The dummy batch the checker runs through the learner's LeNet-5."""

LENET_LAYERS = (
    ("conv1", "Conv2d", (6, 28, 28)), ("relu", "ReLU", (6, 28, 28)), ("pool1", "MaxPool2d", (6, 14, 14)),
    ("conv2", "Conv2d", (16, 10, 10)), ("relu", "ReLU", (16, 10, 10)), ("pool2", "MaxPool2d", (16, 5, 5)),
    ("flatten", "Flatten", (400,)), ("fc1", "Linear", (120,)), ("relu", "ReLU", (120,)),
    ("fc2", "Linear", (84,)), ("relu", "ReLU", (84,)), ("fc3", "Linear", (10,)),
)
"""(the table's name, the layer's class, its output shape without the batch axis), in order."""

_ACTIVATIONS = ("ReLU", "Tanh", "Sigmoid", "LeakyReLU", "GELU", "ELU", "SiLU", "Softmax", "LogSoftmax")
_LAYER_WORDS = {"conv1": "the first convolution", "conv2": "the second convolution", "fc1": "the first Linear",
                "fc2": "the second Linear", "fc3": "the last Linear"}


def torch_lenet5_parameters() -> int:
    """LeNet-5's parameters, counted by PyTorch on the table's layers (not from ``utils``)."""
    from torch import nn

    layers = [nn.Conv2d(1, 6, 5, padding=2, device="meta"), nn.Conv2d(6, 16, 5, device="meta"),
              nn.Linear(400, 120, device="meta"), nn.Linear(120, 84, device="meta"), nn.Linear(84, 10, device="meta")]
    return sum(p.numel() for layer in layers for p in layer.parameters())


def _sequential_hint(error: BaseException) -> str | None:
    """nn.Sequential given a list: the hint naming it."""
    if "is not a Module subclass" in str(error):
        return ("nn.Sequential takes the layers as separate arguments, nn.Sequential(layer1, layer2, ...), or a list "
                "unpacked with a star, nn.Sequential(*layers)")
    return None


def _leaf_modules(model) -> dict:
    return {name: module for name, module in model.named_modules() if next(module.children(), None) is None}


def _failed_layer(model, error: BaseException):
    """(module, incoming shape) of the layer ``layer_output_shapes`` names in ``error``, or (None, None)."""
    import re

    found = re.search(r"layer '([^']*)' \((\w+)\) got input of shape \(([\d, ]*)\)", str(error))
    if not found:
        return None, None
    module = _leaf_modules(model).get(found.group(1))
    return module, tuple(int(v) for v in found.group(3).split(",") if v.strip())


def _flatten_size_hint(got: int) -> str:
    """Why the feature maps reaching the first Linear hold ``got`` values per image instead of 16·5·5 = 400."""
    known = {
        16 * 4 * 4: "the first convolution needs padding=2: with it a 5×5 kernel keeps 28×28 (28 + 4 − 5 + 1); "
                    "with less they shrink (24×24 without padding, 26×26 with padding=1), and the flatten gives 16·4·4 "
                    "instead of 16·5·5 values",
        16 * 7 * 7: "the second convolution has no padding: on 14×14 maps a 5×5 kernel leaves 10×10, pooled to 5×5",
        16 * 10 * 10: "the second max pooling is missing: it halves 10×10 to 5×5",
        16 * 14 * 14: "the maps are never halved after the second convolution, or a pooling is missing: "
                      "28 -> 14 (pool) -> 10 (conv 5×5) -> 5 (pool)",
        6 * 5 * 5: "the second convolution has 16 kernels (out_channels=16), so the flatten gives 16·5·5 values",
    }
    return known.get(got, "follow the maps' size through the table: 28×28 -> conv 5×5 with padding 2 -> 28×28 -> "
                          "pool -> 14×14 -> conv 5×5 -> 10×10 -> pool -> 5×5, with 16 channels")


def _in_features_hint(wrote: int) -> str:
    """Why a first Linear written for ``wrote`` features, where the flatten gives 16·5·5 = 400, is wrong."""
    known = {
        16 * 7 * 7: "the second convolution has no padding: a 5×5 kernel on 14×14 maps leaves 10×10, pooled to 5×5, "
                    "so nn.Linear(16 * 5 * 5, 120)",
        16 * 4 * 4: "the first convolution is padded by 2, so it keeps 28×28: 28 -> 14 -> 10 -> 5",
        16 * 10 * 10: "the second max pooling halves 10×10 to 5×5 before the flatten",
        16 * 14 * 14: "each 2×2 max pooling halves the maps, and the 5×5 convolution takes 4 off: 28 -> 14 -> 10 -> 5",
        16 * 28 * 28: "the maps shrink on the way: pooling halves them, an unpadded 5×5 convolution takes 4 off",
        6 * 5 * 5: "the flatten sees the second convolution's 16 channels, 16·5·5 values",
        120: "nn.Linear(in_features, out_features): the first Linear takes the flattened maps, 16·5·5 values, "
             "and gives 120",
    }
    return known.get(wrote, "the first Linear takes what the flatten gives: 16 channels of 5×5 (28 -> 28 -> 14 -> 10 "
                            "-> 5), nn.Linear(16 * 5 * 5, 120)")


def _cannot_run_hint(model, error: BaseException) -> str | None:
    """A hint naming the slip behind a layer that cannot take its input (``layer_output_shapes``' error)."""
    from torch import nn

    module, shape = _failed_layer(model, error)
    if module is None:
        return None
    linears = [m for m in _leaf_modules(model).values() if isinstance(m, nn.Linear)]
    if isinstance(module, nn.Linear):
        if len(shape) > 2:
            return (f"the first Linear receives the feature maps {shape} still as images: put nn.Flatten() between "
                    "the last pooling and the first Linear")
        got = shape[-1]
        if module is linears[0]:
            return _in_features_hint(module.in_features) if got == 400 else _flatten_size_hint(got)
        if module.out_features == got:
            return (f"nn.Linear({module.in_features}, {module.out_features}) looks swapped: the arguments are "
                    f"(in_features, out_features), and this layer receives {got} features")
        return ("each Linear takes the previous one's outputs: nn.Linear(400, 120), nn.Linear(120, 84), "
                "nn.Linear(84, 10)")
    if isinstance(module, nn.Conv2d) and len(shape) == 4 and shape[1] != module.in_channels:
        if module.out_channels == shape[1]:
            return (f"nn.Conv2d({module.in_channels}, {module.out_channels}, ...) looks swapped: the arguments are "
                    "(in_channels, out_channels, kernel_size), and this layer receives "
                    f"{shape[1]} channel{'s' if shape[1] > 1 else ''}")
        return ("a convolution's in_channels is the number of channels it receives: 1 for the digits, then the "
                "previous convolution's out_channels (6)")
    return None


def _spec_hint(kinds: list[str], shapes: list[tuple]) -> str | None:
    """For a model that runs: the first way its layers differ from the table, as a hint (None when they match)."""
    body = [k for k in kinds if k not in _ACTIVATIONS]
    if kinds and kinds[-1] in ("Softmax", "LogSoftmax"):
        return ("no softmax at the end: the model returns logits, and nn.CrossEntropyLoss applies the (log-)softmax "
                "itself; a second softmax squashes the scores and slows learning")
    if "AvgPool2d" in body:
        return ("the table asks for max pooling, nn.MaxPool2d(2): LeNet-5 of 1998 averaged, today's version keeps "
                "each window's largest value")
    others = sorted({k for k in kinds if k in _ACTIVATIONS and k != "ReLU"})
    if others:
        return (f"the activations are ReLU here (nn.ReLU()), not {', '.join(others)}: the 1998 network squashed with a "
                "scaled tanh, today's version uses ReLU")
    want_body = [kind for _, kind, _ in LENET_LAYERS if kind != "ReLU"]
    if body == want_body:
        # Which weight layer lacks its ReLU (or has one it should not)?
        named = [name for name, kind, _ in LENET_LAYERS if kind != "ReLU"]
        followed = {}
        position = 0
        for i, kind in enumerate(kinds):
            if kind in _ACTIVATIONS:
                continue
            followed[named[position]] = i + 1 < len(kinds) and kinds[i + 1] == "ReLU"
            position += 1
        for name in ("conv1", "conv2", "fc1", "fc2"):
            if not followed[name]:
                return (f"there is no ReLU after {_LAYER_WORDS[name]}: without it two linear maps in a row are one "
                        "linear map. Each convolution and each Linear but the last is followed by nn.ReLU()")
        if followed["fc3"]:
            return ("no ReLU after the last Linear: the model returns logits, which may be negative; a ReLU there "
                    "cuts every negative score to 0")
    def counted(kinds_and_counts):
        return ", ".join(kind if n == 1 else f"{n} × {kind}" for kind, n in kinds_and_counts)

    missing = [(kind, want_body.count(kind) - body.count(kind)) for kind in dict.fromkeys(want_body)
               if body.count(kind) < want_body.count(kind)]
    extra = [(kind, body.count(kind) - want_body.count(kind)) for kind in dict.fromkeys(body)
             if body.count(kind) > want_body.count(kind)]
    if not any(kind in _ACTIVATIONS for kind in kinds):
        return ("the network has no activation layer: if your forward applies F.relu or torch.relu (or flattens with "
                "x.view), the checker cannot see it, as it reads the layers. Build it from layers, nn.ReLU() and "
                "nn.Flatten() included, in an nn.Sequential")
    if "Flatten" in dict(missing):
        return "put nn.Flatten() between the last pooling and the first Linear: it turns (N, 16, 5, 5) into (N, 400)"
    if missing or extra:
        parts = [f"missing {counted(missing)}"] if missing else []
        parts += [f"extra {counted(extra)}"] if extra else []
        return (f"the layers differ from the table ({'; '.join(parts)}): conv-ReLU-pool twice, flatten, then three "
                "Linear layers with a ReLU between them")
    for (name, _, want), got in zip([row for row in LENET_LAYERS if row[1] != "ReLU"],
                                    [s for k, s in zip(kinds, shapes) if k not in _ACTIVATIONS]):
        if got == want:
            continue
        if name == "conv1":
            if got[1:] in ((24, 24), (26, 26)):
                return (f"the first convolution needs padding=2: a 5×5 kernel then keeps 28×28 (28 + 2·2 − 5 + 1); "
                        f"yours gives {got[1]}×{got[2]}")
            return f"the first convolution has 6 kernels of 5×5 with padding 2: (N, 6, 28, 28); yours gives {got}"
        if name == "conv2":
            if got[1:] == (14, 14):
                return "the second convolution has no padding: on 14×14 maps a 5×5 kernel leaves 10×10"
            return f"the second convolution has 16 kernels of 5×5, no padding: (N, 16, 10, 10); yours gives {got}"
        return f"{_LAYER_WORDS.get(name, 'the ' + name)} should output {want} per image; yours gives {got}"
    return None


def _stride_slip(model) -> str | None:
    """A convolution with a stride, or a pooling whose stride is not its size: the hint naming it (None otherwise)."""
    from torch import nn

    for module in _leaf_modules(model).values():
        if isinstance(module, nn.Conv2d) and tuple(module.stride) != (1, 1):
            return (f"nn.Conv2d({module.in_channels}, {module.out_channels}, {module.kernel_size[0]}, "
                    f"{module.stride[0]}) has stride {module.stride[0]}: the fourth positional argument is the stride, "
                    "not the padding. Name it: nn.Conv2d(1, 6, 5, padding=2)")
        if isinstance(module, nn.MaxPool2d):
            size = module.kernel_size if isinstance(module.kernel_size, int) else module.kernel_size[0]
            stride = module.stride if isinstance(module.stride, int) else module.stride[0]
            if stride != size:
                return (f"nn.MaxPool2d({size}, {stride}) moves its window by {stride}: the windows overlap and the "
                        f"maps shrink by only {size - 1}. nn.MaxPool2d(2) (its stride defaults to its size) halves "
                        "them")
    return None


def build_cnn_property(answer):
    from torch import nn

    from ...cnn_architectures import count_parameters, layer_output_shapes

    if isinstance(answer, nn.Module):
        return ("pass the function that builds the network, not a network",
                "check('cnns.build_cnn', build_lenet5), without parentheses")
    if not callable(answer):
        return f"pass your function itself, not {type(answer).__name__}", None
    with quiet_torch(seed=0):
        model = run(answer)
        if isinstance(model, Raised):
            return f"build_lenet5() raised {model.text}", _sequential_hint(model.exc)
        if isinstance(model, type) and issubclass(model, nn.Module):
            return (f"build_lenet5() returned the class {model.__name__}, not a network",
                    f"return an instance: {model.__name__}(...) with its parentheses")
        if not isinstance(model, nn.Module):
            return (f"build_lenet5() returned {fmt(model)[:60]}, expected a PyTorch network (an nn.Module)",
                    "did you forget the `return` statement?" if model is None else "return nn.Sequential(...)")
        shapes = run(layer_output_shapes, model, LENET_INPUT)
        if isinstance(shapes, Raised):
            return (f"a batch of shape {LENET_INPUT} does not go through: {shapes.text}",
                    _stride_slip(model) or _cannot_run_hint(model, shapes.exc))
        leaves = _leaf_modules(model)
        kinds = [type(leaves[name]).__name__ if name in leaves else "?" for name, _ in shapes]
        per_image = [tuple(shape[1:]) for _, shape in shapes]
        hint = _spec_hint(kinds, per_image)
        if hint is not None:
            hint = _stride_slip(model) or hint
        table = ", ".join(f"{k} {s}" for k, s in zip(kinds, per_image))
        if hint is not None:
            return f"the layers and their output shapes per image: {table}", hint
        count, want = count_parameters(model), torch_lenet5_parameters()
        if count != want:
            return (f"the layers' shapes are right but the network has {count:,} parameters",
                    "every layer keeps its bias (bias=True, the default): a bias per kernel and per unit"
                    if count < want else "a layer has more weights than the table asks for")
    return None


register(
    PropertyExercise(
        id="cnns.build_cnn",
        reference="build_lenet5",
        prop=build_cnn_property,
        praise="Every layer's output shape and the parameter count match the table.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 10. A CNN for MNIST-1D, judged by training it
# ---------------------------------------------------------------------------------------------
MNIST1D_TARGET = 0.90
"""The test accuracy the learner's network must reach after ``train_mnist1d(model, seed=0)``: the chapter's CNN reaches
~0.95 and its MLP ~0.65 (measured in ``benchmarks/measure_mnist1d.py``), so a working CNN clears it with margin."""

_NO_CONV1D = ("an MLP treats each of the 40 positions separately and stays far below the target on MNIST-1D (section "
              "11 measures it): use "
              "convolutions, e.g. nn.Conv1d(1, 32, 3, padding=1) -> nn.ReLU() -> nn.MaxPool1d(2), two or three times, "
              "then nn.Flatten() and one nn.Linear(..., 10)")


def _mnist1d_exception_hint(model, error: BaseException) -> str | None:
    import re

    from torch import nn

    text = str(error)
    module, shape = _failed_layer(model, error)
    returned = re.search(r"it returned \(N, (\d+)\)", text)
    if returned:
        return (f"the last layer gives {returned.group(1)} number{'s' if returned.group(1) != '1' else ''} per signal: "
                "one logit per digit, nn.Linear(..., 10)")
    if isinstance(module, nn.Unflatten) or (module is None and "unflatten" in text):
        return ("the signals already arrive as (N, 1, 40), one channel of 40 samples: no Unflatten or reshape is "
                "needed before the first nn.Conv1d(1, ...)")
    if isinstance(module, nn.Conv1d) and shape and len(shape) == 3 and shape[1] != module.in_channels:
        if shape[1] == 1:
            return ("a signal is one channel of 40 samples, batch (N, 1, 40): the first layer is nn.Conv1d(1, ...), "
                    "its in_channels is 1, not the length")
        return (f"each Conv1d takes the previous one's out_channels: this one receives {shape[1]} channels, so "
                f"nn.Conv1d({shape[1]}, ...)")
    if isinstance(module, nn.Linear) and shape:
        if len(shape) > 2:
            return "put nn.Flatten() before the Linear layer: it turns (N, channels, length) into (N, channels·length)"
        return (f"the Linear layer receives {shape[-1]} features per signal (the channels times the length left after "
                f"pooling): nn.Linear({shape[-1]}, 10)")
    if "(N, 1, 10)" in text or "(N, 1," in text:
        return "end the convolutions with nn.Flatten() before the Linear layer, so that the logits are (N, 10)"
    if "(N, 10)" in text:
        return "the last layer gives one logit per digit: nn.Linear(..., 10)"
    return None


def mnist1d_cnn_property(answer):
    from torch import nn

    from ...mnist1d_models import train_mnist1d

    if isinstance(answer, nn.Module):
        return ("pass the function that builds the network, not a network: the checker builds a fresh one and trains "
                "it", "check('cnns.mnist1d_cnn', build_mnist1d_model), without parentheses")
    if not callable(answer):
        return f"pass your function itself, not {type(answer).__name__}", None
    with quiet_torch(seed=0):
        model = run(answer)
        if isinstance(model, Raised):
            return f"build_mnist1d_model() raised {model.text}", None
        if isinstance(model, type) and issubclass(model, nn.Module):
            return (f"build_mnist1d_model() returned the class {model.__name__}, not a network",
                    f"return an instance: {model.__name__}(...) with its parentheses")
        if not isinstance(model, nn.Module):
            return (f"build_mnist1d_model() returned {fmt(model)[:60]}, expected a PyTorch network (an nn.Module)",
                    "did you forget the `return` statement?" if model is None else "return nn.Sequential(...)")
        leaves = _leaf_modules(model)
        kinds = [type(m).__name__ for m in leaves.values()]
        if "Conv1d" not in kinds and any(kind in ("Conv2d", "MaxPool2d") for kind in kinds):
            return ("your network has no nn.Conv1d layer: it uses the 2-D layers",
                    "a signal is 1-D, one channel of 40 samples (N, 1, 40): use nn.Conv1d and nn.MaxPool1d, the 1-D "
                    "versions of nn.Conv2d and nn.MaxPool2d")
        if "Conv1d" not in kinds:
            return "your network has no nn.Conv1d layer: the exercise asks for a convolutional network", _NO_CONV1D
        if kinds[-1] in ("Softmax", "LogSoftmax"):
            return (f"your network ends with {kinds[-1]}",
                    "no softmax at the end: return logits, nn.CrossEntropyLoss applies the (log-)softmax itself; a "
                    "second one squashes the scores (they can no longer grow apart) and slows learning")
        trained = run(train_mnist1d, model, seed=0, input="signals")
        if isinstance(trained, Raised):
            return (f"training your network raised {trained.text}", _mnist1d_exception_hint(model, trained.exc))
        accuracy = trained[1]
    if accuracy >= MNIST1D_TARGET:
        return None
    problem = (f"trained with the chapter's recipe (seed 0), your network reaches {accuracy:.1%} on the 1,000 test "
               f"signals; the target is {MNIST1D_TARGET:.0%}")
    if kinds[0] == "Linear":
        return problem, ("the first layer is a Linear: it mixes all 40 samples of a signal into new features before "
                         "any convolution, so the position of a pattern is lost where the convolutions should find "
                         "it. Start with nn.Conv1d(1, ...)")
    if not any(kind in _ACTIVATIONS for kind in kinds):
        return problem, ("there is no activation: without nn.ReLU() between them, the convolutions and the Linear "
                         "layer compose into one linear map (max pooling alone adds little). Put nn.ReLU() after "
                         "each convolution")
    if kinds[-1] in _ACTIVATIONS:
        return problem, (f"the network ends with {kinds[-1]}: the last layer gives the logits, which may be any "
                         "number; end with nn.Linear(..., 10)")
    squashing = sorted({kind for kind in kinds if kind in ("Sigmoid", "Tanh")})
    if squashing and "ReLU" not in kinds:
        verb = "saturates" if len(squashing) == 1 else "saturate"
        return problem, (f"{' and '.join(squashing)} {verb}: the gradient vanishes for large inputs, and a stack of "
                         "them learns slowly (Chapter 01). Use nn.ReLU() after each convolution")
    wide = [m for m in leaves.values() if isinstance(m, nn.Conv1d) and m.kernel_size[0] >= 20]
    if wide:
        return problem, (f"a kernel of {wide[0].kernel_size[0]} samples covers (nearly) the whole signal: it is a "
                         "dense layer again, and loses what convolutions buy. Use small kernels (3 to 5 samples), "
                         "stacked with pooling, so that a pattern is found wherever it sits")
    return problem, ("give it more capacity where it counts: 16-32 channels per convolution, two or three conv -> ReLU "
                     "-> max-pool blocks (pooling halves the length and makes the features tolerate shifts), then one "
                     "Linear layer")


register(
    PropertyExercise(
        id="cnns.mnist1d_cnn",
        reference="build_mnist1d_model",
        prop=mnist1d_cnn_property,
        praise="Your CNN clears the target on MNIST-1D.",
    ),
)


# ---------------------------------------------------------------------------------------------
# 11. Reading the shipped CNN's confusion matrix
# ---------------------------------------------------------------------------------------------
CONFUSION_KEYS = ("missed_8", "true_3_as_5", "recall_7", "precision_5", "wrongly_predicted_4")
"""The questions: how many true 8s were misclassified (row 8 off the diagonal), how many 3s were predicted as 5, the
recall of 7, the precision of 5, and how many images of other digits were predicted as 4 (column 4 off the diagonal).
(An earlier version asked for the digit most often predicted wrongly: on the shipped matrix, the column with the most
counts *with* its diagonal and the column of the largest single error give the same digit, so two wrong readings
passed; a count tells the readings apart.)"""

SHARE_ATOL = 0.005
"""A recall or precision may be given rounded to two decimals."""


def shipped_confusion() -> np.ndarray:
    """The confusion matrix (10, 10) of the shipped CNN on MNIST-5k's test split (row: true digit, column:
    predicted), computed with scikit-learn. The weights ship with the course, so it is the same at every check: it is
    computed once per process (a copy is returned)."""
    return _shipped_confusion().copy()


@functools.cache
def _shipped_confusion() -> np.ndarray:
    from sklearn.metrics import confusion_matrix

    from ...data import load_mnist5k
    from ...mnist_cnn import load_mnist_cnn, predict_labels

    test = load_mnist5k(0)
    return confusion_matrix(test.y_test, predict_labels(load_mnist_cnn(), test.X_test), labels=np.arange(10))


def _share(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    return float(value) if np.isfinite(value) else None


def _share_problem(name: str, got, right: float, mistakes: dict):
    """None when ``got`` is ``right`` (to ``SHARE_ATOL``), else (what is wrong, hint): ``mistakes`` maps a wrong value
    to its hint."""
    share = _share(got)
    if share is None:
        return f"{fmt(got)[:40]} is not a number", f"give the {name} as a number between 0 and 1"
    if abs(share - right) <= SHARE_ATOL:
        return None
    if abs(share - 100 * right) <= 100 * SHARE_ATOL:
        return f"{fmt(share)} is not right", (f"give the {name} as a fraction between 0 and 1, not a percentage (nor "
                                              "a count: with 100 test images per digit, the two look alike)")
    for value, hint in mistakes.items():
        if abs(share - value) <= SHARE_ATOL / 10 and abs(value - right) > SHARE_ATOL:
            return f"{fmt(share)} is not right", hint
    if abs(share - right) < 0.05 + 1e-9 and round(share, 1) == share:
        return f"{fmt(share)} is not right", f"rounded too far: give the {name} with two decimals (or more)"
    return f"{fmt(share)} is not right", None


def _confusion_answer_problem(key: str, value, cm: np.ndarray):
    """None when ``value`` answers ``key`` right, else (what is wrong, hint)."""
    off = cm - np.diag(np.diag(cm))
    rows, columns = cm.sum(axis=1), cm.sum(axis=0)
    if key in ("missed_8", "true_3_as_5"):
        n = _count(value)
        if n is None:
            return f"{fmt(value)[:40]} is not a whole number", "give a number of test images, an int"
        right = int(off[8].sum()) if key == "missed_8" else int(cm[3, 5])
        if n == right:
            return None
        if key == "missed_8":
            if n == cm[8, 8]:
                return f"{n} is not right", ("that is the number of 8s recognised, the diagonal cell: the missed ones "
                                             "are the rest of row 8")
            if n == off[:, 8].sum():
                return f"{n} is not right", ("that counts the images wrongly *predicted* as 8 (column 8); the true 8s "
                                             "are row 8: add its counts off the diagonal")
            if n == off.sum():
                return f"{n} is not right", "that counts every error; the question asks only for the true 8s, row 8"
            if n == rows[8]:
                return f"{n} is not right", ("that is every true 8, the recognised ones included: leave out the "
                                             "diagonal cell")
            return f"{n} is not right", "add up row 8 (the true 8s) without its diagonal cell"
        if n == cm[5, 3]:
            return f"{n} is not right", ("that is the cell of true 5s predicted as 3: rows are the true digits and "
                                         "columns the predictions, so true 3, predicted 5 is row 3, column 5")
        return f"{n} is not right", "read the cell in row 3 (true digit 3) and column 5 (predicted 5)"
    if key == "recall_7":
        return _share_problem("recall", value, cm[7, 7] / rows[7], {
            cm[7, 7] / columns[7]: "that is the precision of 7 (its column: how often a prediction of 7 is right); "
                                   "the recall reads the row: the share of the true 7s recognised",
            1 - cm[7, 7] / rows[7]: "that is the share of the 7s that were missed: the recall is the share recognised",
            cm[7, 7]: "that is a count: divide it by the row's total (the true 7s) to get the recall",
            cm[7, 7] / cm.sum(): "divide by the number of true 7s (the row's total), not by every test image"})
    if key == "precision_5":
        return _share_problem("precision", value, cm[5, 5] / columns[5], {
            cm[5, 5] / rows[5]: "that is the recall of 5 (its row); the precision reads the column: of the images "
                                "predicted 5, the share that are 5s",
            1 - cm[5, 5] / columns[5]: "that is the share of wrong predictions of 5: the precision is the share right",
            cm[5, 5]: "that is a count: divide it by the column's total (every prediction of 5)",
            cm[5, 5] / cm.sum(): "divide by the number of predictions of 5 (the column's total), not by every test "
                                 "image"})
    n = _count(value)
    if n is None:
        return f"{fmt(value)[:40]} is not a whole number", "give a number of test images, an int"
    right = int(off[:, 4].sum())
    if n == right:
        return None
    readings = {
        int(cm[4, 4]): "that is the number of 4s recognised, the diagonal cell: the question asks for the *other* "
                       "digits predicted as 4, column 4 without its diagonal cell",
        int(off[4].sum()): "that counts the true 4s it got wrong (row 4); the question asks for the images it "
                           "*predicted* as 4 that are another digit: column 4, without its diagonal cell",
        int(columns[4]): "that is every prediction of 4, the right ones included: leave out the diagonal cell "
                         "(the true 4s)",
        int(off.sum()): "that counts every error; the question asks only for the wrong predictions of 4, column 4",
    }
    hint = readings.get(n) if n in readings and n != right else None
    return f"{n} is not right", hint or "add up column 4 (the predictions of 4) without its diagonal cell"


def read_confusion_property(answer):
    value = run(answer) if callable(answer) else answer
    if isinstance(value, Raised):
        return f"your code raised {value.text}", None
    if not isinstance(value, dict):
        return (f"expected a dict with the keys {', '.join(map(repr, CONFUSION_KEYS))}, got {type(value).__name__}",
                "did you forget the `return` statement?" if value is None else None)
    if set(value) != set(CONFUSION_KEYS):
        return (f"the keys are not right: expected {', '.join(map(repr, CONFUSION_KEYS))}, got "
                f"{', '.join(map(repr, value))}", "keep the keys exactly as in the exercise's docstring")
    cm = shipped_confusion()
    problems = [(key, _confusion_answer_problem(key, value[key], cm)) for key in CONFUSION_KEYS]
    wrong = [(key, problem) for key, problem in problems if problem is not None]
    if not wrong:
        return None
    key, (what, hint) = wrong[0]
    verb = "is" if len(wrong) == 1 else "are"
    return f"{len(wrong)} of {len(CONFUSION_KEYS)} answers {verb} not right; first: {key!r}: {what}", hint


register(
    PropertyExercise(
        id="cnns.read_confusion",
        reference="confusion_answers",
        prop=read_confusion_property,
        praise="You read the confusion matrix right.",
    ),
)
