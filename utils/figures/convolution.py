"""Chapter 08's static figures of convolution: classic filters on a photograph and on digits, translation
equivariance, one step of a cross-correlation with its numbers, and receptive fields through a stack of layers.

Every figure computes what it shows with ``utils.filters`` (which convolves with ``utils.conv.conv2d``). Signed
feature maps (Sobel, Laplacian) use a diverging colour map centred on 0 (blue negative, red positive); images and
non-negative maps are gray.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .. import filters
from ..data import sample_digit
from ..module import to_float64
from ..plotting import course_style

__all__ = ["draw_channel_layouts", "draw_cross_correlation_steps", "draw_equivariance", "draw_filters_on_digit",
           "draw_filters_on_photo", "draw_receptive_field"]

PHOTO_KERNELS = ("gaussian_blur", "sharpen", "sobel_x", "sobel_y", "laplacian")
DIGIT_KERNELS = ("box_blur", "sobel_x", "sobel_y", "laplacian")


def _label(name) -> str:
    return name.replace("_", " ") if isinstance(name, str) else "custom kernel"


def _show(ax, image, signed: bool, title: str = ""):
    """imshow without ticks: a diverging map symmetric around 0 for ``signed``, gray otherwise."""
    if signed:  # the 99.5th percentile: a few extreme pixels (a photo's sharpest edges) would wash out the rest
        top = float(np.percentile(np.abs(image), 99.5)) or float(np.abs(image).max()) or 1.0
        shown = ax.imshow(image, cmap="RdBu_r", vmin=-top, vmax=top, interpolation="nearest")
    else:
        shown = ax.imshow(image, cmap="gray", interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set(visible=True, color="0.6", linewidth=0.8)
    if title:
        ax.set_title(title, fontsize=9.5)
    return shown


def _kernel_text(kernel: np.ndarray) -> str:
    rows = []
    for row in kernel:
        rows.append(" ".join(f"{v:>5.3g}" if abs(v - round(v)) > 1e-9 else f"{int(round(v)):>3d}" for v in row))
    return "\n".join(rows)


def _filter_grid(image, kernels, title: str, image_title: str, padding: int, width: float, ncols: int):
    kernels = list(kernels)
    n = len(kernels) + 1
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    panel_w = width / ncols
    panel_h = panel_w * image.shape[0] / image.shape[1]
    with course_style():
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, nrows * (panel_h + 0.95) + 0.7), squeeze=False)
        axes = axes.ravel()
        for ax in axes[n:]:
            ax.axis("off")
        _show(axes[0], image, signed=False, title=image_title)
        for ax, name in zip(axes[1:], kernels):
            kernel = filters.get_kernel(name) if isinstance(name, str) else to_float64(name, "kernel")
            out = filters.apply_kernel(image, kernel, padding=padding)
            signed = kernel.sum() == 0  # responds to changes only: positive and negative responses
            _show(ax, out, signed, title=_label(name))
            ax.set_xlabel(_kernel_text(kernel), fontsize=7.5, family="monospace", labelpad=4)
        fig.suptitle(title, fontsize=10.5)
        height = fig.get_figheight()
        fig.subplots_adjust(left=0.01, right=0.99, top=1 - 0.75 / height, bottom=0.62 / height, wspace=0.08,
                            hspace=0.7 / panel_h)
    return fig


def draw_filters_on_photo(name: str = "china", kernels=PHOTO_KERNELS, size: int = 160):
    """A photograph and each kernel's output (zero padding 1: same size), each titled with the kernel, its weights
    below. ``kernels``: names of ``filters.KERNELS`` or 2-D arrays; ``size`` the photo's rows (downsampled).
    Returns the figure."""
    from ..data import load_sample_photo

    photo = load_sample_photo(name, size=size)
    return _filter_grid(photo, kernels, "The same 3×3 kernel slides over every pixel: blurs average, sharpen "
                        "exaggerates differences,\nSobel x finds vertical edges, Sobel y horizontal ones "
                        "(red: brighter towards +x or +y, blue: darker)",
                        f"photo ({photo.shape[0]}×{photo.shape[1]} pixels)", 1, 9.0, 3)


def draw_filters_on_digit(image=None, kernels=DIGIT_KERNELS):
    """A digit (default: ``utils.data.sample_digit(0)``, 8×8) and each kernel's output with zero padding 1 (same size).
    Returns the figure."""
    image = sample_digit(0) if image is None else to_float64(image, "image")
    return _filter_grid(image, kernels, "On a digit the edge kernels light up the borders of its strokes:\n"
                        "a CNN's first layer learns kernels like these", f"digit ({image.shape[0]}×{image.shape[1]})",
                        1, 1.9 * (len(kernels) + 1), len(kernels) + 1)


def _shift(image: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """``image`` moved down by ``rows`` and right by ``cols``, zeros coming in (nothing wraps around)."""
    out = np.zeros_like(image)
    h, w = image.shape
    out[max(rows, 0):h + min(rows, 0), max(cols, 0):w + min(cols, 0)] = \
        image[max(-rows, 0):h - max(rows, 0), max(-cols, 0):w - max(cols, 0)]
    return out


def draw_equivariance(image=None, shift=(3, 4), kernel="sobel_x"):
    """Translation equivariance: a digit and the same digit shifted by ``shift`` (rows down, columns right), the
    feature maps of ``kernel`` for both, and the map of the shifted digit minus the shifted map (all zeros).
    The digit sits on a blank 16×16 canvas so that the shift loses nothing. Returns the figure; the crosses mark
    each map's strongest response."""
    digit = sample_digit(0) if image is None else to_float64(image, "image")
    rows, cols = shift
    canvas = np.zeros((digit.shape[0] + 8, digit.shape[1] + 8))
    canvas[2:2 + digit.shape[0], 2:2 + digit.shape[1]] = digit
    moved = _shift(canvas, rows, cols)
    k = filters.get_kernel(kernel) if isinstance(kernel, str) else to_float64(kernel, "kernel")
    maps = [filters.apply_kernel(x, k, padding=1) for x in (canvas, moved)]
    difference = maps[1] - _shift(maps[0], rows, cols)
    with course_style():
        fig, axes = plt.subplots(1, 5, figsize=(10.0, 2.9))
        _show(axes[0], canvas, False, "digit")
        _show(axes[1], moved, False, f"shifted by ({rows}, {cols})")
        top = float(np.abs(maps[0]).max()) or 1.0  # one colour scale, centred on 0, for the maps and the difference
        _show(axes[2], maps[0], True, f"{_label(kernel)} of the digit").set_clim(-top, top)
        _show(axes[3], maps[1], True, f"{_label(kernel)} of the shifted").set_clim(-top, top)
        _show(axes[4], difference, True).set_clim(-top, top)  # on the maps' scale: a difference would show
        largest = np.abs(difference).max()
        axes[4].set_title("map of shifted − shifted map\n" + ("exactly 0 everywhere" if largest == 0 else
                                                              f"largest |difference| {largest:.1e}"), fontsize=9.5)
        for ax, m in zip(axes[2:4], maps):
            i, j = np.unravel_index(np.argmax(m), m.shape)
            ax.plot(j, i, "x", color="k", markersize=9, markeredgewidth=2)
        i0, j0 = np.unravel_index(np.argmax(maps[0]), maps[0].shape)
        i1, j1 = np.unravel_index(np.argmax(maps[1]), maps[1].shape)
        fig.suptitle(f"Shift the input, and the feature map shifts the same way: the strongest response (×) moves "
                     f"from ({i0}, {j0}) to ({i1}, {j1}),\nby ({i1 - i0}, {j1 - j0}), and nothing else changes: "
                     f"the same kernel is used at every position", fontsize=10.5)
        fig.subplots_adjust(left=0.01, right=0.99, top=0.7, bottom=0.02, wspace=0.1)
    return fig


