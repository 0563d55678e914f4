"""utils.plotting: the course style for a block, figures with fixed margins, fixed label positions, and plain
log-axis labels; the widget base re-exports the same helpers."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pytest

from utils import plotting


def test_course_style_applies_inside_the_block_only():
    matplotlib.rcdefaults()
    before = matplotlib.rcParams.copy()
    with plotting.course_style():
        assert matplotlib.rcParams["axes.grid"] and matplotlib.rcParams["figure.dpi"] == 90
    assert matplotlib.rcParams == before


@pytest.mark.parametrize("pyplot", [False, True])
def test_new_figure_has_fixed_margins_in_inches(pyplot):
    plt.close("all")
    fig, axes = plotting.new_figure((7.0, 5.0), nrows=2, pyplot=pyplot, gap=0.5, top=0.7, bottom=0.6, left=0.8,
                                    right=0.2)
    assert len(axes) == 2 and fig.get_size_inches().tolist() == [7.0, 5.0]
    assert (plt.get_fignums() != []) == pyplot  # only pyplot=True figures are tracked (and shown) by pyplot
    top, bottom = (ax.get_position() for ax in axes)
    assert top.x0 * 7.0 == pytest.approx(0.8) and (1 - top.x1) * 7.0 == pytest.approx(0.2)
    assert (1 - top.y1) * 5.0 == pytest.approx(0.7) and bottom.y0 * 5.0 == pytest.approx(0.6)
    assert (top.y0 - bottom.y1) * 5.0 == pytest.approx(0.5)


def test_fixed_labels_places_labels_in_inches_and_returns_the_title():
    fig, (ax,) = plotting.new_figure((6.0, 4.0), left=1.0, right=1.0, top=1.0, bottom=1.0)
    title = plotting.fixed_labels(ax, "what to notice", ylabel_at=0.4, xlabel_at=0.2)
    assert title is ax.title and title.get_text() == "what to notice"
    assert ax.yaxis.label.get_position()[0] == pytest.approx(-0.4 / 4.0)  # the axes are 4 inches wide
    assert ax.xaxis.label.get_position()[1] == pytest.approx(-0.2 / 2.0)  # and 2 inches high


def test_power_of_ten_labels_decades_only():
    assert plotting.power_of_ten(1e-3) == "10⁻³" and plotting.power_of_ten(1.0) == "10⁰"
    assert plotting.power_of_ten(1e11) == "10¹¹"
    assert plotting.power_of_ten(3e-2) == "" and plotting.power_of_ten(0.0) == ""


def test_the_widget_base_re_exports_the_same_helpers():
    from utils.widgets import base

    assert (base.course_style, base.new_figure, base.fixed_labels) == (
        plotting.course_style, plotting.new_figure, plotting.fixed_labels)
