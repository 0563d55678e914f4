"""The explorers of utils.widgets, headless: pure computations vs utils.activations, controls driven from
Python (setting ``.value`` updates ``.state`` synchronously), the static figures, and error handling."""

from __future__ import annotations

import asyncio

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from tests.widget_helpers import PNG_SIGNATURE, assert_each_image_is_a_full_redraw, set_controls
from utils import activations as A
from utils.widgets import activations as activation_widgets


@pytest.fixture(scope="module")
def act():
    return activation_widgets.activation_explorer()


@pytest.fixture(scope="module")
def temp():
    return activation_widgets.softmax_temperature_explorer()




# ---------------------------------------------------------------------------------------------
# Pure computations
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(activation_widgets.LABELS))
def test_activation_curves_match_utils_activations(name):
    f, df = A.ACTIVATIONS[name]
    spec = activation_widgets.PARAMETERS.get(name)
    x, y, dy = activation_widgets.activation_curves(name, -4.0, 3.0, n=51)
    np.testing.assert_array_equal(x, np.linspace(-4.0, 3.0, 51))
    kw = {} if spec is None else {spec.keyword: spec.default}
    np.testing.assert_allclose(y, f(x, **kw), rtol=0, atol=1e-15)
    np.testing.assert_allclose(dy, df(x, **kw), rtol=0, atol=1e-15)
    if spec is not None:  # an explicit parameter is passed through
        _, y2, dy2 = activation_widgets.activation_curves(name, -4.0, 3.0, param=spec.max, n=51)
        np.testing.assert_allclose(y2, f(x, **{spec.keyword: spec.max}), rtol=0, atol=1e-15)
        np.testing.assert_allclose(dy2, df(x, **{spec.keyword: spec.max}), rtol=0, atol=1e-15)


def test_parameters_describe_the_three_parametric_functions():
    assert set(activation_widgets.PARAMETERS) == {"leaky_relu", "elu", "softplus"}
    assert set(activation_widgets.LABELS) == set(A.ACTIVATIONS)
    leaky, elu, softplus = (
        activation_widgets.PARAMETERS["leaky_relu"],
        activation_widgets.PARAMETERS["elu"],
        activation_widgets.PARAMETERS["softplus"],
    )
    assert (leaky.keyword, leaky.min, leaky.max, leaky.default, leaky.torch_default) == (
        "negative_slope", 0.0, 0.5, 0.1, 0.01)
    assert "0.01" in leaky.note and "0.1" in leaky.note  # says why the slider does not start at 0.01
    assert (elu.keyword, elu.min, elu.max, elu.default) == ("alpha", 0.1, 3.0, 1.0)
    assert (softplus.keyword, softplus.min, softplus.max, softplus.default) == ("beta", 0.25, 5.0, 1.0)
    for spec in activation_widgets.PARAMETERS.values():
        assert spec.min <= spec.default <= spec.max and 0 < spec.step < spec.max - spec.min


@pytest.mark.parametrize("call, match", [
    (lambda: activation_widgets.activation_curves("swish", -1, 1), "unknown activation 'swish'"),
    (lambda: activation_widgets.activation_curves("relu", 1, 1), "x_min < x_max"),
    (lambda: activation_widgets.activation_curves("relu", 2, -2), "x_min < x_max"),
    (lambda: activation_widgets.activation_curves("sigmoid", -1, 1, param=0.5), "Sigmoid has no parameter"),
    (lambda: activation_widgets.activation_curves("softplus", -1, 1, param=0.0), "beta must be > 0"),
    (lambda: activation_widgets.activation_curves("elu", -1, 1, param=float("nan")), "finite"),
    (lambda: activation_widgets.activation_curves("relu", -1, 1, n=1), "n must be at least 2"),
])
def test_activation_curves_rejects_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_the_temperature_bars_are_utils_softmax_temperature_and_entropy():
    """The explorer shows utils.activations' softmax_temperature and entropy; bad logits and T are refused."""
    explorer = activation_widgets.softmax_temperature_explorer(logits=(2.0, 1.0, 0.1), temperature=2.0)
    p = explorer.state["probabilities"]
    np.testing.assert_allclose(p, A.softmax_temperature(np.array([2.0, 1.0, 0.1]), 2.0), rtol=1e-14)
    np.testing.assert_allclose(p, A.softmax(np.array([1.0, 0.5, 0.05])), rtol=1e-14)
    assert explorer.state["entropy"] == pytest.approx(-np.sum(p * np.log(p)), rel=1e-14)
    with pytest.raises(ValueError, match="temperature"):
        activation_widgets.draw_temperature([2.0, 1.0, 0.1], 0.0)
    with pytest.raises(ValueError, match="at least 2"):
        activation_widgets.draw_temperature([[1.0, 2.0]], 1.0)
    with pytest.raises(ValueError, match="at least 2"):
        activation_widgets.draw_temperature([1.0], 1.0)