CC_IMAGE = np.array([[1, 2, 0, 1, 3],
                     [0, 1, 3, 2, 1],
                     [2, 1, 0, 1, 0],
                     [1, 3, 1, 0, 2],
                     [0, 2, 1, 1, 1]], dtype=np.float64)
CC_KERNEL = np.array([[1, 0, -1],
                      [2, 0, -2],
                      [1, 0, -1]], dtype=np.float64)


def _grid(ax, values, title, highlight=None, color="C1"):
    """A matrix drawn as cells with their numbers; ``highlight`` ((row0, col0), (rows, cols)) framed."""
    from matplotlib.patches import Rectangle

    h, w = values.shape
    ax.imshow(np.zeros_like(values), cmap="Greys", vmin=0, vmax=1, extent=(-0.5, w - 0.5, h - 0.5, -0.5))
    for i in range(h):
        for j in range(w):
            v = values[i, j]
            ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=11)
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="0.6", linewidth=0.8))
    if highlight is not None:
        (r, c), (hh, ww) = highlight
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), ww, hh, facecolor=color, alpha=0.25, edgecolor=color,
                               linewidth=2.5))
    ax.set_xlim(-0.6, w - 0.4)
    ax.set_ylim(h - 0.4, -0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=10)


def draw_cross_correlation_steps(image=None, kernel=None, position=(1, 2)):
    """One frame of the sliding-kernel animation as a static figure: the input with the window of output pixel
    ``position`` framed, the kernel, the products summed, and the output with that pixel framed (stride 1, no
    padding). Default: a 5×5 input of small integers and a Sobel-like 3×3 kernel. Returns the figure."""
    image = CC_IMAGE if image is None else to_float64(image, "image")
    kernel = CC_KERNEL if kernel is None else to_float64(kernel, "kernel")
    out = filters.apply_kernel(image, kernel)
    i, j = position
    if not (0 <= i < out.shape[0] and 0 <= j < out.shape[1]):
        raise ValueError(f"position must be an output pixel (row, col) of the {out.shape[0]}×{out.shape[1]} "
                         f"output, got {position!r}")
    kh, kw = kernel.shape
    window = image[i:i + kh, j:j + kw]
    terms = " + ".join(f"{_number(a)}·{_number(b)}" for a, b in zip(window.ravel(), kernel.ravel()))
    with course_style():
        fig, axes = plt.subplots(1, 3, figsize=(9.0, 3.6), gridspec_kw={"width_ratios": [image.shape[1],
                                                                                          kernel.shape[1],
                                                                                          out.shape[1]]})
        _grid(axes[0], image, f"input {image.shape[0]}×{image.shape[1]}\nwindow at (row {i}, col {j})",
              ((i, j), (kh, kw)))
        _grid(axes[1], kernel, f"kernel {kh}×{kw}\n(not flipped)", ((0, 0), (kh, kw)))
        _grid(axes[2], out, f"output {out.shape[0]}×{out.shape[1]}\nout[{i}, {j}] = {out[i, j]:g}", ((i, j), (1, 1)),
              color="C0")
        fig.suptitle(f"Cross-correlation: out[{i}, {j}] = Σ window × kernel, element by element; then the window "
                     f"slides one pixel", fontsize=10.5)
        wrapped = _wrap_terms(terms)
        fig.text(0.5, 0.03, f"out[{i}, {j}] = {wrapped} = {out[i, j]:g}", ha="center", va="bottom", fontsize=9,
                 family="monospace")
        fig.subplots_adjust(left=0.02, right=0.98, top=0.78, bottom=0.2, wspace=0.25)
    return fig


