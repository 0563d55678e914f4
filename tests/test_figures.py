"""utils.figures (Chapter 02's static figures: initialization, networks, digits) and the promise of every
static-figure module: importing it (or utils.plotting) never imports ipywidgets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

import utils.figures
from utils import init, losses, optim
from utils import optimizer_experiments as ox
from utils.data import digits_split
from utils.figures import training_curves as tc
from utils.figures.digits import draw_digit_grid
from utils.figures.initialization import draw_activation_histograms, draw_std_per_layer, format_std
from utils.figures.networks import draw_network
from utils.figures.normalization import draw_normalization_axes, normalization_group
from utils.layer_statistics import init_statistics
from utils.lr_finder import lr_range_test

FIGURE_MODULES = ["utils.plotting", "utils.figures.history", "utils.figures.diagrams", "utils.figures.networks",
                  "utils.figures.digits", "utils.figures.initialization", "utils.figures.trajectories",
                  "utils.figures.training_curves", "utils.figures.training_practice",
                  "utils.figures.regularization", "utils.figures.normalization", "utils.figures.convolution",
                  "utils.figures.cnn_inside"]
MATHS_MODULES = ["utils.regression", "utils.layer_statistics", "utils.playground", "utils.losses", "utils.surfaces",
                 "utils.trajectories", "utils.optimizer_experiments", "utils.lr_finder", "utils.mnist_mlp",
                 "utils.auto_mpg", "utils.overfitting", "utils.regularization_experiments", "utils.filters"]


def _first_importers_of_widgets(modules: list[str]) -> dict[str, bool]:
    """Import ``modules`` one after the other in a fresh interpreter: module -> whether ipywidgets (or
    utils.widgets) was in sys.modules right after importing it."""
    code = ("import importlib, json, sys\n"
            f"seen = {{}}\nfor name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "    seen[name] = 'ipywidgets' in sys.modules or 'utils.widgets' in sys.modules\n"
            "print(json.dumps(seen))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_importing_a_static_figure_or_maths_module_does_not_import_ipywidgets():
    seen = _first_importers_of_widgets(FIGURE_MODULES + MATHS_MODULES)
    assert seen == dict.fromkeys(FIGURE_MODULES + MATHS_MODULES, False)


def test_the_import_check_sees_a_widget_module():
    """The check above can fail: a widget module does import ipywidgets."""
    assert _first_importers_of_widgets(["utils.plotting", "utils.widgets.losses"]) == {
        "utils.plotting": False, "utils.widgets.losses": True}


def test_every_static_figure_module_is_listed_above():
    folder = Path(utils.figures.__file__).parent
    names = {f"utils.figures.{p.stem}" for p in folder.glob("*.py") if p.stem != "__init__"}
    assert names == set(FIGURE_MODULES[1:])


def test_draw_std_per_layer_one_line_per_scheme():
    axes = draw_std_per_layer(("small_normal", "kaiming_normal"), ("tanh", "relu"), depth=5, width=64,
                              title="He keeps ReLU's scale")
    assert len(axes) == 2 and axes[0].figure._suptitle.get_text().startswith("He keeps ReLU's scale\n5 layers")
    for ax in axes:
        lines = [ln for ln in ax.get_lines() if ln.get_label() in (init.LABELS["small_normal"],
                                                                   init.LABELS["kaiming_normal"])]
        assert len(lines) == 2 and ax.get_yscale() == "log"
    he = [ln for ln in axes[1].get_lines() if ln.get_label() == "He normal"][0]
    np.testing.assert_allclose(he.get_ydata(), init_statistics("kaiming_normal", "relu", 5, 64).std)


def test_log_axes_are_labelled_without_mathtext():
    axes = draw_std_per_layer(("small_normal",), ("tanh",), depth=3, width=16)
    assert "$" not in axes[0].yaxis.get_major_formatter()(1e-2, 0)
    assert axes[0].yaxis.get_major_formatter()(1e-2, 0) == "10⁻²"


def test_draw_activation_histograms_grid():
    axes = draw_activation_histograms(("zeros", "small_normal", "xavier_uniform"), "tanh", depth=4, width=32,
                                      title="what to notice")
    assert axes.shape == (3,)  # one Axes per scheme, the layers side by side in it
    labels = [ax.get_ylabel() for ax in axes]
    assert labels == ["zeros\nall exactly 0", "N(0, 0.01²)\nvanishes", "Xavier uniform\nsurvives"]
    stats = init_statistics("xavier_uniform", "tanh", 4, 32)
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
    assert texts == [f"std {format_std(s)}" for s in stats.std]
    assert [t.get_text() for t in axes[0].texts if t.get_text().startswith("layer")] == [f"layer {i}" for i in
                                                                                         range(1, 5)]
    assert axes[0].figure._suptitle.get_text().startswith("what to notice\ntanh activations")


def test_a_constant_signal_is_labelled_with_its_value():
    axes = draw_activation_histograms(("zeros",), "sigmoid", depth=2, width=16)
    assert axes[0].get_ylabel() == "zeros\nall exactly 0.5"


def test_format_std():
    assert [format_std(s) for s in (0.0, 0.3141, 2.5e-5, 4.2e6)] == ["0", "0.31", "2.5e-05", "4.2e+06"]


def test_draw_network_lines_follow_the_weights():
    params = {"W1": np.array([[1.0, -2.0], [0.5, 0.0], [-1.0, 1.0]]), "b1": np.zeros(3),
              "W2": np.array([[1.0, 1.0, -1.0]]), "b2": np.zeros(1)}
    ax = draw_network([2, 3, 1], params)
    lines = ax.collections[0]
    assert len(lines.get_segments()) == 2 * 3 + 3 * 1
    widths = np.asarray(lines.get_linewidths())
    assert widths.max() == pytest.approx(0.4 + 3.0)  # the largest |w| (2.0) gets the widest line
    assert ax.get_legend().get_title().get_text() == "line width ∝ |weight|: widest at |w| = 2, the largest here"
    fixed = draw_network([2, 3, 1], params, weight_scale=4.0)  # a fixed scale: |w| = 2 is half as wide
    assert np.asarray(fixed.collections[0].get_linewidths()).max() == pytest.approx(0.4 + 1.5)
    assert fixed.get_legend().get_title().get_text() == "line width ∝ |weight|: widest at |w| = 4"
    labels = [t.get_text() for t in ax.texts]
    assert "input (layer 0)\n2 units" in labels and "hidden (layer 1)\n3 units" in labels
    assert "output (layer 2)\n1 unit" in labels
    big = draw_network([64, 50, 100, 10], max_units=6)
    assert "⋮" in [t.get_text() for t in big.texts]
    assert len(big.collections[0].get_segments()) == 6 * 6 + 6 * 6 + 6 * 6


def test_draw_digit_grid_marks_mistakes():
    images = np.random.default_rng(0).uniform(size=(5, 64))
    fig = draw_digit_grid(images, labels=np.array([1, 2, 3, 4, 5]), predicted=np.array([1, 2, 8, 4, 5]),
                          probabilities=np.array([0.9, 0.8, 0.55, 0.99, 1.0]), ncols=5, title="t")
    (ax,) = fig.axes  # one Axes for every digit: cheap to draw
    assert len(ax.images) == 5
    captions = ax.texts[:5]
    assert captions[0].get_text() == "1 → 1 ✓\n90%" and captions[2].get_text() == "3 → 8 ✗\n55%"  # true → predicted
    assert captions[2].get_fontweight() == "bold" and captions[0].get_fontweight() == "normal"
    assert ax.texts[5].get_text() == "t"
    frames = [patch.get_linewidth() for patch in ax.patches]
    assert frames == [0.8, 0.8, 2.0, 0.8, 0.8]  # the mistake is framed
    tops = [image.get_extent()[3] for image in ax.images]
    assert len(set(tops)) == 1  # one row of five
    fig = draw_digit_grid(images[:3], labels=np.array([7, 8, 9]), ncols=2)
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.texts] == ["7", "8", "9"]
    rows = sorted({image.get_extent()[3] for image in ax.images})
    assert len(rows) == 2  # two rows of two columns
    for image in ax.images:  # every image is inside the figure
        left, right, bottom, top = image.get_extent()
        assert 0 <= left < right <= fig.get_figwidth() and 0 <= bottom < top <= fig.get_figheight()


def test_the_training_curve_figures_draw_what_they_are_given():
    runs = ox.compare_optimizers({"SGD, lr 0.5": lambda p: optim.SGD(p, lr=0.5),
                                  "SGD, lr 0.1": lambda p: optim.SGD(p, lr=0.1)}, epochs=2)
    loss_ax, accuracy_ax = tc.draw_optimizer_comparison(runs, title="what to notice")
    assert [line.get_label() for line in loss_ax.get_lines()] == list(runs) and loss_ax.get_yscale() == "log"
    np.testing.assert_array_equal(loss_ax.get_lines()[1].get_ydata(), runs["SGD, lr 0.1"].train_loss)
    np.testing.assert_array_equal(accuracy_ax.get_lines()[0].get_ydata(), 100 * runs["SGD, lr 0.5"].test_accuracy[1:])
    assert loss_ax.figure._suptitle.get_text().startswith("what to notice\n1347 training images, batch size 32")

    noise = ox.gradient_noise((1, 4, 16), draws=2)
    ax = tc.draw_gradient_noise(noise)
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), noise.relative_error)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"

    axes = tc.draw_batch_size_cost(ox.batch_size_runs({None: 1.0, 32: 0.5}, epochs=1))
    assert {line.get_label() for line in axes[1].get_lines()} >= {"full batch, lr 1", "batch size 32, lr 0.5"}
    assert axes[1].get_xscale() == "log"

    scaling = ox.linear_scaling((32, 64), epochs=1)
    ax = tc.draw_linear_scaling(scaling)
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), scaling.final_fixed)

    eps = ox.adam_eps_runs((1e-8, 1.0), epochs=1)
    ax = tc.draw_adam_eps(eps)
    assert [line.get_label() for line in ax.get_lines()][:2] == ["Adam, eps = 1e-08", "Adam, eps = 1"]

    rng = np.random.default_rng(2)
    result = lr_range_test(ox.digits_network(rng), losses.CrossEntropyLoss(), lambda p: optim.Adam(p),
                           *digits_split()[::2], rng=rng)
    ax = tc.draw_lr_range_test(result)
    marked = [line for line in ax.get_lines() if line.get_label().startswith("suggested")]
    assert len(marked) == 1 and marked[0].get_xdata()[0] == result.suggested_lr
    with pytest.raises(TypeError, match="expected the RangeTest that lr_range_test\\(\\) returns, got dict"):
        tc.draw_lr_range_test({})
    with pytest.raises(TypeError, match="runs must be a non-empty dict"):
        tc.draw_optimizer_comparison([])
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# Chapter 06: training in practice
# ---------------------------------------------------------------------------------------------
def _log(best_epoch=2):
    from utils.torch_training import TrainLog

    loss = np.array([1.0, 0.6, 0.4, 0.3])
    return TrainLog(loss, np.array([0.5, 0.7, 0.8, 0.9]), np.array([0.9, 0.7, 0.5, 0.6]),
                    np.array([0.6, 0.7, 0.75, 0.74]), best_epoch, False, "cpu")


def test_draw_learning_curves_marks_the_best_epoch():
    from utils.figures.training_practice import draw_learning_curves

    ax_loss, ax_accuracy = draw_learning_curves(_log(), title="t")
    for ax, train, val in ((ax_loss, [1.0, 0.6, 0.4, 0.3], [0.9, 0.7, 0.5, 0.6]),
                           (ax_accuracy, [0.5, 0.7, 0.8, 0.9], [0.6, 0.7, 0.75, 0.74])):
        lines = {line.get_label(): line for line in ax.get_lines()}
        np.testing.assert_array_equal(lines["training (during the epoch)"].get_ydata(), train)
        np.testing.assert_array_equal(lines["validation (after the epoch)"].get_ydata(), val)
        assert list(lines["lowest validation loss (epoch 2)"].get_xdata()) == [2, 2]
    with pytest.raises(TypeError, match="log must be the TrainLog"):
        draw_learning_curves({"train_loss": [1.0]})


def test_draw_data_learning_curve_one_line_per_model():
    from utils.figures.training_practice import CURVE_LABELS, draw_data_learning_curve

    curve = {"sizes": [250, 1000], "mlp": [0.8, 0.9], "svm_rbf": [0.85, 0.93]}
    ax = draw_data_learning_curve(curve)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == [f"{CURVE_LABELS['mlp']}: 90.0% at 1,000", f"{CURVE_LABELS['svm_rbf']}: 93.0% at 1,000"]
    assert ax.get_xscale() == "log"
    with pytest.raises(ValueError, match=r"curve\['mlp'\] must hold one accuracy per size, 2; got \(3,\)"):
        draw_data_learning_curve({"sizes": [1, 2], "mlp": [0.1, 0.2, 0.3]})


def test_draw_predictions_frames_the_mistakes_and_counts_them():
    from utils.figures.training_practice import draw_image_grid, draw_predictions

    X = np.random.default_rng(0).uniform(size=(6, 784))
    y, predicted = np.array([0, 1, 2, 3, 4, 5]), np.array([0, 7, 2, 3, 9, 5])
    fig = draw_predictions(X, y, predicted, n=4)
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.texts[:4]] == ["0 → 0 ✓", "1 → 7 ✗", "2 → 2 ✓", "3 → 3 ✓"]
    assert ax.texts[4].get_text() == "The first 4 images (true → predicted): 1 wrong here, 2 of 6 in all"
    assert ax.images[0].get_array().shape == (28, 28)
    errors = draw_predictions(X, y, predicted, n=5, errors_only=True).axes[0]
    assert [t.get_text() for t in errors.texts[:2]] == ["1 → 7 ✗", "4 → 9 ✗"]
    grid = draw_image_grid(X, y, n=3).axes[0]
    assert [t.get_text() for t in grid.texts] == ["0", "1", "2"]
    with pytest.raises(ValueError, match=r"y_pred must have the shape of y_true, \(6,\); got \(5,\)"):
        draw_predictions(X, y, predicted[:5])


def test_draw_confusion_matrix_writes_every_count():
    from utils.figures.training_practice import draw_confusion_matrix

    cm = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 4]])
    ax = draw_confusion_matrix(cm, class_names=["a", "b", "c"])
    assert [t.get_text() for t in ax.texts] == [str(v) for v in cm.ravel()]
    assert ax.get_title() == "Confusion matrix: 16 of 20 on the diagonal (right)"
    np.testing.assert_allclose(ax.images[0].get_array(), cm / cm.sum(axis=1, keepdims=True))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    with pytest.raises(ValueError, match=r"cm must be a square matrix \(C, C\) of counts >= 0"):
        draw_confusion_matrix(np.ones((2, 3)))


def test_normalization_groups_are_the_axes_each_layer_averages_over():
    assert normalization_group("BatchNorm", 4, 6, channel=2).sum(axis=0).tolist() == [0, 0, 4, 0, 0, 0]
    assert normalization_group("LayerNorm", 4, 6, example=1).sum(axis=1).tolist() == [0, 6, 0, 0]
    assert normalization_group("InstanceNorm", 4, 6, example=3, channel=5).sum() == 1
    group = normalization_group("GroupNorm", 4, 6, groups=3, example=1, channel=3)
    assert np.argwhere(group).tolist() == [[1, 2], [1, 3]]  # channels 2 and 3 form the second of 3 groups
    assert normalization_group("GroupNorm", 4, 6, groups=1).sum() == 6  # G = 1: layer norm
    for bad in (dict(layer="BatchNorm2d"), dict(groups=4), dict(example=4), dict(n_channels=0)):
        with pytest.raises(ValueError):
            normalization_group(**{"layer": "GroupNorm", "n_examples": 4, "n_channels": 6, **bad})


def test_the_normalization_figure_has_one_panel_per_layer():
    fig = draw_normalization_axes(n_examples=3, n_channels=4, groups=2)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["BatchNorm", "LayerNorm", "InstanceNorm", "GroupNorm (G = 2)"]
    shaded = [sum(p.get_facecolor()[:3] != (0.93, 0.93, 0.93) for p in ax.patches) for ax in fig.axes]
    assert shaded == [3, 4, 1, 2]


def test_the_regularization_figures_draw_what_they_are_given():
    from utils import overfitting
    from utils.figures import regularization as figures
    from utils.regularization_experiments import stored_regularization_results

    results = stored_regularization_results()
    sweep = overfitting.capacity_sweep()
    ax, ax_fit = figures.draw_capacity_sweep(sweep)
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), sweep.val_mse)
    assert ax.get_xlabel() == "polynomial degree (capacity)" and len(ax_fit.get_lines()) == 5
    ax = figures.draw_width_sweep(results["capacity"])
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), results["capacity"]["train_accuracy"])
    ax, ax_curve = figures.draw_diabetes(results["diabetes"])
    assert len(ax.patches) == 15 and "never beats" in ax.figure._suptitle.get_text()
    axes = figures.draw_regularization_grid(results["grid"])
    assert len(axes) == 2 and len(axes[0].texts) == 12
    ax = figures.draw_batch_norm_curves(results["batch_norm"])
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), results["batch_norm"]["batch_norm"]["train_loss"])
    result = overfitting.double_descent(n_features=[10, 30, 60, 120, 400])
    ax = figures.draw_double_descent(result)
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), result.test_mse)
    ax, ax_acc = figures.draw_augmentation(results["augmentation"])
    assert ax_acc.get_ylabel() == "test accuracy (1,000 images)"
    with pytest.raises(TypeError, match="sweep must be the CapacitySweep"):
        figures.draw_capacity_sweep(results["capacity"])
    with pytest.raises(ValueError, match="grid must hold dropout, weight_decay, width, runs; it lacks runs"):
        figures.draw_regularization_grid({"dropout": [], "weight_decay": [], "width": []})


# ---------------------------------------------------------------------------------------------
# Chapter 08: convolution
# ---------------------------------------------------------------------------------------------
def test_filters_on_a_digit_show_each_kernels_output():
    from utils import filters
    from utils.data import sample_digit
    from utils.figures import convolution

    digit = sample_digit(3)
    fig = convolution.draw_filters_on_digit(digit, kernels=("sobel_x", "laplacian"))
    axes = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in axes] == ["digit (8×8)", "sobel x", "laplacian"]
    np.testing.assert_array_equal(axes[1].images[0].get_array(), filters.apply_kernel(digit, "sobel_x", padding=1))
    assert axes[1].images[0].get_clim()[0] == -axes[1].images[0].get_clim()[1]  # signed: centred on 0
    assert axes[1].get_xlabel().splitlines()[0].split() == ["-1", "0", "1"]


def test_filters_on_the_photo():
    from utils.figures import convolution

    fig = convolution.draw_filters_on_photo("flower", kernels=("sharpen",), size=40)
    assert fig.axes[0].images[0].get_array().shape == (40, 60) and fig.axes[1].get_title() == "sharpen"


def test_equivariance_figure_shows_a_zero_difference_and_the_moved_maximum():
    from utils.figures import convolution

    fig = convolution.draw_equivariance(shift=(2, 3))
    axes = fig.axes
    assert np.all(axes[4].images[0].get_array() == 0) and "exactly 0" in axes[4].get_title()
    marks = [ax.get_lines()[0].get_xydata()[0] for ax in axes[2:4]]
    np.testing.assert_array_equal(marks[1] - marks[0], [3, 2])  # (x, y): 3 columns right, 2 rows down
    assert "by (2, 3)" in fig._suptitle.get_text()
    clims = [ax.images[0].get_clim() for ax in axes[2:5]]  # the two maps and their difference: one scale, 0 centred
    assert clims[0][0] == -clims[0][1] < 0 and clims[1] == clims[0] and clims[2] == clims[0]


def test_cross_correlation_steps_writes_the_computed_value():
    from utils.figures import convolution

    fig = convolution.draw_cross_correlation_steps(position=(2, 1))
    out = (convolution.CC_IMAGE[2:5, 1:4] * convolution.CC_KERNEL).sum()
    assert fig.axes[2].get_title().endswith(f"out[2, 1] = {out:g}") and fig.texts[-1].get_text().endswith(f"= {out:g}")
    with pytest.raises(ValueError, match=r"position must be an output pixel \(row, col\) of the 3×3 output"):
        convolution.draw_cross_correlation_steps(position=(3, 0))


def test_receptive_field_diagram_fills_the_field():
    from utils.figures import convolution

    fig = convolution.draw_receptive_field([(3, 1), (3, 2), (3, 1, 2)])
    ax = fig.axes[0]
    inputs = ax.collections[1]  # the filled input pixels (the second scatter of the bottom row)
    xs = inputs.get_offsets()[:, 0]
    assert xs.max() - xs.min() + 1 == 13  # r = 3, then 3 + 2·1 = 5, then 5 + 2·2·2 = 13 (dilation 2 after stride 2)
    texts = [t.get_text() for t in ax.texts]
    assert "receptive field of the top unit: 13 pixels" in texts
    assert "layer 3: k=3, s=1, d=2   →  r=13, j=2" in texts


def test_channel_layouts_show_the_same_pixel_both_ways():
    from utils.data import load_sample_photo
    from utils.figures import convolution

    fig = convolution.draw_channel_layouts(size=40, pixel=(10, 12))
    photo = load_sample_photo("flower", gray=False, size=40)
    for c in range(3):
        np.testing.assert_array_equal(fig.axes[c].images[0].get_array(), photo[:, :, c])
    assert fig.axes[3].get_title().startswith("x[0, 10, 12] = (" + ", ".join(f"{v:.2f}" for v in photo[10, 12]))
    assert [t.get_text() for t in fig.texts[:2]] == ["channels first (PyTorch): x.shape = (1, 3, 40, 60)",
                                                 "channels last (Keras): (1, 40, 60, 3)"]


# Chapter 08 part 2: the CNN from the inside (an untrained build_mnist_cnn(0): the figures draw what it computes)


@pytest.fixture(scope="module")
def cnn():
    from utils.mnist_cnn import build_mnist_cnn

    return build_mnist_cnn(0).eval()


@pytest.fixture(scope="module")
def mnist_test():
    from utils.data import load_mnist5k

    split = load_mnist5k(0)
    return split.X_test[:200], split.y_test[:200]


def test_learned_filters_show_every_kernel_on_one_scale_centred_on_0(cnn):
    from utils.figures import cnn_inside

    fig = cnn_inside.draw_learned_filters(cnn)
    weights = cnn.conv1.weight.detach().numpy()
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 32 and len(fig.axes) == 32 + 1  # 32 kernels and the colorbar
    top = np.abs(weights).max()
    for k, ax in enumerate(panels[:32]):
        np.testing.assert_array_equal(ax.images[0].get_array(), weights[k, 0])
        assert ax.images[0].get_clim() == pytest.approx((-top, top)) and ax.get_title() == str(k)
    assert fig._suptitle.get_text().startswith("conv1: all 32 learned 3×3 kernels")
    fig = cnn_inside.draw_learned_filters(cnn, "conv2", max_filters=3, max_inputs=5)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 15
    np.testing.assert_array_equal(panels[7].images[0].get_array(), cnn.conv2.weight.detach().numpy()[1, 2])
    assert "output channels 0–2 (rows) × input channels 0–4 (columns)" in fig._suptitle.get_text()
    with pytest.raises(ValueError, match=r"layer must name one of the model's Conv2d layers \['conv1', 'conv2'\]; "
                                         r"got 'fc'"):
        cnn_inside.draw_learned_filters(cnn, "fc")
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        cnn_inside.draw_learned_filters("cnn")


def test_most_active_channels_rank_by_the_strongest_response():
    from utils.figures.cnn_inside import most_active_channels

    maps = np.zeros((4, 3, 3))
    maps[1, 0, 0] = 5.0  # one strong pixel beats a weak response everywhere
    maps[2] = 1.0
    maps[3, 1, 1] = 1.0  # ties with channel 2: the lower channel first
    np.testing.assert_array_equal(most_active_channels(maps, 3), [1, 2, 3])
    assert most_active_channels(maps, 10).tolist() == [1, 2, 3, 0]
    with pytest.raises(ValueError, match=r"maps must be one layer's feature maps \(C, H, W\), got shape \(3, 3\)"):
        most_active_channels(maps[0], 2)
    with pytest.raises(ValueError, match="n"):
        most_active_channels(maps, 0)


def test_column_centre_moves_with_the_pattern():
    from utils.figures.cnn_inside import column_centre

    pattern = np.zeros((5, 12))
    pattern[1:4, 2:5] = [[1.0, 2.0, 0.5]] * 3
    moved = np.roll(pattern, 4, axis=1)
    assert column_centre(moved) - column_centre(pattern) == pytest.approx(4.0, abs=1e-12)
    background = 0.3  # a bias everywhere would pull the centre towards the middle: measured from the background
    assert column_centre(pattern + background, background) == pytest.approx(column_centre(pattern), abs=1e-12)
    assert column_centre(np.zeros((2, 5))) == 2.0
    with pytest.raises(ValueError, match=r"values must be one feature map \(H, W\), got shape \(5,\)"):
        column_centre(np.zeros(5))
    with pytest.raises(ValueError, match=r"background must be a number or a map of the shape of values, \(5, 12\); "
                                         r"got shape \(2,\)"):
        column_centre(pattern, np.zeros(2))


def test_feature_maps_figure_shows_the_strongest_maps_of_each_layer(cnn, mnist_test):
    from utils.figures import cnn_inside
    from utils.mnist_cnn import feature_maps

    image = mnist_test[0][0]
    fig = cnn_inside.draw_feature_maps(cnn, image, layers=("relu1", "pool2"), n_maps=4)
    outputs = {fm.name: fm.maps for fm in feature_maps(cnn, image)}
    panels = [ax for ax in fig.axes if ax.images and ax.get_title().startswith("ch ")]
    assert len(panels) == 8
    for row, name in enumerate(("relu1", "pool2")):
        channels = cnn_inside.most_active_channels(outputs[name], 4)
        for ax, channel in zip(panels[4 * row:4 * row + 4], channels):
            assert ax.get_title() == f"ch {channel}"
            np.testing.assert_array_equal(ax.images[0].get_array(), outputs[name][channel])
    texts = [t.get_text() for t in fig.texts]
    assert any(t.startswith("relu1  32×26×26: conv1 with negatives set to 0") for t in texts)
    assert any(t.startswith("pool2  64×5×5:") for t in texts)
    with pytest.raises(ValueError, match=r"layers must be names among \('conv1'"):
        cnn_inside.draw_feature_maps(cnn, image, layers=("fc",))
    with pytest.raises(ValueError, match=r"image must be one MNIST image of shape \(784,\), \(28, 28\) or "
                                         r"\(1, 28, 28\); got shape \(2, 784\)"):
        cnn_inside.draw_feature_maps(cnn, mnist_test[0][:2])


def test_misclassified_shows_the_most_confident_mistakes(cnn, mnist_test):
    from utils.figures import cnn_inside
    from utils.mnist_cnn import predict_proba

    X, y = mnist_test
    fig = cnn_inside.draw_misclassified(cnn, X, y, n=5)
    proba = predict_proba(cnn, X)
    predicted = proba.argmax(axis=1)
    wrong = np.flatnonzero(predicted != y)
    captions = [t.get_text() for t in fig.axes[0].texts[:5]]
    first = wrong[np.argmax(proba[wrong, predicted[wrong]])]
    assert captions[0] == f"{y[first]} → {predicted[first]} ✗\n{proba[first, predicted[first]]:.0%}"
    shown = [float(c.splitlines()[1].rstrip("%")) for c in captions]
    assert shown == sorted(shown, reverse=True)
    assert fig.axes[0].texts[-1].get_text().startswith(f"{len(wrong)} of 200 test images misclassified")
    none = cnn_inside.draw_misclassified(cnn, X[:3], predicted[:3])
    assert none.texts[0].get_text() == "No mistakes: all 3 images right"
    with pytest.raises(ValueError, match=r"y must hold one integer label per image, shape \(200,\); got shape "
                                         r"\(3,\)"):
        cnn_inside.draw_misclassified(cnn, X, y[:3])


def test_trained_equivariance_the_first_maps_move_by_the_shift(cnn, mnist_test):
    from utils.figures import cnn_inside

    fig = cnn_inside.draw_trained_equivariance(cnn, mnist_test[0][0], shift=3)
    titles = [ax.get_title() for ax in fig.axes]
    relu1 = [t for t in titles if t.startswith("relu1")]
    assert len(relu1) == 2 and "centre moved +3.0\n(expected 3/1 = +3)" in relu1[1]  # exact: same kernels everywhere
    assert any("(expected 3/4 = +0.75)" in t for t in titles)
    assert titles[-1].startswith("prediction: P(")
    with pytest.raises(ValueError, match="shift must be an integer number of pixels in -8..8, got 2.5"):
        cnn_inside.draw_trained_equivariance(cnn, mnist_test[0][0], shift=2.5)


def test_mnist1d_examples_one_panel_per_class():
    from utils.figures import cnn_inside

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 40)), np.repeat(np.arange(10), 6)
    fig = cnn_inside.draw_mnist1d_examples(X, y, per_class=2)
    panels = [ax for ax in fig.axes if ax.lines]
    assert [ax.get_title() for ax in panels] == [f"class {k}" for k in range(10)]
    np.testing.assert_array_equal(panels[3].lines[1].get_ydata(), X[19])  # class 3's second example
    with pytest.raises(ValueError, match=r"X must have shape \(N, L\) and y shape \(N,\) of integer labels"):
        cnn_inside.draw_mnist1d_examples(X, y[:5])


def test_mlp_vs_cnn_draws_the_logs_it_is_given():
    from utils.figures import cnn_inside
    from utils.torch_training import TrainLog

    cnn_log = TrainLog(np.array([1.0, 0.5, 0.2]), None, np.array([1.1, 0.6, 0.3]), np.array([0.5, 0.8, 0.95]), 2,
                       False, "cpu")
    mlp = {"train_loss": [1.5, 1.2, 1.0], "val_loss": [1.6, 1.4, 1.3], "val_metric": [0.4, 0.5, 0.6]}
    fig = cnn_inside.draw_mlp_vs_cnn({"MLP": mlp, "CNN": cnn_log}, {"CNN": 0.951})
    ax_loss, ax_acc = fig.axes
    assert [line.get_label() for line in ax_loss.lines] == ["MLP, training", "MLP, validation", "CNN, training",
                                                            "CNN, validation"]
    np.testing.assert_array_equal(ax_acc.lines[1].get_ydata(), [0.5, 0.8, 0.95])
    assert [line.get_label() for line in ax_acc.lines] == ["MLP", "CNN: 95.1% on the test set"]
    with pytest.raises(ValueError, match=r"logs\['MLP'\]\['val_loss'\] must hold one value per epoch, \(3,\); "
                                         r"got \(2,\)"):
        cnn_inside.draw_mlp_vs_cnn({"MLP": {**mlp, "val_loss": [1.0, 2.0]}})
    with pytest.raises(TypeError, match=r"logs\['MLP'\] must be a TrainLog or a dict of arrays"):
        cnn_inside.draw_mlp_vs_cnn({"MLP": [1.0]})
    with pytest.raises(ValueError, match="logs must be a non-empty dict"):
        cnn_inside.draw_mlp_vs_cnn({})
    with pytest.raises(ValueError, match=r"test_accuracy\['CNN'\] must be an accuracy in \[0, 1\], got 95.1"):
        cnn_inside.draw_mlp_vs_cnn({"CNN": cnn_log}, {"CNN": 95.1})


def test_transfer_results_bars_are_the_means_and_dots_the_seeds():
    from utils.figures import cnn_inside

    results = {"scratch": [0.5, 0.6, 0.55], "last_layer": np.array([0.8, 0.82, 0.81]), "all": [0.85, 0.9, 0.86]}
    fig = cnn_inside.draw_transfer_results(results, n_per_class=10)
    (ax,) = fig.axes
    heights = [bar.get_height() for bar in ax.patches]
    np.testing.assert_allclose(heights, [np.mean(v) for v in results.values()])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), results["scratch"])
    assert [t.get_text() for t in ax.texts] == ["55.0%", "81.0%", "87.0%"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [cnn_inside.TRANSFER_LABELS[k] for k in results]
    assert ax.get_title() == ("Learning digits 5–9 from 10 training images per digit (bar: mean of 3 seeds)\n"
                              "starting from the network trained on 0–4: +32.0 points over random weights")
    from utils.transfer_learning import TransferResults  # transfer_experiment's results are drawn as they come

    measured = TransferResults(results, (0, 1, 2), 7, 500, 1.0)
    title = cnn_inside.draw_transfer_results(measured).axes[0].get_title()
    assert title.startswith("Learning digits 5–9 from 7 training images per digit")
    with pytest.raises(ValueError, match=r"accuracies\['all'\] must be accuracies in \[0, 1\], one per seed"):
        cnn_inside.draw_transfer_results({"all": [85.0, 90.0]})
    with pytest.raises(TypeError, match="accuracies must be a dict"):
        cnn_inside.draw_transfer_results([0.5])


def test_shift_accuracy_measures_each_shift(cnn, mnist_test):
    from utils.figures import cnn_inside
    from utils.mnist_cnn import predict_labels
    from utils.overfitting import shift_images

    X, y = mnist_test[0][:50], mnist_test[1][:50]
    fig = cnn_inside.draw_shift_accuracy(cnn, X, y, shifts=(-2, 0, 3))
    (ax,) = fig.axes
    accuracy, same = (line.get_ydata() for line in ax.lines[:2])
    before = predict_labels(cnn, X)
    moved = predict_labels(cnn, shift_images(X, 3, 0))
    assert accuracy[1] == np.mean(before == y) and same[1] == 1.0
    assert accuracy[2] == np.mean(moved == y) and same[2] == np.mean(moved == before)
    with pytest.raises(ValueError, match=r"shifts must be integers in -8..8 \(pixels\), got \[0, 9\]"):
        cnn_inside.draw_shift_accuracy(cnn, X, y, shifts=(0, 9))
