"""Every chapter and solution notebook in a real JupyterLab in headless Chromium, as a learner runs it.

Per notebook: Run All Cells, then no error output, no stderr, every widget rendered (not its text fallback
"IntSlider(...)", not "Error displaying widget"). Then every control of every widget — sliders, dropdowns,
toggle buttons, checkboxes, buttons (◀/▶, "Train") — is a real, enabled control; it is changed CHANGES times
(a slider one step, a dropdown or toggle to its next option, a checkbox flipped, a button clicked) and then
put back (a slider step by step: every step is timed), so the next control starts from the notebook's
settings; and the widget's output (its image or text outside the controls)
must change — in at least one of the changes: the others are counted as "unchanged" in the report — with no
error in the widget or in the kernel's log. The time from the change to the widget's redrawn output on screen
goes into build/browser/report.json and report.md (lab.TRACK_JS: from the event the control acts on — key, click,
input/change — to the paint of the new image, or the last change of the output's text, both in the page's clock;
the harness's polling and settle wait are not in it); each widget is screenshot before and after. Before its
controls, each widget's cell is clicked once (its image), as a learner's first click into it: JupyterLab then
makes it the active cell, 70–145 ms of the page's own work in a long notebook that any widget pays once.
That first touch is timed on its own ("touches" in the report), so the controls' figures are their redraws.

A control hidden or disabled by another's value (e.g. a parameter slider only some functions have) is tried
after the widget's dropdowns and toggles were stepped; if it never shows, it is reported, not failed. A button
that changes nothing (▶ at the last step) is clicked again with the widget's sliders at an end. Later chapters
need no line here: notebooks are found by name, widgets and controls by their place in the page."""

from __future__ import annotations

import os
import re
import time

import pytest

from .conftest import ROOT
from .lab import (
    CONTROL_JS,
    CONTROLS,
    STATE_JS,
    TRACEBACK,
    TRACK_JS,
    click_at_both_ends,
    drive,
    find_widgets,
    ready,
    restore,
    reveal,
    run_all,
    slider_moves,
    summary,
    touch_widget,
)

# BROWSER_FOLDERS=chapters checks only the learners' notebooks (half the time; the widgets are the same cells)
FOLDERS = os.environ.get("BROWSER_FOLDERS", "chapters solutions").split()
NOTEBOOKS = [p.relative_to(ROOT).as_posix() for folder in FOLDERS for p in sorted((ROOT / folder).glob("[0-9]*.ipynb"))]
CHANGES = int(os.environ.get("BROWSER_CHANGES", "2"))  # changes per control, then back (median, worst over all)
# the server's own messages about a browser connection that went away: not the notebook's code
SERVER_NOISE = re.compile(r"WebSocketClosedError|StreamClosedError")
RUN_ALL_LIMIT = float(os.environ.get("BROWSER_RUN_ALL_LIMIT", "900"))  # seconds for Run All Cells


