"""Chapter 04's explorers, headless: the steps of backpropagation against utils.autograd, the training runs
against utils.training, controls driven from Python (setting ``.value`` updates ``.state`` and the image), the
static figures, and bad arguments."""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np
import pytest

import utils.widgets.backprop as W
from tests.widget_helpers import PNG_SIGNATURE
from utils import losses
from utils.autograd import Value, topological_order
from utils.training import accuracy, fit


# ---------------------------------------------------------------------------------------------
# (a) The steps of backpropagation
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("graph", list(W.GRAPHS))
def test_steps_walk_forward_then_backward_and_end_with_the_engines_gradients(graph):
    st = W.backprop_steps(graph)
    root = W.GRAPHS[graph][1]()
    root.backward()
    order = topological_order(root)
    n_ops = sum(1 for v in order if v.children)
    phases = [s.phase for s in st.steps]
    assert phases == ["start"] + ["forward"] * n_ops + ["seed"] + ["backward"] * n_ops + ["done"]
    assert st.n_steps == 2 * n_ops + 3 and [s.index for s in st.steps] == list(range(st.n_steps))
    np.testing.assert_allclose(st.steps[-1].grads, [v.grad for v in order], rtol=1e-15)
    np.testing.assert_allclose(st.values, [v.data for v in order], rtol=1e-15)
    assert all(st.steps[-1].final) and all(st.steps[-1].known)
    # forward: one more value known per step, in topological order (every node after its children)
    for k in range(1, n_ops + 1):
        step = st.steps[k]
        assert sum(step.known) == sum(st.steps[k - 1].known) + 1 and step.known[step.node]
        assert all(step.known[c] for c in st.children[step.node])
        assert all(g is None for g in step.grads)
    # the seed: only the output has a gradient, 1
    seed = st.steps[n_ops + 1]
    assert seed.grads[-1] == 1.0 and all(g is None for g in seed.grads[:-1])


def test_chain_graph_is_chapter_00s_example():
    st = W.backprop_steps("chain")
    assert st.labels == ("x", "z", "y") and st.values == (2.0, 4.0, 64.0)
    assert st.steps[-1].grads == (192.0, 48.0, 1.0)
    assert "x gets 4 × 48 = 192" in st.steps[-2].message
    assert st.steps[1].message == "Forward: z = x^2 = 4"


def test_reuse_graph_shows_a_gradient_that_is_not_complete_yet():
    st = W.backprop_steps("reuse")  # f = e + a, e = a * b with a = 3, b = -2
    a = st.labels.index("a")
    first_backward = next(s for s in st.steps if s.phase == "backward")
    assert st.labels[first_backward.node] == "f"
    assert first_backward.grads[a] == 1.0 and not first_backward.final[a]  # only the '+' path so far
    last = st.steps[-2]
    assert last.grads[a] == -1.0 and last.final[a]  # b + 1 = -1 once the product has passed its share
    assert "a gets -2 × 1 = -2" in last.message


def test_neuron_graph_has_micrographs_numbers():
    st = W.backprop_steps("neuron")
    grads = dict(zip(st.labels, st.steps[-1].grads))
    assert grads["x₁"] == pytest.approx(-1.5) and grads["w₁"] == pytest.approx(1.0)
    assert grads["w₂"] == pytest.approx(0.0) and grads["b"] == pytest.approx(0.5)
    assert dict(zip(st.labels, st.values))["o"] == pytest.approx(np.sqrt(0.5))


def test_steps_of_leave_the_graphs_gradients_untouched():
    x = Value(1.5)
    y = (x * x).tanh()
    y.backward()
    before = [v.grad for v in topological_order(y)]
    st = W.steps_of(y)
    assert [v.grad for v in topological_order(y)] == before
    assert st.labels[0] == "v1" and st.steps[-1].grads[0] == pytest.approx(x.grad)


@pytest.mark.parametrize("call, match", [
    (lambda: W.backprop_steps("loop"), "unknown graph 'loop'"),
    (lambda: W.draw_backprop_step("neuron", step=99), "step must be an integer from 0 to 12"),
    (lambda: W.draw_backprop_step("chain", step=-1), "from 0 to 6"),
    (lambda: W.backprop_stepper("tree"), "unknown graph"),
])
def test_stepper_rejects_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_static_graph_figures_draw_every_box_and_message():
    ax = W.draw_backprop_step("neuron")
    texts = [t.get_text() for t in ax.texts]
    assert "o" in texts and "grad -1.5" in texts and "value 0.7071" in texts
    assert "step 12 of 12: done" in ax.get_title(loc="left")
    ax = W.draw_backprop_step("reuse", step=3)
    texts = [t.get_text() for t in ax.texts]
    assert "grad 1" in texts and texts.count("grad —") == 3
    x = Value(2.0, label="x")
    y = (x * 3 + 1).relu()
    y.label = "y"
    y.backward()
    ax = W.draw_graph(y, title="relu(3x + 1)")
    assert ax.get_title(loc="left") == "relu(3x + 1)" and "grad 3" in [t.get_text() for t in ax.texts]


