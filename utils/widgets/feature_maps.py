"""Chapter 08's feature-map explorer: pick a test digit, a layer of the trained CNN and a horizontal shift -> the
digit, 16 of that layer's feature maps and the ten class probabilities. Nothing trains: each step is one forward
pass of one image.

As in ``utils/widgets/conv.py``, three parts:

- the **data its figure shows**, ``feature_map_state``: the maps come from ``utils.mnist_cnn.feature_maps``, the
  probabilities from ``predict_proba``, the shift from ``utils.overfitting.shift_images``; the 16 channels shown
  are the ones that respond most strongly to the unshifted digit (``most_active_channels``), so that moving the
  shift slider shows the same maps moving;
- a **static drawing function**, ``draw_feature_map_explorer``, for a state (shown before the widget);
- the **widget**, ``feature_map_explorer``, an ``Explorer`` (``utils/widgets/base.py``) with ``.controls``,
  ``.state``, ``.figure`` and ``.png``.

Usage in a notebook::

    from utils.widgets.feature_maps import draw_feature_map_explorer, feature_map_explorer
    draw_feature_map_explorer(); plt.show()     # static figure of the default state
    feature_map_explorer()                      # the widget (cell tagged nbval-ignore-output)

Both default to the shipped network (``utils.mnist_cnn.load_mnist_cnn()``) and the MNIST-5k test split.
"""

from __future__ import annotations

from functools import cache, partial

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..device import one_torch_thread
from ..figures.cnn_inside import ACTIVATION_CMAP, LAYER_NOTES, SIGNED_CMAP, most_active_channels
from ..mnist_cnn import FEATURE_LAYERS, as_images, feature_maps, predict_proba
from ..overfitting import shift_images
from ..plotting import course_style, fixed_labels
from .base import Explorer

__all__ = ["FEATURE_MAP_FIGSIZE", "MAX_SHIFT", "N_MAPS", "draw_feature_map_explorer", "feature_map_explorer",
           "feature_map_state"]

FEATURE_MAP_FIGSIZE = (10.0, 4.5)
N_MAPS = 16
"""How many feature maps the explorer shows (a 4×4 grid)."""
MAX_SHIFT = 5
"""The shift slider's range, −MAX_SHIFT … MAX_SHIFT pixels: MNIST's digits sit in a 20×20 box with 4 blank pixels
around it, so a shift of a few pixels loses (almost) no ink."""


@cache
def _test_split() -> tuple[np.ndarray, np.ndarray]:
    from ..data import load_mnist5k

    split = load_mnist5k(0)
    return split.X_test, split.y_test


def _default_model():
    from ..mnist_cnn import load_mnist_cnn

    return load_mnist_cnn()


def _data(model, X, y):
    """The defaults filled in and checked: (model, images (N, 784) float32, labels (N,) or None)."""
    import torch

    if model is None:
        model = _default_model()
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module such as load_mnist_cnn(), got {type(model).__name__}")
    if X is None:
        if y is not None:
            raise ValueError("y needs its images: pass X too (or neither, for the MNIST-5k test split)")
        X, y = _test_split()
    images = as_images(X).reshape(-1, 784)
    if len(images) == 0:
        raise ValueError("X must hold at least one image, got 0")
    if y is not None:
        y = np.asarray(y)
        if y.shape != (len(images),):
            raise ValueError(f"y must hold one label per image, shape ({len(images)},); got shape {y.shape}")
    return model, images, y


