"""Chapter 02's explorers, headless: pure computations vs utils.network, controls driven from Python (setting
``.value`` updates ``.state`` and the image synchronously), the static figures, and error handling."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

import utils.widgets.forward_pass as W
from tests.widget_helpers import PNG_SIGNATURE, assert_survives_a_failing_computation, set_controls
from utils import init
from utils.network import deep_activations


@pytest.fixture(scope="module")
def explorer():
    return W.init_explorer()


@pytest.fixture(scope="module")
def playground():
    return W.network_playground()




# ---------------------------------------------------------------------------------------------
# Pure computations
# ---------------------------------------------------------------------------------------------
def test_init_statistics_match_deep_activations():
    stats = W.init_statistics("kaiming_normal", "relu", 6, 64)
    acts = deep_activations("kaiming_normal", "relu", 6, 64, n_samples=W.N_SAMPLES, seed=0).reshape(6, -1)
    np.testing.assert_allclose(stats.std, acts.std(axis=1), rtol=1e-12)
    np.testing.assert_allclose(stats.zero_fraction, np.mean(acts == 0, axis=1))
    assert stats.counts.shape == (6, W.N_BINS) and stats.edges.shape == (W.N_BINS + 1,)
    np.testing.assert_array_equal(stats.counts.sum(axis=1), acts.shape[1])  # every value lands in a bin
    np.testing.assert_array_equal(stats.counts[0], np.histogram(np.clip(acts[0], 0, 4 - 1e-12), bins=stats.edges)[0])
    assert stats.outside[0] == pytest.approx(np.mean(acts[0] > 4.0), abs=1e-12) and stats.outside[0] > 0


@pytest.mark.parametrize("scheme, activation, word", [
    ("zeros", "tanh", "exactly 0"),
    ("small_normal", "tanh", "vanishes"),
    ("normal", "tanh", "saturated"),
    ("normal", "relu", "explodes"),
    ("xavier_uniform", "relu", "vanishes"),
    ("kaiming_normal", "relu", "survives"),
    ("xavier_uniform", "tanh", "survives"),
    ("lecun_normal", "identity", "survives"),
])
def test_the_verdict_says_what_happens(scheme, activation, word):
    assert word in W.init_statistics(scheme, activation, 10, 256).verdict


def test_zeros_with_sigmoid_gives_one_half_everywhere():
    stats = W.init_statistics("zeros", "sigmoid", 4, 32)
    assert (stats.std == 0).all() and np.allclose(stats.mean, 0.5)
    assert (stats.counts[:, W.N_BINS // 2] == stats.counts.sum(axis=1)).all()  # one bin holds every value
    assert "exactly 0.5, whatever the input" in stats.verdict  # not "exactly 0"
    axes = W.draw_activation_histograms(("zeros",), "sigmoid", depth=2, width=16)
    assert axes[0].get_ylabel() == "zeros\nall exactly 0.5"


@pytest.mark.parametrize("call, match", [
    (lambda: W.init_statistics("glorot"), "unknown scheme"),
    (lambda: W.init_statistics("zeros", "gelu"), "unknown activation"),
    (lambda: W.init_statistics("zeros", "tanh", 0), "depth"),
    (lambda: W.init_statistics("zeros", "tanh", 11), "depth"),
    (lambda: W.init_statistics("zeros", "tanh", 3, 1), "width"),
    (lambda: W.playground_surface(depth=7), "depth"),
    (lambda: W.playground_surface(width=0), "width"),
    (lambda: W.playground_surface(width=33), "width"),
    (lambda: W.playground_surface(activation="gelu"), "unknown activation"),
    (lambda: W.playground_surface(scale=0.0), "scale"),
    (lambda: W.playground_surface(scale=float("nan")), "scale"),
])
def test_bad_settings_raise_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_playground_surface_is_the_network_it_describes():
    s = W.playground_surface(depth=2, width=5, activation="tanh", scale=1.5, seed=4)
    assert s.output.shape == (W.GRID, W.GRID) and s.xs[0] == -3.0 and s.xs[-1] == 3.0
    # rebuild the network by hand from the documented recipe and compare one point
    weights, biases = W._master_weights(4)
    point = np.array([[s.xs[10], s.ys[20]]])  # column 10, row 20

    def score(p):
        a, fan_in = p, 2
        for layer in range(2):
            a = np.tanh(a @ (1.5 * weights[layer][:5, :fan_in] / np.sqrt(fan_in)).T + biases[layer][:5])
            fan_in = 5
        return (a @ (1.5 * weights[W.MAX_HIDDEN + 2][:, :5] / np.sqrt(5)).T)[0, 0]

    assert s.output[20, 10] == pytest.approx(score(point) - score(np.zeros((1, 2))), rel=1e-12)
    assert s.n_params == (2 * 5 + 5) + (5 * 5 + 5) + (5 + 1)


def test_the_boundary_passes_through_the_origin_and_marks_sign_changes():
    s = W.playground_surface(depth=3, width=8, activation="relu", seed=1)
    centre = W.GRID // 2
    assert abs(s.output[centre, centre]) < 1e-12
    positive = s.output > 0
    assert positive.any() and (~positive).any() and s.boundary.any()
    rows, cols = np.nonzero(s.boundary)
    r, c = rows[0], cols[0]
    neighbours = [positive[r, c - 1]] if c > 0 else []
    neighbours += [positive[r - 1, c]] if r > 0 else []
    assert any(n != positive[r, c] for n in neighbours)


def test_linear_networks_have_straight_boundaries_and_one_piece():
    for activation, depth in (("identity", 4), ("relu", 0)):
        s = W.playground_surface(depth=depth, width=8, activation=activation, seed=2)
        # a linear function on a grid: second differences vanish
        assert np.allclose(np.diff(s.output, 2, axis=0), 0, atol=1e-9)
        assert np.allclose(np.diff(s.output, 2, axis=1), 0, atol=1e-9)
        assert s.regions == 1 and not s.kinks.any()


def test_relu_pieces_grow_with_depth_and_width():
    pieces = [W.playground_surface(depth=d, width=8, activation="relu", seed=0).regions for d in (1, 2, 4)]
    assert pieces[0] < pieces[1] < pieces[2]
    assert W.playground_surface(1, 2, "relu", seed=0).regions <= 4  # two lines cut the plane into at most 4
    assert W.playground_surface(2, 8, "relu", seed=0).kinks.any()


def test_smaller_networks_reuse_the_larger_ones_weights():
    """Adding a unit keeps every other weight: width 3 is the top-left corner of width 4's draws."""
    weights, _ = W._master_weights(0)
    assert weights[0].shape == (W.MAX_WIDTH, 2)
    a = W.playground_surface(depth=1, width=3, activation="relu", seed=0)
    b = W.playground_surface(depth=1, width=3, activation="relu", seed=0)
    np.testing.assert_array_equal(a.output, b.output)
    assert not np.array_equal(a.output, W.playground_surface(depth=1, width=3, activation="relu", seed=1).output)


