"""Chapter 03's explorers, headless: the data their figures show against PyTorch and closed forms, the
controls driven from Python (setting ``.value`` updates ``.state`` synchronously), and the static figures."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.widget_helpers import PNG_SIGNATURE, assert_survives_a_failing_computation, set_controls
from utils import losses as L
from utils import regression
from utils.widgets import losses as loss_widgets


# ---------------------------------------------------------------------------------------------
# The data the figures show
# ---------------------------------------------------------------------------------------------
def test_regression_loss_curves_are_the_losses_and_their_derivatives():
    e = np.linspace(-3, 3, 61)
    curves = loss_widgets.regression_loss_curves(e, delta=0.7)
    assert set(curves) == {"MSE", "MAE", "Huber"}
    np.testing.assert_allclose(curves["MSE"][0], e**2, rtol=1e-14)
    np.testing.assert_allclose(curves["MSE"][1], 2 * e, rtol=1e-14)
    np.testing.assert_allclose(curves["MAE"][0], np.abs(e), rtol=1e-14)
    np.testing.assert_allclose(curves["MAE"][1], np.sign(e), rtol=1e-14)
    e_t = torch.tensor(e, requires_grad=True)
    huber = F.huber_loss(e_t, torch.zeros(61, dtype=torch.float64), reduction="none", delta=0.7)
    huber.sum().backward()
    np.testing.assert_allclose(curves["Huber"][0], huber.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(curves["Huber"][1], e_t.grad.numpy(), rtol=1e-12)
    assert np.abs(curves["Huber"][1]).max() == pytest.approx(0.7)  # the gradient is capped at δ
    with pytest.raises(ValueError, match="delta must be a finite number > 0"):
        loss_widgets.regression_loss_curves(e, delta=0.0)


@pytest.mark.parametrize("label", [0, 1])
def test_binary_loss_curves_match_autograd(label):
    z = np.linspace(-8, 8, 81)
    curves = loss_widgets.binary_loss_curves(z, label)
    y = torch.full((81,), float(label), dtype=torch.float64)
    z_bce, z_mse = torch.tensor(z, requires_grad=True), torch.tensor(z, requires_grad=True)
    bce = F.binary_cross_entropy_with_logits(z_bce, y, reduction="none")
    mse = (torch.sigmoid(z_mse) - y) ** 2
    bce.sum().backward()
    mse.sum().backward()
    np.testing.assert_allclose(curves["BCE"][0], bce.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(curves["BCE"][1], z_bce.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(curves["MSE on σ(z)"][0], mse.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(curves["MSE on σ(z)"][1], z_mse.grad.numpy(), rtol=1e-12, atol=1e-15)
    wrong_end = 0 if label == 1 else -1  # confidently wrong: BCE still pulls, MSE on σ has almost nothing
    assert abs(curves["BCE"][1][wrong_end]) > 0.99 and abs(curves["MSE on σ(z)"][1][wrong_end]) < 1e-3
    with pytest.raises(ValueError, match="label must be 0 or 1"):
        loss_widgets.binary_loss_curves(z, 2)


def test_confidence_curves_formulas_and_the_smoothed_optimum():
    """The curves against closed forms and PyTorch; at utils.losses.optimal_margin the smoothed gradient is 0."""
    m = np.linspace(-4, 10, 29)
    c, eps = 10, 0.1
    curves = loss_widgets.confidence_curves(m, c, eps)
    p = np.exp(m) / (np.exp(m) + c - 1)
    np.testing.assert_allclose(curves["p"], p, rtol=1e-12)
    np.testing.assert_allclose(curves["loss"], np.log1p((c - 1) * np.exp(-m)), rtol=1e-12)
    np.testing.assert_allclose(curves["grad"], p - 1, rtol=1e-12, atol=1e-15)
    t = 1 - eps + eps / c
    assert curves["target"] == pytest.approx(t)
    np.testing.assert_allclose(curves["smoothed_grad"], p - t, rtol=1e-12, atol=1e-15)
    logits = np.zeros((m.size, c))
    logits[:, 0] = m
    torch_loss = F.cross_entropy(torch.from_numpy(logits), torch.zeros(m.size, dtype=torch.long),
                                 label_smoothing=eps, reduction="none").numpy()
    np.testing.assert_allclose(curves["smoothed_loss"], torch_loss, rtol=1e-12)
    best = L.optimal_margin(c, eps)
    at = loss_widgets.confidence_curves([best], c, eps)
    assert at["smoothed_grad"][0] == pytest.approx(0.0, abs=1e-12) and at["p"][0] == pytest.approx(t)
    assert loss_widgets.confidence_curves([0.0], 7, 0.0)["loss"][0] == pytest.approx(np.log(7))  # ln C at margin 0
    with pytest.raises(ValueError, match="n_classes must be an integer >= 2"):
        loss_widgets.confidence_curves(m, 1)


# ---------------------------------------------------------------------------------------------
# (1) The loss-curve explorer
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def curves():
    return loss_widgets.loss_curve_explorer()


def test_loss_curve_explorer_builds(curves):
    assert set(curves.controls) == {"task", "delta", "label", "point"}
    assert curves.png.startswith(PNG_SIGNATURE) and curves.state["error"] is None
    assert curves.image in curves.children


def test_point_moves_the_markers_and_the_readout(curves):
    set_controls(curves, task="regression", delta=1.0, point=2.0)
    assert curves.state["at"]["MSE"] == pytest.approx((4.0, 4.0))
    assert curves.state["at"]["MAE"] == pytest.approx((2.0, 1.0))
    assert curves.state["at"]["Huber"] == pytest.approx((1.5, 1.0))
    assert "at error 2.00: MSE 4.00 (slope 4.00)" in curves.state["title"]
    png = curves.png
    curves.controls["point"].value = -0.5
    assert curves.state["at"]["Huber"] == pytest.approx((0.125, -0.5)) and curves.png != png


def test_delta_changes_huber_only(curves):
    set_controls(curves, task="regression", delta=1.0)
    before = {k: v[0].copy() for k, v in curves.state["curves"].items()}
    curves.controls["delta"].value = 2.5
    after = curves.state["curves"]
    np.testing.assert_array_equal(after["MSE"][0], before["MSE"])
    np.testing.assert_array_equal(after["MAE"][0], before["MAE"])
    assert not np.allclose(after["Huber"][0], before["Huber"])
    assert np.abs(after["Huber"][1]).max() == pytest.approx(2.5)
    assert "δ = 2.5" in curves.state["title"]


def _shown(control) -> bool:
    return control.layout.display != "none"


def test_task_switch_reconfigures_the_controls_and_hides_those_that_mean_nothing(curves):
    set_controls(curves, task="regression")
    curves.controls["task"].value = "binary"
    point = curves.controls["point"]
    assert (point.min, point.max, point.value) == (-8.0, 8.0, -4.0) and point.description == "logit z"
    assert not _shown(curves.controls["delta"]) and _shown(curves.controls["label"])  # no δ in classification
    assert set(curves.state["curves"]) == set(loss_widgets.BINARY_NAMES)
    curves.controls["task"].value = "regression"
    assert (point.min, point.max, point.value) == (-3.0, 3.0, 1.5)
    assert _shown(curves.controls["delta"]) and not _shown(curves.controls["label"])  # no label in regression


def count_full_draws(explorer) -> list:
    """A list that grows by one each time the explorer draws its whole figure (not only the changing artists)."""
    draws, draw = [], explorer._canvas.draw

    def counting_draw(*args, **kwargs):
        draws.append(1)
        return draw(*args, **kwargs)

    explorer._canvas.draw = counting_draw
    return draws


def test_the_browser_gets_the_point_sliders_new_range_before_its_new_value():
    """One message per change, widened range first: a value sent with (or before) the range that holds it would be
    clamped by the browser's slider to the old range and sent back (z = −3 instead of −4, and a second redraw)."""
    explorer = loss_widgets.loss_curve_explorer("regression")
    point, sent = explorer.controls["point"], []
    point._send = lambda msg, buffers=None: sent.append(msg["state"])
    explorer.controls["task"].value = "binary"
    lo, hi = -3.0, 3.0  # the range the browser's slider has, message after message
    for state in sent:
        assert len(state) == 1, sent  # the browser applies a message's attributes in no set order
        lo, hi = state.get("min", lo), state.get("max", hi)
        assert lo <= state.get("value", lo) <= hi, sent
    assert (lo, hi) == (point.min, point.max) and {"value": -4.0} in sent


