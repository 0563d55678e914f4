"""Chapter 07's batch-norm explorer, headless: the histograms it shows are utils.normalization.batch_norm_run's
batch, the controls driven from Python (each one redraws once and changes the image), train vs eval mode and the
drift after training, a failing computation, and the static figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tests.widget_helpers import PNG_SIGNATURE, assert_survives_a_failing_computation, set_controls
from utils import normalization
from utils.widgets import normalization as bn_widgets


@pytest.fixture(scope="module")
def explorer():
    return bn_widgets.batchnorm_explorer()


def test_controls_and_default_state(explorer):
    assert set(explorer.controls) == set(bn_widgets.DEFAULTS)
    assert {name: c.value for name, c in explorer.controls.items()} == bn_widgets.DEFAULTS
    run = explorer.state["run"]
    expected = normalization.batch_norm_run(0.0, 1.0, 64, 20)
    np.testing.assert_array_equal(run.inputs, expected.inputs)
    np.testing.assert_array_equal(run.outputs, expected.outputs)
    assert explorer.png.startswith(PNG_SIGNATURE) and explorer.state["error"] is None
    assert explorer.state["title"].startswith("Train mode")


def test_every_control_redraws_once_and_changes_the_image():
    explorer = bn_widgets.batchnorm_explorer(mode="eval", shift=2.0)  # eval: batches and drift change the outputs
    for name, value in [("shift", 4.0), ("scale", 2.0), ("batch_size", 16), ("batches", 3), ("gamma", 1.5),
                        ("beta", -1.0), ("drift", "after training"), ("mode", "train")]:
        png, n = explorer.png, explorer.n_updates
        explorer.controls[name].value = value
        assert explorer.n_updates == n + 1 and explorer.png != png and explorer.state["error"] is None, name
        assert explorer.state[name] == value


def test_train_mode_normalizes_away_any_shift_and_scale(explorer):
    set_controls(explorer, mode="train", shift=8.0, scale=2.5, gamma=1.5, beta=-1.0)
    run = explorer.state["run"]
    np.testing.assert_allclose(run.inputs.mean(axis=0), 2.5 * np.array(normalization.FEATURE_MEANS) + 8.0, atol=2.0)
    np.testing.assert_allclose(run.outputs.mean(axis=0), -1.0, atol=1e-12)
    np.testing.assert_allclose(run.outputs.std(axis=0), 1.5, rtol=1e-4)
    set_controls(explorer, shift=0.0, scale=1.0, gamma=1.0, beta=0.0)


def test_eval_mode_uses_the_running_statistics_and_shows_a_drift_after_training(explorer):
    set_controls(explorer, mode="eval", shift=5.0, batches=100, drift="every batch")
    matched = explorer.state["run"]
    np.testing.assert_allclose(matched.outputs, (matched.inputs - matched.running_mean)
                               / np.sqrt(matched.running_var + 1e-5), rtol=1e-13)
    assert np.all(np.abs(matched.outputs.mean(axis=0)) < 0.5)  # the running statistics fit the data
    set_controls(explorer, drift="after training")
    drifted = explorer.state["run"]
    assert np.all(drifted.outputs.mean(axis=0) > 1.5)  # the shift of 5 comes out: a fixed map cannot undo it
    assert "drift that came after training" in explorer.state["title"]
    set_controls(explorer, batches=0)
    assert explorer.state["title"].startswith("Eval mode before any training batch")
    set_controls(explorer, **{k: v for k, v in bn_widgets.DEFAULTS.items()})


def test_the_off_axis_note_counts_outputs_beyond_the_axis():
    ax_in, ax_out = bn_widgets.draw_batchnorm_explorer(shift=10.0, scale=3.0, batches=0, mode="eval")
    note = [t.get_text() for t in ax_out.texts if "off this axis" in t.get_text()]
    run = normalization.batch_norm_run(10.0, 3.0, 64, 0, training=False)
    share = np.mean(np.abs(run.outputs) > 10.0)
    assert share > 0 and note == [f"{100 * share:.0f}% of the outputs lie off this axis"]


def test_after_drawing_ahead_the_mode_and_drift_toggles_blit_what_a_full_redraw_draws():
    explorer = bn_widgets.batchnorm_explorer(batches=5)
    assert explorer.draw_ahead() >= 1
    draws, draw = [], explorer._canvas.draw
    explorer._canvas.draw = lambda *args, **kwargs: (draws.append(1), draw(*args, **kwargs))
    explorer.controls["mode"].value = "eval"
    blitted = explorer.png
    assert draws == []
    explorer._background_key = None
    explorer.update()
    assert explorer.png == blitted


def test_a_failing_computation_never_breaks_the_widget(monkeypatch):
    explorer = bn_widgets.batchnorm_explorer()
    assert_survives_a_failing_computation(monkeypatch, explorer, normalization, "batch_norm_run", "shift", 1.0, 2.0)


def test_blitted_image_equals_a_full_redraw():
    explorer = bn_widgets.batchnorm_explorer()
    explorer.controls["shift"].value = 1.0
    blitted = explorer.png
    explorer._background_key = None
    explorer.update()
    assert explorer.png == blitted


def test_start_values_and_errors():
    explorer = bn_widgets.batchnorm_explorer(scale=100.0, batch_size=8)
    assert explorer.state["scale"] == pytest.approx(3.0) and explorer.state["batch_size"] == 8  # clipped to the slider
    with pytest.raises(ValueError, match=r"unknown start value\(s\) \['momentum'\]"):
        bn_widgets.batchnorm_explorer(momentum=0.5)
    with pytest.raises(ValueError, match="mode must be 'train' or 'eval'"):
        bn_widgets.draw_batchnorm_explorer(mode="test")
    with pytest.raises(ValueError, match="pair of Axes"):
        bn_widgets.draw_batchnorm_explorer(ax=plt.figure().add_subplot())


def test_the_explorer_never_leaves_figures_in_pyplot():
    plt.close("all")
    explorer = bn_widgets.batchnorm_explorer()
    explorer.controls["shift"].value = 3.0
    assert plt.get_fignums() == []


def test_draw_batchnorm_explorer_draws_the_state_with_labels_inside_the_figure():
    ax_in, ax_out = bn_widgets.draw_batchnorm_explorer()
    run = normalization.batch_norm_run()
    heights = ax_in.patches[0].get_data().values
    expected = np.histogram(run.inputs[:, 0], bn_widgets.INPUT_EDGES)[0] / (64 * 0.5)
    np.testing.assert_allclose(heights, expected, rtol=1e-14)
    assert ax_in.get_xlabel().startswith("layer input x") and ax_out.get_xlabel().startswith("output y")
    assert ax_in.get_ylabel() == ax_out.get_ylabel() == "density"
    fig = ax_in.figure
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    frame = fig.bbox
    for artist in [*fig.texts, ax_in.xaxis.label, ax_out.xaxis.label, *ax_in.texts, ax_out.get_legend()]:
        box = artist.get_window_extent(renderer)
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, artist


def test_the_drift_toggle_says_what_it_does_even_before_any_shift_or_scale():
    """At shift 0 and scale 1 both drifts are the same data: the toggle must still show that it was heard (and why
    nothing else moves), not leave the figure as it was."""
    explorer = bn_widgets.batchnorm_explorer()
    before = explorer.png
    explorer.controls["drift"].value = "after training"
    assert explorer.png != before
    text = bn_widgets._drift_text(explorer.state)
    assert text.startswith("Training batches: without the") and text.endswith("(shift 0, scale 1: the same)")
    explorer.controls["shift"].value = 2.0
    assert "the same" not in bn_widgets._drift_text(explorer.state)
    assert bn_widgets._drift_text({**explorer.state, "drift": "every batch"}).startswith(
        "Training batches: shifted and")