def transitions(changes) -> str:
    return ", ".join(f"{c.before!r} -> {c.after!r}" for c in changes)


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:40] or "control"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_in_lab(notebook, lab, browser, report, artefacts):
    start, log_start, stem = time.time(), len(lab.log_text()), slug(notebook.removesuffix(".ipynb"))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems, dialogs, rows, touches, n_widgets = [], [], [], [], 0
    try:
        page.goto(lab.url(notebook), timeout=60000)
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60000)
        state, finished = run_all(page, notebook, dialogs, RUN_ALL_LIMIT)
        run_all_s = round(time.time() - start, 1)
        assert finished, f"{notebook}: Run All Cells not finished after {RUN_ALL_LIMIT:g} s"
        code = [c for c in state["cells"] if not c["empty"]]
        problems += [f"cell {c['index']} did not run" for c in code if not c["count"]]
        problems += [f"cell {c['index']}: {e}" for c in code for e in c["errors"]]
        problems += [f"cell {c['index']} stderr: {summary(t)}" for c in code for t in c["stderr"]]
        found = find_widgets(page, notebook)
        problems += [f"widget not rendered: {b[:100]}" for b in found["broken"]]
        n_widgets = len(found["widgets"])
        for w in found["widgets"]:
            root = page.locator(f'[data-bt-widget="{w["widget"]}"]')
            name = f"cell {w['cell']}: {w['code']}"
            shot = artefacts / f"{stem}_w{w['widget'] + 1}_{slug(w['code'])}"
            root.scroll_into_view_if_needed()  # in view, its controls are rendered: their text can be read
            root.screenshot(path=f"{shot}_before.png", animations="disabled")
            root.evaluate(TRACK_JS, CONTROLS)
            touch_ms, touched = touch_widget(page, root)  # the cell made active: JupyterLab's cost, timed apart
            touches.append({"notebook": notebook, "widget": name, "clicked": touched,
                            "ms": None if touch_ms is None else round(touch_ms, 1)})
            controls = [root.locator(f'[data-bt-control="{i}"]') for i in w["controls"]]
            pending = []
            for phase in ("first", "revealed"):
                for i, control in enumerate(controls if phase == "first" else pending):
                    info = control.evaluate(CONTROL_JS)
                    if phase == "first" and not ready(info):
                        pending.append(control)  # hidden or disabled by another control's value: later
                        continue
                    if phase == "revealed":
                        if not reveal(page, notebook, root, control, controls):
                            rows.append({"notebook": notebook, "widget": name, "kind": info["kind"],
                                         "control": info["label"] or info["kind"], "values": [], "ms": [],
                                         "first_ms": [],
                                         "note": "never shown or enabled by the other controls: not driven"})
                            continue
                        info = control.evaluate(CONTROL_JS)
                    label = info["label"] or f"{info['kind']} {i + 1}"
                    if not info["real"]:
                        problems.append(f"{name} / {label}: not a real {info['kind']} ({info})")
                        continue
                    if info["kind"] == "slider":  # CHANGES steps away and back
                        changes, notes = [drive(page, notebook, root, control, m)
                                          for m in slider_moves(info, CHANGES)], []
                    else:
                        changes, notes = [drive(page, notebook, root, control)], []
                        if info["kind"] == "button" and not changes[0].changed:
                            sliders = [c for c in controls if c.evaluate(CONTROL_JS)["kind"] == "slider"]
                            changes[0] = click_at_both_ends(page, notebook, root, control, sliders)
                            notes.append("first click changed nothing; clicked again with the sliders at an end")
                        changes += [drive(page, notebook, root, control) for _ in range(1, CHANGES)]
                        changes += restore(page, notebook, root, control, info)  # and back
                    unchanged = [c for c in changes if not c.changed]
                    if len(unchanged) == len(changes):
                        problems.append(f"{name} / {label}: the output did not change in {len(changes)} changes "
                                        + transitions(changes))
                    elif unchanged:  # e.g. a step too small to move a pixel, or "Train" again with the same settings
                        notes.append("output unchanged by " + transitions(unchanged))
                    for c in changes:
                        problems += [f"{name} / {label} -> {c.after!r}: {summary(p)}" for p in c.problems]
                    rows.append({"notebook": notebook, "widget": name, "control": label, "kind": info["kind"],
                                 "values": [c.after for c in changes], "unchanged": len(unchanged),
                                 "ms": [None if c.ms is None else round(c.ms, 1) for c in changes],
                                 "first_ms": [None if c.first_ms is None else round(c.first_ms, 1) for c in changes],
                                 "note": "; ".join(notes)})
            root.screenshot(path=f"{shot}_after.png", animations="disabled")
        state = page.evaluate(STATE_JS, notebook)
        problems += [f"after the changes, cell {c['index']}: {e}" for c in state["cells"] for e in c["errors"]
                     if f"cell {c['index']}: {e}" not in problems]
    except Exception:
        page.screenshot(path=str(artefacts / f"{stem}_failure.png"))
        raise
    finally:
        log = lab.log_text()[log_start:]  # before closing: then the server logs its closed websockets
        page.close()
        lab.shut_down_kernels()
        problems += [f"kernel log: {summary(t)}" for t in re.split(r"\n(?=\[[A-Z] )", log)
                     if TRACEBACK.search(t) and not SERVER_NOISE.search(t)]
        report["controls"] += rows
        report["touches"] += touches
        report["notebooks"].append({"notebook": notebook, "run_all_s": locals().get("run_all_s"),
                                    "widgets": n_widgets, "controls": len(rows),
                                    "total_s": round(time.time() - start, 1), "dialogs": dialogs,
                                    "problems": problems})
    assert not problems, f"{notebook}:\n" + "\n".join(problems)