def _number(v: float) -> str:
    return f"({v:g})" if v < 0 else f"{v:g}"


def _wrap_terms(terms: str, width: int = 90) -> str:
    parts, line, lines = terms.split(" + "), "", []
    for part in parts:
        if line and len(line) + len(part) + 3 > width:
            lines.append(line + " +")
            line = part
        else:
            line = f"{line} + {part}" if line else part
    lines.append(line)
    return "\n".join(lines)


def draw_receptive_field(layers=((3, 1), (3, 1), (2, 2), (3, 1))):
    """Which input pixels one top unit sees, along one axis: a row of units per layer (input at the bottom), the
    units that feed the top unit filled, each layer labelled with its (kernel, stride[, dilation]) and its
    receptive field size r and jump j from ``filters.receptive_field``. Returns the figure."""
    fields = filters.receptive_field(list(layers))
    layers = [tuple(layer) + (1,) * (3 - len(layer)) for layer in layers]
    # the positions each layer's units sit at, in input pixels: unit u of layer l is centred on start_l + u·j_l
    n_in = fields[-1].size + 2 * fields[-1].jump + 6
    counts, starts, jump, start = [n_in], [0.0], 1, 0.0
    for (k, s, d), _field in zip(layers, fields):
        start = start + (k - 1) * d * jump / 2  # a unit's centre, no padding
        jump *= s
        counts.append((n_in - 1 - 2 * (start - 0)) // jump + 1 if jump else 1)
        starts.append(start)
    counts = [int(max(1, c)) for c in counts]
    # the units feeding the top unit, layer by layer downwards
    top = len(layers)
    centre = counts[top] // 2
    used = {top: {centre}}
    for level in range(top, 0, -1):
        k, s, d = layers[level - 1]
        used[level - 1] = {u * s + t * d for u in used[level] for t in range(k)}
    with course_style():
        fig, ax = plt.subplots(figsize=(9.0, 1.0 + 0.8 * (top + 1)))
        jumps = [1] + [f.jump for f in fields]
        for level in range(top + 1):
            xs = starts[level] + jumps[level] * np.arange(counts[level])
            on = np.array([u in used[level] for u in range(counts[level])])
            ax.scatter(xs[~on], np.full((~on).sum(), level), s=60, facecolor="white", edgecolor="0.6", zorder=3)
            ax.scatter(xs[on], np.full(on.sum(), level), s=60, color="C0" if level else "C1", zorder=3)
            if level:
                k, s, d = layers[level - 1]
                for u in sorted(used[level]):
                    x = starts[level] + jumps[level] * u
                    for t in range(k):
                        xb = starts[level - 1] + jumps[level - 1] * (u * s + t * d)
                        ax.plot([x, xb], [level, level - 1], color="0.55", linewidth=0.8, zorder=1)
                f = fields[level - 1]
                extra = f", d={d}" if d != 1 else ""
                ax.text(n_in + 0.5, level, f"layer {level}: k={k}, s={s}{extra}   →  r={f.size}, j={f.jump}",
                        va="center", fontsize=9)
        ax.text(n_in + 0.5, 0, "input pixels", va="center", fontsize=9)
        lo = min(used[0])
        ax.annotate("", xy=(lo - 0.4, -0.45), xytext=(lo + fields[-1].size - 0.6, -0.45),
                    arrowprops={"arrowstyle": "<->", "color": "C1"})
        ax.text(lo + (fields[-1].size - 1) / 2, -0.75, f"receptive field of the top unit: {fields[-1].size} pixels",
                ha="center", va="top", fontsize=9, color="C1")
        ax.set_xlim(-1, n_in + 13)
        ax.set_ylim(-1.2, top + 0.5)
        ax.axis("off")
        ax.set_title("Each layer sees a few units of the layer below, so deeper units see more of the input:\n"
                     "r(l) = r(l−1) + (k − 1)·d·j(l−1),   j(l) = j(l−1)·s   (a stride multiplies every later growth)",
                     fontsize=10.5)
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=1 - 0.6 / fig.get_figheight())
    return fig


