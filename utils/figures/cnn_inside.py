"""Chapter 08 part 2's static figures: a trained CNN from the inside, and the measurements of the chapter.

Looking inside the MNIST-5k network (``utils.mnist_cnn``):

- ``draw_learned_filters(model, layer)``: the learned 3×3 kernels (conv1: all 32), on one colour scale centred on 0;
- ``draw_feature_maps(model, image, layers, n_maps)``: one digit and, per layer, its most active feature maps;
- ``draw_misclassified(model, X, y, n)``: the test images it gets wrong, with its probability for its wrong answer;
- ``draw_trained_equivariance(model, image, shift)``: a digit and the digit shifted: the feature maps move with it;
- ``draw_shift_accuracy(model, X, y, shifts)``: test accuracy on shifted digits: equivariant maps, but a
  classifier that is only roughly shift-invariant (the last layer reads each position with its own weights).

The chapter's measurements, drawn from plain arrays (the experiments live in their own modules):

- ``draw_mnist1d_examples(X, y)``: a few MNIST-1D signals of each class;
- ``draw_mlp_vs_cnn(logs, test_accuracy)``: training curves of an MLP and a CNN on MNIST-1D;
- ``draw_transfer_results(accuracies)``: fine-tuning a pretrained network against training from scratch.

Every function returns its figure. The numbers come from ``utils.mnist_cnn`` (``feature_maps``, ``predict_proba``)
and ``utils.overfitting.shift_images``; nothing here trains or imports ipywidgets.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from ..device import one_torch_thread
from ..mnist_cnn import FEATURE_LAYERS, as_images, feature_maps, predict_proba
from ..module import check_positive_int
from ..overfitting import shift_images
from ..plotting import course_style
from ..torch_training import TrainLog
from .digits import draw_digit_grid

__all__ = ["LAYER_NOTES", "TRANSFER_LABELS", "draw_feature_maps", "draw_learned_filters", "draw_misclassified",
           "draw_mlp_vs_cnn", "draw_mnist1d_examples", "draw_shift_accuracy", "draw_trained_equivariance",
           "draw_transfer_results",
           "column_centre", "most_active_channels"]

LAYER_NOTES = {"conv1": "3×3 kernels on the pixels (signed)", "relu1": "conv1 with negatives set to 0",
               "pool1": "max of each 2×2 block of relu1", "conv2": "3×3 kernels over all 32 pool1 maps (signed)",
               "relu2": "conv2 with negatives set to 0", "pool2": "max of each 2×2 block of relu2"}
"""Each feature layer of ``utils.mnist_cnn.FEATURE_LAYERS`` -> what its maps are, in a few words."""

TRANSFER_LABELS = {"scratch": "from scratch\n(random weights)", "last_layer": "pretrained on 0–4,\nlast layer tuned",
                   "all": "pretrained on 0–4,\nall layers tuned"}
"""Known keys of ``draw_transfer_results``'s dict -> their bar labels (any other key is shown as it is)."""

SIGNED_CMAP, ACTIVATION_CMAP = "RdBu_r", "magma"


def _images_and_labels(X, y) -> tuple[np.ndarray, np.ndarray]:
    """MNIST images (N, 1, 28, 28) float32 and their integer labels (N,), checked to agree."""
    images = as_images(X)
    y = np.asarray(y)
    if y.shape != (len(images),) or y.dtype.kind not in "iu":
        raise ValueError(f"y must hold one integer label per image, shape ({len(images)},); got shape {y.shape}, "
                         f"dtype {y.dtype}")
    return images, y


def _check_model(model):
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module such as build_mnist_cnn() or load_mnist_cnn(), got "
                        f"{type(model).__name__}")
    return model


def _check_layers(layers, allowed=FEATURE_LAYERS) -> tuple[str, ...]:
    layers = (layers,) if isinstance(layers, str) else tuple(layers)
    bad = [name for name in layers if name not in allowed]
    if not layers or bad:
        raise ValueError(f"layers must be names among {allowed}; got {layers!r}")
    return layers


def _image(image) -> np.ndarray:
    """One MNIST image (784,), (28, 28) or (1, 28, 28) -> float64 (28, 28)."""
    image = np.asarray(image)
    if image.shape not in ((784,), (28, 28), (1, 28, 28)):
        raise ValueError(f"image must be one MNIST image of shape (784,), (28, 28) or (1, 28, 28); got shape "
                         f"{image.shape}")
    return image.reshape(28, 28).astype(np.float64)