# ---------------------------------------------------------------------------------------------
# (a) The activation explorer
# ---------------------------------------------------------------------------------------------
def test_activation_explorer_builds_with_controls_state_and_an_image(act):
    assert set(act.controls) == {"function", "x_range", "param"}
    dropdown = act.controls["function"]
    assert dict(dropdown.options) == {label: name for name, label in activation_widgets.LABELS.items()}
    assert dropdown.label == "Leaky ReLU" and dropdown.value == "leaky_relu"
    assert act.controls["x_range"].min == -10 and act.controls["x_range"].max == 10
    assert act.png.startswith(PNG_SIGNATURE) and len(act.png) > 5000
    assert act.state["error"] is None
    assert act.image in act.children


def test_changing_the_function_changes_f_and_df(act):
    set_controls(act, function="relu", x_range=(-5.0, 5.0))
    relu_f, relu_df = act.state["f"].copy(), act.state["df"].copy()
    assert act.state["name"] == "relu" and act.state["param"] is None
    np.testing.assert_array_equal(relu_f, A.relu(act.state["x"]))
    set_controls(act, function="tanh")
    assert act.state["name"] == "tanh" and act.state["label"] == "Tanh"
    np.testing.assert_array_equal(act.state["f"], A.tanh(act.state["x"]))
    np.testing.assert_array_equal(act.state["df"], A.tanh_derivative(act.state["x"]))
    assert not np.allclose(act.state["f"], relu_f) and not np.allclose(act.state["df"], relu_df)
    assert act.state["title"].startswith("Tanh: f and its derivative f′")


def test_elu_alpha_changes_f_for_negative_x_only(act):
    set_controls(act, function="elu", x_range=(-5.0, 5.0))
    assert act.state["param"] == 1.0
    before = act.state["f"].copy()
    png_before = act.png
    set_controls(act, param=2.5)
    x, after = act.state["x"], act.state["f"]
    assert act.state["param"] == 2.5
    np.testing.assert_array_equal(after[x > 0], before[x > 0])
    assert np.all(np.abs(after[x < -0.1] - before[x < -0.1]) > 1e-3)
    np.testing.assert_allclose(after, A.elu(x, 2.5), rtol=0, atol=1e-15)
    assert after.min() == pytest.approx(-2.5 * (1 - np.exp(-5)), rel=1e-12)  # f levels off at -α
    assert "α = 2.50" in act.state["title"]
    assert act.png != png_before  # the image on screen changed too


@pytest.mark.parametrize("name", ["sigmoid", "step", "identity", "tanh", "relu", "gelu", "silu"])
def test_param_slider_is_disabled_for_functions_without_a_parameter(act, name):
    set_controls(act, function=name)
    slider = act.controls["param"]
    assert slider.disabled and "no parameter" in slider.description
    assert act.state["param"] is None
    f_before = act.state["f"].copy()
    slider.value = (slider.min + slider.max) / 2  # moving it anyway changes nothing
    np.testing.assert_array_equal(act.state["f"], f_before)


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "softplus"])
def test_param_slider_follows_the_function(act, name):
    set_controls(act, function="sigmoid")
    set_controls(act, function=name)
    spec, slider = activation_widgets.PARAMETERS[name], act.controls["param"]
    assert not slider.disabled
    assert (slider.min, slider.max, slider.step, slider.value) == (spec.min, spec.max, spec.step, spec.default)
    assert slider.description == spec.label
    assert act.state["param"] == spec.default


