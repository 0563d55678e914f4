"""Chapter 02's explorers, headless: controls driven from Python (setting ``.value`` updates ``.state`` and the
image synchronously) against utils.layer_statistics and utils.playground, the explorers' static figures, and
error handling. (The computations are tested in test_layer_statistics.py and test_playground.py, the chapter's
other figures in test_figures.py.)"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tests.widget_helpers import PNG_SIGNATURE, assert_survives_a_failing_computation, set_controls
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
    assert all(not artist.get_visible() for ax in hidden for artist in [*ax.patches, ax.title])


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


def test_blitted_explorer_image_equals_a_full_redraw():
    explorer = forward_pass_widgets.init_explorer()
    explorer.controls["scheme"].value = "xavier_normal"  # same activation, depth and std decades: blitted
    blitted = explorer.png
    explorer._background_key = None
    explorer.update()
    assert explorer.png == blitted


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
    assert "N(0, 0.01²)" in fig._suptitle.get_text() and "vanishes" in fig._suptitle.get_text()
    assert sum(ax.get_visible() for ax in fig.axes) == 6 + 1
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert titles[0].startswith("layer 1: std")


def test_draw_playground_and_grid():
    ax = forward_pass_widgets.draw_playground(depth=1, width=4, activation="relu", seed=0)
    assert "2 → 4 → 1" in ax.get_title() and "flat pieces" in ax.get_title()
    assert ax.get_xlabel() == "input x₁"
    axes = forward_pass_widgets.draw_playground_grid(("identity", "relu"), (0, 2), width=4, title="notice")
    assert axes[0, 0].figure._suptitle.get_text().startswith("notice\nRandom networks 2 → 4 → … → 1")
    assert axes.shape == (2, 2) and axes[1, 1].get_title().startswith("2 hidden layers")
    assert "pieces" in axes[1, 1].get_title() and "pieces" not in axes[0, 1].get_title()