def _bare(ax) -> None:
    """No ticks, no grid, a thin gray frame: an image panel."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set(visible=True, color="0.6", linewidth=0.6)


def most_active_channels(maps, n: int) -> np.ndarray:
    """The ``n`` channels of ``maps`` (C, H, W) with the strongest response (the largest value in the map), strongest
    first: the features the image contains most clearly (a mean would favour maps that respond weakly everywhere).

    Shapes: maps (C, H, W) -> int64 (min(n, C),). Ties keep the lower channel first.

    Raises:
        ValueError: for maps not 3-D or n not a positive integer.
    """
    maps = np.asarray(maps)
    if maps.ndim != 3:
        raise ValueError(f"maps must be one layer's feature maps (C, H, W), got shape {maps.shape}")
    n = check_positive_int(n, "n")
    return np.argsort(-maps.max(axis=(1, 2)), kind="stable")[:n].astype(np.int64)


def draw_learned_filters(model, layer: str = "conv1", max_filters: int = 64, max_inputs: int = 16):
    """The learned 3×3 kernels of ``layer`` (an ``nn.Conv2d`` of ``model``) on one colour scale centred on 0.

    conv1 (32, 1, 3, 3): all 32 kernels, 4 rows of 8, each titled with its channel number. A layer with several input
    channels (conv2: (64, 32, 3, 3)) shows its first ``max_filters`` output channels as rows (at most 16) and their
    slices for the first ``max_inputs`` input channels as columns. Red: a positive weight (the pixel under it adds
    to the response), blue: negative; a kernel with red on one side and blue on the other is an edge detector.
    Returns the figure.

    Raises:
        TypeError: for a model that is not a torch.nn.Module. ValueError: for a layer that is not a 2-D
        convolution of the model.
    """
    import torch

    _check_model(model)
    conv = getattr(model, layer, None) if isinstance(layer, str) else None
    if not isinstance(conv, torch.nn.Conv2d):
        names = [name for name, m in model.named_children() if isinstance(m, torch.nn.Conv2d)]
        raise ValueError(f"layer must name one of the model's Conv2d layers {names}; got {layer!r}")
    weights = conv.weight.detach().cpu().numpy().astype(np.float64)  # (C_out, C_in, kh, kw)
    c_out, c_in, kh, kw = weights.shape
    top = float(np.abs(weights).max()) or 1.0
    with course_style():
        if c_in == 1:
            n = min(c_out, check_positive_int(max_filters, "max_filters"))
            ncols = min(8, n)
            nrows = -(-n // ncols)
            panels = [(weights[k, 0], f"{k}") for k in range(n)]
            what = f"all {c_out}" if n == c_out else f"the first {n} of {c_out}"
            head = (f"{layer}: {what} learned {kh}×{kw} kernels (each slides over the pixels)\n"
                    f"red on one side, blue on the other: an edge detector, like Sobel\n"
                    f"(red: weight > 0, blue: < 0; one colour scale for all)")
        else:
            nrows = min(c_out, check_positive_int(max_filters, "max_filters"), 16)
            ncols = min(c_in, check_positive_int(max_inputs, "max_inputs"))
            panels = [(weights[r, c], f"{c}" if r == 0 else "") for r in range(nrows) for c in range(ncols)]
            head = (f"{layer}: {c_out} output channels, each with one {kh}×{kw} kernel per input channel ({c_in})\n"
                    f"shown: output channels 0–{nrows - 1} (rows) × input channels 0–{ncols - 1} (columns)\n"
                    f"(red: weight > 0, blue: < 0; one colour scale for all)")
        cell = 0.62 if c_in == 1 else 0.42
        width = max(ncols * cell + 1.45, 6.6)
        height = nrows * (cell + (0.22 if c_in == 1 else 0.06)) + 1.2
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False)
        fig.subplots_adjust(left=0.45 / width, right=1 - 1.0 / width, top=1 - 1.05 / height, bottom=0.12 / height,
                            wspace=0.12, hspace=0.35 if c_in == 1 else 0.08)
        shown = None
        for ax, (kernel, title) in zip(axes.ravel(), panels):
            shown = ax.imshow(kernel, cmap=SIGNED_CMAP, vmin=-top, vmax=top, interpolation="nearest")
            _bare(ax)
            if title:
                ax.set_title(title, fontsize=8, pad=2)
        for ax in axes.ravel()[len(panels):]:
            ax.axis("off")
        if c_in > 1:
            for r in range(nrows):
                axes[r, 0].set_ylabel(str(r), fontsize=7, rotation=0, labelpad=8, va="center")
            fig.text(0.08 / width, 0.5 * (1 - 0.93 / height), "output channel", rotation=90, va="center",
                     fontsize=8.5)
        fig.suptitle(head, fontsize=10, y=1 - 0.08 / height, va="top")
        bar = fig.add_axes((1 - 0.85 / width, 0.12 / height + 0.1 * (height - 1.17) / height, 0.15 / width,
                            0.8 * (height - 1.17) / height))
        fig.colorbar(shown, cax=bar).set_label("weight", fontsize=9)
        bar.tick_params(labelsize=8)
    return fig


def draw_feature_maps(model, image, layers=("relu1", "pool1", "relu2", "pool2"), n_maps: int = 8,
                      title: str | None = None):
    """One digit and, for each of ``layers``, the ``n_maps`` feature maps that respond most strongly to it
    (``most_active_channels``: the largest peak).

    ``image``: one MNIST image (784,), (28, 28) or (1, 28, 28), pixels in [0, 1]. One row per layer, titled with its
    name, its shape (C×H×W) and what it computes (``LAYER_NOTES``); each map is titled with its channel number.
    The maps of a row share one colour scale (colorbar on the right): bright = strong response. Signed layers
    (conv1, conv2) use a diverging map centred on 0. Returns the figure.

    Raises:
        TypeError: for a model that is not a torch.nn.Module. ValueError: for layers not among
        ``FEATURE_LAYERS``, an image of another shape, or n_maps not a positive integer.
    """
    _check_model(model)
    layers = _check_layers(layers)
    n_maps = check_positive_int(n_maps, "n_maps")
    digit = _image(image)
    outputs = {fm.name: fm.maps for fm in feature_maps(model, digit)}
    proba = predict_proba(model, digit.reshape(1, 784))[0]
    predicted = int(np.argmax(proba))
    nrows = len(layers)
    cell, label_w, digit_w = 0.85, 0.2, 1.6
    width = digit_w + label_w + n_maps * cell + 0.9
    row_h = cell + 0.45
    height = nrows * row_h + 0.75
    with course_style():
        fig = plt.figure(figsize=(width, height))
        ax = fig.add_axes((0.1 / width, (height - 0.75 - 1.45) / height, 1.35 / width, 1.35 / height))
        ax.imshow(digit, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        _bare(ax)
        ax.set_title(f"the input (28×28)\npredicted {predicted} ({proba[predicted]:.0%})", fontsize=9)
        for r, name in enumerate(layers):
            maps = outputs[name]
            channels = most_active_channels(maps, n_maps)
            signed = name.startswith("conv")
            top = float(np.abs(maps[channels]).max()) or 1.0
            bottom = height - 0.75 - (r + 1) * row_h + 0.08
            x0 = digit_w + label_w
            c, h, w = maps.shape
            fig.text(x0 / width, (bottom + cell + 0.14) / height,
                     f"{name}  {c}×{h}×{w}: {LAYER_NOTES[name]} — the {len(channels)} strongest of {c} maps",
                     fontsize=9, va="bottom")
            shown = None
            for k, channel in enumerate(channels):
                ax = fig.add_axes(((x0 + k * cell + 0.04) / width, bottom / height, (cell - 0.08) / width,
                                   (cell - 0.08) / height))
                shown = ax.imshow(maps[channel], cmap=SIGNED_CMAP if signed else ACTIVATION_CMAP,
                                  vmin=-top if signed else 0.0, vmax=top, interpolation="nearest")
                _bare(ax)
                ax.set_title(f"ch {channel}", fontsize=7.5, pad=1.5)
            bar = fig.add_axes(((x0 + n_maps * cell + 0.08) / width, bottom / height, 0.1 / width,
                                (cell - 0.08) / height))
            fig.colorbar(shown, cax=bar)
            bar.tick_params(labelsize=7)
        fig.suptitle(title or "What the trained network computes for one digit: the first layers respond to edges "
                     "and strokes,\nthe second to larger parts (a curve, a slanted bar); each pooling makes the maps "
                     "smaller and coarser", fontsize=10, x=0.02, ha="left", y=1 - 0.08 / height, va="top")
    return fig


def draw_misclassified(model, X, y, n: int = 12, ncols: int = 6):
    """The test images the model gets wrong, most confident mistakes first: each captioned "true → predicted" with
    the model's probability for its (wrong) answer.

    Shapes: X (N, 784) pixels in [0, 1] (or (N, 28, 28)), y (N,) int labels. Shows at most ``n``; the title counts
    the mistakes in all. Returns the figure.

    Raises:
        TypeError: for a model that is not a torch.nn.Module. ValueError: for X, y of disagreeing shapes or n not a
        positive integer.
    """
    _check_model(model)
    images, y = _images_and_labels(X, y)
    n, ncols = check_positive_int(n, "n"), check_positive_int(ncols, "ncols")
    proba = predict_proba(model, images)
    predicted = proba.argmax(axis=1)
    wrong = np.flatnonzero(predicted != y)
    confidence = proba[wrong, predicted[wrong]]
    shown = wrong[np.argsort(-confidence, kind="stable")][:n]
    title = (f"{len(wrong)} of {len(y):,} test images misclassified ({1 - len(wrong) / len(y):.1%} right); the "
             f"{len(shown)} most confident mistakes,\ncaptioned true → predicted and the probability the network "
             f"gives its wrong answer")
    if len(shown) == 0:
        with course_style():
            fig = plt.figure(figsize=(6.0, 1.0))
            fig.text(0.5, 0.5, f"No mistakes: all {len(y):,} images right", ha="center", va="center")
        return fig
    return draw_digit_grid(images[shown, 0], labels=y[shown], predicted=predicted[shown],
                           probabilities=proba[shown, predicted[shown]], ncols=min(ncols, len(shown)), title=title,
                           size=0.95)


def column_centre(values, background=0.0) -> float:
    """Where a map's activity sits from left to right: the mean column weighted by |values − background|.

    ``background``: what the map holds where there is nothing to see (a scalar, or the same layer's map of a blank
    image, (H, W)): a bias makes a blank region respond too, and that constant response would pull the centre
    towards the middle. Moving a pattern k columns to the right (nothing falling off the edge, blank coming in)
    moves its centre by exactly k.

    Shapes: values (H, W), background a scalar or (H, W) -> a float in [0, W − 1]; the middle column for a map that
    equals its background.

    Raises:
        ValueError: for values not 2-D or a background of another shape.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"values must be one feature map (H, W), got shape {values.shape}")
    background = np.asarray(background, dtype=np.float64)
    if background.shape not in ((), values.shape):
        raise ValueError(f"background must be a number or a map of the shape of values, {values.shape}; got shape "
                         f"{background.shape}")
    weights = np.abs(values - background).sum(axis=0)
    total = weights.sum()
    return float(weights @ np.arange(values.shape[1]) / total) if total > 0 else (values.shape[1] - 1) / 2