def test_switching_functions_resets_the_parameter_to_the_new_default(act):
    set_controls(act, function="elu", param=3.0)
    set_controls(act, function="leaky_relu")  # 3.0 is outside [0, 0.5]: the slider must not clamp to 0.5
    assert act.controls["param"].value == 0.1 and act.state["param"] == 0.1
    set_controls(act, function="softplus")
    assert act.controls["param"].value == 1.0 and act.state["param"] == 1.0


def test_leaky_relu_slope_slider_changes_the_negative_side_and_its_derivative(act):
    set_controls(act, function="leaky_relu", x_range=(-5.0, 5.0), param=0.3)
    x = act.state["x"]
    np.testing.assert_allclose(act.state["f"][x < 0], 0.3 * x[x < 0], rtol=1e-15)
    np.testing.assert_array_equal(act.state["df"][x < 0], 0.3)
    np.testing.assert_array_equal(act.state["df"][x > 0], 1.0)


def test_x_range_changes_x(act):
    set_controls(act, function="sigmoid", x_range=(-2.0, 8.0))
    x = act.state["x"]
    assert (x[0], x[-1]) == (-2.0, 8.0) and act.state["x_range"] == (-2.0, 8.0)
    np.testing.assert_allclose(act.state["f"], A.sigmoid(x), rtol=1e-15)
    set_controls(act, x_range=(-10.0, 10.0))
    assert (act.state["x"][0], act.state["x"][-1]) == (-10.0, 10.0)


@pytest.mark.parametrize("empty, widened", [((1.0, 1.0), (1.0, 1.5)), ((10.0, 10.0), (9.5, 10.0))])
def test_an_empty_x_range_is_widened(act, empty, widened):
    set_controls(act, function="relu", x_range=(-3.0, 3.0))
    act.controls["x_range"].value = empty  # a range slider's handles can meet
    assert act.controls["x_range"].value == widened
    assert act.state["error"] is None and act.state["x_range"] == widened
    assert (act.state["x"][0], act.state["x"][-1]) == widened


def test_an_exception_in_the_computation_never_breaks_the_widget(monkeypatch):
    explorer = activation_widgets.activation_explorer("relu")
    n = explorer.n_updates

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    good_png = explorer.png
    monkeypatch.setattr(activation_widgets, "activation_curves", broken)
    explorer.controls["x_range"].value = (-2.0, 2.0)  # no exception escapes the observer
    assert explorer.state["error"] == "RuntimeError: boom" and explorer.n_updates == n
    assert "Cannot draw this: boom" in explorer.status.value and explorer.status.layout.display is None
    assert explorer.png == good_png  # the last good figure stays
    monkeypatch.undo()
    explorer.controls["x_range"].value = (-3.0, 2.0)
    assert explorer.state["error"] is None and explorer.n_updates == n + 1
    assert explorer.status.value == "" and explorer.status.layout.display == "none"
    assert (explorer.state["x"][0], explorer.state["x"][-1]) == (-3.0, 2.0)


def test_explorers_never_leave_figures_in_pyplot():
    plt.close("all")
    explorers = [activation_widgets.activation_explorer(), activation_widgets.softmax_temperature_explorer()]
    for value in [0.2, 0.3, 0.4]:
        explorers[0].controls["param"].value = value
        explorers[1].controls["temperature"].value = value
    explorers[0].controls["function"].value = "gelu"
    assert plt.get_fignums() == []  # one persistent figure each, unknown to pyplot: nothing piles up


def test_updates_are_synchronous_and_one_per_change():
    explorer = activation_widgets.activation_explorer("elu")
    n = explorer.n_updates
    explorer.controls["param"].value = 2.0
    assert explorer.n_updates == n + 1 and explorer.state["param"] == 2.0
    explorer.controls["function"].value = "softplus"  # reconfigures the slider: still one redraw
    assert explorer.n_updates == n + 2 and explorer.state["param"] == 1.0