def test_switching_back_to_a_task_reuses_its_frame_and_draws_what_a_full_redraw_draws():
    explorer = loss_widgets.loss_curve_explorer()
    png = explorer.png
    assert explorer.draw_ahead() == 3 and explorer.png == png  # the other task, the point ±0.1 (the idle kernel)
    full_draws = count_full_draws(explorer)
    for task in ["binary", "regression", "binary", "regression"]:
        explorer.controls["task"].value = task
    assert full_draws == []  # both tasks' frames are kept (the other task's drawn ahead)
    for task in ["binary", "regression", "binary"]:
        explorer.controls["task"].value = task
        kept = explorer.png
        explorer._background_key = None  # forget every frame: the next update draws everything
        explorer.update()
        assert explorer.png == kept and explorer.state["task"] == task


def test_the_binary_title_says_what_the_marked_prediction_is():
    """The title's second line describes the point where the markers are, for either target."""
    cases = [(1, -4.0, "confidently wrong"), (1, 4.0, "confidently right"), (0, -4.0, "confidently right"),
             (0, 4.0, "confidently wrong"), (0, 0.5, "unsure"), (1, -1.0, "unsure")]
    for label, z, verdict in cases:
        ax_value, _ = loss_widgets.draw_loss_curves("binary", label=label, point=z)
        first, second = ax_value.get_title().split("\n")
        assert second.startswith(f"z = {z:.2f}".replace("-", "−") + f", {verdict}:"), ax_value.get_title()
        assert first.startswith(f"y = {label}, confidently wrong for " + ("z ≪ 0" if label == 1 else "z ≫ 0"))
        plt.close("all")


