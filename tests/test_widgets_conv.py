"""Chapter 08's convolution explorer, headless: the state against torch.nn.functional.conv2d and the output-size
formula, every control changing the image with one redraw, the custom kernel grid, an impossible setting shown as a
message, and the static figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch.nn.functional as F

from tests.torch_twins import float64_tensor
from tests.widget_helpers import (
    PNG_SIGNATURE,
    assert_each_image_is_a_full_redraw,
    assert_survives_a_failing_computation,
    set_controls,
)
from utils import filters
from utils.widgets import conv as conv_widgets


@pytest.fixture(scope="module")
def explorer():
    return conv_widgets.convolution_explorer()


@pytest.mark.parametrize("image, kernel, stride, padding, dilation", [
    ("digit", "sobel_x", 1, 1, 1), ("digit", "laplacian", 2, 0, 2), ("photo", "gaussian_blur", 3, 2, 1),
    ("photo", "edge", 1, 0, 4), ("digit", "sharpen", 4, 4, 3),
])
def test_state_is_torchs_convolution_and_the_formula(image, kernel, stride, padding, dilation):
    state = conv_widgets.convolution_state(image, kernel, stride, padding, dilation)
    x = state["input"]
    want = F.conv2d(float64_tensor(x)[None, None], float64_tensor(filters.KERNELS[kernel])[None, None],
                    stride=stride, padding=padding, dilation=dilation)[0, 0].numpy()
    np.testing.assert_allclose(state["output"], want, rtol=0, atol=1e-13)
    h, w = x.shape
    sizes = [(n + 2 * padding - dilation * 2 - 1) // stride + 1 for n in (h, w)]
    assert state["output"].shape == tuple(sizes)
    lines = state["formula"].splitlines()
    assert lines[0].endswith(f"⌊({h} + 2·{padding} − {dilation}·(3−1) − 1)/{stride}⌋ + 1 = {sizes[0]}")
    assert lines[1].startswith("W_out = ⌊(W + 2P − D(K−1) − 1)/S⌋ + 1") and lines[1].endswith(f"= {sizes[1]}")
    assert state["padded"].shape == (h + 2 * padding, w + 2 * padding)
    np.testing.assert_array_equal(state["taps"][-1], [2 * dilation, 2 * dilation])
    np.testing.assert_array_equal(state["next_taps"][0], [0, stride])
    # the first window's taps on the padded input, weighted: the output's first pixel
    taps = state["padded"][state["taps"][:, 0], state["taps"][:, 1]]
    assert taps @ filters.KERNELS[kernel].ravel() == pytest.approx(state["output"][0, 0], abs=1e-12)
    assert state["signed"] == (kernel in ("laplacian", "edge", "sobel_x"))


def test_state_rejects_bad_arguments():
    with pytest.raises(ValueError, match="image must be one of 'digit', 'photo', got 'cat'"):
        conv_widgets.convolution_state("cat")
    with pytest.raises(ValueError, match=r"kernel must be a 3×3 array, got shape \(2, 2\)"):
        conv_widgets.convolution_state("digit", np.ones((2, 2)))
    with pytest.raises(ValueError, match="the kernel does not fit in the padded input: kernel_size=3 with "
                                         "dilation=4 spans 9 positions"):
        conv_widgets.convolution_state("digit", "sharpen", padding=0, dilation=4)


def test_controls_and_default_state(explorer):
    names = {"image", "kernel", "stride", "padding", "dilation"} | {f"w{u}{v}" for u in range(3) for v in range(3)}
    assert set(explorer.controls) == names
    assert explorer.png.startswith(PNG_SIGNATURE) and explorer.state["error"] is None
    assert (explorer.state["image"], explorer.state["kernel_name"]) == ("digit", "sobel_x")
    assert explorer.custom_grid.layout.display == "none"  # the sliders show for "custom" only


NEW_VALUES = {"image": "photo", "kernel": "gaussian_blur", "stride": 2, "padding": 3, "dilation": 2}


def test_every_control_changes_the_image_with_one_redraw():
    explorer = conv_widgets.convolution_explorer()
    for name, value in NEW_VALUES.items():
        before, n, output = explorer.png, explorer.n_updates, explorer.state["output"]
        explorer.controls[name].value = value
        assert explorer.n_updates == n + 1 and explorer.state["error"] is None, name
        assert explorer.png != before, name
        key = "kernel_name" if name == "kernel" else name
        assert explorer.state[key] == value, name  # the state mirrors the controls
        now = explorer.state["output"]
        assert now.shape != output.shape or not np.array_equal(now, output), name


def test_the_custom_grid_starts_from_the_preset_and_each_slider_redraws_once():
    explorer = conv_widgets.convolution_explorer(kernel="sharpen")
    n = explorer.n_updates
    explorer.controls["kernel"].value = "custom"
    assert explorer.n_updates == n + 1 and explorer.custom_grid.layout.display is None
    np.testing.assert_array_equal(explorer.state["kernel"], filters.KERNELS["sharpen"])
    for (u, v), value in zip([(0, 0), (1, 1), (2, 2)], [1.5, -2.0, 0.25]):
        before, n = explorer.png, explorer.n_updates
        explorer.controls[f"w{u}{v}"].value = value
        assert explorer.n_updates == n + 1 and explorer.png != before
        assert explorer.state["kernel"][u, v] == value and explorer.state["kernel_name"] == "custom"
    want = filters.apply_kernel(explorer.state["input"], explorer.state["kernel"], padding=1)
    np.testing.assert_array_equal(explorer.state["output"], want)
    explorer.controls["kernel"].value = "identity"
    assert explorer.custom_grid.layout.display == "none" and explorer.state["kernel_name"] == "identity"


def test_an_impossible_setting_shows_a_message_and_keeps_the_last_image():
    explorer = conv_widgets.convolution_explorer(padding=0, dilation=3)
    good, n = explorer.png, explorer.n_updates
    explorer.controls["dilation"].value = 4  # span 9 on the 8×8 digit without padding
    assert explorer.state["error"].startswith("ValueError: the kernel does not fit in the padded input")
    assert explorer.status.layout.display is None and "spans 9 positions" in explorer.status.value
    assert explorer.png == good and explorer.n_updates == n
    explorer.controls["padding"].value = 1  # fits again
    assert explorer.state["error"] is None and explorer.status.layout.display == "none"
    assert explorer.state["output"].shape == (2, 2)  # (8 + 2 − 9)//1 + 1


def test_a_failing_computation_never_breaks_the_widget(monkeypatch):
    explorer = conv_widgets.convolution_explorer()
    assert_survives_a_failing_computation(monkeypatch, explorer, conv_widgets, "convolution_state", "stride", 2, 3)
    assert explorer.state["stride"] == 3


def test_explorer_start_arguments():
    weights = np.arange(9.0).reshape(3, 3) / 10
    explorer = conv_widgets.convolution_explorer("photo", weights, stride=2, padding=0)
    assert explorer.state["kernel_name"] == "custom" and explorer.controls["kernel"].value == "custom"
    np.testing.assert_allclose(explorer.state["kernel"], weights)
    assert explorer.state["output"].shape == (31, 47)
    with pytest.raises(ValueError, match="kernel name must be one of"):
        conv_widgets.convolution_explorer(kernel="blur")


def test_blitted_image_equals_a_full_redraw(explorer):
    set_controls(explorer, image="digit", kernel="sobel_y", stride=1, padding=1, dilation=1)
    explorer.controls["kernel"].value = "laplacian"  # same shapes: blitted
    blitted = explorer.png
    explorer._background_key = None
    explorer.update()
    assert explorer.png == blitted


def test_the_titles_are_kept_line_by_line_and_each_image_is_a_full_redraw(monkeypatch):
    """The titles and the formula are Explorer parts drawn line by line, from the last line up: a new stride draws
    the lines it changes and those above them, not the last lines that stay; each image equals a full redraw."""
    from matplotlib.text import Text

    explorer = conv_widgets.convolution_explorer()
    drawn = []
    text_draw = Text.draw
    monkeypatch.setattr(Text, "draw", lambda self, *a: (drawn.append(self.get_text()), text_draw(self, *a)))
    explorer.controls["stride"].value = 2
    assert any("stride 2" in words for words in drawn)
    assert not any(words.startswith("stride shrinks") or words.startswith("□ and •") for words in drawn)
    monkeypatch.undo()
    assert_each_image_is_a_full_redraw(explorer, [("stride", 1), ("padding", 0), ("dilation", 2), ("stride", 2),
                                                  ("kernel", "laplacian"), ("padding", 1)])


def test_after_drawing_ahead_a_new_image_stride_padding_dilation_or_kernel_shows_what_is_drawn_without():
    """Drawn ahead (the idle kernel): the photo; stride 2, padding 0 and 2, dilation 2; the next preset kernel, each
    image whole; a visit shows it without drawing, the same pixels as an explorer that draws it then."""
    ahead, plain = conv_widgets.convolution_explorer(), conv_widgets.convolution_explorer()
    assert ahead.draw_ahead() == 6 and ahead.draw_ahead() == 0
    renders, render = [], ahead._render
    ahead._render = lambda *args: (renders.append(1), render(*args))[1]
    for control, value in [("image", "photo"), ("image", "digit"), ("stride", 2), ("stride", 1), ("padding", 0),
                           ("padding", 2), ("padding", 1), ("dilation", 2), ("dilation", 1)]:
        ahead.controls[control].value = plain.controls[control].value = value
        assert ahead.png == plain.png, (control, value)
    following = list(filters.KERNELS)[list(filters.KERNELS).index("sobel_x") + 1]
    ahead.controls["kernel"].value = plain.controls["kernel"].value = following
    assert ahead.png == plain.png and renders == []


def test_the_explorer_never_leaves_figures_in_pyplot():
    plt.close("all")
    explorer = conv_widgets.convolution_explorer()
    explorer.controls["stride"].value = 2
    assert plt.get_fignums() == []


def test_draw_convolution_explorer_shows_the_state():
    fig = conv_widgets.draw_convolution_explorer("digit", "sobel_x", stride=2, padding=1, dilation=1)
    state = conv_widgets.convolution_state("digit", "sobel_x", 2, 1, 1)
    ax_in, ax_out = fig.axes
    np.testing.assert_array_equal(ax_out.images[0].get_array(), state["output"])
    np.testing.assert_array_equal(ax_in.images[0].get_array(), state["padded"])
    assert fig.texts[-1].get_text() == state["formula"]
    assert "8×8 → 4×4" in fig._suptitle.get_text()
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    for artist in [ax_in.title, ax_out.title, fig._suptitle, fig.texts[-1]]:
        box = artist.get_window_extent(renderer)
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1 and box.y1 <= fig.bbox.y1, artist.get_text()


def test_every_preset_fits_in_the_custom_sliders():
    low, high = conv_widgets.CUSTOM_LIMITS
    for name, kernel in filters.KERNELS.items():
        assert low <= kernel.min() and kernel.max() <= high, name


def test_going_back_to_the_digit_after_the_photo_draws_it_as_at_first():
    """A widespread blitting mistake: the background is kept, but not the Axes' boxes a full draw fitted to the
    photo's shape (equal aspect), so the digit came back stretched into the photo's box, its window markers
    sized for the old box. The kept background carries its places, and the markers follow the new limits."""
    explorer = conv_widgets.convolution_explorer(image="digit")
    first = explorer.png
    explorer.controls["image"].value = "photo"
    assert explorer.png != first
    explorer.controls["image"].value = "digit"
    assert explorer.png == first