def test_explorer_start_arguments():
    explorer = activation_widgets.activation_explorer("softplus", x_range=(-3.0, 4.0), param=2.0)
    assert explorer.state["name"] == "softplus" and explorer.state["param"] == 2.0
    assert (explorer.state["x"][0], explorer.state["x"][-1]) == (-3.0, 4.0)
    with pytest.raises(ValueError, match="unknown activation"):
        activation_widgets.activation_explorer("nope")


def test_blitted_image_equals_a_full_redraw():
    """The fast path (background kept, only the curves redrawn) must show what a full draw shows."""
    explorer = activation_widgets.activation_explorer("elu")
    explorer.controls["param"].value = 2.0  # same function and x-range: blitted
    blitted = explorer.png
    explorer._background_key = None  # force a full redraw of the same state
    explorer.update()
    assert explorer.png == blitted



def test_the_title_is_a_part_kept_while_the_x_range_moves(monkeypatch):
    """The title is drawn apart from the background (an Explorer part, kept by its words): a new x-range draws
    the axes again but puts the title's kept pixels back; each image equals a full redraw of the same state."""
    explorer = activation_widgets.activation_explorer("elu")
    title = explorer.figure.axes[0].title
    drawn = []
    draw = title.draw
    monkeypatch.setattr(title, "draw", lambda *a, **k: (drawn.append(1), draw(*a, **k)))
    explorer.controls["x_range"].value = (-3.0, 3.0)
    assert drawn == []
    assert_each_image_is_a_full_redraw(explorer, [("x_range", (-8.0, 2.0)), ("param", 1.5), ("x_range", (-3.0, 3.0)),
                                                  ("function", "softplus"), ("x_range", (-1.0, 9.5))])


def test_the_png_decodes_to_the_canvas_pixels():
    """encode_png writes the PNG itself (unfiltered rows): any reader gets back exactly the figure's pixels."""
    import io

    from PIL import Image

    from utils.widgets.base import encode_png

    explorer = activation_widgets.activation_explorer("tanh")
    pixels = np.asarray(explorer._canvas.buffer_rgba())
    png = encode_png(explorer._canvas)
    assert png.startswith(PNG_SIGNATURE) and png == explorer.png
    decoded = Image.open(io.BytesIO(png))
    decoded.load()  # checks every chunk's CRC and the zlib stream
    assert decoded.mode == "RGBA" and decoded.size == (pixels.shape[1], pixels.shape[0])
    np.testing.assert_array_equal(np.asarray(decoded), pixels)
    np.testing.assert_array_equal(np.round(plt.imread(io.BytesIO(png), format="png") * 255), pixels)

# ---------------------------------------------------------------------------------------------
# (b) The softmax-temperature explorer
# ---------------------------------------------------------------------------------------------
def test_temperature_explorer_controls(temp):
    assert set(temp.controls) == {"z0", "z1", "z2", "temperature"}
    t = temp.controls["temperature"]
    assert t.base == 10 and t.min == pytest.approx(np.log10(0.05)) and t.max == pytest.approx(np.log10(20))
    for k in ("z0", "z1", "z2"):
        z = temp.controls[k]
        assert (z.min, z.max, z.step) == (-5.0, 5.0, 0.1)
    assert temp.png.startswith(PNG_SIGNATURE)


def test_default_state_is_softmax_of_2_1_01(temp):
    set_controls(temp, z0=2.0, z1=1.0, z2=0.1, temperature=1.0)
    np.testing.assert_allclose(temp.state["probabilities"], [0.659, 0.242, 0.099], atol=5e-4)
    assert temp.state["entropy"] == pytest.approx(0.8467, abs=1e-4)
    assert temp.state["max_entropy"] == pytest.approx(np.log(3))


def test_entropy_rises_strictly_with_temperature(temp):
    set_controls(temp, z0=2.0, z1=1.0, z2=0.1)
    entropies = []
    for t in [0.05, 0.2, 0.5, 1.0, 2.0, 5.0, 20.0]:
        temp.controls["temperature"].value = t
        assert temp.state["temperature"] == pytest.approx(t, rel=1e-6)
        entropies.append(temp.state["entropy"])
    assert all(a < b for a, b in zip(entropies, entropies[1:])), entropies
    assert 0 <= entropies[0] and entropies[-1] < np.log(3)


