"""Chapter 02's explorers, headless: controls driven from Python (setting ``.value`` updates ``.state`` and the
image synchronously) against utils.layer_statistics and utils.playground, the explorers' static figures, and
error handling. (The computations are tested in test_layer_statistics.py and test_playground.py, the chapter's
other figures in test_figures.py.)"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tests.widget_helpers import (
    PNG_SIGNATURE,
    assert_each_image_is_a_full_redraw,
    assert_survives_a_failing_computation,
    set_controls,
)
from utils import init
from utils.layer_statistics import INIT_SCHEMES, init_statistics
from utils.playground import MAX_HIDDEN, MAX_WIDTH
from utils.widgets import forward_pass as forward_pass_widgets


@pytest.fixture(scope="module")
def explorer():
    return forward_pass_widgets.init_explorer()


@pytest.fixture(scope="module")
def playground():
    return forward_pass_widgets.network_playground()


# ---------------------------------------------------------------------------------------------
# The initialization explorer
# ---------------------------------------------------------------------------------------------
def test_init_explorer_builds_with_controls_state_and_an_image(explorer):
    assert set(explorer.controls) == {"scheme", "activation", "depth", "width"}
    assert dict(explorer.controls["scheme"].options) == {init.LABELS[s]: s for s in INIT_SCHEMES}
    assert explorer.controls["depth"].max == 10 and list(explorer.controls["width"].options) == list(
        forward_pass_widgets.WIDTHS
    )
    assert explorer.png.startswith(PNG_SIGNATURE) and len(explorer.png) > 5000
    assert explorer.state["error"] is None and explorer.image in explorer.children


@pytest.mark.parametrize("control, value", [("scheme", "kaiming_normal"), ("activation", "relu"), ("depth", 4),
                                            ("width", 64)])
def test_every_control_changes_the_state_and_the_image(explorer, control, value):
    set_controls(explorer, scheme="xavier_uniform", activation="tanh", depth=10, width=256)
    before_png, before_std = explorer.png, explorer.state["std"].copy()
    explorer.controls[control].value = value
    assert explorer.state[control] == value and explorer.state["error"] is None
    assert explorer.png != before_png
    after = explorer.state["std"]
    assert after.shape != before_std.shape or not np.allclose(after, before_std)
    np.testing.assert_allclose(after, init_statistics(**{k: explorer.state[k] for k in
                                                           ("scheme", "activation", "depth", "width")}).std)


def test_explorer_shows_vanishing_and_exploding(explorer):
    set_controls(explorer, scheme="small_normal", activation="tanh", depth=10, width=256)
    assert explorer.state["std"][-1] < 1e-6 and "vanishes" in explorer.state["verdict"]
    set_controls(explorer, scheme="normal", activation="relu")
    assert explorer.state["std"][-1] > 1e6 and "explodes" in explorer.state["verdict"]
    set_controls(explorer, scheme="kaiming_normal")
    assert 0.5 < explorer.state["std"][-1] < 2


def test_explorer_hides_the_panels_of_missing_layers():
    explorer = forward_pass_widgets.init_explorer(depth=3)
    assert explorer.state["std"].shape == (3,)
    fig = explorer.figure
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3 + 1  # three histograms and the std panel
    explorer.controls["depth"].value = 10
    explorer.controls["depth"].value = 2  # fewer layers again: the old panels' bars and titles must go too
    hidden = [ax for ax in fig.axes if not ax.get_visible()]
    assert len(hidden) == 8
    assert all(not artist.get_visible() for ax in hidden for artist in [*ax.patches, *ax.texts])


def test_init_explorer_start_arguments_and_errors():
    explorer = forward_pass_widgets.init_explorer("lecun_normal", "identity", 5, 32)
    assert (explorer.state["scheme"], explorer.state["activation"], explorer.state["depth"],
            explorer.state["width"]) == ("lecun_normal", "identity", 5, 32)
    with pytest.raises(ValueError, match="unknown scheme"):
        forward_pass_widgets.init_explorer("glorot")


def test_an_exception_never_breaks_the_explorer(monkeypatch):
    explorer = forward_pass_widgets.init_explorer(depth=4)
    assert_survives_a_failing_computation(monkeypatch, explorer, forward_pass_widgets, "init_statistics", "depth", 5, 6)
    assert explorer.state["depth"] == 6


@pytest.mark.parametrize("control, value", [("scheme", "xavier_normal"), ("activation", "relu")])
def test_blitted_explorer_image_equals_a_full_redraw(control, value):
    explorer = forward_pass_widgets.init_explorer()
    explorer.controls[control].value = value  # same depth and std decades: blitted
    blitted = explorer.png
    explorer._background_key = None
    explorer.update()
    assert explorer.png == blitted


def _count_full_draws(monkeypatch, explorer) -> list:
    calls = []
    draw = explorer._canvas.draw
    monkeypatch.setattr(explorer._canvas, "draw", lambda *a, **k: (calls.append(1), draw(*a, **k)))
    return calls


def test_changing_the_activation_only_redraws_what_changes(monkeypatch):
    """The histograms live in slot coordinates and their tick labels are animated: a new activation keeps the
    still background (no full draw), yet the tick labels follow its range."""
    explorer = forward_pass_widgets.init_explorer("xavier_uniform", "tanh")
    full_draws = _count_full_draws(monkeypatch, explorer)
    png = explorer.png
    explorer.controls["activation"].value = "relu"
    assert full_draws == [] and explorer.png != png
    bottom = explorer.figure.axes[9]  # layer 10, in the bottom row
    assert [t.get_text() for t in bottom.texts if t.get_visible()][-3:] == ["0", "2", "4"]
    explorer.controls["activation"].value = "tanh"  # its image kept: the artists follow once .figure is read
    bottom = explorer.figure.axes[9]
    assert [t.get_text() for t in bottom.texts if t.get_visible()][-3:] == ["−1", "0", "1"]
    assert full_draws == []


def test_the_title_and_subtitle_are_parts_kept_by_their_words(monkeypatch):
    """The title and the subtitle are drawn apart from the background (Explorer's parts): a new width changes the
    subtitle's words without a full draw, and each image equals a full redraw of the same state."""
    explorer = forward_pass_widgets.init_explorer("xavier_uniform", "tanh", depth=10, width=256)
    full_draws = _count_full_draws(monkeypatch, explorer)
    explorer.controls["width"].value = 128
    assert full_draws == [] and "× 128 units" in explorer.figure.texts[1].get_text()
    assert_each_image_is_a_full_redraw(explorer, [("depth", 4), ("width", 256), ("depth", 10), ("depth", 4),
                                                  ("scheme", "normal"), ("depth", 7), ("depth", 3), ("depth", 8)])


def test_from_six_layers_a_new_depth_draws_no_histogram_panel_again(monkeypatch):
    """In the two-row layout (6 to 10 layers) the panels stand in the same places: each is a part kept by its
    place, so a new depth puts them back (their notes too: a layer's statistics do not depend on the depth)."""
    explorer = forward_pass_widgets.init_explorer(depth=10)
    drawn = []
    for ax in explorer.figure.axes[:10]:
        monkeypatch.setattr(ax, "draw", lambda *a, draw=ax.draw: (drawn.append(1), draw(*a)))
    for depth in (7, 9, 6, 8):
        explorer.controls["depth"].value = depth
        assert sum(ax.get_visible() for ax in explorer.figure.axes[:10]) == depth
    assert drawn == []


def test_each_column_is_labelled_under_its_lowest_panel():
    explorer = forward_pass_widgets.init_explorer(depth=8)  # layers 6-8 below layers 1-3; 4 and 5 alone

    def labelled(ax):
        return any(t.get_visible() and t.get_text() for t in ax.texts[2:])  # name and notes first, then ticks

    assert [labelled(ax) for ax in explorer.figure.axes[:8]] == [False] * 3 + [True] * 5


def test_a_background_seen_before_is_reused(monkeypatch):
    explorer = forward_pass_widgets.init_explorer(depth=10)
    full_draws = _count_full_draws(monkeypatch, explorer)
    explorer.controls["depth"].value = 3  # new panels: drawn in full once
    assert len(full_draws) == 1
    explorer.controls["depth"].value = 10
    explorer.controls["depth"].value = 3
    assert len(full_draws) == 1


def test_after_drawing_ahead_each_menu_and_slider_step_shows_what_an_explorer_never_drawn_ahead_shows():
    """What the idle kernel does: the settings one change away computed (and their new backgrounds drawn); the image
    on screen unchanged, and each change then shows the same pixels as without drawing ahead."""
    ahead, plain = (forward_pass_widgets.init_explorer("kaiming_normal", "relu") for _ in range(2))
    png = ahead.png
    assert ahead.draw_ahead() >= 1 and ahead.png == png and ahead.draw_ahead() == 0
    for control, value in [("scheme", "zeros"), ("activation", "sigmoid"), ("width", 128), ("depth", 9)]:
        ahead.draw_ahead()
        ahead.controls[control].value = plain.controls[control].value = value
        assert ahead.png == plain.png, (control, value)


def test_up_to_five_layers_fill_the_band_in_one_row():
    """No empty band where a second row would be: up to five layers the histograms are one row of tall panels."""
    def boxes(depth):
        explorer = forward_pass_widgets.init_explorer(depth=depth)
        return [ax.get_position() for ax in explorer.figure.axes[:depth]]

    five, ten = boxes(5), boxes(10)
    assert len({round(b.y0, 6) for b in five}) == 1 and len({round(b.y0, 6) for b in ten}) == 2
    assert five[0].y1 == pytest.approx(ten[0].y1) and five[0].y0 == pytest.approx(ten[5].y0)  # the same band
    assert all(b.height > 2 * t.height for b, t in zip(five, ten))


def test_saturated_layers_are_ringed_in_the_explorer():
    explorer = forward_pass_widgets.init_explorer("normal", "tanh")
    std_ax = explorer.figure.axes[10]
    rings = next(line for line in std_ax.get_lines() if line.get_label().startswith("most units saturated"))
    assert len(rings.get_xdata()) == 10  # every layer of N(0, 1) with tanh is mostly at ±1
    explorer.controls["scheme"].value = "xavier_uniform"
    assert len(rings.get_xdata()) == 0


# ---------------------------------------------------------------------------------------------
# The playground
# ---------------------------------------------------------------------------------------------
def test_playground_builds_with_controls(playground):
    assert set(playground.controls) == {"depth", "width", "activation", "scale", "seed"}
    assert playground.controls["depth"].max == MAX_HIDDEN and playground.controls["width"].max == MAX_WIDTH
    scale = playground.controls["scale"]
    assert scale.base == 10 and scale.min == -1 and scale.max == 1
    assert playground.png.startswith(PNG_SIGNATURE) and playground.state["error"] is None


@pytest.mark.parametrize("control, value", [("depth", 4), ("width", 20), ("activation", "tanh"), ("scale", 3.0),
                                            ("seed", 5)])
def test_every_playground_control_changes_the_surface(playground, control, value):
    set_controls(playground, depth=2, width=8, activation="relu", scale=1.0, seed=0)
    before_png, before = playground.png, playground.state["output"].copy()
    playground.controls[control].value = value
    assert playground.state[control] == pytest.approx(value) and playground.state["error"] is None
    assert playground.png != before_png and not np.allclose(playground.state["output"], before)


def test_the_weight_scale_bends_a_tanh_boundary(playground):
    curvature = []
    for scale in (0.1, 1.0, 10.0):
        set_controls(playground, depth=3, width=16, activation="tanh", scale=scale, seed=0)
        out = playground.state["output"] / np.abs(playground.state["output"]).max()
        curvature.append(np.abs(np.diff(out, 2, axis=0)).mean() + np.abs(np.diff(out, 2, axis=1)).mean())
    assert curvature[0] < curvature[1] < curvature[2]


def test_playground_never_leaves_figures_in_pyplot():
    plt.close("all")
    widget = forward_pass_widgets.network_playground()
    widget.controls["depth"].value = 3
    forward_pass_widgets.init_explorer().controls["depth"].value = 2
    assert plt.get_fignums() == []


# ---------------------------------------------------------------------------------------------
# Static figures
# ---------------------------------------------------------------------------------------------
def test_draw_init_statistics_titles_and_panels():
    fig = forward_pass_widgets.draw_init_statistics("small_normal", "tanh", depth=6, width=64)
    title = fig.texts[0].get_text()
    assert "N(0, 0.01²)" in title and "vanishes" in title and "64 units" in fig.texts[1].get_text()
    assert sum(ax.get_visible() for ax in fig.axes) == 6 + 1
    first = fig.axes[0]
    assert first.texts[0].get_text() == "layer 1" and first.texts[1].get_text().startswith("std ")


def test_draw_playground_and_grid():
    ax = forward_pass_widgets.draw_playground(depth=1, width=4, activation="relu", seed=0)
    assert "2 → 4 → 1" in ax.get_title() and "sloped plane" in ax.get_title() and "flat" not in ax.get_title()
    assert ax.get_xlabel() == "input x₁"
    axes = forward_pass_widgets.draw_playground_grid(("identity", "relu"), (0, 2), width=4, title="notice")
    assert axes[0, 0].figure._suptitle.get_text().startswith("notice\nRandom networks 2 → 4 → … → 1")
    assert axes.shape == (2, 2) and axes[1, 1].get_title().startswith("2 hidden layers")
    assert "pieces" in axes[1, 1].get_title() and "pieces" not in axes[0, 1].get_title()
