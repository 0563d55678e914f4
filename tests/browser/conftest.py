"""The browser suite's fixtures: one JupyterLab server and one headless Chromium for the session, the
artefacts folder (build/browser/: screenshots, report.json, report.md) and the timing report written at the
end. Collected only with ``--browser`` (``make test-browser``; the root conftest.py leaves tests/browser out
otherwise). Without Chromium or Playwright every test skips with a one-line reason."""

from __future__ import annotations

import importlib.util
import json
import shutil
import statistics
import tempfile
import time
from importlib import metadata
from pathlib import Path

import pytest

from .lab import CHROMIUM_ARGS, LabServer, find_chromium

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "build" / "browser"
SLOW_MS = 100  # the goal: every control redraws within 100 ms (median, end to end in the browser)


def pytest_collection_modifyitems(config, items):
    """Named explicitly (`pytest tests/browser`), the suite is collected even without --browser: skip it."""
    if not config.getoption("--browser"):
        skip = pytest.mark.skip(reason="the browser suite runs with --browser (make test-browser)")
        for item in items:
            if Path(item.fspath).is_relative_to(Path(__file__).parent):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def chromium() -> str:
    exe = find_chromium()
    if exe is None:
        pytest.skip("Chromium not found: install it with `apt-get install -y chromium` (or set CHROMIUM=path)")
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("playwright is not installed: `make test-browser` installs requirements-browser.txt")
    return exe


@pytest.fixture(scope="session")
def artefacts(chromium) -> Path:  # after the skip: a run without Chromium leaves the last artefacts alone
    shutil.rmtree(ARTEFACTS, ignore_errors=True)
    ARTEFACTS.mkdir(parents=True)
    return ARTEFACTS


@pytest.fixture(scope="session")
def lab(chromium):
    """A running JupyterLab serving the repository; stopped by its process group, also on failure."""
    with tempfile.TemporaryDirectory(prefix="browser_lab_") as tmp:
        server = LabServer(ROOT, Path(tmp))
        try:
            server.start()
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def report(artefacts):
    """Rows appended by the tests (one per control, plus one per notebook); written out at the end."""
    rows: dict = {"notebooks": [], "controls": [], "touches": []}
    start = time.time()
    yield rows
    rows["total_s"] = round(time.time() - start, 1)
    rows["versions"] = {name: metadata.version(name) for name in ("jupyterlab", "ipywidgets", "playwright")}
    write_report(rows, artefacts)


def write_report(rows: dict, out: Path) -> None:
    for row in rows["controls"]:
        times = [t for t in row["ms"] if t is not None]
        row["median_ms"] = round(statistics.median(times)) if times else None
        row["worst_ms"] = round(max(times)) if times else None
        row["over_100ms"] = bool(times) and statistics.median(times) > SLOW_MS
        firsts = [t for t in row.get("first_ms", []) if t is not None]  # to the first new image of each change
        row["first_median_ms"] = round(statistics.median(firsts)) if firsts else None
    (out / "report.json").write_text(json.dumps(rows, indent=1))
    lines = ["# Controls in the browser: change → redrawn output on screen (ms)\n",
             "Measured in the page's clock (performance.now), end to end: from the event the control acts on (a key "
             "on a slider's handle, the click of a button, toggle or checkbox, a menu's input/change) to the last "
             "change of the widget's output outside its controls: the paint of its new image (Element Timing's "
             "renderTime; the image's load event when Chromium reports no paint) or a change of its text. Included: "
             "the websocket round trip through the server, the kernel's callback (compute, draw, PNG), the image's "
             "transfer and decoding. Not included: the harness's polling and its 150 ms settle wait (they only decide "
             "when to read the two timestamps). JupyterLab renders as a learner's does by default (off-screen cells "
             "skipped by the browser). Each widget's cell was made the active one before its controls (a click on its "
             "image, timed apart at the end: JupyterLab's own cost of a first click into a cell).\n",
             f"{len(rows['notebooks'])} notebooks, {len(rows['controls'])} controls, "
             f"{sum(r['over_100ms'] for r in rows['controls'])} with a median over {SLOW_MS} ms; "
             f"suite {rows['total_s']} s.\n",
             "Unchanged: changes after which the output looked the same (a step too small to move a pixel, "
             "\"Train\" again with the same settings); a control fails only when none of its changes changed it.\n",
             "| notebook | widget | control | kind | median ms | worst ms | over 100 ms | unchanged | note |",
             "|---|---|---|---|---:|---:|---|---:|---|"]
    for r in rows["controls"]:
        lines.append(f"| {r['notebook']} | {r['widget']} | {r['control']} | {r['kind']} | {r['median_ms']} | "
                     f"{r['worst_ms']} | {'**yes**' if r['over_100ms'] else ''} | {r.get('unchanged', '')} | "
                     f"{r.get('note', '')} |")
    touches = rows.get("touches", [])
    lines += ["", "## First click into each widget's cell (JupyterLab makes it the active cell)\n",
              "Clicked once before the widget's controls (its image), as a learner's first click into a cell that is "
              "not the active one: the time from the pointer event to the paint after JupyterLab's handling (Event "
              "Timing; empty: under 16 ms). Not in the controls' figures above.\n",
              "| notebook | widget | clicked | ms |", "|---|---|---|---:|"]
    lines += [f"| {t['notebook']} | {t['widget']} | {t['clicked']} | {'' if t['ms'] is None else t['ms']} |"
              for t in touches]
    lines += ["", "| notebook | Run All (s) | widgets | controls | checked in (s) |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {n['notebook']} | {n['run_all_s']} | {n['widgets']} | {n['controls']} | {n['total_s']} |"
              for n in rows["notebooks"]]
    (out / "report.md").write_text("\n".join(lines) + "\n")
