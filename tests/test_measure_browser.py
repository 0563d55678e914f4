"""benchmarks/measure_browser.py's rules, on a made-up report of the browser suite: which controls are instant
(median ≤ 100 ms each) and which are judged by the training rule (≤ 2 s a run). No browser is started here."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def measure_browser():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import measure_browser
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return measure_browser


def control(widget: str, name: str, kind: str, ms, first=None, notebook="chapters/04_backprop.ipynb") -> dict:
    return {"notebook": notebook, "widget": widget, "control": name, "kind": kind, "median_ms": ms,
            "first_median_ms": first}


def test_the_training_widgets_and_buttons_are_named(measure_browser):
    assert "training_explorer" in measure_browser.TRAINING_WIDGETS and "train" in measure_browser.TRAINING_BUTTONS
    assert measure_browser.widget_call({"widget": "cell 83: training_explorer()"}) == "training_explorer"
    assert measure_browser.widget_call({"widget": 'cell 5: e = widgets.training_explorer("moons")'}) == (
        "training_explorer")
    assert measure_browser.widget_call({"widget": "cell 7: explorer"}) == ""  # no call: no factory to name


@pytest.mark.parametrize(("widget", "name", "kind", "trains"), [
    ("cell 83: training_explorer()", "learning rate", "slider", True),  # every control of a training widget
    ("cell 83: training_explorer()", "activation", "toggle", True),
    ("cell 9: training_dashboard()", "Train", "button", True),  # a "Train" button anywhere
    ("cell 9: training_dashboard()", "epochs", "slider", False),  # its sliders only set up the next run
    ("cell 38: backprop_stepper()", "◀", "button", False),
    ("cell 12: my_training_explorer_copy()", "lr", "slider", False),  # named, not matched by a substring
])
def test_which_controls_the_training_rule_judges(measure_browser, widget, name, kind, trains):
    assert measure_browser.is_training_run(control(widget, name, kind, 100)) is trains


def test_training_controls_are_judged_per_run_and_their_first_image_reported(measure_browser):
    report = {"notebooks": [{"notebook": "chapters/04_backprop.ipynb", "run_all_s": 9.0}],
              "controls": [control("cell 83: training_explorer()", "learning rate", "slider", 320, first=70),
                           control("cell 83: training_explorer()", "data", "dropdown", 240, first=90),
                           control("cell 38: backprop_stepper()", "◀", "button", 95),
                           control("cell 38: backprop_stepper()", "step", "slider", 60)]}
    instant, training, _ = measure_browser.summary_rows(report)
    assert instant["passed"] is True and "(2 controls in 1 notebooks)" in instant["measure"]
    assert training["passed"] is True and training["target"] == "≤ 2 s a run"
    assert "training_explorer()" in training["measure"] and "the training rule" in training["measure"]
    assert training["figure"] == ("worst median 0.32 s (chapters/04_backprop.ipynb, training_explorer() · learning "
                                  "rate); first image worst median 90 ms (chapters/04_backprop.ipynb, "
                                  "training_explorer() · data)")
    slow = {**report, "controls": [*report["controls"],
                                   control("cell 83: training_explorer()", "epochs", "slider", 2400, first=80)]}
    assert measure_browser.summary_rows(slow)[1]["passed"] is False


def test_a_report_without_first_images_still_summarises(measure_browser):
    report = {"controls": [control("cell 83: training_explorer()", "epochs", "slider", 150),
                           control("cell 38: backprop_stepper()", "step", "slider", 120)]}
    instant, training = measure_browser.summary_rows(report)
    assert instant["passed"] is False and training["figure"].endswith("training_explorer() · epochs)")


def test_the_summary_separates_training_buttons_from_instant_controls(measure_browser):
    def dashboard_control(name, kind, ms):
        return {"notebook": "chapters/06_training.ipynb", "widget": "cell 9: dashboard()", "control": name,
                "kind": kind, "median_ms": ms}

    report = {"notebooks": [{"notebook": "chapters/06_training.ipynb", "run_all_s": 12.0}],
              "controls": [dashboard_control("epochs", "slider", 80), dashboard_control("lr", "slider", 120),
                           dashboard_control("Train", "button", 1500), dashboard_control("broken", "slider", None)]}
    instant, training, run_all = measure_browser.summary_rows(report)
    assert instant["passed"] is False and instant["figure"].startswith("1 over 100 ms; median of medians 100 ms")
    assert "worst 120 ms (chapters/06_training.ipynb, dashboard() · lr)" in instant["figure"]
    assert training["passed"] is True and "1.50 s" in training["figure"]
    assert run_all["passed"] is None and "12.0 s" in run_all["figure"]
    with pytest.raises(ValueError, match="no timed controls"):
        measure_browser.summary_rows({"controls": [dashboard_control("broken", "slider", None)]})


def test_the_first_click_into_each_widget_is_reported_apart(measure_browser):
    controls = [control("cell 38: backprop_stepper()", "step", "slider", 60)]
    touches = [{"notebook": "chapters/04_backprop.ipynb", "widget": "cell 38: backprop_stepper()", "ms": 80.4},
               {"notebook": "chapters/04_backprop.ipynb", "widget": "cell 83: training_explorer()", "ms": 130.0},
               {"notebook": "chapters/04_backprop.ipynb", "widget": "cell 90: explorer", "ms": None}]
    rows = measure_browser.summary_rows({"controls": controls, "touches": touches})
    instant, touch = rows
    assert instant["passed"] is True  # the touches are not the controls' figures
    assert touch["passed"] is None and "3 widgets" in touch["measure"]
    assert touch["figure"] == ("median 105 ms, worst 130 ms (chapters/04_backprop.ipynb, training_explorer()); "
                               "others under 16 ms")
    quick = [{**t, "ms": None} for t in touches]
    assert measure_browser.summary_rows({"controls": controls, "touches": quick})[1]["figure"] == (
        "every one under 16 ms")
    assert len(measure_browser.summary_rows({"controls": controls})) == 1  # an older report: no row