def test_small_temperature_is_nearly_one_hot_and_large_nearly_uniform(temp):
    set_controls(temp, z0=2.0, z1=1.0, z2=0.1, temperature=0.05)
    p = temp.state["probabilities"]
    assert np.argmax(p) == 0 and p.max() > 0.99
    set_controls(temp, temperature=20.0)
    assert np.max(np.abs(temp.state["probabilities"] - 1 / 3)) < 0.02
    assert temp.state["entropy"] > 0.99 * np.log(3)


def test_changing_a_logit_changes_the_probabilities_which_sum_to_one(temp):
    set_controls(temp, z0=2.0, z1=1.0, z2=0.1, temperature=1.0)
    before = temp.state["probabilities"].copy()
    set_controls(temp, z2=4.0)
    after = temp.state["probabilities"]
    np.testing.assert_array_equal(temp.state["logits"], [2.0, 1.0, 4.0])
    assert np.argmax(after) == 2 and after[2] > before[2] and after[0] < before[0]
    for z0, z1, z2, t in [(-5, 5, 0, 0.05), (5, 5, 5, 1.0), (-5, -5, 5, 20.0), (0.3, -1.2, 2.2, 0.7)]:
        set_controls(temp, z0=z0, z1=z1, z2=z2, temperature=t)
        assert temp.state["probabilities"].sum() == pytest.approx(1.0, abs=1e-12)
        assert temp.state["error"] is None


def test_equal_logits_are_uniform_at_any_temperature(temp):
    set_controls(temp, z0=1.5, z1=1.5, z2=1.5, temperature=0.05)
    np.testing.assert_allclose(temp.state["probabilities"], 1 / 3, rtol=1e-12)
    assert temp.state["entropy"] == pytest.approx(np.log(3), rel=1e-12)


def test_temperature_explorer_start_arguments():
    explorer = activation_widgets.softmax_temperature_explorer(logits=(0.0, 1.0, 3.0), temperature=0.5)
    np.testing.assert_array_equal(explorer.state["logits"], [0.0, 1.0, 3.0])
    assert explorer.state["temperature"] == pytest.approx(0.5, rel=1e-12)
    with pytest.raises(ValueError, match="three"):
        activation_widgets.softmax_temperature_explorer(logits=(1.0, 2.0))


# ---------------------------------------------------------------------------------------------
# Static figures (shown before each widget in the notebook)
# ---------------------------------------------------------------------------------------------
def labelled_lines(ax):
    return [line for line in ax.get_lines() if not line.get_label().startswith("_") and len(line.get_xdata())]


@pytest.mark.parametrize("name, dots", [("leaky_relu", (0, 1)), ("elu", (0, 1)), ("sigmoid", (0, 0)),
                                        ("step", (1, 0)), ("relu", (0, 1))])
def test_draw_activation_has_f_above_df_with_labels(name, dots):
    ax_f, ax_df = activation_widgets.draw_activation(name, (-4.0, 4.0))
    assert ax_f.figure is ax_df.figure
    for ax, dot, ylabel in ((ax_f, dots[0], "f(x)"), (ax_df, dots[1], "f′(x)")):
        lines = labelled_lines(ax)
        assert len(lines) == 1 + dot  # the curve (and the dot at a kink)
        assert ax.get_ylabel() == ylabel
        assert ax.get_legend() is not None
        assert len(ax.get_legend().get_texts()) == 1 + dot
        assert ax.get_xlim() == (-4.0, 4.0)
    assert ax_df.get_xlabel() == "x (the pre-activation)"
    title = ax_f.get_title()
    assert title.startswith(activation_widgets.LABELS[name]) and activation_widgets.NOTICE[name] in title
    curve = labelled_lines(ax_df)[0]
    x, y = np.asarray(curve.get_xdata()), np.asarray(curve.get_ydata())
    ok = ~np.isnan(x)
    spec = activation_widgets.PARAMETERS.get(name)
    np.testing.assert_allclose(y[ok], A.ACTIVATIONS[name][1](x[ok], **({spec.keyword: spec.default} if spec else {})))


