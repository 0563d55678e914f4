"""Chapter 04's explorers, headless: controls driven from Python (setting ``.value`` updates ``.state`` and the
image), the static figures, and bad arguments. The maths they show is tested in test_autograd_steps.py and
test_train2d.py."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tests.widget_helpers import PNG_SIGNATURE
from utils.autograd import Value
from utils.autograd_steps import backprop_steps
from utils.widgets import backprop as backprop_widgets


# ---------------------------------------------------------------------------------------------
# (a) The steps of backpropagation
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, match", [
    (lambda: backprop_widgets.draw_backprop_step("neuron", step=99), "step must be an integer from 0 to 12"),
    (lambda: backprop_widgets.draw_backprop_step("chain", step=-1), "from 0 to 6"),
    (lambda: backprop_widgets.backprop_stepper("tree"), "unknown graph"),
])
def test_stepper_rejects_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_static_graph_figures_draw_every_box_and_message():
    ax = backprop_widgets.draw_backprop_step("neuron")
    texts = [t.get_text() for t in ax.texts]
    assert "o" in texts and "grad -1.5" in texts and "value 0.7071" in texts
    assert "step 12 of 12: done" in ax.get_title(loc="left")
    ax = backprop_widgets.draw_backprop_step("reuse", step=3)
    texts = [t.get_text() for t in ax.texts]
    assert "grad 1" in texts and texts.count("grad —") == 3
    x = Value(2.0, label="x")
    y = (x * 3 + 1).relu()
    y.label = "y"
    y.backward()
    ax = backprop_widgets.draw_graph(y, title="relu(3x + 1)")
    assert ax.get_title(loc="left") == "relu(3x + 1)" and "grad 3" in [t.get_text() for t in ax.texts]


def test_stepper_widget_responds_to_its_controls():
    stepper = backprop_widgets.backprop_stepper()
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


def test_stepper_redraws_every_step_of_the_walk():
    stepper = backprop_widgets.backprop_stepper("neuron", step=0)
    steps = backprop_steps("neuron").steps
    pngs = {stepper.png}
    for k in range(1, 13):
        stepper.controls["step"].value = k
        assert stepper.state["step"] == steps[k] and stepper.state["message"] == steps[k].message
        pngs.add(stepper.png)
    assert stepper.n_updates >= 13 and len(pngs) == 13  # every step drew something new


# ---------------------------------------------------------------------------------------------
# (b) Training on a 2-D data set
# ---------------------------------------------------------------------------------------------
def test_after_drawing_ahead_each_graph_and_step_only_blits_the_image_a_new_stepper_draws():
    """Each graph has its Axes, built once, and each step is a background of its own; drawn ahead (the idle kernel:
    two steps either way, the other graphs at their last step), a visit only blits, and its image is the one a
    stepper made on that graph and step shows."""
    stepper = backprop_widgets.backprop_stepper("neuron")
    png = stepper.png
    assert stepper.draw_ahead() == 2 + len(backprop_widgets.GRAPHS) - 1 and stepper.png == png  # steps −1, −2
    draws, draw = [], stepper._canvas.draw
    stepper._canvas.draw = lambda *args, **kwargs: (draws.append(1), draw(*args, **kwargs))
    for graph in [*backprop_widgets.GRAPHS, "neuron"]:
        stepper.draw_ahead()  # its full draws are not counted: only the changes'
        before = len(draws)
        stepper.controls["graph"].value = graph
        assert stepper.png == backprop_widgets.backprop_stepper(graph).png and len(draws) == before, graph
        for button in ("back", "back", "forward"):
            stepper.draw_ahead()
            before = len(draws)
            stepper.buttons[button].click()
            step = stepper.controls["step"].value
            assert len(draws) == before and stepper.png == backprop_widgets.backprop_stepper(graph, step).png, step
    assert len(stepper.figure.axes) == len(backprop_widgets.GRAPHS)


def test_draw_training_returns_the_run_and_labels_the_figure():
    run = backprop_widgets.draw_training("moons", hidden=8, epochs=50)
    fig = plt.gcf()
    titles = [ax.get_title() for ax in fig.axes]
    assert any(t.startswith("2 → 8 → 8 → 2, ReLU:") for t in titles)
    assert any("lr = 0.5, 50 epochs: final loss" in t for t in titles)
    assert run.epochs == 50


def test_training_explorer_responds_to_every_control():
    explorer = backprop_widgets.training_explorer()
    assert set(explorer.controls) == {"dataset", "lr", "hidden", "activation", "epochs"}
    assert dict(explorer.controls["activation"].options) == {"ReLU": "relu", "tanh": "tanh", "sigmoid": "sigmoid"}
    assert explorer.state["error"] is None and explorer.state["accuracy"] > 0.9
    png = explorer.png
    for name, value in [("lr", 0.05), ("hidden", 4), ("activation", "sigmoid"), ("epochs", 100),
                        ("dataset", "moons")]:
        before = explorer.state["run"]
        explorer.controls[name].value = value
        run = explorer.state["run"]
        assert explorer.state["error"] is None and run is not before
        if name == "lr":
            assert run.lr == pytest.approx(value)
        else:
            assert getattr(run, name) == value
        assert explorer.png != png
        png = explorer.png
    assert explorer.state["run"].dataset == "moons" and explorer.state["run"].probabilities.shape[-1] == 2


def test_training_explorer_shows_the_run_part_way_first_then_complete():
    """A new setting draws twice: after a twentieth of the epochs (the first image, long before the training ends),
    then complete; a setting already trained draws once, at once."""
    from utils import train2d

    explorer = backprop_widgets.training_explorer(epochs=100)
    shown = []
    explorer.image.observe(lambda change: shown.append((explorer.state.get("run"), change["new"])), names="value")
    train2d._RUNS.pop(("spirals", 32, "relu", 0.2, 100, 0), None)
    before = explorer.n_updates
    explorer.controls["lr"].value = 0.2
    assert explorer.n_updates == before + 2 and len(shown) == 2
    images = [png for _, png in shown]
    assert images[0] != images[1] and explorer.png == images[1]
    run = explorer.state["run"]
    assert run.complete and run.trained == 100 and explorer.state["error"] is None
    texts = [t.get_text() for ax in explorer.figure.axes for t in (ax.title,)]
    assert any("final loss" in t for t in texts) and not any("training…" in t for t in texts)
    explorer.controls["lr"].value = 0.5
    explorer.controls["lr"].value = 0.2  # seen: one draw, the complete run
    assert explorer.n_updates == before + 4 and explorer.state["run"] is run


def test_training_explorer_draws_the_run_part_way_with_its_epochs():
    from utils import train2d

    part = next(iter(train2d.train_2d_in_steps("moons", hidden=5, epochs=100, first=10)))
    fig, ax_regions, ax_loss = backprop_widgets._training_axes(pyplot=False)
    backprop_widgets._TrainingFigure(ax_regions, ax_loss).update(part)
    assert ax_loss.get_title().startswith("lr = 0.5: training… loss") and "after 10 of 100" in ax_loss.get_title()
    assert "after 10 epochs" in ax_regions.get_title() and ax_loss.get_xlim() == (0, 100)
    assert len(ax_loss.lines[0].get_xdata()) == 10


def test_training_explorer_shows_a_diverging_learning_rate_without_error():
    explorer = backprop_widgets.training_explorer(lr=10.0, epochs=100)
    assert explorer.state["error"] is None
    assert explorer.state["final_loss"] > 0.5 or not np.isfinite(explorer.state["final_loss"])


@pytest.mark.parametrize("kwargs, match", [({"epochs": 300}, "epochs must be one of"),
                                           ({"lr": 0.3}, r"lr must be one of 0.01, 0.02, .*, 10, got 0.3"),
                                           ({"activation": "gelu"}, "unknown activation"),
                                           ({"dataset": "circles"}, "unknown data set")])
def test_training_explorer_rejects_settings_outside_its_menus(kwargs, match):
    with pytest.raises(ValueError, match=match):
        backprop_widgets.training_explorer(**kwargs)


def test_the_maths_the_widgets_use_is_defined_in_maths_modules():
    for name in ("train_2d", "TrainingRun", "steps_of", "backprop_steps", "StepThrough", "GraphStep"):
        assert (
            getattr(backprop_widgets, name).__module__ in ("utils.train2d", "utils.autograd_steps")
            and name not in backprop_widgets.__all__
        )
    assert not hasattr(backprop_widgets, "make_classifier") and not hasattr(backprop_widgets, "fit")