def test_markers_on_one_spot_stay_distinguishable():
    """Beyond δ, MAE's and Huber's slopes are equal: their markers differ in shape, and MAE's is hollow."""
    ax_value, ax_grad = loss_widgets.draw_loss_curves("regression", delta=1.0, point=1.5)
    dots = [line for line in ax_grad.get_lines() if line.get_marker() not in ("None", None, "")]
    by_colour = {line.get_marker(): line for line in dots}
    assert len(by_colour) == 3  # three shapes
    mae, huber = by_colour["s"], by_colour["D"]
    assert mae.get_ydata()[0] == pytest.approx(huber.get_ydata()[0])  # the same spot ...
    assert mae.get_markerfacecolor() == "none" and mae.get_markersize() > huber.get_markersize()  # ... both seen


def test_label_flips_the_binary_curves(curves):
    set_controls(curves, task="binary", label=1, point=-4.0)
    bce_1 = curves.state["curves"]["BCE"][0].copy()
    curves.controls["label"].value = 0
    np.testing.assert_allclose(curves.state["curves"]["BCE"][0], bce_1[::-1], rtol=1e-10)  # ℓ(z, 0) = ℓ(−z, 1)
    assert curves.state["label"] == 0 and "y = 0" in curves.state["title"]
    assert "z = −4.00, confidently right" in curves.state["title"]  # with y = 0, z = −4 is a right answer
    set_controls(curves, label=1)


def test_bad_task_is_rejected():
    with pytest.raises(ValueError, match="task must be 'regression' or 'binary'"):
        loss_widgets.loss_curve_explorer("ranking")