def test_draw_activation_breaks_the_relu_derivative_at_its_jump():
    ax_f, ax_df = activation_widgets.draw_activation("relu", (-2.0, 2.0))
    y = np.asarray(labelled_lines(ax_df)[0].get_ydata())
    assert np.isnan(y).sum() == 1  # no vertical segment from 0 to 1
    assert not np.isnan(np.asarray(labelled_lines(ax_f)[0].get_ydata())).any()  # f itself is continuous


def test_parameter_limits_do_not_move_with_the_parameter():
    ax1 = activation_widgets.draw_activation("elu", param=0.5)
    ax2 = activation_widgets.draw_activation("elu", param=3.0)
    assert ax1[0].get_ylim() == ax2[0].get_ylim() and ax1[1].get_ylim() == ax2[1].get_ylim()
    assert ax1[0].get_ylim()[0] < -3.0  # room for f -> -α at the largest α
    assert "α = 0.50" in ax1[0].get_title() and "α = 3.00" in ax2[0].get_title()


def test_draw_activation_into_given_axes():
    fig, axes = plt.subplots(2, 1)
    assert activation_widgets.draw_activation("gelu", ax=axes) == (axes[0], axes[1])
    assert len(labelled_lines(axes[0])) == 1
    with pytest.raises(ValueError, match="pair of Axes"):
        activation_widgets.draw_activation("gelu", ax=axes[0])


def test_draw_temperature_bars_labels_and_title():
    ax = activation_widgets.draw_temperature((2.0, 1.0, 0.1), 1.0)
    bars = ax.patches
    assert len(bars) == 3
    heights = [b.get_height() for b in bars]
    np.testing.assert_allclose(heights, A.softmax([2.0, 1.0, 0.1]), rtol=1e-12)
    assert ax.get_ylim() == (0.0, 1.0)
    texts = [t.get_text() for t in ax.texts]
    for h in heights:
        assert f"{h:.3f}" in texts
    assert any("uniform" in t for t in texts)
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "class 0\nlogit z₀ = 2.0"
    assert ax.get_ylabel().startswith("probability")
    title = ax.get_title()
    assert "T = 1.00" in title and "entropy 0.85 nats" in title and "ln 3 = 1.10" in title


def test_draw_temperature_any_number_of_classes_and_tall_bar_labels_stay_inside():
    ax = activation_widgets.draw_temperature((4.0, 0.0, 0.0, -1.0), 0.1)
    assert len(ax.patches) == 4 and "ln 4 = 1.39" in ax.get_title()
    tall = [t for t in ax.texts if t.get_text() == "1.000"]
    assert len(tall) == 1 and tall[0].get_position()[1] < 1.0  # written inside the bar, under the top


def test_static_figures_use_the_course_style_without_changing_the_callers():
    matplotlib.rcdefaults()
    before = matplotlib.rcParams.copy()
    ax_f, _ = activation_widgets.draw_activation("tanh")
    assert matplotlib.rcParams == before  # the course style applies inside only
    assert not matplotlib.rcParams["axes.grid"]
    assert ax_f.get_xgridlines()[0].get_visible()  # ... where the course style's grid is on
    assert ax_f.figure.get_size_inches().tolist() == list(activation_widgets.ACTIVATION_FIGSIZE)


def test_paused_blocks_nest_and_redraw_once():
    explorer = activation_widgets.activation_explorer("relu")
    n = explorer.n_updates
    with explorer.paused():
        explorer.controls["function"].value = "elu"  # its own paused() block nests inside this one
        explorer.controls["param"].value = 2.0
        explorer.controls["x_range"].value = (-3.0, 3.0)
        assert explorer.n_updates == n
    assert explorer.n_updates == n + 1
    assert (explorer.state["name"], explorer.state["param"], explorer.state["x_range"]) == ("elu", 2.0, (-3.0, 3.0))


def count_full_draws(explorer) -> list:
    draws, draw = [], explorer._canvas.draw
    explorer._canvas.draw = lambda *args, **kwargs: (draws.append(1), draw(*args, **kwargs))
    return draws


