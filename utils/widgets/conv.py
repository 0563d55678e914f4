"""Chapter 08's convolution explorer: an image, a kernel, stride, padding and dilation -> the output feature map and
the output-size formula evaluated on the numbers.

As in ``utils/widgets/schedules.py``, three parts:

- the **data its figure shows**, ``convolution_state``: the output is ``utils.filters.apply_kernel`` (the course's
  im2col convolution), its size ``utils.conv.conv_output_size``;
- a **static drawing function**, ``draw_convolution_explorer``, for a state (shown before the widget);
- the **widget**, ``convolution_explorer``, an ``Explorer`` (``utils/widgets/base.py``) with ``.controls``,
  ``.state``, ``.figure`` and ``.png``.

Usage in a notebook::

    from utils.widgets.conv import convolution_explorer, draw_convolution_explorer
    draw_convolution_explorer(); plt.show()     # static figure of the default state
    convolution_explorer()                      # the widget (cell tagged nbval-ignore-output)
"""

from __future__ import annotations

from functools import cache, partial

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .. import filters
from ..conv import conv_output_size
from ..module import to_float64
from ..plotting import course_style
from .base import Explorer

__all__ = ["CONV_FIGSIZE", "IMAGES", "KERNEL_CHOICES", "convolution_explorer", "convolution_state",
           "draw_convolution_explorer"]

CONV_FIGSIZE = (8.0, 4.4)
PHOTO_ROWS = 64  # the photo is downsampled to 64×96: a redraw stays fast
IMAGES = {"digit": "a digit (8×8)", "photo": f"a photo ({PHOTO_ROWS}×96)"}
"""Image name -> the label of the menu."""
KERNEL_CHOICES = (*filters.KERNELS, "custom")
"""The kernel menu: the presets of ``utils.filters.KERNELS``, then "custom" (a 3×3 grid of sliders)."""
LIMITS = {"stride": (1, 4), "padding": (0, 4), "dilation": (1, 4)}
CUSTOM_LIMITS = (-8.0, 8.0)  # every preset fits: edge has an 8, sharpen a 5
FIRST = "#FF800E"  # the first window's taps: orange squares
SECOND = "#1F77B4"  # the next window along the row, one stride on: blue dots


@cache
def _image(name: str) -> np.ndarray:
    if name == "digit":
        from ..data import sample_digit

        image = sample_digit(0)
    else:
        from ..data import load_sample_photo

        image = load_sample_photo("china", size=PHOTO_ROWS)
    image.setflags(write=False)
    return image


def _check_image(image) -> str:
    if image not in IMAGES:
        raise ValueError(f"image must be one of {', '.join(map(repr, IMAGES))}, got {image!r}")
    return image


def _formula(axis: str, n: int, k: int, s: int, p: int, d: int) -> str:
    value = (n + 2 * p - d * (k - 1) - 1) // s + 1
    return f"{axis}_out = ⌊({axis} + 2P − D(K−1) − 1)/S⌋ + 1 = ⌊({n} + 2·{p} − {d}·({k}−1) − 1)/{s}⌋ + 1 = {value}"


def convolution_state(image: str = "digit", kernel="sobel_x", stride: int = 1, padding: int = 1,
                      dilation: int = 1) -> dict:
    """What the explorer shows: the padded input, the output of ``kernel`` and the output-size formula.

    ``image`` is a key of ``IMAGES``; ``kernel`` a name of ``filters.KERNELS`` or a 3×3 array (custom).
    Shapes: -> a dict with ``"image"``, ``"kernel_name"`` ("custom" for an array), ``"kernel"`` (3, 3),
    ``"stride"``, ``"padding"``, ``"dilation"``, ``"input"`` (H, W), ``"padded"`` (H + 2P, W + 2P),
    ``"output"`` (H_out, W_out), ``"taps"`` ((9, 2) row, col in the padded input of the first window's taps),
    ``"next_taps"`` (the next window's along the row, or None if there is one column), ``"formula"`` (two lines,
    H and W), ``"signed"`` (the kernel sums to 0, so it responds to changes only, with both signs: drawn with a
    diverging colour map centred on 0).

    Raises:
        ValueError: for an unknown image or kernel, a kernel that is not 3×3, a bad stride, padding or dilation,
            or a kernel whose span D(K − 1) + 1 is larger than the padded input (the message gives the numbers).
    """
    x = _image(_check_image(image))
    if isinstance(kernel, str):
        name, weights = kernel, filters.get_kernel(kernel)
    else:
        name, weights = "custom", to_float64(kernel, "kernel")
        if weights.shape != (3, 3):
            raise ValueError(f"kernel must be a 3×3 array, got shape {weights.shape}")
    h_out = conv_output_size(x.shape[0], 3, stride, padding, dilation)  # checks every number, clear messages
    w_out = conv_output_size(x.shape[1], 3, stride, padding, dilation)
    output = filters.apply_kernel(x, weights, stride, padding, dilation)
    assert output.shape == (h_out, w_out)
    taps = np.array([(u * dilation, v * dilation) for u in range(3) for v in range(3)])
    return {"image": image, "kernel_name": name, "kernel": weights, "stride": stride, "padding": padding,
            "dilation": dilation, "input": x, "padded": np.pad(x, padding), "output": output, "taps": taps,
            "next_taps": taps + (0, stride) if w_out > 1 else None,
            "formula": "\n".join([_formula("H", x.shape[0], 3, stride, padding, dilation),
                                  _formula("W", x.shape[1], 3, stride, padding, dilation)]),
            "signed": bool(abs(weights.sum()) < 1e-9)}


