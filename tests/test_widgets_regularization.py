"""Chapter 07's regularization explorer, headless: the curves it shows are the stored grid's, each control changes
the image with one redraw, a failing computation never breaks it, and the static figure draws the same state."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tests.widget_helpers import PNG_SIGNATURE, assert_survives_a_failing_computation, set_controls
from utils.regularization_experiments import grid_run, stored_regularization_results
from utils.widgets import regularization as regularization_widgets


@pytest.fixture(scope="module")
def results():
    return stored_regularization_results()


@pytest.fixture(scope="module")
def explorer(results):
    return regularization_widgets.regularization_explorer(results=results)


def test_curves_are_the_stored_run_up_to_the_epoch(results):
    state = regularization_widgets.regularization_curves(0.5, 1e-3, 64, epochs=7, results=results)
    run = grid_run(results, 0.5, 1e-3, 64)
    np.testing.assert_array_equal(state["epoch"], np.arange(1, 8))
    for key in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"):
        np.testing.assert_array_equal(state[key], run[key][:7])
        np.testing.assert_array_equal(state["full"][key], run[key])
    assert state["gap"] == pytest.approx(run["val_loss"][6] - run["train_loss"][6])
    assert state["accuracy_gap"] == pytest.approx(run["train_accuracy"][6] - run["val_accuracy"][6])
    assert state["best_epoch"] == int(np.argmin(run["val_loss"])) + 1
    assert "epoch 7" in state["title"] and "dropout p = 0.5" in state["title"]


def test_curves_reject_values_outside_the_grid(results):
    with pytest.raises(ValueError, match=r"weight_decay must be one of the grid's values"):
        regularization_widgets.regularization_curves(0.0, 0.5, 256, results=results)
    with pytest.raises(ValueError, match=r"epochs must be an integer from 1 to 20 \(the grid's runs\), got 21"):
        regularization_widgets.regularization_curves(epochs=21, results=results)
    with pytest.raises(ValueError, match="width must be one of the grid's values"):
        regularization_widgets.regularization_explorer(width=128, results=results)


def test_controls_and_default_state(explorer):
    assert set(explorer.controls) == {"dropout", "weight_decay", "width", "epochs"}
    assert explorer.png.startswith(PNG_SIGNATURE) and explorer.state["error"] is None
    state = explorer.state
    assert (state["dropout"], state["weight_decay"], state["width"], state["epochs"]) == (0.0, 0.0, 256, 20)


@pytest.mark.parametrize("name, value", [("dropout", 0.5), ("weight_decay", 1e-2), ("width", 64), ("epochs", 5)])
def test_every_control_changes_the_image_with_one_redraw(results, name, value):
    explorer = regularization_widgets.regularization_explorer(results=results)
    before, n, gap = explorer.png, explorer.n_updates, explorer.state["gap"]
    explorer.controls[name].value = value
    assert explorer.n_updates == n + 1 and explorer.state["error"] is None
    assert explorer.png != before and explorer.state[name] == value and explorer.state["gap"] != gap


def test_regularization_shows_a_smaller_gap(explorer):
    set_controls(explorer, dropout=0.0, weight_decay=0.0, width=256, epochs=20)
    plain = explorer.state["gap"]
    set_controls(explorer, dropout=0.5, weight_decay=1e-2)
    assert explorer.state["gap"] < 0.6 * plain


def test_a_failing_computation_never_breaks_the_widget(monkeypatch, results):
    explorer = regularization_widgets.regularization_explorer(results=results)
    assert_survives_a_failing_computation(monkeypatch, explorer, regularization_widgets, "regularization_curves",
                                          "epochs", 10, 12)
    assert explorer.state["epochs"] == 12


def test_blitted_image_equals_a_full_redraw(results):
    explorer = regularization_widgets.regularization_explorer(results=results)
    explorer.controls["dropout"].value = 0.2
    blitted = explorer.png
    explorer._background_key = None
    explorer.update()
    assert explorer.png == blitted


def test_the_explorer_never_leaves_figures_in_pyplot(results):
    plt.close("all")
    explorer = regularization_widgets.regularization_explorer(results=results)
    explorer.controls["epochs"].value = 3
    assert plt.get_fignums() == []


def test_draw_regularization_explorer_draws_the_state_with_labels(results):
    ax_loss, ax_acc = regularization_widgets.draw_regularization_explorer(0.2, 1e-4, 64, 9, results=results)
    state = regularization_widgets.regularization_curves(0.2, 1e-4, 64, 9, results=results)
    drawn = [line for line in ax_loss.get_lines() if len(line.get_xdata()) == 9]
    np.testing.assert_array_equal(drawn[0].get_ydata(), state["train_loss"])
    np.testing.assert_array_equal(drawn[1].get_ydata(), state["val_loss"])
    assert ax_loss.get_ylabel() == "loss (cross-entropy)" and ax_acc.get_ylabel() == "accuracy"
    assert ax_loss.get_xlabel() == "epoch" and ax_loss.figure._suptitle.get_text() == state["title"]
    fig = ax_loss.figure
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    for artist in [fig._suptitle, ax_loss.yaxis.label, ax_acc.yaxis.label, ax_loss.xaxis.label]:
        box = artist.get_window_extent(renderer)
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1 and box.y1 <= fig.bbox.y1, artist
