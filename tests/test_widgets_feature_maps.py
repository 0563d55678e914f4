"""Chapter 08's feature-map explorer, headless: the state against utils.mnist_cnn's feature maps and probabilities,
the first layer's maps moving with the shift, every control changing the image with one redraw, bad values, a
failing computation, and the static figure."""

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
from utils.data import load_mnist5k
from utils.figures.cnn_inside import most_active_channels
from utils.mnist_cnn import FEATURE_LAYERS, build_mnist_cnn, feature_maps, load_mnist_cnn, predict_proba
from utils.overfitting import shift_images
from utils.widgets import feature_maps as fm_widgets


@pytest.fixture(scope="module")
def data():
    split = load_mnist5k(0)
    return build_mnist_cnn(0).eval(), split.X_test[:20], split.y_test[:20]


@pytest.fixture(scope="module")
def explorer(data):
    return fm_widgets.feature_map_explorer(*data)


@pytest.mark.parametrize("index, layer, shift", [(0, "relu1", 0), (3, "conv1", 2), (7, "pool1", -3),
                                                 (11, "relu2", 4), (19, "pool2", -5), (5, "conv2", 1)])
def test_state_is_the_networks_maps_and_probabilities(data, index, layer, shift):
    model, X, y = data
    state = fm_widgets.feature_map_state(model, X, y, index, layer, shift)
    moved = shift_images(X[index:index + 1], shift, 0)[0]
    np.testing.assert_array_equal(state["image"], moved.reshape(28, 28))
    position = FEATURE_LAYERS.index(layer)
    unshifted = feature_maps(model, X[index])[position].maps
    np.testing.assert_array_equal(state["channels"], most_active_channels(unshifted, fm_widgets.N_MAPS))
    np.testing.assert_array_equal(state["maps_unshifted"], unshifted[state["channels"]])
    np.testing.assert_array_equal(state["maps"], feature_maps(model, moved)[position].maps[state["channels"]])
    # float32 logits of a batch of two images may differ from a batch of one in the last bits
    np.testing.assert_allclose(state["proba"], predict_proba(model, moved[None])[0], rtol=0, atol=1e-6)
    np.testing.assert_allclose(state["proba_unshifted"], predict_proba(model, X[index:index + 1])[0], atol=1e-6)
    assert state["predicted"] == np.argmax(state["proba"]) and state["label"] == y[index]
    assert state["shape"] == unshifted.shape and state["signed"] == layer.startswith("conv")
    assert state["vmax"] == np.abs(unshifted[state["channels"]]).max()


def test_the_first_layers_maps_move_with_the_digit(data):
    """relu1 of the digit moved 2 pixels right = relu1 of the digit, moved 2 columns (the same kernel everywhere)."""
    model, X, y = data
    state = fm_widgets.feature_map_state(model, X, y, 0, "relu1", 2)
    np.testing.assert_allclose(state["maps"][:, :, 2:], state["maps_unshifted"][:, :, :-2], rtol=0, atol=1e-5)


def test_controls_and_the_default_state():
    explorer = fm_widgets.feature_map_explorer()  # the shipped network on the MNIST-5k test split
    assert set(explorer.controls) == {"index", "layer", "shift"}
    assert explorer.png.startswith(PNG_SIGNATURE) and explorer.state["error"] is None
    assert explorer.controls["index"].max == 999 and explorer.controls["layer"].options == FEATURE_LAYERS
    split = load_mnist5k(0)
    want = fm_widgets.feature_map_state(load_mnist_cnn(), split.X_test, split.y_test, 0, "relu1", 0)
    assert explorer.state["label"] == split.y_test[0] and explorer.state["predicted"] == split.y_test[0]
    np.testing.assert_array_equal(explorer.state["maps"], want["maps"])


NEW_VALUES = {"shift": 3, "layer": "pool1", "index": 4}


def test_every_control_changes_the_image_with_one_redraw(data):
    explorer = fm_widgets.feature_map_explorer(*data)
    for name, value in NEW_VALUES.items():
        before, n, maps = explorer.png, explorer.n_updates, explorer.state["maps"]
        explorer.controls[name].value = value
        assert explorer.n_updates == n + 1 and explorer.state["error"] is None, name
        assert explorer.png != before, name
        assert explorer.state[name] == value, name  # the state mirrors the controls
        now = explorer.state["maps"]
        assert now.shape != maps.shape or not np.array_equal(now, maps), name


def test_bad_values_raise_with_their_message(data):
    model, X, y = data
    with pytest.raises(ValueError, match=r"index must be an integer in 0..19 \(one of the 20 images\), got 20"):
        fm_widgets.feature_map_state(model, X, y, index=20)
    with pytest.raises(ValueError, match=r"layer must be one of \('conv1', .*\), got 'fc'"):
        fm_widgets.feature_map_explorer(model, X, y, layer="fc")
    with pytest.raises(ValueError, match="shift must be an integer number of pixels in -5..5, got 6"):
        fm_widgets.feature_map_state(model, X, y, shift=6)
    with pytest.raises(ValueError, match=r"y must hold one label per image, shape \(20,\); got shape \(3,\)"):
        fm_widgets.feature_map_explorer(model, X, y[:3])
    with pytest.raises(ValueError, match="y needs its images: pass X too"):
        fm_widgets.feature_map_state(model, None, y)
    with pytest.raises(TypeError, match="model must be a torch.nn.Module such as load_mnist_cnn\\(\\), got str"):
        fm_widgets.feature_map_state("cnn", X, y)