# ---------------------------------------------------------------------------------------------
# The initialization explorer
# ---------------------------------------------------------------------------------------------
def test_init_explorer_builds_with_controls_state_and_an_image(explorer):
    assert set(explorer.controls) == {"scheme", "activation", "depth", "width"}
    assert dict(explorer.controls["scheme"].options) == {init.LABELS[s]: s for s in W.INIT_SCHEMES}
    assert explorer.controls["depth"].max == 10 and list(explorer.controls["width"].options) == list(W.WIDTHS)
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
    np.testing.assert_allclose(after, W.init_statistics(**{k: explorer.state[k] for k in
                                                           ("scheme", "activation", "depth", "width")}).std)


def test_explorer_shows_vanishing_and_exploding(explorer):
    set_controls(explorer, scheme="small_normal", activation="tanh", depth=10, width=256)
    assert explorer.state["std"][-1] < 1e-6 and "vanishes" in explorer.state["verdict"]
    set_controls(explorer, scheme="normal", activation="relu")
    assert explorer.state["std"][-1] > 1e6 and "explodes" in explorer.state["verdict"]
    set_controls(explorer, scheme="kaiming_normal")
    assert 0.5 < explorer.state["std"][-1] < 2


def test_explorer_hides_the_panels_of_missing_layers():
    explorer = W.init_explorer(depth=3)
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
    explorer = W.init_explorer("lecun_normal", "identity", 5, 32)
    assert (explorer.state["scheme"], explorer.state["activation"], explorer.state["depth"],
            explorer.state["width"]) == ("lecun_normal", "identity", 5, 32)
    with pytest.raises(ValueError, match="unknown scheme"):
        W.init_explorer("glorot")