class _ConvolutionFigure:
    """The artists of the explorer's figure on ``(ax_in, ax_out)``, made once; ``update`` changes their data."""

    def __init__(self, fig: Figure):
        self.figure = fig
        self.ax_in, self.ax_out = fig.subplots(1, 2)
        fig.subplots_adjust(left=0.02, right=0.98, top=0.78, bottom=0.2, wspace=0.12)
        self.input = self.ax_in.imshow(np.zeros((2, 2)), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        self.output = self.ax_out.imshow(np.zeros((2, 2)), cmap="gray", interpolation="nearest")
        square = {"marker": "s", "linestyle": "none", "markerfacecolor": "none", "markeredgecolor": FIRST,
                  "markeredgewidth": 2.2}
        dot = {"marker": "o", "linestyle": "none", "color": SECOND, "markeredgecolor": "white", "markeredgewidth": 0.6}
        self.taps = self.ax_in.plot([], [], **square)[0]
        self.next_taps = self.ax_in.plot([], [], **dot)[0]
        self.out_marks = self.ax_out.plot([], [], **square)[0]
        self.out_next = self.ax_out.plot([], [], **dot)[0]
        self.border = self.ax_in.plot([], [], color="C1", linestyle="--", linewidth=1.2)[0]
        for ax in (self.ax_in, self.ax_out):
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set(visible=True, color="0.6")
        self.in_title = self.ax_in.set_title("", fontsize=9.5, y=1.0)  # y: a fixed place, not measured at each draw
        self.out_title = self.ax_out.set_title("", fontsize=9.5, y=1.0)
        self.title = fig.suptitle("", fontsize=10.5)
        self.formula = fig.text(0.5, 0.03, "", ha="center", va="bottom", fontsize=9, family="monospace")
        self._frame = None

    def _pixel_points(self, ax, shape) -> float:
        """The side of one pixel of an image of ``shape`` shown in ``ax`` (equal aspect), in points."""
        width, height = ax.get_position().size * self.figure.get_size_inches()
        return 72 * min(width / shape[1], height / shape[0])

    @staticmethod
    def frame(state: dict) -> tuple:
        """What the axes (their limits) depend on."""
        return state["padded"].shape, state["output"].shape

    def key(self, state: dict) -> tuple:
        """What the blit background depends on: the axes. The titles and the formula (their text changes with the
        image, kernel, stride, padding and dilation, never with a custom weight; text is most of a redraw's time)
        are parts kept by their words, line by line: a new stride draws the lines it changes only."""
        return self.frame(state)

    def parts(self) -> dict:
        return {text: text.get_text() for text in self.texts()}

    def texts(self) -> list:
        return [self.in_title, self.out_title, self.title, self.formula]

    def update(self, state: dict) -> None:
        padded, out, p = state["padded"], state["output"], state["padding"]
        (hp, wp), (ho, wo) = padded.shape, out.shape
        frame = self.frame(state)
        if frame != self._frame:  # first: the markers' sizes below follow the limits (equal aspect)
            self.ax_in.set(xlim=(-0.5, wp - 0.5), ylim=(hp - 0.5, -0.5))
            self.ax_out.set(xlim=(-0.5, wo - 0.5), ylim=(ho - 0.5, -0.5))
            self._frame = frame
        self.input.set_data(padded)
        self.input.set_extent((-0.5, wp - 0.5, hp - 0.5, -0.5))
        pixel_in, pixel_out = self._pixel_points(self.ax_in, padded.shape), self._pixel_points(self.ax_out, out.shape)
        self.taps.set_data(state["taps"][:, 1], state["taps"][:, 0])
        self.taps.set_markersize(0.85 * pixel_in)
        following = state["next_taps"] if state["next_taps"] is not None else np.empty((0, 2))
        self.next_taps.set_data(following[:, 1], following[:, 0])
        self.next_taps.set_markersize(min(0.45 * pixel_in, 9))
        h, w = state["input"].shape  # the image inside the padding
        self.border.set_data([p - 0.5, p + w - 0.5, p + w - 0.5, p - 0.5, p - 0.5],
                             [p - 0.5, p - 0.5, p + h - 0.5, p + h - 0.5, p - 0.5])
        self.border.set_visible(p > 0)
        self.output.set_data(out)
        self.output.set_extent((-0.5, wo - 0.5, ho - 0.5, -0.5))
        if state["signed"]:
            top = float(np.abs(out).max())
            self.output.set(cmap="RdBu_r", clim=(-top, top))
        else:
            self.output.set(cmap="gray", clim=(float(out.min()), float(out.max()) + 1e-12))
        self.out_marks.set_data([0], [0])
        self.out_marks.set_markersize(0.85 * pixel_out)
        self.out_next.set_data([1] if wo > 1 else [], [0] if wo > 1 else [])
        self.out_next.set_markersize(min(0.45 * pixel_out, 9))
        s, d = state["stride"], state["dilation"]
        self.in_title.set_text(f"input {h}×{w}" + (f", padded to {hp}×{wp} (dashed: the image)" if p else "")
                               + f"\n□ first window (span {d * 2 + 1}), • next window ({s} on)")
        colours = "red +, blue −" if state["signed"] else "gray"
        self.out_title.set_text(f"output {ho}×{wo} ({colours})\n□ and • : the two windows' outputs")
        kernel = state["kernel_name"].replace("_", " ")
        self.title.set_text(f"{kernel} kernel, stride {s}, padding {p}, dilation {d}: "
                            f"{h}×{w} → {ho}×{wo}\nstride shrinks the output, padding keeps the border, "
                            f"dilation spreads the taps apart")
        self.formula.set_text(state["formula"])

    def changing(self) -> list:
        """The artists redrawn at every step (the texts are in the background: see ``key``)."""
        return [self.input, self.output, self.border, self.taps, self.next_taps, self.out_marks, self.out_next]


def draw_convolution_explorer(image: str = "digit", kernel="sobel_x", stride: int = 1, padding: int = 1,
                              dilation: int = 1):
    """Draw the explorer's figure for one setting (arguments as ``convolution_state``); returns the figure."""
    import matplotlib.pyplot as plt

    state = convolution_state(image, kernel, stride, padding, dilation)
    with course_style():
        fig = plt.figure(figsize=CONV_FIGSIZE)
        _ConvolutionFigure(fig).update(state)
    return fig


def _controls(image: str, kernel_name: str, custom: np.ndarray, stride: int, padding: int,
              dilation: int) -> dict[str, widgets.Widget]:
    wide = {"description_width": "70px"}

    def int_slider(name: str, value: int) -> widgets.IntSlider:
        lo, hi = LIMITS[name]
        return widgets.IntSlider(value=int(np.clip(value, lo, hi)), min=lo, max=hi, description=name, style=wide,
                                 layout=widgets.Layout(width="250px"))

    controls = {
        "image": widgets.ToggleButtons(options=[(label, key) for key, label in IMAGES.items()], value=image,
                                       description="image", style=wide),
        "kernel": widgets.Dropdown(options=[(k.replace("_", " "), k) for k in KERNEL_CHOICES], value=kernel_name,
                                   description="kernel", style=wide, layout=widgets.Layout(width="250px")),
        "stride": int_slider("stride", stride),
        "padding": int_slider("padding", padding),
        "dilation": int_slider("dilation", dilation),
    }
    for u in range(3):
        for v in range(3):
            controls[f"w{u}{v}"] = widgets.FloatSlider(
                value=float(np.clip(custom[u, v], *CUSTOM_LIMITS)), min=CUSTOM_LIMITS[0], max=CUSTOM_LIMITS[1],
                step=0.25, readout_format=".2f", orientation="horizontal", description=f"w[{u},{v}]",
                style={"description_width": "40px"}, layout=widgets.Layout(width="200px"))
    return controls


def convolution_explorer(image: str = "digit", kernel="sobel_x", stride: int = 1, padding: int = 1,
                         dilation: int = 1) -> widgets.VBox:
    """A widget to explore a convolution: pick an image and a kernel, move stride, padding and dilation.

    Controls (``.controls``): ``"image"`` ("digit" / "photo"), ``"kernel"`` (the names of ``KERNEL_CHOICES``;
    "custom" shows a 3×3 grid of sliders ``"w00"`` … ``"w22"``, starting from the preset chosen before),
    ``"stride"`` (1–4), ``"padding"`` (0–4), ``"dilation"`` (1–4). ``kernel`` may be a 3×3 array: the explorer
    starts on "custom" with those weights.
    State (``.state``): what ``convolution_state`` returns, and ``"error"``. A setting where the kernel's span is
    larger than the padded input (the 8×8 digit, dilation 4, no padding) shows the message of
    ``conv_output_size`` instead of a figure, and the last good figure stays.
    """
    _check_image(image)
    if isinstance(kernel, str):
        filters.get_kernel(kernel)
        kernel_name, custom = kernel, np.array(filters.KERNELS[kernel])
    else:
        kernel_name, custom = "custom", to_float64(kernel, "kernel")
        if custom.shape != (3, 3):
            raise ValueError(f"kernel must be a 3×3 array, got shape {custom.shape}")
    for name in IMAGES:  # loaded now (~10 ms for the photo), not at the learner's first switch to it
        _image(name)
    controls = _controls(image, kernel_name, custom, stride, padding, dilation)
    weights = [controls[f"w{u}{v}"] for u in range(3) for v in range(3)]
    with course_style():
        fig = Figure(figsize=CONV_FIGSIZE)
        artists = _ConvolutionFigure(fig)

    def compute() -> dict:
        name = controls["kernel"].value
        chosen = (np.array([w.value for w in weights]).reshape(3, 3) if name == "custom" else name)
        return convolution_state(controls["image"].value, chosen, controls["stride"].value,
                                 controls["padding"].value, controls["dilation"].value)

    def draw(state: dict) -> tuple:
        artists.update(state)
        return artists.key(state), artists.changing(), artists.parts()

    def ahead(state: dict):
        """The other image, a step of stride, padding or dilation either way, and the next preset kernel, each image
        rendered whole (``image_key``). Each key from the shapes alone."""
        kernel = state["kernel"] if state["kernel_name"] == "custom" else state["kernel_name"]
        settings = {name: state[name] for name in LIMITS}
        options = [{"image": image, "kernel": kernel, **settings} for image in IMAGES if image != state["image"]]
        for name, (lo, hi) in LIMITS.items():
            options += [{"image": state["image"], "kernel": kernel, **settings, name: value}
                        for value in (settings[name] + 1, settings[name] - 1) if lo <= value <= hi]
        presets = list(filters.KERNELS)
        if state["kernel_name"] in presets:
            following = presets[(presets.index(state["kernel_name"]) + 1) % len(presets)]
            options.append({"image": state["image"], "kernel": following, **settings})
        for option in options:
            n, (s, p, d) = _image(option["image"]).shape, (option["stride"], option["padding"], option["dilation"])
            try:
                out = tuple(conv_output_size(size, 3, s, p, d) for size in n)
            except ValueError:  # a kernel wider than the padded image: nothing to draw
                continue
            yield ((n[0] + 2 * p, n[1] + 2 * p), out), partial(convolution_state, option["image"], option["kernel"],
                                                               s, p, d)

    def image_key(state: dict) -> tuple:
        return (state["image"], state["kernel_name"], state["kernel"].tobytes(), state["stride"], state["padding"],
                state["dilation"])

    grid = widgets.VBox([widgets.HBox(weights[3 * u:3 * u + 3]) for u in range(3)])
    grid.layout.display = None if kernel_name == "custom" else "none"
    rows = [widgets.HBox([controls["image"], controls["kernel"]]),
            widgets.HBox([controls["stride"], controls["padding"], controls["dilation"]]), grid]
    explorer = Explorer(controls, rows, fig, compute, draw, ahead=ahead, image_key=image_key)
    explorer.custom_grid = grid

    def on_kernel(change) -> None:
        with explorer.paused():
            if change["new"] == "custom" and change["old"] != "custom":  # start from the preset shown before
                for w, value in zip(weights, filters.KERNELS[change["old"]].ravel()):
                    w.value = float(np.clip(value, *CUSTOM_LIMITS))
            grid.layout.display = None if change["new"] == "custom" else "none"

    controls["kernel"].unobserve(explorer._on_change, names="value")
    controls["kernel"].observe(on_kernel, names="value")
    return explorer