def feature_map_state(model, X, y=None, index: int = 0, layer: str = "relu1", shift: int = 0) -> dict:
    """What the explorer shows for image ``X[index]`` moved ``shift`` pixels right (left if negative).

    Shapes: X (N, 784) (or as ``as_images`` takes them), y (N,) labels or None.

    Returns a dict: ``index``, ``layer``, ``shift``; ``label`` (y[index] or None); ``image`` (28, 28) the shifted
    digit; ``channels`` (16,) the channels shown, strongest on the unshifted digit first; ``maps`` (16, H, W) those
    channels' maps for the shifted digit and ``maps_unshifted`` for the digit as it is; ``vmax`` the colour
    scale's top (the unshifted maps' largest |value|: one scale whatever the shift); ``signed`` (conv1, conv2 have
    negative values); ``shape`` (C, H, W) of the layer; ``proba`` (10,) and ``proba_unshifted`` (10,) the class
    probabilities; ``predicted``.

    Raises:
        TypeError: for a model that is not a torch.nn.Module. ValueError: for an index outside X, a layer not in
        ``FEATURE_LAYERS``, or a shift not an integer in −MAX_SHIFT … MAX_SHIFT.
    """
    model, images, y = _data(model, X, y)
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < len(images):
        raise ValueError(f"index must be an integer in 0..{len(images) - 1} (one of the {len(images)} images), got "
                         f"{index!r}")
    if layer not in FEATURE_LAYERS:
        raise ValueError(f"layer must be one of {FEATURE_LAYERS}, got {layer!r}")
    if isinstance(shift, bool) or not isinstance(shift, (int, np.integer)) or not -MAX_SHIFT <= shift <= MAX_SHIFT:
        raise ValueError(f"shift must be an integer number of pixels in -{MAX_SHIFT}..{MAX_SHIFT}, got {shift!r}")
    digit = images[index]
    moved = shift_images(digit[None], int(shift), 0)[0] if shift else digit
    position = FEATURE_LAYERS.index(layer)
    with one_torch_thread():  # one image: threads would cost more than they give (and fight on a busy machine)
        unshifted = feature_maps(model, digit)[position].maps
        maps = feature_maps(model, moved)[position].maps if shift else unshifted
        proba = predict_proba(model, np.stack([digit, moved]))
    channels = most_active_channels(unshifted, N_MAPS)
    return {"index": int(index), "layer": layer, "shift": int(shift),
            "label": None if y is None else int(y[index]), "image": moved.reshape(28, 28).astype(np.float64),
            "channels": channels, "maps": maps[channels], "maps_unshifted": unshifted[channels],
            "vmax": float(np.abs(unshifted[channels]).max()) or 1.0, "signed": layer.startswith("conv"),
            "shape": unshifted.shape, "proba": proba[1], "proba_unshifted": proba[0],
            "predicted": int(np.argmax(proba[1]))}