def test_drawing_ahead_leaves_the_image_and_makes_every_other_function_blit_what_a_full_redraw_draws():
    explorer = activation_widgets.activation_explorer("relu", (-4.0, 4.0))
    png, n = explorer.png, explorer.n_updates
    assert explorer.draw_ahead(limit=2) == 2 and explorer.draw_ahead() == len(activation_widgets.LABELS) - 3
    assert explorer.png == png and explorer.n_updates == n and explorer.draw_ahead() == 0
    draws, blitted = count_full_draws(explorer), {}
    for name in activation_widgets.LABELS:
        explorer.controls["function"].value = name
        blitted[name] = explorer.png
    assert draws == []
    for name, png in blitted.items():
        explorer.controls["function"].value = name
        explorer._background_key = None  # forget every background: the next update draws everything
        explorer.update()
        assert explorer.png == png, name


def test_the_kernel_draws_ahead_when_idle(monkeypatch):
    monkeypatch.setattr(activation_widgets.Explorer, "AHEAD_DELAY", 0.0)
    monkeypatch.setattr(activation_widgets.Explorer, "AHEAD_GAP", 0.0)

    async def idle_explorer():  # an event loop runs, as in a kernel
        explorer = activation_widgets.activation_explorer("relu")
        explorer.controls["function"].value = "tanh"  # a change starts over with the states ahead of tanh
        for _ in range(10 * len(activation_widgets.LABELS)):
            await asyncio.sleep(0)
        return explorer

    explorer = asyncio.run(idle_explorer())
    assert explorer._ahead_states is None and explorer._ahead_timer is None  # all drawn, nothing pending
    draws = count_full_draws(explorer)
    for name in activation_widgets.LABELS:
        explorer.controls["function"].value = name
    assert draws == []


def test_nothing_is_drawn_ahead_while_cells_run(monkeypatch):
    """Run All: a cell ends, the next starts at once. Drawing ahead waits until no cell has run for AHEAD_DELAY,
    so it never adds to the time of running a notebook; then it draws."""
    from utils.widgets import base

    monkeypatch.setattr(activation_widgets.Explorer, "AHEAD_DELAY", 0.0)
    monkeypatch.setattr(activation_widgets.Explorer, "AHEAD_GAP", 0.0)
    cells = iter(range(1, 10_000))
    count = [0]
    monkeypatch.setattr(base, "_cells_run", lambda: count[0])

    async def run_cells_then_rest():
        explorer = activation_widgets.activation_explorer("relu")
        for _ in range(10 * len(activation_widgets.LABELS)):  # a cell runs between any two steps of the loop
            count[0] = next(cells)
            await asyncio.sleep(0)
        kept_while_running = len(explorer._backgrounds)
        for _ in range(10 * len(activation_widgets.LABELS)):  # no cell runs: the kernel is idle
            await asyncio.sleep(0)
        return explorer, kept_while_running

    explorer, kept_while_running = asyncio.run(run_cells_then_rest())
    assert kept_while_running == 1  # only the image shown
    assert explorer._ahead_states is None and len(explorer._backgrounds) > 1  # then every state ahead


def test_without_an_event_loop_nothing_is_drawn_ahead_by_itself():
    explorer = activation_widgets.activation_explorer("relu")
    assert len(explorer._backgrounds) == 1 and explorer._ahead_timer is None


@pytest.mark.parametrize("name", list(activation_widgets.LABELS))
def test_titles_and_legends_fit_in_the_figure(name):
    spec = activation_widgets.PARAMETERS.get(name)
    ax_f, ax_df = activation_widgets.draw_activation(name, (-10.0, 10.0), None if spec is None else spec.max)
    fig = ax_f.figure
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    frame = fig.bbox
    for artist in [ax_f.title, ax_f.get_legend(), ax_df.get_legend(), ax_df.xaxis.label, ax_f.yaxis.label]:
        box = artist.get_window_extent(renderer)
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, artist


def test_negative_logits_use_the_same_minus_sign_as_the_tick_labels():
    ax = activation_widgets.draw_temperature((-2.5, 0.0, 1.0))
    assert ax.get_xticklabels()[0].get_text() == "class 0\nlogit z₀ = −2.5"
