"""utils.figures.history (the milestones and the timeline figure) and utils.figures.diagrams (Chapter 00's
schematics). Headless matplotlib and closing the figures after each test come from conftest.py."""

from __future__ import annotations

import pytest

from utils.figures.diagrams import NEURON_PARTS, draw_ai_ml_dl, draw_neurons
from utils.figures.history import ERAS, MILESTONES, draw_timeline


def test_the_milestones_the_chapter_promises():
    expected = {1943: "McCulloch", 1958: "perceptron", 1969: "Minsky", 1986: "Backpropagation",
                2006: "Deep belief", 2012: "AlexNet", 2014: "GAN", 2015: "ResNet", 2017: "Transformer",
                2018: "BERT", 2020: "GPT-3", 2022: "ChatGPT and Stable Diffusion"}
    assert [m.year for m in MILESTONES] == sorted(expected)
    for m in MILESTONES:
        assert expected[m.year] in m.name
    alexnet = next(m for m in MILESTONES if m.year == 2012)
    assert "26%" in alexnet.what and "15%" in alexnet.what
    assert "XOR" in next(m for m in MILESTONES if m.year == 1969).what


def test_eras_tile_the_timeline():
    assert ERAS[0][0] == 1943
    for (_, end, _), (start, _, _) in zip(ERAS, ERAS[1:]):
        assert end == start


def _boxes(fig, texts):
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    return [t.get_window_extent(renderer) for t in texts]


def test_timeline_has_one_readable_row_per_milestone():
    ax_text, ax_years = draw_timeline()
    fig = ax_text.figure
    rows = [t for t in ax_text.texts if ":" in t.get_text()]
    assert len(rows) == len(MILESTONES)
    assert len(ax_years.get_lines()) == 2 * len(MILESTONES)  # a connector and a dot per milestone
    boxes = _boxes(fig, rows)
    frame = fig.bbox
    years_left = ax_years.get_window_extent().x0
    for box in boxes:
        assert frame.x0 <= box.x0 and box.x1 <= years_left  # inside the figure, clear of the year axis
    for upper, lower in zip(boxes, boxes[1:]):
        assert lower.y1 <= upper.y0  # rows do not overlap


def test_timeline_rejects_an_empty_list():
    with pytest.raises(ValueError, match="at least one"):
        draw_timeline([])


def test_ai_ml_dl_names_the_three_fields_nested():
    ax = draw_ai_ml_dl()
    names = [t.get_text() for t in ax.texts]
    assert names[0::2] == ["Artificial intelligence", "Machine learning", "Deep learning"]
    boxes = [p.get_extents() for p in ax.patches]
    for outer, inner in zip(boxes, boxes[1:]):  # each box lies inside the previous one
        assert outer.x0 < inner.x0 and inner.x1 < outer.x1 and outer.y0 < inner.y0 and inner.y1 < outer.y1


def test_neurons_label_the_biological_parts_and_their_counterparts():
    ax_bio, ax_art = draw_neurons()
    bio = " ".join(t.get_text() for t in ax_bio.texts)
    art = " ".join(t.get_text() for t in ax_art.texts)
    for part in ("dendrites", "soma", "axon", "synapses", "threshold"):
        assert part in bio or part in art
    for part in NEURON_PARTS:
        assert part.split()[0] in bio + art
    assert "≈ soma" in art and "≈ firing threshold" in art and "step" in ax_art.get_title()
    fig = ax_bio.figure
    for box in _boxes(fig, ax_bio.texts + ax_art.texts):
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1


def test_the_neuron_labels_do_not_overlap_each_other():
    """Each panel's labels are separate boxes (the axon and synapse labels used to touch)."""
    for ax in draw_neurons():
        fig = ax.figure
        boxes = _boxes(fig, ax.texts)
        for i, first in enumerate(boxes):
            for second in boxes[i + 1:]:
                assert not first.overlaps(second), (first, second)


def test_the_biological_side_names_the_firing_threshold():
    ax_bio, _ = draw_neurons()
    assert "firing threshold" in " ".join(t.get_text() for t in ax_bio.texts)
