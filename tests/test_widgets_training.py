"""The training dashboard of utils.widgets.training, headless: "Train" trains once and draws each epoch, slider
moves train nothing, the state mirrors the controls of the last run, a failing run is shown, not raised."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tests.widget_helpers import PNG_SIGNATURE, assert_each_image_is_a_full_redraw, set_controls
from utils.widgets import training as training_widgets


@pytest.fixture()
def dashboard():
    return training_widgets.training_dashboard(hidden=(32,), lr=1e-2, epochs=2, progress=False)


def test_the_dashboard_starts_untrained_with_its_controls(dashboard):
    assert set(dashboard.controls) == {"hidden", "lr", "epochs"}
    assert dashboard.controls["hidden"].value == (32,) and dict(dashboard.controls["hidden"].options)[
        "784 → 128 → 64 → 10"] == (128, 64)
    assert (dashboard.controls["epochs"].min, dashboard.controls["epochs"].max) == training_widgets.EPOCH_LIMITS
    assert dashboard.state["log"] is None and dashboard.state["error"] is None and dashboard.n_runs == 0
    assert dashboard.png.startswith(PNG_SIGNATURE) and dashboard.train_button in dashboard.children[0].children[1] \
        .children[1].children


def test_a_train_click_trains_once_and_draws_each_epoch(dashboard):
    before, png = dashboard.n_updates, dashboard.png
    dashboard.train_button.click()
    assert dashboard.n_runs == 1 and dashboard.n_updates == before + 2  # one image per epoch
    log = dashboard.state["log"]
    assert log.epochs_run == 2 and log.val_metric.shape == (2,) and log.train_loss[1] < log.train_loss[0]
    assert 0.5 < dashboard.state["test_accuracy"] <= 1.0 and dashboard.state["error"] is None
    assert dashboard.png != png


def test_slider_moves_do_not_train(dashboard):
    dashboard.train()
    n, runs, log = dashboard.n_updates, dashboard.n_runs, dashboard.state["log"]
    set_controls(dashboard, epochs=3, lr=1e-3)
    dashboard.controls["hidden"].value = (64, 32)
    assert (dashboard.n_updates, dashboard.n_runs) == (n, runs) and dashboard.state["log"] is log
    assert "press <b>Train</b>" in dashboard._note.value
    dashboard.controls["hidden"].value, dashboard.controls["epochs"].value = (32,), 2
    dashboard.controls["lr"].value = 1e-2
    assert dashboard._note.value == ""  # back to the settings trained with


def test_before_any_run_a_slider_redraws_the_empty_axes_without_training(dashboard):
    n, png = dashboard.n_updates, dashboard.png
    set_controls(dashboard, epochs=4, lr=3e-3)
    assert dashboard.n_runs == 0 and dashboard.state["log"] is None
    assert dashboard.n_updates == n + 2 and dashboard.png != png  # one redraw per move, a new image
    assert (dashboard.state["epochs"], dashboard.state["lr"]) == (4, 3e-3)


def test_the_title_is_a_part_kept_while_only_the_epochs_change(dashboard, monkeypatch):
    """Before any run, a new number of epochs redraws the axes but not the title (an Explorer part kept by its
    words, which do not name the epochs); each image equals a full redraw of the same state."""
    title = dashboard.figure.texts[0]
    drawn = []
    monkeypatch.setattr(title, "draw", lambda *a, draw=title.draw: (drawn.append(1), draw(*a)))
    dashboard.controls["epochs"].value = 5
    assert drawn == [] and "not trained yet" in title.get_text()
    assert_each_image_is_a_full_redraw(dashboard, [("epochs", 3), ("lr", 3e-3), ("epochs", 5)])


def test_the_state_mirrors_the_controls_after_a_run(dashboard):
    set_controls(dashboard, hidden=(64, 32), epochs=1, lr=3e-3)
    dashboard.train()
    state = dashboard.state
    assert (state["hidden"], state["epochs"]) == ((64, 32), 1)
    assert state["lr"] == pytest.approx(dashboard.controls["lr"].value) and state["log"].epochs_run == 1


def test_a_failing_run_is_shown_not_raised(dashboard, monkeypatch):
    dashboard.train()
    good_png, n = dashboard.png, dashboard.n_updates

    def broken(*args, **kwargs):
        raise RuntimeError("boom")
        yield

    monkeypatch.setattr(training_widgets, "mnist_training_epochs", broken)
    dashboard.train_button.click()  # no exception escapes the button
    assert dashboard.state["error"] == "RuntimeError: boom" and dashboard.png == good_png and dashboard.n_updates == n
    assert "Cannot draw this: boom" in dashboard.status.value
    monkeypatch.undo()
    dashboard.train()
    assert dashboard.state["error"] is None and dashboard.n_updates == n + 2


def test_draw_training_dashboard_and_bad_settings():
    plt.close("all")
    log = training_widgets.draw_training_dashboard(hidden=(32,), lr=1e-2, epochs=2)
    assert log.epochs_run == 2
    fig = plt.gcf()
    ax_loss, ax_accuracy = fig.axes
    lines = [line for line in ax_loss.get_lines() if line.get_label() == "validation"]
    np.testing.assert_array_equal(lines[0].get_ydata(), log.val_loss)
    title = fig.texts[0].get_text()
    assert title.startswith("784 → 32 → 10 · peak lr 0.01") and "test accuracy" in title
    assert ax_accuracy.get_ylim() == (0.0, 1.0)
    with pytest.raises(ValueError, match=r"hidden must be one of .*got \(100,\)"):
        training_widgets.training_dashboard(hidden=(100,))
    with pytest.raises(ValueError, match="epochs must be an integer from 1 to 20, got 50"):
        training_widgets.dashboard_recipe(epochs=50)
    with pytest.raises(ValueError, match="lr must be a number from 0.0001 to 0.1, got 1.0"):
        training_widgets.dashboard_recipe(lr=1.0)
