"""Chapter 05's optimizer race, headless: every control changes the image with one redraw, the state mirrors the
controls and holds utils.trajectories' runs, a diverging run is shown (not a crash); and the static trajectory
figures (utils.figures.trajectories) draw what the runs say."""

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
from utils import trajectories
from utils.figures import trajectories as trajectory_figures
from utils.surfaces import SURFACES
from utils.trajectories import RACE_OPTIMIZERS, RACE_SETTINGS, race
from utils.widgets import optimizers as race_widgets

SLIDERS = ("lr", "adaptive_lr", "momentum", "beta1", "beta2", "steps")


@pytest.fixture(scope="module")
def explorer():
    return race_widgets.optimizer_race_explorer("quadratic")


def test_controls_and_default_state(explorer):
    assert set(explorer.controls) == {"surface", *SLIDERS, *(f"show_{k}" for k in RACE_OPTIMIZERS)}
    set_controls(explorer, surface="rosenbrock")
    set_controls(explorer, surface="quadratic")  # back: the sliders take the surface's settings
    defaults = RACE_SETTINGS["quadratic"]
    # the log sliders put a value on their steps (as the browser does): within half a step, 10^0.01, of the setting
    assert explorer.state["settings"] == {k: pytest.approx(getattr(defaults, k), rel=0.012) for k in SLIDERS}
    assert explorer.state["optimizers"] == tuple(RACE_OPTIMIZERS) and explorer.state["error"] is None
    assert explorer.png.startswith(PNG_SIGNATURE)
    assert explorer.controls["lr"].base == 10 and explorer.controls["adaptive_lr"].base == 10  # log scales


def test_state_holds_the_race_runs(explorer):
    set_controls(explorer, surface="double_well")
    expected = race("double_well", list(RACE_OPTIMIZERS), **explorer.state["settings"])
    assert list(explorer.state["runs"]) == list(RACE_OPTIMIZERS)
    for name, run in expected.items():
        np.testing.assert_array_equal(explorer.state["runs"][name].points, run.points)


CHANGES = [("lr", 0.02), ("adaptive_lr", 0.05), ("momentum", 0.5), ("beta1", 0.5), ("beta2", 0.95), ("steps", 150),
           ("show_adam", False), ("show_sgd", False), ("surface", "rotated_quadratic")]


def test_every_control_changes_the_image_with_one_redraw(explorer):
    set_controls(explorer, surface="rosenbrock")
    set_controls(explorer, surface="double_well", **{f"show_{k}": True for k in RACE_OPTIMIZERS})
    for control, value in CHANGES:
        png, n = explorer.png, explorer.n_updates
        explorer.controls[control].value = value
        assert explorer.n_updates == n + 1 and explorer.png != png and explorer.state["error"] is None, control
        if control == "surface":
            assert explorer.state["surface"] == value
        elif control.startswith("show_"):
            assert control[5:] not in explorer.state["optimizers"] and control[5:] not in explorer.state["runs"]
        else:
            assert explorer.state["settings"][control] == pytest.approx(value, rel=0.012 if "lr" in control else 1e-9)
    set_controls(explorer, show_adam=True, show_sgd=True)


def test_the_browsers_value_on_a_log_sliders_steps_names_the_same_state():
    """The browser puts a log slider's value on its steps and sends it back (its pow may differ from Python's in the
    last bit): the explorer computes with the value on the steps already, so the echo is the same state, shown as
    kept, nothing drawn."""
    explorer = race_widgets.optimizer_race_explorer("rosenbrock")
    explorer.controls["surface"].value = "saddle"  # lr 0.02: on the slider's steps, 10^−1.7
    settings, renders, render = explorer.state["settings"], [], explorer._render
    explorer._render = lambda *args: (renders.append(1), render(*args))[1]
    explorer.controls["lr"].value = 0.01995262314968879  # what the browser sends back (JavaScript's 10^−1.7)
    assert explorer.state["settings"] == settings and renders == []


def test_a_setting_reaches_only_the_optimizers_that_use_it(explorer):
    set_controls(explorer, surface="rosenbrock")
    before = dict(explorer.state["runs"])
    set_controls(explorer, beta2=0.99)
    after = explorer.state["runs"]
    changed = {k for k in before if not np.array_equal(before[k].points, after[k].points)}
    assert changed == {"adam", "adamw"}


def test_every_slider_end_draws_without_an_error(explorer):
    # momentum 0 (the slider's left end) once broke the Nesterov run: "Cannot draw this"
    set_controls(explorer, surface="rosenbrock", **{f"show_{k}": True for k in RACE_OPTIMIZERS})
    for name in SLIDERS:
        control = explorer.controls[name]
        start = control.value
        for end in ("min", "max"):
            value = control.base ** getattr(control, end) if hasattr(control, "base") else getattr(control, end)
            control.value = value
            assert explorer.state["error"] is None, (name, end, explorer.state["error"])
        control.value = start
    set_controls(explorer, surface="quadratic")