def test_an_exception_never_breaks_the_explorer(monkeypatch):
    explorer = W.init_explorer(depth=4)
    assert_survives_a_failing_computation(monkeypatch, explorer, W, "init_statistics", "depth", 5, 6)
    assert explorer.state["depth"] == 6


def test_blitted_explorer_image_equals_a_full_redraw():
    explorer = W.init_explorer()
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
    assert playground.controls["depth"].max == W.MAX_HIDDEN and playground.controls["width"].max == W.MAX_WIDTH
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
    widget = W.network_playground()
    widget.controls["depth"].value = 3
    W.init_explorer().controls["depth"].value = 2
    assert plt.get_fignums() == []


# ---------------------------------------------------------------------------------------------
# Static figures
# ---------------------------------------------------------------------------------------------
def test_draw_init_statistics_titles_and_panels():
    fig = W.draw_init_statistics("small_normal", "tanh", depth=6, width=64)
    assert "N(0, 0.01²)" in fig._suptitle.get_text() and "vanishes" in fig._suptitle.get_text()
    assert sum(ax.get_visible() for ax in fig.axes) == 6 + 1
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert titles[0].startswith("layer 1: std")


def test_draw_std_per_layer_one_line_per_scheme():
    axes = W.draw_std_per_layer(("small_normal", "kaiming_normal"), ("tanh", "relu"), depth=5, width=64,
                                title="He keeps ReLU's scale")
    assert len(axes) == 2 and axes[0].figure._suptitle.get_text().startswith("He keeps ReLU's scale\n5 layers")
    for ax in axes:
        lines = [ln for ln in ax.get_lines() if ln.get_label() in (init.LABELS["small_normal"],
                                                                   init.LABELS["kaiming_normal"])]
        assert len(lines) == 2 and ax.get_yscale() == "log"
    he = [ln for ln in axes[1].get_lines() if ln.get_label() == "He normal"][0]
    np.testing.assert_allclose(he.get_ydata(), W.init_statistics("kaiming_normal", "relu", 5, 64).std)


def test_draw_activation_histograms_grid():
    axes = W.draw_activation_histograms(("zeros", "small_normal", "xavier_uniform"), "tanh", depth=4, width=32,
                                        title="what to notice")
    assert axes.shape == (3,)  # one Axes per scheme, the layers side by side in it
    labels = [ax.get_ylabel() for ax in axes]
    assert labels == ["zeros\nall exactly 0", "N(0, 0.01²)\nvanishes", "Xavier uniform\nsurvives"]
    stats = W.init_statistics("xavier_uniform", "tanh", 4, 32)
    (bars,) = axes[2].patches  # one filled stairs per row: layer l's histogram in the slot [l - 1, l]
    values, edges = bars.get_data().values, bars.get_data().edges
    n = len(stats.edges)  # each histogram's edges, then a zero-height step to the next slot
    for layer in range(4):
        slot_edges = edges[layer * n:(layer + 1) * n]
        assert layer < slot_edges[0] < slot_edges[-1] < layer + 1
        np.testing.assert_allclose(values[layer * n:layer * n + n - 1], stats.counts[layer] / stats.counts[layer].max())
        if layer < 3:
            assert values[layer * n + n - 1] == 0.0
    texts = [t.get_text() for t in axes[2].texts]
    assert texts == [f"std {W._fmt_std(s)}" for s in stats.std]
    assert [t.get_text() for t in axes[0].texts if t.get_text().startswith("layer")] == [f"layer {i}" for i in
                                                                                         range(1, 5)]
    assert axes[0].figure._suptitle.get_text().startswith("what to notice\ntanh activations")


def test_draw_playground_and_grid():
    ax = W.draw_playground(depth=1, width=4, activation="relu", seed=0)
    assert "2 → 4 → 1" in ax.get_title() and "flat pieces" in ax.get_title()
    assert ax.get_xlabel() == "input x₁"
    axes = W.draw_playground_grid(("identity", "relu"), (0, 2), width=4, title="notice")
    assert axes[0, 0].figure._suptitle.get_text().startswith("notice\nRandom networks 2 → 4 → … → 1")
    assert axes.shape == (2, 2) and axes[1, 1].get_title().startswith("2 hidden layers")
    assert "pieces" in axes[1, 1].get_title() and "pieces" not in axes[0, 1].get_title()