def test_without_labels_the_title_has_no_true_class(data):
    model, X, _ = data
    explorer = fm_widgets.feature_map_explorer(model, X)
    assert explorer.state["label"] is None and explorer.state["error"] is None


def test_a_failing_computation_never_breaks_the_widget(monkeypatch, data):
    explorer = fm_widgets.feature_map_explorer(*data)
    assert_survives_a_failing_computation(monkeypatch, explorer, fm_widgets, "feature_map_state", "shift", 2, 3)
    assert explorer.state["shift"] == 3


def test_blitted_image_equals_a_full_redraw(explorer):
    set_controls(explorer, index=2, layer="relu2", shift=0)
    explorer.controls["shift"].value = -2  # same layer: blitted
    blitted = explorer.png
    explorer._background_key = None
    explorer.update()
    assert explorer.png == blitted


def test_the_titles_are_parts_kept_by_their_words(monkeypatch, explorer):
    """Each title is an Explorer part: a shift keeps the channel numbers, so their texts are not drawn again;
    every image equals a full redraw of the same state (layers, shifts and images seen before or not)."""
    set_controls(explorer, index=4, layer="relu1", shift=0)
    drawn = []
    for title in explorer.figure.axes[1].title, explorer.figure.axes[16].title:  # two maps' channel numbers
        draw = title.draw
        monkeypatch.setattr(title, "draw", lambda *a, draw=draw, **k: (drawn.append(1), draw(*a, **k)))
    explorer.controls["shift"].value = 3
    assert drawn == []
    assert_each_image_is_a_full_redraw(explorer, [("layer", "conv2"), ("shift", -2), ("index", 9), ("layer", "relu1"),
                                                  ("shift", 0)])


def test_after_drawing_ahead_every_layer_only_blits_and_draws_what_a_full_redraw_draws(data):
    explorer = fm_widgets.feature_map_explorer(*data, layer="relu1")
    # whole images: pool1 and conv2 (the next layers, conv2 the other sign's colour bar), shift ±1, image 1, conv1
    assert explorer.draw_ahead() == 6 and explorer.draw_ahead() == 0
    renders, render = [], explorer._render
    explorer._render = lambda *args: (renders.append(1), render(*args))[1]
    for control, value in [("layer", "pool1"), ("layer", "relu1"), ("shift", -1), ("shift", 0), ("index", 1),
                           ("index", 0), ("layer", "conv1")]:
        explorer.controls[control].value = value  # kept images: shown without rendering
    assert renders == [] and explorer.state["layer"] == "conv1"
    explorer._render = render
    draws, draw = [], explorer._canvas.draw
    explorer._canvas.draw = lambda *args, **kwargs: (draws.append(1), draw(*args, **kwargs))
    layers = ["conv1", "pool1", "conv2", "relu2", "pool2"]  # each the sign of relu1 or conv1
    blitted = []
    for layer in layers:
        explorer.controls["layer"].value = layer
        blitted.append(explorer.png)
    assert draws == []
    for layer, png in zip(layers, blitted):
        explorer.controls["layer"].value = layer
        explorer._background_key = None  # forget the backgrounds: the next update draws everything
        explorer.update()
        assert explorer.png == png and explorer.state["layer"] == layer


def test_the_explorer_never_leaves_figures_in_pyplot(data):
    plt.close("all")
    explorer = fm_widgets.feature_map_explorer(*data)
    explorer.controls["shift"].value = 2
    assert plt.get_fignums() == []


def test_draw_feature_map_explorer_shows_the_state(data):
    model, X, y = data
    fig = fm_widgets.draw_feature_map_explorer(model, X, y, index=6, layer="conv2", shift=-1)
    state = fm_widgets.feature_map_state(model, X, y, 6, "conv2", -1)
    maps = [ax for ax in fig.axes if ax.images and ax.get_title().startswith("ch ")]
    assert [ax.get_title() for ax in maps] == [f"ch {c}" for c in state["channels"]]
    np.testing.assert_allclose(maps[0].images[0].get_array(), state["maps"][0] / state["vmax"])
    assert maps[0].images[0].get_clim() == (-1.0, 1.0)  # conv2 is signed: a scale centred on 0
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), state["image"])
    assert fig.axes[0].get_title() == f"image 6 (a {y[6]})\nshifted 1 px left"
    heights = [bar.get_height() for bar in fig.axes[-1].patches]
    np.testing.assert_allclose(heights, state["proba"])
    assert fig.texts[0].get_text().startswith("conv2 (64×11×11): 3×3 kernels over all 32 pool1 maps")
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    for artist in [fig.texts[0], fig.axes[0].title, fig.axes[-1].title]:
        box = artist.get_window_extent(renderer)
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1 and box.y1 <= fig.bbox.y1, artist.get_text()