def draw_channel_layouts(name: str = "flower", size: int = 48, pixel=(20, 30)):
    """The same colour photo stored two ways: channels first (N, C, H, W), PyTorch's layout, as three planes, and
    channels last (N, H, W, C), the layout of image files and of classic Keras code (``input_shape=(H, W, 3)``),
    as one (r, g, b) triple per pixel. The pixel ``pixel`` (row, col) is marked, its three values printed as each
    layout indexes them. Returns the figure."""
    from matplotlib.patches import Rectangle

    from ..data import load_sample_photo

    last = load_sample_photo(name, gray=False, size=size)  # (H, W, 3)
    first = last.transpose(2, 0, 1)  # (3, H, W): the same numbers, the axes reordered
    h, w = last.shape[:2]
    i, j = pixel
    if not (0 <= i < h and 0 <= j < w):
        raise ValueError(f"pixel must be (row, col) inside the {h}×{w} photo, got {pixel!r}")
    values = ", ".join(f"{v:.2f}" for v in last[i, j])
    with course_style():
        fig, axes = plt.subplots(1, 4, figsize=(10.0, 3.3), gridspec_kw={"width_ratios": [1, 1, 1, 1.25]})
        for c, (ax, cmap, colour) in enumerate(zip(axes[:3], ("Reds", "Greens", "Blues"), ("red", "green", "blue"))):
            _show(ax, first[c], False, f"x[0, {c}] ({colour})\nshape (H, W) = ({h}, {w})")
            ax.images[0].set(cmap=cmap + "_r", clim=(0, 1))
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="k", linewidth=1.5))
        _show(axes[3], last, False, f"x[0, {i}, {j}] = ({values})\none pixel: its 3 channels together")
        axes[3].add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="k", linewidth=1.5))
        fig.text(0.3, 0.05, f"channels first (PyTorch): x.shape = (1, 3, {h}, {w})", ha="center", fontsize=9.5)
        fig.text(0.86, 0.05, f"channels last (Keras): (1, {h}, {w}, 3)", ha="center", fontsize=9.5)
        fig.suptitle("The same numbers, two orders of the axes: PyTorch wants (N, C, H, W); image files and "
                     "classic Keras code\nuse (N, H, W, C). Convert with x.permute(0, 3, 1, 2) (torch) or "
                     "x.transpose(0, 3, 1, 2) (NumPy)", fontsize=10.5)
        fig.subplots_adjust(left=0.01, right=0.99, top=0.74, bottom=0.14, wspace=0.08)
    return fig