def test_draw_network_lines_follow_the_weights():
    params = {"W1": np.array([[1.0, -2.0], [0.5, 0.0], [-1.0, 1.0]]), "b1": np.zeros(3),
              "W2": np.array([[1.0, 1.0, -1.0]]), "b2": np.zeros(1)}
    ax = W.draw_network([2, 3, 1], params)
    lines = ax.collections[0]
    assert len(lines.get_segments()) == 2 * 3 + 3 * 1
    widths = np.asarray(lines.get_linewidths())
    assert widths.max() == pytest.approx(0.4 + 3.0)  # the largest |w| (2.0) gets the widest line
    labels = [t.get_text() for t in ax.texts]
    assert "input\n2 units" in labels and "output\n1 unit" in labels
    big = W.draw_network([64, 50, 100, 10], max_units=6)
    assert "⋮" in [t.get_text() for t in big.texts]
    assert len(big.collections[0].get_segments()) == 6 * 6 + 6 * 6 + 6 * 6


def test_draw_digit_grid_marks_mistakes():
    images = np.random.default_rng(0).uniform(size=(5, 64))
    fig = W.draw_digit_grid(images, labels=np.array([1, 2, 3, 4, 5]), predicted=np.array([1, 2, 8, 4, 5]),
                            probabilities=np.array([0.9, 0.8, 0.55, 0.99, 1.0]), ncols=5, title="t")
    (ax,) = fig.axes  # one Axes for every digit: cheap to draw
    assert len(ax.images) == 5
    captions = ax.texts[:5]
    assert captions[0].get_text() == "→ 1\n90%" and captions[2].get_text() == "3 → 8\n55%"
    assert captions[2].get_fontweight() == "bold" and captions[0].get_fontweight() == "normal"
    assert ax.texts[5].get_text() == "t"
    frames = [patch.get_linewidth() for patch in ax.patches]
    assert frames == [0.8, 0.8, 2.0, 0.8, 0.8]  # the mistake is framed
    tops = [image.get_extent()[3] for image in ax.images]
    assert len(set(tops)) == 1  # one row of five
    fig = W.draw_digit_grid(images[:3], labels=np.array([7, 8, 9]), ncols=2)
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.texts] == ["7", "8", "9"]
    rows = sorted({image.get_extent()[3] for image in ax.images})
    assert len(rows) == 2  # two rows of two columns
    for image in ax.images:  # every image is inside the figure
        left, right, bottom, top = image.get_extent()
        assert 0 <= left < right <= fig.get_figwidth() and 0 <= bottom < top <= fig.get_figheight()


def test_distinct_rows_are_counted_exactly():
    rng = np.random.default_rng(3)
    for shape in [(500, 5), (2000, 48), (300, 130), (1, 7)]:
        bits = rng.random(shape) < 0.5
        bits[::4] = bits[0]  # repeated rows
        assert W._count_distinct_rows(bits) == len(np.unique(bits, axis=0))


def test_log_axes_are_labelled_without_mathtext():
    assert W._power_of_ten(1e-3) == "10⁻³" and W._power_of_ten(1.0) == "10⁰" and W._power_of_ten(1e11) == "10¹¹"
    assert W._power_of_ten(3e-2) == "" and W._power_of_ten(0.0) == ""
    axes = W.draw_std_per_layer(("small_normal",), ("tanh",), depth=3, width=16)
    assert "$" not in axes[0].yaxis.get_major_formatter()(1e-2, 0)


def test_a_shallower_explorer_network_is_the_first_layers_of_the_deepest():
    deep = W.init_statistics("xavier_normal", "relu", 10, 32)
    shallow = W.init_statistics("xavier_normal", "relu", 4, 32)
    np.testing.assert_array_equal(shallow.counts, deep.counts[:4])
    np.testing.assert_array_equal(shallow.std, deep.std[:4])
    assert "from layer 1 to 4" in shallow.verdict  # the verdict is about the shallow network