# ---------------------------------------------------------------------------------------------
# (2) The outlier explorer
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def outlier():
    return loss_widgets.outlier_explorer()


def test_outlier_explorer_builds_and_starts_at_shift_15(outlier):
    assert set(outlier.controls) == {"shift", "delta"}
    assert outlier.state["shift"] == 15.0 and outlier.state["delta"] == pytest.approx(1.0)
    assert outlier.png.startswith(PNG_SIGNATURE) and outlier.state["error"] is None


def test_dragging_the_point_moves_it_and_the_mse_fit(outlier):
    data = regression.outlier_data()
    set_controls(outlier, shift=0.0, delta=1.0)
    fits_0, png_0 = dict(outlier.state["fits"]), outlier.png
    outlier.controls["shift"].value = 25.0
    y = outlier.state["y"]
    assert y[data.outlier] == pytest.approx(data.y[data.outlier] + 25.0)
    np.testing.assert_array_equal(np.delete(y, data.outlier), np.delete(data.y, data.outlier))
    fits = outlier.state["fits"]
    assert fits["MSE"][0] - fits_0["MSE"][0] > 0.5  # the MSE line tilts towards the point
    assert abs(fits["MAE"][0] - fits_0["MAE"][0]) < 0.1 and abs(fits["Huber"][0] - fits_0["Huber"][0]) < 0.15
    assert outlier.png != png_0
    assert outlier.state["ylim"][1] >= y[data.outlier]  # the dragged point stays in view


def test_huber_delta_changes_only_the_huber_fit(outlier):
    set_controls(outlier, shift=20.0, delta=1.0)
    fits = dict(outlier.state["fits"])
    outlier.controls["delta"].value = 10.0
    assert outlier.state["fits"]["MSE"] == fits["MSE"] and outlier.state["fits"]["MAE"] == fits["MAE"]
    assert outlier.state["fits"]["Huber"][0] > fits["Huber"][0] + 0.05  # a large δ behaves more like MSE
    np.testing.assert_array_equal(outlier.state["slopes_vs_shift"]["MSE"], regression.slopes_versus_shift(
        outlier.state["shifts"], 10.0)["MSE"])
    assert outlier.state["fits"] == regression.outlier_fits(20.0, 10.0)


def test_dragging_reuses_the_slope_curves_of_the_same_delta(outlier):
    """The lower panel depends on δ only: moving the point refits one line per loss, not the 121 of the curves."""
    set_controls(outlier, shift=5.0, delta=1.0)
    curves = outlier.state["slopes_vs_shift"]
    outlier.controls["shift"].value = 12.0
    assert outlier.state["slopes_vs_shift"] is curves
    outlier.controls["delta"].value = 2.0
    assert outlier.state["slopes_vs_shift"] is not curves
    outlier.controls["delta"].value = 1.0
    assert outlier.state["slopes_vs_shift"] is curves


def test_the_true_line_looks_like_no_fit():
    """The true line (top) and slope (bottom) are a wide band, drawn in a style none of the fits uses."""
    ax_fit, ax_slope = loss_widgets.draw_outlier_fits()
    for ax in (ax_fit, ax_slope):
        lines = ax.get_lines()
        bands = [line for line in lines if line.get_linewidth() == loss_widgets.TRUE_LINE_STYLE["linewidth"]]
        assert len(bands) == 1 and bands[0].get_linestyle() == "-"
        fits = [line for line in lines if line.get_linewidth() == 2.2]
        assert len(fits) == 3 and {line.get_linestyle() for line in fits} == {"-", "--", "-."}
        assert all(line.get_color() != bands[0].get_color() for line in fits)
    assert "grey band: the true slope" in ax_slope.get_title()