class _FeatureMapFigure:
    """The explorer's artists: the digit, a 4×4 grid of maps with a colorbar, the probability bars.

    Titles and the bar chart's axis labels sit at fixed places (``y=1.0``, ``fixed_labels``): matplotlib would
    otherwise measure the tick labels of every Axes to place them at each full draw (~25 ms of the ~70 a new layer
    costs). Each image's frame is one rectangle, redrawn over the image at each step (4 spines cost 4× as much).
    """

    def __init__(self, fig: Figure):
        width, height = fig.get_size_inches()
        self.fig = fig

        def axes(left, bottom, w, h):
            return fig.add_axes((left / width, bottom / height, w / width, h / height))

        self.ax_digit = axes(0.25, 1.0, 2.0, 2.0)
        self.digit = self.ax_digit.imshow(np.zeros((28, 28)), cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        self.digit_title = self.ax_digit.set_title("", fontsize=9.5, y=1.0)
        cell, x0, y0 = 0.8, 2.75, 0.25
        self.map_axes, self.maps, self.map_titles = [], [], []
        for k in range(N_MAPS):
            row, col = divmod(k, 4)
            ax = axes(x0 + col * cell + 0.04, y0 + (3 - row) * (cell + 0.05), cell - 0.08, cell - 0.12)
            self.map_axes.append(ax)
            self.maps.append(ax.imshow(np.zeros((2, 2)), cmap=ACTIVATION_CMAP, vmin=0, vmax=1,
                                       interpolation="nearest"))
            self.map_titles.append(ax.set_title("", fontsize=7, pad=1, y=1.0))
        self.ax_bar = axes(x0 + 4 * cell + 0.05, y0 + 0.3, 0.1, 4 * (cell + 0.05) - 0.6)
        self.colorbar = fig.colorbar(self.maps[0], cax=self.ax_bar)
        self.colorbar.set_label("response, 1 = the strongest\non the unshifted digit", fontsize=8)
        self.ax_bar.tick_params(labelsize=7.5)
        self.ax_proba = axes(7.75, 0.7, 2.1, 2.7)
        classes = np.arange(10)
        self.bars = self.ax_proba.bar(classes, np.zeros(10), width=0.7, color="C0")
        (self.unshifted,) = self.ax_proba.plot(classes, np.zeros(10), "_", color="0.1", markersize=14,
                                               markeredgewidth=2, label="unshifted")
        self.ax_proba.set(xticks=classes, ylim=(0, 1.05), xlim=(-0.6, 9.6), xlabel="class", ylabel="probability")
        self.ax_proba.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        self.ax_proba.legend(fontsize=8, loc="upper left")
        self.proba_title = fixed_labels(self.ax_proba, ylabel_at=0.55, xlabel_at=0.29)  # where matplotlib put them
        self.proba_title.set_fontsize(9.5)
        self.frames = []
        for ax in [self.ax_digit, *self.map_axes]:
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set_visible(False)
            self.frames.append(ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False,
                                                      edgecolor="0.6", linewidth=0.6, clip_on=False)))
        self.title = fig.text(0.5, 1 - 0.08 / height, "", ha="center", va="top", fontsize=10.5)
        self._layer, self._signed = None, None

    @staticmethod
    def frame(state: dict) -> bool:
        """The background's key: the colorbar, the one part drawn once that changes, with the sign of the layer's
        values (its colour map). The maps' Axes have no ticks (their size shows only in the images), and every
        text, the layer's title too, is redrawn at each step (~2 ms: the canvas draws text from its caches): a new
        layer draws the whole figure only the first time a layer with signed values, or one without, is shown."""
        return state["signed"]

    def update(self, state: dict) -> None:
        c, h, w = state["shape"]
        new_layer = state["layer"] != self._layer
        signed, top = state["signed"], state["vmax"]
        for k, (image, ax, title) in enumerate(zip(self.maps, self.map_axes, self.map_titles)):
            shown = k < len(state["channels"])
            image.set_visible(shown)
            if shown:
                image.set_data(state["maps"][k] / top)  # one colour scale, fixed for the layer: in the background
            title.set_text(f"ch {state['channels'][k]}" if shown else "")  # the image's strongest channels
            if new_layer:
                image.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
                ax.set(xlim=(-0.5, w - 0.5), ylim=(h - 0.5, -0.5))
            if signed != self._signed:  # a new colour map costs (it updates the colorbar): only when it changes
                image.set_cmap(SIGNED_CMAP if signed else ACTIVATION_CMAP)
                image.set_clim(-1.0 if signed else 0.0, 1.0)
        if new_layer:  # the title and the colorbar depend on the layer only
            self.title.set_text(f"{state['layer']} ({c}×{h}×{w}): {LAYER_NOTES[state['layer']]}; the "
                                f"{N_MAPS} maps that respond most to the unshifted digit\n"
                                f"Shift the digit: its maps move with it; the prediction survives small shifts, not "
                                f"always larger ones (black marks: unshifted)")
        self._layer, self._signed = state["layer"], signed
        self.digit.set_data(state["image"])
        label = "" if state["label"] is None else f" (a {state['label']})"
        moved = "not shifted" if state["shift"] == 0 else (
            f"shifted {abs(state['shift'])} px {'right' if state['shift'] > 0 else 'left'}")
        self.digit_title.set_text(f"image {state['index']}{label}\n{moved}")
        proba, predicted = state["proba"], state["predicted"]
        for k, bar in enumerate(self.bars):
            bar.set_height(proba[k])
            bar.set_color("C1" if k == predicted else "C0")
        self.unshifted.set_ydata(state["proba_unshifted"])
        wrong = state["label"] is not None and predicted != state["label"]
        self.proba_title.set_text(f"predicted {predicted}: {proba[predicted]:.1%}" + (" ✗ wrong" if wrong else "")
                                  + f"\nP({predicted}) unshifted: {state['proba_unshifted'][predicted]:.1%}")

    def changing(self) -> list:
        return [self.digit, *self.maps, *self.frames, *self.bars, self.unshifted]

    def parts(self) -> dict:
        """The titles, each kept apart by its words (an explorer's part): a shift keeps the maps' channel
        numbers, and a channel number seen before in its place comes back without drawing its text."""
        return {title: title.get_text() for title in (self.title, self.digit_title, *self.map_titles,
                                                      self.proba_title)}