_STRIDE = {"conv1": 1, "relu1": 1, "pool1": 2, "conv2": 2, "relu2": 2, "pool2": 4}  # input pixels per map column


def draw_trained_equivariance(model, image, shift: int = 3, layers=("relu1", "relu2", "pool2")):
    """The trained network on a digit and on the same digit moved ``shift`` pixels right (zeros coming in).

    Rows: the original, the shifted. Columns: the digit, one map of each of ``layers`` (the channel that responds
    most strongly to the original, the same channel in both rows, on one colour scale), and the ten class
    probabilities. A map's activity moves with the digit: the titles give its centre (``column_centre``: where the
    map differs from its response to a blank image, marked by a dashed line) and, for the shifted digit, how far it
    moved against ``shift`` divided by the map's stride (1 for conv1/relu1, 2 after pool1, 4 after pool2: each
    pooling halves the move, so the maps are a coarser, more shift-tolerant description). The probabilities
    often barely change for a small shift (the bar chart's title gives the predicted
    class's probability before and after; the title says whether the prediction stays). Returns the figure.

    Raises:
        TypeError: for a model that is not a torch.nn.Module. ValueError: for an image of another shape, a shift not
        an integer in −8…8, or layers not among ``FEATURE_LAYERS``.
    """
    _check_model(model)
    digit = _image(image)
    if isinstance(shift, bool) or not isinstance(shift, (int, np.integer)) or not -8 <= shift <= 8:
        raise ValueError(f"shift must be an integer number of pixels in -8..8, got {shift!r}")
    shift = int(shift)
    layers = _check_layers(layers)
    moved = shift_images(digit[None], shift, 0)[0]
    rows = [(digit, "original"), (moved, f"shifted {abs(shift)} px {'right' if shift >= 0 else 'left'}")]
    outputs = [{fm.name: fm.maps for fm in feature_maps(model, x)} for x, _ in rows]
    blank = {fm.name: fm.maps for fm in feature_maps(model, np.zeros((28, 28)))}  # each map's background
    proba = predict_proba(model, np.stack([digit, moved]).reshape(2, 784))
    predicted = int(np.argmax(proba[0]))
    n_img = len(layers) + 1
    cell, gap, bars_w = 1.45, 0.55, 2.6
    width = 0.25 + n_img * (cell + gap) + 0.5 + bars_w + 0.2
    height = 2 * cell + 2.45
    colors = ("C0", "C1")
    with course_style():
        fig = plt.figure(figsize=(width, height))

        def panel(r, c):
            bottom = 0.45 + (1 - r) * (cell + 0.75)
            return fig.add_axes(((0.25 + c * (cell + gap)) / width, bottom / height, cell / width, cell / height))

        for r, (x, label) in enumerate(rows):
            ax = panel(r, 0)
            ax.imshow(x, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
            _bare(ax)
            ax.set_title(f"{label}\n(28×28)", fontsize=9.5, color=colors[r])
        for c, name in enumerate(layers, start=1):
            channel = int(most_active_channels(outputs[0][name], 1)[0])
            maps = [out[name][channel] for out in outputs]
            top = max(float(np.abs(m).max()) for m in maps) or 1.0
            signed = name.startswith("conv")
            centres = [column_centre(m, blank[name][channel]) for m in maps]
            for r, m in enumerate(maps):
                ax = panel(r, c)
                ax.imshow(m, cmap=SIGNED_CMAP if signed else ACTIVATION_CMAP, vmin=-top if signed else 0.0,
                          vmax=top, interpolation="nearest")
                _bare(ax)
                ax.axvline(centres[r], color="#00E5FF", linestyle="--", linewidth=1.5)
                where = f"centre at column {centres[r]:.1f}"
                if r == 1:
                    where = (f"centre moved {centres[1] - centres[0]:+.1f}\n(expected {shift}/{_STRIDE[name]} = "
                             f"{shift / _STRIDE[name]:+.2g})")
                ax.set_title(f"{name} ch {channel} ({m.shape[0]}×{m.shape[1]})\n{where}", fontsize=8.5)
        bars = fig.add_axes(((width - 0.2 - bars_w) / width, 0.45 / height, bars_w / width,
                             (2 * cell + 0.75) / height))
        classes = np.arange(10)
        bars.bar(classes - 0.2, proba[0], width=0.4, color=colors[0], label="original")
        bars.bar(classes + 0.2, proba[1], width=0.4, color=colors[1], label="shifted")
        bars.set(xticks=classes, ylim=(0, 1.05), xlabel="class", ylabel="probability")
        bars.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        bars.legend(fontsize=8.5, loc="upper left")
        bars.set_title(f"prediction: P({predicted})\n{proba[0, predicted]:.1%} → {proba[1, predicted]:.1%}",
                       fontsize=9.5)
        after = int(np.argmax(proba[1]))
        verdict = ("the prediction barely changes" if after == predicted and
                   abs(proba[1, predicted] - proba[0, predicted]) < 0.05 else
                   "the prediction stays" if after == predicted else f"here the prediction changes to {after}")
        fig.suptitle(f"Move the digit {abs(shift)} pixels and the trained network's maps move with it (the same "
                     f"kernels at every position);\neach pooling halves the move (dashed: the centre of a map's "
                     f"activity), and {verdict}", fontsize=10.5, y=1 - 0.1 / height, va="top")
    return fig


def draw_shift_accuracy(model, X, y, shifts=(-4, -2, 0, 2, 4), title: str | None = None):
    """Test accuracy of ``model`` on the images of ``X`` moved ``shift`` pixels sideways, for each of ``shifts``, and
    the share of predictions that stay what they were on the unshifted images.

    Shapes: X (N, 784) pixels in [0, 1] (or (N, 28, 28)), y (N,) int labels; ``shifts`` integers in −8…8 (right
    positive; ``utils.overfitting.shift_images``, blank pixels coming in). The convolutions are equivariant, but the
    last layer weighs each position of pool2's 5×5 maps with its own weights: beyond a pixel or two the accuracy
    falls. Each shift costs one pass over X (1,000 test images: ~0.2–0.4 s on one CPU thread). Returns the figure.

    Raises:
        TypeError: for a model that is not a torch.nn.Module. ValueError: for X, y of disagreeing shapes, or shifts
        not integers in −8…8.
    """
    from ..mnist_cnn import predict_labels

    _check_model(model)
    images, y = _images_and_labels(X, y)
    shifts = np.asarray(list(shifts))
    if shifts.ndim != 1 or shifts.size == 0 or shifts.dtype.kind not in "iu" or np.abs(shifts).max() > 8:
        raise ValueError(f"shifts must be integers in -8..8 (pixels), got {shifts.tolist()}")
    flat = images.reshape(len(images), 784)
    with one_torch_thread():
        before = predict_labels(model, images)
        after = [before if d == 0 else predict_labels(model, shift_images(flat, int(d), 0)) for d in shifts]
    accuracy = np.array([np.mean(p == y) for p in after])
    same = np.array([np.mean(p == before) for p in after])
    with course_style():
        fig, ax = plt.subplots(figsize=(7.6, 4.2))
        fig.subplots_adjust(left=0.11, right=0.97, bottom=0.13, top=0.8)
        ax.plot(shifts, accuracy, "o-", linewidth=2, label="test accuracy")
        ax.plot(shifts, same, "s--", linewidth=1.5, label="prediction unchanged by the shift")
        for d, a in zip(shifts, accuracy):
            ax.annotate(f"{a:.0%}", (d, a), textcoords="offset points", xytext=(0, -14), ha="center", fontsize=8)
        ax.set(xlabel="shift (pixels; right positive, blank pixels coming in)", ylabel="share of the test images",
               xticks=shifts, ylim=(0, 1.05))
        ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        ax.legend(fontsize=9, loc="lower center")
        base = accuracy[shifts == 0][0] if np.any(shifts == 0) else float(np.mean(before == y))
        worst = int(shifts[np.argmin(accuracy)])
        ax.set_title(title or f"Shifted test digits: {base:.1%} right unshifted, {accuracy.min():.1%} at a shift of "
                     f"{worst:+d} pixels\nthe maps move with the digit, but the last layer has its own weights "
                     f"for each position", fontsize=10.5)
    return fig


def draw_mnist1d_examples(X, y, per_class: int = 3, title: str | None = None):
    """A few MNIST-1D signals of each class: one panel per class (2 rows of 5), ``per_class`` signals overlaid.

    Shapes: X (N, L) float (MNIST-1D: L = 40), y (N,) int labels 0–9. Every panel shares the axes, so the classes
    compare at a glance: a class is a template shape that appears shifted, scaled and noisy. Returns the figure.

    Raises:
        ValueError: for X not (N, L), y not (N,) integer labels, or per_class not a positive integer.
    """
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2 or y.shape != (len(X),) or y.dtype.kind not in "iu":
        raise ValueError(f"X must have shape (N, L) and y shape (N,) of integer labels; got X of shape {X.shape}, y "
                         f"of shape {y.shape} and dtype {y.dtype}")
    per_class = check_positive_int(per_class, "per_class")
    classes = np.unique(y)
    ncols = min(5, len(classes))
    nrows = -(-len(classes) // ncols)
    position = np.arange(X.shape[1])
    with course_style():
        fig, axes = plt.subplots(nrows, ncols, figsize=(2.0 * ncols + 0.6, 1.75 * nrows + 0.95), sharex=True,
                                 sharey=True, squeeze=False)
        fig.subplots_adjust(left=0.07, right=0.99, top=1 - 0.85 / fig.get_figheight(),
                            bottom=0.5 / fig.get_figheight(), wspace=0.08, hspace=0.35)
        for ax, k in zip(axes.ravel(), classes):
            for i, row in enumerate(np.flatnonzero(y == k)[:per_class]):
                ax.plot(position, X[row], color=f"C{i}", linewidth=1.4)
            ax.set_title(f"class {k}", fontsize=9.5)
            ax.tick_params(labelsize=8)
        for ax in axes.ravel()[len(classes):]:
            ax.axis("off")
        for ax in axes[-1]:
            ax.set_xlabel("position", fontsize=9)
        for ax in axes[:, 0]:
            ax.set_ylabel("value", fontsize=9)
        fig.suptitle(title or f"MNIST-1D: {X.shape[1]} numbers per example, {per_class} examples of each class; "
                     f"a class is one shape,\nbut it may sit anywhere, stretched and noisy: a job for a kernel that "
                     f"slides", fontsize=10.5)
    return fig


def _curves(log, name: str) -> dict[str, np.ndarray | None]:
    """A TrainLog or a dict with train_loss / val_loss / val_metric -> those arrays (None where missing)."""
    if isinstance(log, TrainLog):
        return {"train_loss": log.train_loss, "val_loss": log.val_loss, "val_metric": log.val_metric}
    if not isinstance(log, Mapping):
        raise TypeError(f"logs[{name!r}] must be a TrainLog or a dict of arrays (train_loss, val_loss, val_metric), "
                        f"got {type(log).__name__}")
    curves = {key: None if log.get(key) is None else np.asarray(log[key], dtype=float)
              for key in ("train_loss", "val_loss", "val_metric")}
    if curves["train_loss"] is None or curves["train_loss"].ndim != 1:
        raise ValueError(f"logs[{name!r}] must hold 'train_loss', one value per epoch; got the keys {sorted(log)}")
    for key, values in curves.items():
        if values is not None and values.shape != curves["train_loss"].shape:
            raise ValueError(f"logs[{name!r}][{key!r}] must hold one value per epoch, "
                             f"{curves['train_loss'].shape}; got {values.shape}")
    return curves


def draw_mlp_vs_cnn(logs: Mapping, test_accuracy: Mapping | None = None, title: str | None = None):
    """Training curves of several models on one task (the chapter: an MLP and a CNN on MNIST-1D).

    ``logs``: model label -> ``TrainLog`` (``train_torch``'s) or a dict of arrays (E,) ``train_loss`` and, when
    measured, ``val_loss`` and ``val_metric`` (accuracy). ``test_accuracy``: label -> test accuracy in [0, 1],
    written in the legend. Left: loss by epoch (training dashed, validation solid); right: validation accuracy.
    Returns the figure.

    Raises:
        TypeError: for logs not a dict, or an entry neither a TrainLog nor a dict. ValueError: for an empty dict,
        arrays of different lengths, or a test accuracy outside [0, 1].
    """
    if not isinstance(logs, Mapping) or not logs:
        raise (ValueError if isinstance(logs, Mapping) else TypeError)(
            f"logs must be a non-empty dict: model label -> TrainLog, got {logs!r:.80}")
    curves = {str(name): _curves(log, str(name)) for name, log in logs.items()}
    test_accuracy = dict(test_accuracy or {})
    for name, value in test_accuracy.items():
        if not 0.0 <= float(value) <= 1.0:
            raise ValueError(f"test_accuracy[{name!r}] must be an accuracy in [0, 1], got {value}")
    with course_style():
        fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9.5, 3.8))
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.78, wspace=0.25)
        for i, (name, c) in enumerate(curves.items()):
            epochs = np.arange(len(c["train_loss"]))  # counted from 0, as TrainLog counts them
            label = name + (f": {test_accuracy[name]:.1%} on the test set" if name in test_accuracy else "")
            ax_loss.plot(epochs, c["train_loss"], "--", color=f"C{i}", linewidth=1.5, label=f"{name}, training")
            if c["val_loss"] is not None:
                ax_loss.plot(epochs, c["val_loss"], "-", color=f"C{i}", linewidth=2, label=f"{name}, validation")
            if c["val_metric"] is not None:
                ax_acc.plot(epochs, c["val_metric"], "o-", color=f"C{i}", markersize=3, linewidth=2, label=label)
        ax_loss.set(xlabel="epoch (from 0)", ylabel="loss (cross-entropy)", title="Loss")
        ax_acc.set(xlabel="epoch (from 0)", ylabel="validation accuracy", title="Validation accuracy")
        ax_acc.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        for ax in (ax_loss, ax_acc):
            ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
            ax.title.set_fontsize(11)
        ax_loss.legend(fontsize=8.5)
        if ax_acc.lines:
            ax_acc.legend(fontsize=8.5, loc="lower right")
        else:
            ax_acc.text(0.5, 0.5, "no validation accuracy recorded", ha="center", va="center",
                        transform=ax_acc.transAxes, color="0.4")
        fig.suptitle(title or "The same data, the same training recipe: the convolutional network generalises;\n"
                     "a fully connected one can fit its training data (dashed) much better than new data (solid)",
                     fontsize=10.5)
    return fig