def test_revisiting_a_frame_of_the_outlier_explorer_draws_what_a_full_redraw_draws():
    explorer = loss_widgets.outlier_explorer()
    full_draws = count_full_draws(explorer)
    for shift in [-25.0, 25.0, -25.0, 25.0, 15.0]:  # frames: points far below, far above, and back
        explorer.controls["shift"].value = shift
    assert len(full_draws) == 2  # the two new frames once each; the start frame and revisits are blitted
    for shift in [-25.0, 25.0, 15.0]:
        explorer.controls["shift"].value = shift
        kept = explorer.png
        explorer._background_key = None
        explorer.update()
        assert explorer.png == kept


# ---------------------------------------------------------------------------------------------
# (3) The confidence explorer
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def confidence():
    return loss_widgets.confidence_explorer()


def test_confidence_explorer_builds(confidence):
    assert set(confidence.controls) == {"margin", "label_smoothing", "n_classes"}
    assert confidence.state["n_classes"] == 10 and confidence.state["margin"] == 2.0
    assert confidence.png.startswith(PNG_SIGNATURE) and confidence.state["error"] is None


def test_margin_raises_probability_and_lowers_the_hard_loss(confidence):
    set_controls(confidence, margin=0.0, label_smoothing=0.1, n_classes=10)
    assert confidence.state["at"]["p"] == pytest.approx(0.1) and confidence.state["at"]["loss"] == pytest.approx(
        np.log(10))
    previous = confidence.state["at"]
    png = confidence.png
    for m in [1.0, 3.0, 6.0, 9.0]:
        confidence.controls["margin"].value = m
        at = confidence.state["at"]
        assert at["p"] > previous["p"] and at["loss"] < previous["loss"] and at["grad"] < 0
        previous = at
    assert confidence.png != png


def test_smoothing_sets_a_finite_optimum_and_zero_has_none(confidence):
    set_controls(confidence, margin=9.0, label_smoothing=0.2, n_classes=5)
    assert confidence.state["at"]["smoothed_grad"] > 0  # past the optimum, smoothing pulls the margin back
    assert confidence.state["optimum"] == pytest.approx(L.optimal_margin(5, 0.2))
    assert "stops at" in confidence.state["title"]
    confidence.controls["label_smoothing"].value = 0.0
    assert confidence.state["optimum"] == np.inf and confidence.state["at"]["smoothed_grad"] < 0
    np.testing.assert_allclose(confidence.state["curves"]["smoothed_loss"], confidence.state["curves"]["loss"])


def test_number_of_classes_changes_the_loss_at_margin_zero(confidence):
    for c in [2, 20]:
        set_controls(confidence, margin=0.0, n_classes=c)
        assert confidence.state["at"]["loss"] == pytest.approx(np.log(c))
        assert confidence.state["title"].startswith(f"C = {c}: hard labels push the margin to ∞")


def test_every_number_of_classes_fits_one_frame():
    """The loss panel's limits hold every C's curves, so changing C redraws the curves only (and chance moves)."""
    explorer = loss_widgets.confidence_explorer()
    ax_p, ax_loss, _ = explorer.figure.axes
    full_draws = count_full_draws(explorer)
    for c in [2, 7, 20]:
        explorer.controls["n_classes"].value = c
        assert explorer.state["curves"]["loss"].max() < ax_loss.get_ylim()[1]
        assert explorer.state["curves"]["smoothed_loss"].max() < ax_loss.get_ylim()[1]
        chance = [line for line in ax_p.get_lines() if line.get_label() == "chance 1/C"][0]
        assert chance.get_ydata()[0] == pytest.approx(1 / c)
    assert full_draws == []
    kept = explorer.png
    explorer._background_key = None
    explorer.update()
    assert explorer.png == kept


def test_the_label_smoothing_is_called_s_as_in_the_notation_page(confidence):
    set_controls(confidence, margin=2.0, label_smoothing=0.1, n_classes=10)
    assert "smoothing (s = 0.10) stops at" in confidence.state["title"]
    assert confidence.controls["label_smoothing"].description == "label smoothing s"
    assert "ε" not in confidence.state["title"]


