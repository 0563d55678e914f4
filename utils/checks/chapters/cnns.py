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
a matrix product for the element-wise one, and the pooling index unravelled wrongly. They are tested in
``tests/test_checks_cnns.py``.
"""

from __future__ import annotations

import numpy as np

from ..kinds import EXCEPTION, STRUCTURE, VALUE, Case, FunctionExercise, Hint
from ..oracles import tensor_copy
from ..predicates import raised, same_values
from ..registry import register

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