def draw_feature_map_explorer(model=None, X=None, y=None, index: int = 0, layer: str = "relu1", shift: int = 0):
    """Draw the explorer's figure for one setting (arguments as ``feature_map_state``; the defaults: the shipped
    network on the MNIST-5k test split); returns the figure."""
    import matplotlib.pyplot as plt

    state = feature_map_state(model, X, y, index, layer, shift)
    with course_style():
        fig = plt.figure(figsize=FEATURE_MAP_FIGSIZE)
        _FeatureMapFigure(fig).update(state)
    return fig


def feature_map_explorer(model=None, X=None, y=None, index: int = 0, layer: str = "relu1",
                         shift: int = 0) -> widgets.VBox:
    """A widget to look inside a trained CNN: pick a test image, a layer, and move the digit sideways.

    ``model``: a network with ``utils.mnist_cnn``'s layer names (default: ``load_mnist_cnn()``, the shipped
    weights); ``X`` (N, 784), ``y`` (N,) or None (default: the MNIST-5k test split).
    Controls (``.controls``): ``"index"`` (0 … N−1), ``"layer"`` (``FEATURE_LAYERS``), ``"shift"``
    (−MAX_SHIFT … MAX_SHIFT pixels, right positive). State (``.state``): what ``feature_map_state`` returns, and
    ``"error"``. Each step is three small forward passes (one or two images): nothing trains. A shift or image
    step redraws only what changes (~25 ms); a layer redraws the whole figure (~40 ms more) only the first time one
    with signed values (conv1, conv2), or one without, is shown.
    The image slider acts on release.
    """
    model, images, y = _data(model, X, y)
    feature_map_state(model, images, y, index, layer, shift)  # a bad start value raises here, with its message
    wide = {"description_width": "50px"}
    controls = {
        "index": widgets.IntSlider(value=int(index), min=0, max=len(images) - 1, description="image", style=wide,
                                   continuous_update=False,  # 2 × 3 forward passes per image: on release
                                   layout=widgets.Layout(width="330px")),
        "layer": widgets.Dropdown(options=list(FEATURE_LAYERS), value=layer, description="layer", style=wide,
                                  layout=widgets.Layout(width="180px")),
        "shift": widgets.IntSlider(value=int(shift), min=-MAX_SHIFT, max=MAX_SHIFT, description="shift",
                                   style=wide, layout=widgets.Layout(width="280px")),
    }
    with course_style():
        fig = Figure(figsize=FEATURE_MAP_FIGSIZE, dpi=mpl.rcParams["figure.dpi"])
        artists = _FeatureMapFigure(fig)

    def compute() -> dict:
        return feature_map_state(model, images, y, controls["index"].value, controls["layer"].value,
                                 controls["shift"].value)

    def draw(state: dict) -> tuple:
        artists.update(state)
        return artists.frame(state), artists.changing(), artists.parts()

    def ahead(state: dict):
        """The states one change away, each image rendered whole: the next layers, a shift step either way, the
        neighbouring images, the previous layer, and the next layer of the other sign (its colour bar)."""
        index, layer, shift = state["index"], state["layer"], state["shift"]
        at = FEATURE_LAYERS.index(layer)
        later = FEATURE_LAYERS[at + 1:] + FEATURE_LAYERS[:at]
        other_sign = next(name for name in later if name.startswith("conv") != state["signed"])
        options = [(index, later[0], shift), (index, layer, shift + 1), (index, layer, shift - 1),
                   (index, later[1], shift), (index + 1, layer, shift), (index - 1, layer, shift),
                   (index, later[-1], shift), (index, other_sign, shift)]
        for i, name, s in dict.fromkeys(options):
            if 0 <= i < len(images) and abs(s) <= MAX_SHIFT:
                yield name.startswith("conv"), partial(feature_map_state, model, images, y, i, name, s)

    def image_key(state: dict) -> tuple:
        return state["index"], state["layer"], state["shift"]

    rows = [widgets.HBox([controls["index"], controls["layer"], controls["shift"]])]
    return Explorer(controls, rows, fig, compute, draw, ahead=ahead, image_key=image_key)