def test_a_diverging_run_is_shown_not_a_crash(explorer):
    set_controls(explorer, surface="rosenbrock")
    set_controls(explorer, surface="quadratic")
    set_controls(explorer, lr=0.21, steps=200)  # > 2/L = 0.2: SGD's y grows by 1.1 per step
    assert explorer.state["error"] is None and "sgd" in explorer.state["diverged"]
    k = explorer.state["diverged"]["sgd"]
    assert explorer.state["runs"]["sgd"].status == f"diverged at step {k}"
    texts = [t.get_text() for t in explorer.figure.legends[0].get_texts()]
    assert f"SGD\n(diverged at step {k})" in texts
    set_controls(explorer, lr=1.0, adaptive_lr=1.0, steps=500)  # everything at the top of its range: still drawn
    assert explorer.state["error"] is None and explorer.png.startswith(PNG_SIGNATURE)


def test_choosing_a_surface_resets_the_sliders_with_one_redraw(explorer):
    set_controls(explorer, surface="quadratic", lr=0.003, steps=40)
    n = explorer.n_updates
    explorer.controls["surface"].value = "rosenbrock"
    assert explorer.n_updates == n + 1
    assert explorer.controls["lr"].value == pytest.approx(RACE_SETTINGS["rosenbrock"].lr, rel=1e-9)
    assert explorer.state["settings"]["steps"] == RACE_SETTINGS["rosenbrock"].steps


def test_no_optimizer_chosen_shows_the_surface_alone(explorer):
    set_controls(explorer, **{f"show_{k}": False for k in RACE_OPTIMIZERS})
    assert explorer.state["error"] is None and explorer.state["runs"] == {} and explorer.state["optimizers"] == ()
    set_controls(explorer, **{f"show_{k}": True for k in RACE_OPTIMIZERS})


def test_survives_a_failing_computation(monkeypatch, explorer):
    assert_survives_a_failing_computation(monkeypatch, explorer, race_widgets, "race", "steps", 30, 40)


def test_blitted_image_equals_a_full_redraw(explorer):
    explorer.controls["beta1"].value = 0.8
    explorer.controls["beta1"].value = 0.7  # nothing but the paths changes: blitted
    blitted = explorer.png
    explorer._background_key = None
    explorer.update()
    assert explorer.png == blitted


def test_after_drawing_ahead_each_checkbox_and_surface_shows_what_a_new_explorer_draws():
    """Drawn ahead (what the idle kernel does): each checkbox flipped, the other surfaces, each image whole;
    visiting them then renders nothing, and each image is the one an explorer never drawn ahead shows (a surface's
    image also the one of an explorer made on that surface)."""
    ahead, plain = (race_widgets.optimizer_race_explorer("rosenbrock") for _ in range(2))
    png = ahead.png
    # and a step either way of the steps and of the five other sliders
    assert ahead.draw_ahead() == len(RACE_OPTIMIZERS) + len(RACE_SETTINGS) - 1 + 2 * 6 and ahead.png == png
    renders, render = [], ahead._render
    ahead._render = lambda *args: (renders.append(1), render(*args))[1]
    lr, step = ahead.controls["lr"].value, ahead.controls["lr"].step
    changes = [("show_sgd", False), ("show_sgd", True), ("show_adamw", False), ("show_adamw", True), ("steps", 310),
               ("steps", 300), ("steps", 290), ("steps", 300), ("lr", 10 ** (np.log10(lr) + step)), ("lr", lr),
               ("momentum", 0.91), ("momentum", 0.9),
               *(("surface", name) for name in ["saddle", "double_well", "quadratic", "rotated_quadratic",
                                                "rosenbrock"])]
    for control, value in changes:
        ahead.controls[control].value = plain.controls[control].value = value
        assert ahead.png == plain.png, (control, value)
        if control == "surface":
            assert ahead.png == race_widgets.optimizer_race_explorer(value).png, value
    assert renders == []


def test_a_new_number_of_steps_redraws_only_the_title_and_the_loss_panel(monkeypatch):
    """The title and the loss panel are parts (Explorer's): the contours and the legend stay; a number of steps
    seen before puts back the kept pixels; each image equals a full redraw of the same state."""
    explorer = race_widgets.optimizer_race_explorer("rosenbrock")
    full_draws = []
    draw = explorer._canvas.draw
    monkeypatch.setattr(explorer._canvas, "draw", lambda *a, **k: (full_draws.append(1), draw(*a, **k)))
    images = {}
    for steps in (100, 400, 100, 400):
        explorer.controls["steps"].value = steps
        assert "100 steps" in explorer.state["title"] if steps == 100 else "400 steps" in explorer.state["title"]
        images.setdefault(steps, explorer.png)
        assert explorer.png == images[steps]
    assert full_draws == []
    for surface in RACE_SETTINGS:
        set_controls(explorer, surface=surface)
        assert_each_image_is_a_full_redraw(explorer, [("steps", 50), ("steps", 300), ("steps", 50)])