def draw_transfer_results(accuracies: Mapping, n_per_class: int | None = None, chance: float | None = 0.2,
                          title: str | None = None):
    """Test accuracy of each way of training, mean over seeds as a bar, each seed as a dot, the mean written on top.

    ``accuracies``: method -> test accuracies, one per seed, in [0, 1] (keys ``"scratch"``, ``"last_layer"``,
    ``"all"`` get the labels of ``TRANSFER_LABELS``; any other key is shown as it is), or
    ``utils.transfer_learning.transfer_experiment()``'s ``TransferResults`` (its ``accuracy`` and ``n_per_class``).
    ``n_per_class``: the training examples per class, for the title; ``chance``: a dotted line at that accuracy (1/5
    for 5 classes), None for none. The title gives the best pretrained mean minus the from-scratch mean, in points.
    Returns the figure.

    Raises:
        TypeError: for accuracies not a dict. ValueError: for an empty dict, or values not 1-D accuracies in [0, 1].
    """
    if hasattr(accuracies, "accuracy") and hasattr(accuracies, "n_per_class"):  # transfer_experiment's results
        n_per_class = accuracies.n_per_class if n_per_class is None else n_per_class
        accuracies = accuracies.accuracy
    if not isinstance(accuracies, Mapping):
        raise TypeError(f"accuracies must be a dict: method -> accuracies per seed (or transfer_experiment()'s "
                        f"TransferResults), got {type(accuracies).__name__}")
    if not accuracies:
        raise ValueError("accuracies must hold at least one method, got an empty dict")
    values = {}
    for name, acc in accuracies.items():
        acc = np.atleast_1d(np.asarray(acc, dtype=float))
        if acc.ndim != 1 or acc.size == 0 or np.any(~np.isfinite(acc)) or acc.min() < 0 or acc.max() > 1:
            raise ValueError(f"accuracies[{name!r}] must be accuracies in [0, 1], one per seed; got {acc}")
        values[str(name)] = acc
    if n_per_class is not None:
        n_per_class = check_positive_int(n_per_class, "n_per_class")
    positions = np.arange(len(values))
    with course_style():
        fig, ax = plt.subplots(figsize=(1.9 * len(values) + 2.2, 4.3))
        fig.subplots_adjust(left=0.16, right=0.97, bottom=0.27, top=0.8)
        means = [acc.mean() for acc in values.values()]
        ax.bar(positions, means, width=0.6, color=[f"C{i}" for i in range(len(values))], alpha=0.75)
        for x, (acc, mean) in enumerate(zip(values.values(), means)):
            spread = np.linspace(-0.12, 0.12, len(acc)) if len(acc) > 1 else np.zeros(1)
            ax.plot(x + spread, acc, "o", color="0.15", markersize=4, label="one seed" if x == 0 else None)
            ax.text(x, max(mean, acc.max()) + 0.03, f"{mean:.1%}", ha="center", va="bottom", fontsize=10,
                    fontweight="bold")
        if chance is not None:
            ax.axhline(chance, color="0.35", linestyle=":", linewidth=1.5, label=f"chance ({chance:.0%})")
        ax.set_xticks(positions, [TRANSFER_LABELS.get(name, name) for name in values], fontsize=9)
        ax.set(ylim=(0, 1.1), ylabel="test accuracy on digits 5–9")
        ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        ax.legend(fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
        n_seeds = max(len(acc) for acc in values.values())
        few = f"{n_per_class} training images per digit" if n_per_class else "a few training images per digit"
        tuned = [name for name in ("last_layer", "all") if name in values]
        if "scratch" in values and tuned:
            gain = max(values[name].mean() for name in tuned) - values["scratch"].mean()
            verdict = f"starting from the network trained on 0–4: {gain * 100:+.1f} points over random weights"
        else:
            verdict = "each bar one way of training"
        ax.set_title(title or f"Learning digits 5–9 from {few} (bar: mean of {n_seeds} seeds)\n{verdict}",
                     fontsize=10.5)
    return fig