def test_stepper_widget_responds_to_its_controls():
    stepper = W.backprop_stepper()
    assert set(stepper.controls) == {"graph", "step"} and stepper.state["error"] is None
    slider = stepper.controls["step"]
    assert slider.value == slider.max == 12 and stepper.png.startswith(PNG_SIGNATURE)
    last_png = stepper.png
    slider.value = 0
    assert stepper.state["step"].phase == "start" and stepper.png != last_png
    stepper.buttons["forward"].click()
    assert slider.value == 1 and stepper.state["step"].phase == "forward"
    stepper.buttons["back"].click()
    stepper.buttons["back"].click()  # already at 0: stays
    assert slider.value == 0
    stepper.controls["graph"].value = "chain"
    assert stepper.state["graph"] == "chain" and slider.max == 6 and slider.value == 6
    assert stepper.state["step"].phase == "done" and stepper.state["error"] is None
    stepper.controls["graph"].value = "neuron"
    assert slider.max == 12 and stepper.state["step"].index == 12


def test_stepper_updates_are_quick():
    stepper = W.backprop_stepper("neuron", step=0)
    start = time.perf_counter()
    for k in range(1, 13):
        stepper.controls["step"].value = k
    assert (time.perf_counter() - start) / 12 < 0.3
    assert stepper.n_updates >= 13


# ---------------------------------------------------------------------------------------------
# (b) Training on a 2-D data set
# ---------------------------------------------------------------------------------------------
def test_train_2d_equals_fit_with_the_same_model_and_learns_spirals():
    run = W.train_2d("spirals", hidden=16, activation="tanh", lr=0.5, epochs=100)
    X, y = run.X, run.y
    assert X.shape == (240, 2) and set(y) == {0, 1, 2}
    model = W.make_classifier(3, 16, "tanh", seed=0)
    history = fit(model, losses.CrossEntropyLoss(), X, y, lr=0.5, epochs=100)
    np.testing.assert_allclose(run.losses, history, rtol=1e-12)
    assert run.accuracy == accuracy(model(X), y)
    assert run.probabilities.shape == (W.GRID, W.GRID, 3)
    np.testing.assert_allclose(run.probabilities.sum(axis=-1), 1.0, rtol=1e-12)
    default = W.train_2d()
    assert default.accuracy > 0.9 and default.losses[-1] < 0.3 * default.losses[0]


def test_train_2d_is_deterministic_and_reports_divergence():
    a, b = W.train_2d("moons", epochs=50), W._train_2d.__wrapped__("moons", 32, "relu", 0.5, 50, 0)  # b: uncached
    assert a is not b
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.probabilities, b.probabilities)
    assert a.probabilities.shape[-1] == 2 and not a.diverged
    sigmoid = W.train_2d("spirals", activation="sigmoid", epochs=250)
    relu = W.train_2d("spirals", activation="relu", epochs=250)
    assert sigmoid.accuracy < relu.accuracy - 0.2  # the sigmoid network barely learns: section 6's lesson


def test_train_2d_caches_its_runs_so_the_widget_does_not_retrain_the_static_figure():
    first = W.train_2d("moons", hidden=8, lr=0.3, epochs=50)
    assert W.train_2d("moons", 8, "relu", 0.3, 50, seed=0) is first  # same settings: the same run, no training
    assert W.train_2d("moons", hidden=8, lr=0.3, epochs=50, seed=1) is not first


@pytest.mark.parametrize("kwargs, match", [
    ({"dataset": "circles"}, "unknown data set"),
    ({"activation": "gelu"}, "unknown activation"),
    ({"hidden": 0}, "hidden"),
    ({"lr": -1.0}, "learning rate"),
    ({"epochs": 0}, "epochs"),
])
def test_train_2d_rejects_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        W.train_2d(**kwargs)


def test_draw_training_returns_the_run_and_labels_the_figure():
    run = W.draw_training("moons", hidden=8, epochs=50)
    fig = plt.gcf()
    titles = [ax.get_title() for ax in fig.axes]
    assert any(t.startswith("2 → 8 → 8 → 2, ReLU:") for t in titles)
    assert any("lr = 0.5, 50 epochs: final loss" in t for t in titles)
    assert run.epochs == 50


def test_training_explorer_responds_to_every_control():
    explorer = W.training_explorer()
    assert set(explorer.controls) == {"dataset", "lr", "hidden", "activation", "epochs"}
    assert explorer.state["error"] is None and explorer.state["accuracy"] > 0.9
    png = explorer.png
    for name, value in [("lr", 0.05), ("hidden", 4), ("activation", "sigmoid"), ("epochs", 100),
                        ("dataset", "moons")]:
        before = explorer.state["run"]
        start = time.perf_counter()
        explorer.controls[name].value = value
        assert time.perf_counter() - start < 2.0  # well under a second on a normal machine
        run = explorer.state["run"]
        assert explorer.state["error"] is None and run is not before
        if name == "lr":
            assert run.lr == pytest.approx(value)
        else:
            assert getattr(run, name) == value
        assert explorer.png != png
        png = explorer.png
    assert explorer.state["run"].dataset == "moons" and explorer.state["run"].probabilities.shape[-1] == 2


def test_training_explorer_shows_a_diverging_learning_rate_without_error():
    explorer = W.training_explorer(lr=10.0, epochs=100)
    assert explorer.state["error"] is None
    assert explorer.state["final_loss"] > 0.5 or not np.isfinite(explorer.state["final_loss"])


def test_training_explorer_rejects_epochs_outside_its_menu():
    with pytest.raises(ValueError, match="epochs must be one of"):
        W.training_explorer(epochs=300)