def test_explorers_never_leave_figures_in_pyplot(explorer):
    plt.close("all")
    explorer.controls["lr"].value = 0.03
    assert plt.get_fignums() == []


def test_start_arguments_are_checked():
    e = race_widgets.optimizer_race_explorer("saddle", ["adam", "sgd"])
    assert e.state["optimizers"] == ("sgd", "adam") and e.state["surface"] == "saddle"
    with pytest.raises(ValueError, match="unknown surface 'parabola'"):
        race_widgets.optimizer_race_explorer("parabola")
    with pytest.raises(ValueError, match="unknown optimizer 'lion'"):
        race_widgets.optimizer_race_explorer("saddle", ["lion"])


# ---------------------------------------------------------------------------------------------
# Static figures
# ---------------------------------------------------------------------------------------------
def _labelled(ax):
    return {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}


def test_draw_optimizer_race_draws_every_run_on_both_panels():
    fig = race_widgets.draw_optimizer_race("rosenbrock", ["sgd", "adam"], steps=50)
    paths, losses = fig.axes
    runs = race("rosenbrock", ["sgd", "adam"], steps=50)
    for run in runs.values():
        np.testing.assert_array_equal(_labelled(paths)[run.label].get_xydata(), run.points)
        np.testing.assert_array_equal(_labelled(losses)[run.label].get_ydata(), run.losses)  # f* = 0
    assert losses.get_yscale() == "log" and losses.get_xlim() == (0, 50) and paths.get_xlabel() == "x"
    assert "Rosenbrock" in paths.get_title() and SURFACES["rosenbrock"].notice in paths.get_title()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["SGD", "Adam", "start", "minimum"]


def test_draw_trajectories_marks_start_minima_and_uses_the_optimizers_colours():
    runs = race("double_well", ["sgd", "momentum"])
    ax = trajectory_figures.draw_trajectories("double_well", runs)
    lines = _labelled(ax)
    assert lines["start"].get_xydata().tolist() == [list(SURFACES["double_well"].start)]
    np.testing.assert_array_equal(lines["minima"].get_xydata(), SURFACES["double_well"].minima)
    assert lines["Momentum"].get_color() == trajectory_figures.PATH_STYLES["Momentum"]["color"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["SGD", "Momentum", "start", "minima"]
    x0, x1, y0, y1 = SURFACES["double_well"].window
    width, height = ax.get_position().size * ax.figure.get_size_inches()
    assert height / width == pytest.approx((y1 - y0) / (x1 - x0), rel=1e-6)  # equal scales on x and y


def test_rosenbrock_contours_are_log_spaced():
    ax = trajectory_figures.draw_trajectories("rosenbrock", [])
    levels = ax.collections[-1].levels if hasattr(ax.collections[-1], "levels") else None
    assert levels is not None and len(levels) > 10
    ratios = np.diff(np.log(levels))
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)


def test_draw_loss_vs_step_log_scale_and_a_surface_without_minimum():
    runs = race("saddle", ["sgd"])
    ax = trajectory_figures.draw_loss_vs_step(runs, "saddle")
    assert ax.get_yscale() == "linear" and "no minimum" in ax.get_ylabel()
    ax = trajectory_figures.draw_loss_vs_step(race("double_well", ["sgd"]), "double_well")
    assert ax.get_yscale() == "log" and "f* = −0.25" in ax.get_ylabel()
    np.testing.assert_allclose(_labelled(ax)["SGD"].get_ydata(), race("double_well", ["sgd"])["sgd"].losses + 0.25)


def test_draw_lr_regimes_1d_names_each_regime():
    axes = trajectory_figures.draw_lr_regimes_1d("parabola", (0.05, 0.3, 0.9, 1.05), steps=20)
    titles = [ax.get_title() for ax in axes]
    assert titles == ["lr = 0.05: too slow", "lr = 0.3: converges", "lr = 0.9: oscillates", "lr = 1.05: diverges"]
    assert "lr < 2/f″ = 1" in axes[0].figure._suptitle.get_text()


def test_lr_regime_reads_the_run():
    f = SURFACES["parabola"]
    assert trajectory_figures.lr_regime(trajectories.gradient_descent_1d(f.gradient, 2.0, 1.5, 100), 0.0) == "diverges"


def test_figures_reject_what_is_not_a_run():
    with pytest.raises(TypeError, match="runs must be Trajectory objects"):
        trajectory_figures.draw_trajectories("saddle", [np.zeros((3, 2))])
    with pytest.raises(TypeError, match="surface must be a 1-D surface"):
        trajectory_figures.draw_lr_regimes_1d("rosenbrock")
