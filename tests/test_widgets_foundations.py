"""Chapter 00's explorers, headless: pure computations against utils, controls driven from Python (setting
``.value`` updates ``.state`` and the image synchronously), the static figures, and error handling."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from tests.widget_helpers import PNG_SIGNATURE, assert_survives_a_failing_computation, set_controls
from utils import linear_maps as lm
from utils import perceptron as pc
from utils.data import logic_gate
from utils.widgets import foundations as foundation_widgets


@pytest.fixture(scope="module")
def playground():
    return foundation_widgets.perceptron_playground()


@pytest.fixture(scope="module")
def matrix():
    return foundation_widgets.matrix_explorer()




# ---------------------------------------------------------------------------------------------
# Pure computations
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("gate", list(foundation_widgets.GATE_LABELS))
def test_perceptron_state_matches_utils(gate):
    w, b = np.array([0.7, -1.3]), 0.4
    state = foundation_widgets.perceptron_state(gate, w, b)
    X, y = logic_gate(gate)
    np.testing.assert_array_equal(state["X"], X)
    np.testing.assert_array_equal(state["targets"], y)
    np.testing.assert_allclose(state["z"], X @ w + b)
    np.testing.assert_array_equal(state["predictions"], pc.predict(X, w, b))
    np.testing.assert_array_equal(state["misclassified"], pc.predict(X, w, b) != y)
    assert state["errors"] == int(np.sum(pc.predict(X, w, b) != y))
    np.testing.assert_allclose(state["line"], pc.decision_line(w, b, foundation_widgets.WINDOW))
    assert state["label"] in state["title"]


def test_perceptron_state_default_is_and_with_two_errors():
    state = foundation_widgets.perceptron_state()
    assert state["gate"] == "and" and state["errors"] == 2
    np.testing.assert_array_equal(state["misclassified"], [False, True, True, False])
    assert "2 of 4 misclassified" in state["title"] and "b = −0.5" in state["title"]


@pytest.mark.parametrize("call, match", [
    (lambda: foundation_widgets.perceptron_state("xnor"), "unknown gate 'xnor'"),
    (lambda: foundation_widgets.perceptron_state("and", (1.0, 1.0, 1.0)), "2 numbers"),
    (lambda: foundation_widgets.matrix_state(np.eye(3)), "2×2"),
])
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_matrix_state_matches_linear_maps():
    A = np.array([[0.3, -1.2], [1.1, 0.4]])
    state = foundation_widgets.matrix_state(A)
    assert state["det"] == pytest.approx(np.linalg.det(A))
    np.testing.assert_allclose(state["circle"], lm.transform(lm.unit_circle(), A))
    np.testing.assert_allclose(state["square"], [[0, 0], A[:, 0], A[:, 0] + A[:, 1], A[:, 1]])
    np.testing.assert_array_equal(state["e1"], A[:, 0])
    np.testing.assert_array_equal(state["e2"], A[:, 1])
    assert state["grid"].shape == (2 * foundation_widgets.N_GRID, 2, 2)
    assert state["description"] == lm.describe(A) and "det A = 1.44" in state["title"]


# ---------------------------------------------------------------------------------------------
# The perceptron playground
# ---------------------------------------------------------------------------------------------
def test_playground_builds_with_controls_state_and_an_image(playground):
    assert set(playground.controls) == {"gate", "w1", "w2", "b"}
    assert dict(playground.controls["gate"].options) == {"AND": "and", "OR": "or", "NAND": "nand", "XOR": "xor"}
    for name in ("w1", "w2", "b"):
        slider = playground.controls[name]
        assert (slider.min, slider.max, slider.step) == (-3.0, 3.0, 0.1)
    assert playground.png.startswith(PNG_SIGNATURE) and len(playground.png) > 5000
    assert playground.state["error"] is None and playground.image in playground.children


def test_moving_b_moves_the_line_and_fixes_and(playground):
    set_controls(playground, gate="and", w1=1.0, w2=1.0, b=-0.5)
    before_line, before_png = playground.state["line"].copy(), playground.png
    assert playground.state["errors"] == 2
    playground.controls["b"].value = -1.5
    assert playground.state["errors"] == 0 and "all 4 right" in playground.state["title"]
    assert not np.allclose(playground.state["line"], before_line)
    assert playground.png != before_png


@pytest.mark.parametrize("name, value", [("w1", -2.0), ("w2", 2.5)])
def test_each_weight_slider_changes_z_and_the_image(playground, name, value):
    set_controls(playground, gate="or", w1=1.0, w2=1.0, b=-0.5)
    z_before, png_before = playground.state["z"].copy(), playground.png
    playground.controls[name].value = value
    assert playground.state["weight"][0 if name == "w1" else 1] == value
    assert not np.allclose(playground.state["z"], z_before)
    assert playground.png != png_before


def test_the_gate_menu_changes_the_targets_and_the_error_count(playground):
    set_controls(playground, gate="and", w1=1.0, w2=1.0, b=-1.5)
    assert playground.state["errors"] == 0
    playground.controls["gate"].value = "nand"
    np.testing.assert_array_equal(playground.state["targets"], [1, 1, 1, 0])
    assert playground.state["errors"] == 4 and playground.state["label"] == "NAND"


def test_no_slider_setting_gets_xor_right():
    values = np.round(np.arange(-3.0, 3.01, 0.5), 1)
    best = 4
    for w1 in values:
        for w2 in values:
            for b in values:
                best = min(best, foundation_widgets.perceptron_state("xor", (w1, w2), b)["errors"])
    assert best == 1


def test_zero_weights_have_no_line_and_a_full_or_empty_region(playground):
    set_controls(playground, gate="or", w1=0.0, w2=0.0, b=0.5)
    assert playground.state["line"] is None and len(playground.state["region"]) == 4
    assert playground.state["errors"] == 1 and playground.state["error"] is None
    playground.controls["b"].value = -0.5
    assert len(playground.state["region"]) == 0 and playground.state["errors"] == 3


def test_playground_start_arguments_and_clipping():
    explorer = foundation_widgets.perceptron_playground("xor", (2.0, -9.0), 0.3)
    assert explorer.state["gate"] == "xor" and explorer.controls["w2"].value == -3.0
    assert explorer.state["weight"][1] == -3.0  # the state follows the slider, clipped to its range


# ---------------------------------------------------------------------------------------------
# The matrix explorer
# ---------------------------------------------------------------------------------------------
def test_matrix_explorer_builds(matrix):
    assert set(matrix.controls) == {"a", "b", "c", "d"}
    for slider in matrix.controls.values():
        assert (slider.min, slider.max, slider.step) == (-2.0, 2.0, 0.1)
    np.testing.assert_array_equal(matrix.state["matrix"], [[1.5, 0.5], [0.0, 1.0]])
    assert matrix.state["det"] == pytest.approx(1.5)
    assert matrix.png.startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("name, index", [("a", (0, 0)), ("b", (0, 1)), ("c", (1, 0)), ("d", (1, 1))])
def test_each_entry_slider_changes_its_entry_the_determinant_and_the_image(matrix, name, index):
    set_controls(matrix, a=1.5, b=0.5, c=0.3, d=1.0)  # no zero entry: each one moves the determinant
    det_before, png_before = matrix.state["det"], matrix.png
    matrix.controls[name].value = -1.2
    assert matrix.state["matrix"][index] == -1.2
    A = matrix.state["matrix"]
    assert matrix.state["det"] == pytest.approx(A[0, 0] * A[1, 1] - A[0, 1] * A[1, 0])
    assert matrix.state["det"] != pytest.approx(det_before)
    assert matrix.png != png_before


def test_mirror_and_singular_matrices_are_described(matrix):
    set_controls(matrix, a=-1.0, b=0.0, c=0.0, d=1.0)
    assert matrix.state["det"] == pytest.approx(-1.0) and "flips the orientation" in matrix.state["title"]
    set_controls(matrix, a=1.0, b=2.0, c=0.5, d=1.0)
    assert matrix.state["det"] == pytest.approx(0.0, abs=1e-12) and "onto a line" in matrix.state["title"]
    set_controls(matrix, a=0.0, b=0.0, c=0.0, d=0.0)
    assert "one point" in matrix.state["title"] and matrix.state["error"] is None


# ---------------------------------------------------------------------------------------------
# Shared behaviour: errors, pyplot, blitting
# ---------------------------------------------------------------------------------------------
def test_an_exception_never_breaks_the_widget(monkeypatch):
    assert_survives_a_failing_computation(
        monkeypatch, foundation_widgets.perceptron_playground(), foundation_widgets, "perceptron_state", "b", 1.0, 1.1
    )


def test_explorers_never_leave_figures_in_pyplot():
    plt.close("all")
    explorers = [foundation_widgets.perceptron_playground(), foundation_widgets.matrix_explorer()]
    for value in (0.2, 0.3):
        explorers[0].controls["b"].value = value
        explorers[1].controls["a"].value = value
    assert plt.get_fignums() == []


@pytest.mark.parametrize("make, control, value", [(foundation_widgets.perceptron_playground, "w1", -1.0),
                                                  (foundation_widgets.matrix_explorer, "d", -0.7)])
def test_blitted_image_equals_a_full_redraw(make, control, value):
    explorer = make()
    explorer.controls[control].value = value
    blitted = explorer.png
    explorer._background_key = None
    explorer.update()
    assert explorer.png == blitted


# ---------------------------------------------------------------------------------------------
# Static figures
# ---------------------------------------------------------------------------------------------
def _visible_data(line) -> np.ndarray:
    return np.column_stack([line.get_xdata(), line.get_ydata()])


def test_draw_perceptron_default_figure():
    ax = foundation_widgets.draw_perceptron()
    assert ax.get_xlim() == foundation_widgets.WINDOW and ax.get_ylim() == foundation_widgets.WINDOW
    assert ax.get_legend() is not None and len(ax.get_legend().get_texts()) == 6
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(["z = −0.5", "z = +0.5", "z = +0.5", "z = +1.5"])
    assert "2 of 4 misclassified" in ax.get_title()
    lines = {tuple(map(tuple, _visible_data(line))) for line in ax.get_lines()}
    assert ((0.0, 1.0), (1.0, 0.0)) in lines  # the two ringed points: (0, 1) and (1, 0)


def test_draw_perceptron_into_given_axes_is_compact():
    fig, axes = plt.subplots(1, 2)
    foundation_widgets.draw_perceptron("or", (1.0, 1.0), -0.5, ax=axes[1], title="OR")
    assert axes[1].get_title() == "OR" and axes[1].get_legend() is None and not axes[1].texts
    assert fig is axes[1].figure


def test_draw_matrix_transform_figure():
    ax = foundation_widgets.draw_matrix_transform([[0.0, -1.0], [1.0, 0.0]])
    assert ax.get_legend() is not None and "det A = 1.00" in ax.get_title()
    assert {t.get_text() for t in ax.texts} == {"Ae₁", "Ae₂"}
    assert ax.get_xlim() == (-foundation_widgets.VIEW, foundation_widgets.VIEW)


@pytest.mark.parametrize("draw", [foundation_widgets.draw_perceptron, foundation_widgets.draw_matrix_transform])
def test_titles_and_legends_fit_in_the_figure(draw):
    ax = draw()
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    frame = fig.bbox
    for artist in [ax.title, ax.get_legend(), ax.xaxis.label, ax.yaxis.label]:
        box = artist.get_window_extent(renderer)
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, artist


def test_static_figures_do_not_change_the_callers_style():
    matplotlib.rcdefaults()
    before = matplotlib.rcParams.copy()
    foundation_widgets.draw_perceptron()
    foundation_widgets.draw_matrix_transform()
    assert matplotlib.rcParams == before
