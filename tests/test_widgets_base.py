"""The Explorer's parts (utils/widgets/base.py): artists kept apart from the background, each as its own pixels
per its own key. What matters is that the image is what a plain full draw of the same figure shows, whether a
part is drawn or put back, and that a part whose key stays is not drawn again."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from utils.widgets.base import Explorer, course_style


def _plain_pixels(fig: Figure) -> np.ndarray:
    """``fig`` drawn by matplotlib alone (nothing animated, no parts), on a canvas of its own."""
    animated = [artist for artist in fig.findobj() if artist.get_animated()]
    for artist in animated:
        artist.set_animated(False)
    canvas = fig.canvas
    plain = FigureCanvasAgg(fig)
    plain.draw()
    pixels = np.asarray(plain.buffer_rgba()).copy()
    fig.set_canvas(canvas)
    for artist in animated:
        artist.set_animated(True)
    return pixels


def _explorer():
    """A curve (animated), a title and a note (parts kept by their words) and a panel (a part kept by its limit):
    the slider changes the curve, the title, and the panel's limit every other step; the note never."""
    with course_style():
        fig = Figure(figsize=(6.0, 4.0), dpi=90)
        ax = fig.add_axes((0.1, 0.1, 0.35, 0.5))
        panel = fig.add_axes((0.6, 0.1, 0.35, 0.5))
        (line,) = ax.plot([0, 1], [0, 1])
        (dots,) = panel.plot([0.5, 1.0, 1.5], [0.8, 0.2, 0.8], "o")  # clear of the spines
        title = ax.set_title("", fontsize=11, loc="left")
        note = fig.text(0.5, 0.97, "a note that stays\nover two lines, with descenders: gyp", ha="center", va="top",
                        fontsize=9, color="0.3")
    slider = widgets.IntSlider(value=1, min=1, max=4)

    def compute() -> dict:
        return {"k": slider.value}

    def draw(state: dict) -> tuple:
        k = state["k"]
        line.set_ydata([0, k])
        title.set_text(f"Step {k} of 4\nthe same second line")
        panel.set_xlim(0, 2 + k // 2)
        return "still", [line, dots], {title: title.get_text(), note: note.get_text(), panel: k // 2}

    return Explorer({"k": slider}, [slider], fig, compute, draw), (title, note, panel)


def test_parts_drawn_or_put_back_look_as_matplotlib_draws_them():
    explorer, _ = _explorer()
    for k in (2, 3, 1, 2, 4, 3):  # new keys and keys seen before, for every part
        explorer.controls["k"].value = k
        shown = np.asarray(explorer._canvas.buffer_rgba()).copy()
        with course_style():
            np.testing.assert_array_equal(shown, _plain_pixels(explorer.figure), err_msg=f"k = {k}")


def test_a_part_whose_key_stays_is_not_drawn_again(monkeypatch):
    """Texts are kept line by line: only the lines whose words (or the words below them) change are drawn."""
    explorer, (title, note, panel) = _explorer()
    drawn = []
    text_draw = Text.draw
    monkeypatch.setattr(Text, "draw", lambda self, *a: (drawn.append(self.get_text()), text_draw(self, *a)))
    monkeypatch.setattr(panel, "draw", lambda *a, draw=panel.draw: (drawn.append("panel"), draw(*a)))
    explorer.controls["k"].value = 2
    assert drawn[0] == "Step 2 of 4" and "panel" in drawn  # the title's last line and the note come back kept
    assert not any("second line" in words or "note" in words or "descenders" in words for words in drawn)
    drawn.clear()
    explorer.controls["k"].value = 3  # a new first line; the panel's limit stays (3 // 2 == 2 // 2)
    assert drawn == ["Step 3 of 4"]
    drawn.clear()
    explorer.controls["k"].value = 1  # every part's key seen before
    assert drawn == []


def test_a_text_is_drawn_whole_where_its_lines_cannot_be_split():
    explorer, (title, note, _) = _explorer()
    assert len(explorer._lines[title]) == 2 and len(explorer._lines[note]) == 2
    note.set_rotation(10)
    explorer.controls["k"].value = 2
    rotated = np.asarray(explorer._canvas.buffer_rgba()).copy()
    with course_style():
        np.testing.assert_array_equal(rotated, _plain_pixels(explorer.figure))


@pytest.mark.parametrize("budget", [0, 30_000])
def test_parts_are_kept_within_their_byte_budget(monkeypatch, budget):
    explorer, _ = _explorer()
    monkeypatch.setattr(explorer, "MAX_PART_BYTES", budget)
    for k in (2, 3, 1, 2, 3):
        explorer.controls["k"].value = k
        assert len(explorer._parts) == 1 or sum(size for _, size in explorer._parts.values()) <= budget
    assert explorer.state["error"] is None


def _keyed_explorer():
    """A curve whose slope is the slider's value; images kept by that value (``image_key``), the next two values
    drawn ahead."""
    with course_style():
        fig = Figure(figsize=(3.0, 2.0), dpi=60)
        ax = fig.add_axes((0.15, 0.15, 0.8, 0.8))
        (line,) = ax.plot([0, 1], [0, 1])
        ax.set_ylim(0, 6)
    slider = widgets.IntSlider(value=1, min=1, max=5)
    drawn = []

    def state_of(k: int) -> dict:
        return {"k": k}

    def draw(state: dict) -> tuple:
        drawn.append(state["k"])
        line.set_ydata([0, state["k"]])
        return "still", [line]

    def ahead(state: dict):
        for k in (state["k"] + 1, state["k"] + 2):
            if k <= 5:
                yield "still", lambda k=k: state_of(k)

    explorer = Explorer({"k": slider}, [slider], fig, lambda: state_of(slider.value), draw, ahead=ahead,
                        image_key=lambda state: state["k"])
    return explorer, line, drawn


def test_an_image_kept_by_its_key_is_shown_without_drawing_and_the_figure_follows_when_asked():
    explorer, line, drawn = _keyed_explorer()
    plain, _, _ = _keyed_explorer()
    assert explorer.draw_ahead() == 2 and drawn == [1, 2, 3, 1]  # 2 and 3 ahead, then the artists back at 1
    del drawn[:]
    for k in (2, 3, 2, 3):
        explorer.controls["k"].value = plain.controls["k"].value = k
        assert explorer.png == plain.png and explorer.state["k"] == k
    assert drawn == [] and list(line.get_ydata()) == [0, 1]  # every image kept: none drawn, the curve as it was
    assert explorer.figure is not None and list(line.get_ydata()) == [0, 3] and drawn == [3]  # .figure: drawn now
    explorer.controls["k"].value = plain.controls["k"].value = 5  # not kept: drawn
    assert drawn == [3, 5] and explorer.png == plain.png
    explorer.controls["k"].value = 3  # kept; its background dropped meanwhile: drawn ahead first, for the next change
    explorer._backgrounds.clear()
    assert explorer.draw_ahead(limit=1) == 1 and list(explorer._backgrounds) == ["still"]
    explorer._background_key = None  # as after a failed draw: nothing kept, everything drawn again
    explorer.controls["k"].value = 2
    assert drawn[-1] == 2


def test_a_value_echoed_by_the_browser_is_not_drawn_again():
    """The browser's slider sends back the value Python set as its min + k·step in floating point (0.9 comes back
    as 0.9000000000000001): the same state, nothing recomputed; any real step is."""
    from utils.widgets.base import is_echo

    with course_style():
        fig = Figure(figsize=(2.0, 2.0), dpi=40)
        (line,) = fig.add_axes((0.1, 0.1, 0.8, 0.8)).plot([0, 1], [0, 1])
    slider = widgets.FloatSlider(value=0.9, min=0.0, max=1.0, step=0.05)
    window = widgets.FloatRangeSlider(value=(0.1, 0.3), min=0.0, max=1.0, step=0.1)
    explorer = Explorer({"a": slider, "w": window}, [slider, window], fig, lambda: {"a": slider.value},
                        lambda state: ("still", [line]))
    n = explorer.n_updates
    slider.value = 0.9000000000000001  # the echo
    window.value = (0.1, 0.30000000000000004)
    assert explorer.n_updates == n
    slider.value = 0.95  # one step
    window.value = (0.1, 0.4)
    assert explorer.n_updates == n + 2
    assert is_echo({"old": 0.0, "new": 4.4e-17}) and is_echo({"old": 25.0, "new": 25.000000000000004})
    assert not is_echo({"old": 0.999, "new": 0.998}) and not is_echo({"old": 3, "new": 3})  # ints never echo
    assert not is_echo({"old": "relu", "new": "relu"}) and not is_echo({"old": (0.1, 0.3), "new": (0.1, 0.4)})
