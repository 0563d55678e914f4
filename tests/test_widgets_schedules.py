"""Chapter 05's schedule explorer, headless: the curves it shows against PyTorch's schedulers and the closed forms,
the controls driven from Python (each one changes the image with one redraw; only a schedule's own controls are
shown), a failing computation, and the static figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as torch_schedulers

from tests.widget_helpers import (
    PNG_SIGNATURE,
    assert_each_image_is_a_full_redraw,
    assert_survives_a_failing_computation,
    set_controls,
)
from utils import schedulers
from utils.widgets import schedules as schedule_widgets

pytestmark = pytest.mark.filterwarnings(  # PyTorch's order warning (its optimizer never steps here)
    "ignore:Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`:UserWarning")


@pytest.fixture(scope="module")
def explorer():
    return schedule_widgets.schedule_explorer()


def torch_trace(make, steps: int, optimizer: str = "sgd") -> tuple[np.ndarray, np.ndarray]:
    p = [torch.zeros(1, dtype=torch.float64, requires_grad=True)]
    opt = torch.optim.SGD(p, lr=0.1, momentum=0.9) if optimizer == "sgd" else torch.optim.Adam(p, lr=0.1)
    scheduler = make(opt)
    lrs, momenta = [], []
    for _ in range(steps):
        group = opt.param_groups[0]
        lrs.append(group["lr"])
        momenta.append(group["betas"][0] if optimizer == "adam" else group["momentum"])
        scheduler.step()
    return np.array(lrs), np.array(momenta)


# ---------------------------------------------------------------------------------------------
# The data the figure shows
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("anneal", ["cos", "linear"])
def test_one_cycle_curves_are_torchs(optimizer, anneal):
    state = schedule_widgets.schedule_curves("one_cycle", steps=120, optimizer=optimizer, anneal_strategy=anneal,
                                             pct_start=0.25, div_factor=10.0, final_div_factor=100.0,
                                             momentum_range=(0.8, 0.97))
    lrs, momenta = torch_trace(lambda o: torch_schedulers.OneCycleLR(
        o, max_lr=0.1, total_steps=120, pct_start=0.25, anneal_strategy=anneal, div_factor=10.0,
        final_div_factor=100.0, base_momentum=0.8, max_momentum=0.97), 120, optimizer)
    np.testing.assert_allclose(state["lrs"], lrs, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(state["momenta"], momenta, rtol=1e-12)
    np.testing.assert_array_equal(state["t"], np.arange(120))
    assert state["momenta"].min() == pytest.approx(0.8, abs=2e-3) and state["momenta"][0] == 0.97
    assert state["params"] == {"pct_start": 0.25, "anneal_strategy": anneal, "div_factor": 10.0,
                               "final_div_factor": 100.0, "momentum_range": (0.8, 0.97)}
    assert state["boundary"] == pytest.approx(0.25 * 120 - 1)


def test_warmup_cosine_curve_is_the_closed_form():
    state = schedule_widgets.schedule_curves("warmup_cosine", steps=150, warmup_steps=12, start_factor=0.05,
                                             eta_min=0.1)
    expected = schedulers.warmup_cosine_lr(np.arange(150), 0.1, 12, 150, eta_min=0.01, start_factor=0.05)
    np.testing.assert_allclose(state["lrs"], expected, rtol=1e-12)
    np.testing.assert_array_equal(state["momenta"], 0.9)  # SGD's momentum, untouched
    assert state["boundary"] == 12


@pytest.mark.parametrize("schedule, params, closed_form", [
    ("constant", {}, lambda t: np.full(t.shape, 0.1)),
    ("step", {"step_size": 25, "step_gamma": 0.3}, lambda t: 0.1 * 0.3 ** (t // 25)),
    ("exponential", {"exp_gamma": 0.95}, lambda t: 0.1 * 0.95 ** t),
    ("cosine", {"T_max": 60, "eta_min": 0.2}, lambda t: 0.02 + 0.08 * (1 + np.cos(np.pi * t / 60)) / 2),
    ("warmup", {"warmup_steps": 30, "start_factor": 0.2}, lambda t: 0.1 * (0.2 + 0.8 * np.minimum(t, 30) / 30)),
])
def test_chainable_curves_are_the_closed_forms(schedule, params, closed_form):
    state = schedule_widgets.schedule_curves(schedule, steps=100, **params)
    t = np.arange(100)
    np.testing.assert_allclose(state["lrs"], closed_form(t), rtol=1e-12)
    assert state["params"] == params and state["label"] == schedule_widgets.LABELS[schedule]


def test_schedule_curves_rejects_bad_arguments():
    with pytest.raises(ValueError, match="unknown schedule 'cosine_restarts'; choose one of constant, step"):
        schedule_widgets.schedule_curves("cosine_restarts")
    with pytest.raises(ValueError, match=r"unknown schedule parameter\(s\) \['gamma'\]"):
        schedule_widgets.schedule_curves("step", gamma=0.5)
    with pytest.raises(ValueError, match=r"the warm-up \(100 steps\) must be shorter than the run \(100 steps\)"):
        schedule_widgets.schedule_curves("warmup_cosine", steps=100, warmup_steps=100)
    with pytest.raises(ValueError, match="steps must be at least 2"):
        schedule_widgets.schedule_curves("step", steps=1)


# ---------------------------------------------------------------------------------------------
# The widget
# ---------------------------------------------------------------------------------------------
def visible(explorer) -> set[str]:
    return {name for name, control in explorer.controls.items() if control.layout.display != "none"}


def test_controls_and_default_state(explorer):
    assert set(explorer.controls) == {"schedule", "steps", "optimizer", *schedule_widgets.DEFAULTS}
    assert explorer.png.startswith(PNG_SIGNATURE)
    assert explorer.state["schedule"] == "one_cycle" and explorer.state["steps"] == 100
    assert explorer.state["error"] is None


@pytest.mark.parametrize("schedule", list(schedule_widgets.LABELS))
def test_only_the_schedules_own_controls_are_shown(explorer, schedule):
    set_controls(explorer, schedule=schedule)
    expected = {"schedule", "steps", *schedule_widgets.PARAMETERS_OF[schedule]}
    assert visible(explorer) == expected | ({"optimizer"} if schedule == "one_cycle" else set())
    assert set(explorer.state["params"]) == set(schedule_widgets.PARAMETERS_OF[schedule])


NEW_VALUES = {
    "steps": 230, "step_size": 7, "step_gamma": 0.25, "exp_gamma": 0.95, "T_max": 40, "eta_min": 0.3,
    "warmup_steps": 33, "start_factor": 0.5, "pct_start": 0.6, "anneal_strategy": "linear", "div_factor": 5.0,
    "final_div_factor": 10.0, "momentum_range": (0.7, 0.9), "optimizer": "adam",
}


@pytest.mark.parametrize("schedule", list(schedule_widgets.LABELS))
def test_every_control_of_a_schedule_changes_the_image_with_one_redraw(schedule):
    explorer = schedule_widgets.schedule_explorer(schedule)
    for name in ["steps", *schedule_widgets.PARAMETERS_OF[schedule], *(["optimizer"] * (schedule == "one_cycle"))]:
        before, n, curves = explorer.png, explorer.n_updates, (explorer.state["lrs"], explorer.state["momenta"])
        explorer.controls[name].value = NEW_VALUES[name]
        assert explorer.n_updates == n + 1 and explorer.state["error"] is None, name
        assert explorer.png != before, name
        got = explorer.state["steps"] if name == "steps" else (explorer.state["optimizer"] if name == "optimizer"
                                                              else explorer.state["params"][name])
        assert got == pytest.approx(NEW_VALUES[name]), name
        if name != "optimizer":  # the lr curve (the momentum curve for the momentum range) changed
            now = (explorer.state["lrs"], explorer.state["momenta"])
            assert any(a.shape != b.shape or not np.array_equal(a, b) for a, b in zip(curves, now)), name


def test_changing_the_schedule_redraws_once_and_changes_the_image(explorer):
    set_controls(explorer, schedule="one_cycle")
    for schedule in ["step", "exponential", "cosine", "warmup", "warmup_cosine", "constant", "one_cycle"]:
        before, n = explorer.png, explorer.n_updates
        explorer.controls["schedule"].value = schedule
        assert explorer.n_updates == n + 1 and explorer.png != before and explorer.state["schedule"] == schedule


def test_the_warmup_slider_ends_before_the_run():
    explorer = schedule_widgets.schedule_explorer("warmup_cosine", steps=100, warmup_steps=80)
    n = explorer.n_updates
    explorer.controls["steps"].value = 50  # the warm-up slider's max follows: 49, its value clipped to it
    assert explorer.n_updates == n + 1 and explorer.state["error"] is None
    assert explorer.controls["warmup_steps"].max == 49 and explorer.state["params"]["warmup_steps"] == 49
    assert explorer.state["lrs"].shape == (50,) and explorer.state["lrs"][49] == pytest.approx(0.1)


def test_momentum_panel_shows_one_cycle_cycling_and_a_constant_otherwise(explorer):
    set_controls(explorer, schedule="one_cycle", optimizer="sgd")
    m = explorer.state["momenta"]
    assert m[0] == pytest.approx(0.95) and m.min() < 0.86 and explorer.state["momentum_name"] == "SGD's momentum"
    set_controls(explorer, optimizer="adam")
    assert explorer.state["momentum_name"] == "Adam's β1"
    set_controls(explorer, schedule="step")
    np.testing.assert_array_equal(explorer.state["momenta"], 0.9)


def test_a_failing_computation_never_breaks_the_widget(monkeypatch):
    explorer = schedule_widgets.schedule_explorer()
    assert_survives_a_failing_computation(monkeypatch, explorer, schedule_widgets, "schedule_curves", "pct_start",
                                          0.4, 0.5)
    assert explorer.state["params"]["pct_start"] == 0.5


def test_explorer_start_arguments():
    explorer = schedule_widgets.schedule_explorer("step", steps=150, lr=0.5, step_size=10, step_gamma=0.8)
    state = explorer.state
    assert (state["schedule"], state["steps"], state["lr"], state["params"]) == ("step", 150, 0.5,
                                                                                 {"step_size": 10, "step_gamma": 0.8})
    assert state["lrs"][0] == 0.5
    with pytest.raises(ValueError, match="unknown schedule"):
        schedule_widgets.schedule_explorer("nope")
    with pytest.raises(ValueError, match=r"unknown schedule parameter\(s\) \['T'\]"):
        schedule_widgets.schedule_explorer("cosine", T=10)


def test_the_title_is_kept_line_by_line_and_each_image_is_a_full_redraw(monkeypatch):
    """The title is an Explorer part drawn line by line: a new number of steps draws its first line (it names a
    step) and puts its second line back; each image equals a full redraw of the same state."""
    from matplotlib.text import Text

    explorer = schedule_widgets.schedule_explorer()
    drawn = []
    text_draw = Text.draw
    monkeypatch.setattr(Text, "draw", lambda self, *a: (drawn.append(self.get_text()), text_draw(self, *a)))
    explorer.controls["steps"].value = 150
    first, second = explorer.state["title"].split("\n")
    assert first in drawn and second not in drawn
    monkeypatch.undo()
    assert_each_image_is_a_full_redraw(explorer, [("steps", 60), ("schedule", "cosine"), ("steps", 150),
                                                  ("schedule", "one_cycle"), ("steps", 60)])


def test_blitted_image_equals_a_full_redraw():
    explorer = schedule_widgets.schedule_explorer()
    explorer.controls["pct_start"].value = 0.5  # same steps, lr and optimizer: blitted
    blitted = explorer.png
    explorer._background_key = None
    explorer.update()
    assert explorer.png == blitted


def test_the_explorer_never_leaves_figures_in_pyplot():
    plt.close("all")
    explorer = schedule_widgets.schedule_explorer()
    for value in (0.4, 0.5):
        explorer.controls["pct_start"].value = value
    explorer.controls["schedule"].value = "cosine"
    assert plt.get_fignums() == []


# ---------------------------------------------------------------------------------------------
# The static figure
# ---------------------------------------------------------------------------------------------
def test_draw_schedule_explorer_draws_the_state_with_labels():
    ax_lr, ax_m = schedule_widgets.draw_schedule_explorer()
    state = schedule_widgets.schedule_curves()
    curve = ax_lr.get_lines()[0]
    np.testing.assert_array_equal(np.asarray(curve.get_ydata())[:-1], state["lrs"])
    np.testing.assert_array_equal(np.asarray(ax_m.get_lines()[0].get_ydata())[:-1], state["momenta"])
    assert ax_lr.get_ylabel() == "learning rate η_t" and ax_m.get_ylabel() == "momentum"
    assert ax_m.get_xlabel() == "step t (one optimizer step each)"
    assert ax_lr.get_title() == state["title"] and "opposite way" in state["title"]
    assert ax_lr.get_xlim() == (0.0, 100.0) and ax_lr.get_ylim()[1] > 0.1
    with pytest.raises(ValueError, match="pair of Axes"):
        schedule_widgets.draw_schedule_explorer(ax=ax_lr)


@pytest.mark.parametrize("schedule, params", [
    ("constant", {}), ("step", {"step_size": 1, "step_gamma": 0.05}), ("exponential", {"exp_gamma": 0.999}),
    ("cosine", {"T_max": 5}), ("warmup", {"warmup_steps": 399}), ("warmup_cosine", {"warmup_steps": 399}),
    ("one_cycle", {"optimizer": "adam", "div_factor": 1000.0, "final_div_factor": 1e5}),
])
def test_titles_and_labels_fit_in_the_figure(schedule, params):
    ax_lr, ax_m = schedule_widgets.draw_schedule_explorer(schedule, steps=400, **params)
    fig = ax_lr.figure
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    frame = fig.bbox
    for artist in [ax_lr.title, ax_lr.yaxis.label, ax_m.yaxis.label, ax_m.xaxis.label, *ax_m.texts]:
        box = artist.get_window_extent(renderer)
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, artist


def test_after_drawing_ahead_each_control_shown_shows_what_an_explorer_never_drawn_ahead_shows():
    """Drawn ahead (the idle kernel): the next schedule, a step of the steps and of each parameter shown, the toggles;
    each image whole. Visiting them renders nothing, and each image is the one an explorer that draws it shows."""
    ahead, plain = schedule_widgets.schedule_explorer(), schedule_widgets.schedule_explorer()
    png = ahead.png
    assert ahead.draw_ahead() >= 5 and ahead.png == png and ahead.draw_ahead() == 0
    renders, render = [], ahead._render
    ahead._render = lambda *args: (renders.append(1), render(*args))[1]
    start = {name: ahead.controls[name].value for name in ("steps", "pct_start", "optimizer", "schedule")}
    step = ahead.controls["steps"].step
    for control, value in [("steps", start["steps"] + step), ("steps", start["steps"]),
                           ("pct_start", round(start["pct_start"] + ahead.controls["pct_start"].step, 10)),
                           ("pct_start", start["pct_start"]), ("optimizer", "adam"), ("optimizer", start["optimizer"]),
                           ("schedule", "constant")]:
        ahead.controls[control].value = plain.controls[control].value = value
        assert ahead.png == plain.png, (control, value)
    assert renders == []


def test_div_factor_takes_exact_values_and_a_start_between_two_goes_to_the_nearest():
    explorer = schedule_widgets.schedule_explorer("one_cycle")
    assert explorer.controls["div_factor"].value == 25.0 and explorer.state["params"]["div_factor"] == 25.0
    assert schedule_widgets.schedule_explorer("one_cycle", div_factor=30.0).controls["div_factor"].value == 25.0
    assert schedule_widgets.schedule_explorer("one_cycle", div_factor=1e6).controls["div_factor"].value == 1000.0