# ---------------------------------------------------------------------------------------------
# All three: one redraw per step, static figures, robustness
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, control, values", [
    (loss_widgets.loss_curve_explorer, "point", [0.5, 1.0, 2.0, -1.0, -2.5]),
    (loss_widgets.outlier_explorer, "shift", [0.0, 5.0, 10.0, 14.0, 16.0]),
    (loss_widgets.outlier_explorer, "delta", [0.5, 2.0, 3.0, 5.0, 8.0]),
    (loss_widgets.confidence_explorer, "margin", [1.0, 3.0, 5.0, 7.0, 9.0]),
])
def test_a_slider_step_redraws_once(make, control, values):
    """Each step of a slider recomputes and redraws exactly once, and the image follows the value.

    (How fast a step is, is measured by the benchmarks, not asserted here.)"""
    explorer = make()
    images = {explorer.png}
    for value in values:
        n = explorer.n_updates
        explorer.controls[control].value = value
        assert explorer.n_updates == n + 1 and explorer.state["error"] is None
        assert explorer.state[control] == pytest.approx(value)
        images.add(explorer.png)
    assert len(images) == len(values) + 1  # every step drew something new


def test_blitted_image_equals_a_full_redraw():
    for explorer, control, value in [
        (loss_widgets.loss_curve_explorer(), "point", 0.7),
        (loss_widgets.outlier_explorer(), "shift", 14.0),
        (loss_widgets.confidence_explorer(), "margin", 2.5),
    ]:
        explorer.controls[control].value = value
        blitted = explorer.png
        explorer._background_key = None
        explorer.update()
        assert explorer.png == blitted


def test_explorers_never_leave_figures_in_pyplot():
    plt.close("all")
    explorers = [loss_widgets.loss_curve_explorer(), loss_widgets.outlier_explorer(),
                 loss_widgets.confidence_explorer()]
    explorers[0].controls["point"].value = 0.3
    explorers[1].controls["shift"].value = 3.0
    explorers[2].controls["margin"].value = 3.0
    assert plt.get_fignums() == []


def test_static_figures_show_the_default_states():
    ax_value, ax_grad = loss_widgets.draw_loss_curves()
    assert ax_value.figure is ax_grad.figure and ax_grad.get_xlabel().startswith("error")
    assert "at error 1.50" in ax_value.get_title()
    assert [t.get_text() for t in ax_value.get_legend().get_texts()] == ["MSE", "MAE", "Huber (δ: dotted lines)"]
    ax_value, _ = loss_widgets.draw_loss_curves("binary")
    assert "y = 1" in ax_value.get_title() and "z = −4.00, confidently wrong" in ax_value.get_title()
    assert [t.get_text() for t in ax_value.get_legend().get_texts()] == ["BCE", "MSE on σ(z)"]
    ax_fit, ax_slope = loss_widgets.draw_outlier_fits()
    assert "MSE 1.99" in ax_fit.get_title() and ax_slope.get_xlim() == loss_widgets.SHIFT_LIMITS
    axes = loss_widgets.draw_confidence()
    assert len(axes) == 3 and "stops at 4.51" in axes[0].get_title()
    with pytest.raises(ValueError, match="pair of Axes"):
        loss_widgets.draw_loss_curves(ax=ax_value)
    with pytest.raises(ValueError, match="three Axes"):
        loss_widgets.draw_confidence(ax=axes[:2])


def test_the_static_figure_matches_the_widget_in_its_default_state():
    for draw, make in [(loss_widgets.draw_loss_curves, loss_widgets.loss_curve_explorer),
                       (loss_widgets.draw_outlier_fits, loss_widgets.outlier_explorer),
                       (loss_widgets.draw_confidence, loss_widgets.confidence_explorer)]:
        static_title = draw()[0].get_title()
        assert make().state["title"] == static_title


def test_an_exception_never_breaks_the_widget(monkeypatch):
    explorer = loss_widgets.confidence_explorer()
    assert_survives_a_failing_computation(monkeypatch, explorer, loss_widgets, "confidence_curves", "margin", 4.0, 5.0)
