"""Time every control of every explorer from Python: the change → the redrawn image, per control.

Run from the repository root (~1–3 minutes; a busy machine gives slower, noisier figures)::

    python benchmarks/measure_controls.py                 # every explorer, ~20 values per control, writes the JSON
    python benchmarks/measure_controls.py --values 5 --dry-run
    python benchmarks/measure_controls.py --only losses   # the explorers of the widget modules matching a word

The explorers are found generically: each public factory of ``utils/widgets/*.py`` whose name ends in
``_explorer``, ``_stepper``, ``_dashboard`` or ``_playground``, built with its defaults. Each control is driven
across ~20 values (a slider from its minimum to its maximum, a menu or toggle cycling its options, which comes
back to options already drawn, a checkbox toggling), then put back to its start value. A change is timed from
setting ``.value`` to the end of the synchronous callback (the new PNG is on ``explorer.image``), on the wall
clock (median, p95, worst) and as this thread's CPU time (median: what the callback costs when other programs
share the cores, which makes the wall clock noisy); an explorer
drawing in stages (the training explorer) also records the time to its first image. Buttons are clicked the
same way (◀ / ▶ a few times each; "Train" three times, each a full training run).

Targets (issue 22): a callback's median ≤ 50 ms and p95 ≤ 150 ms; a button-driven training run ≤ 2 s. The
results go to ``benchmarks/controls.json``: per control, the median, p95 and worst in ms and the number of errors.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's utils, also without an install

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from stored_results import machine_record, write_results  # noqa: E402  (beside this script)

import utils.widgets  # noqa: E402
from utils.device import one_torch_thread  # noqa: E402
from utils.widgets.base import Explorer  # noqa: E402

RESULTS = Path(__file__).with_name("controls.json")
SUFFIXES = ("_explorer", "_stepper", "_dashboard", "_playground")
TARGET_MEDIAN_MS, TARGET_P95_MS, TARGET_RUN_S = 50.0, 150.0, 2.0
TRAINING_BUTTONS = ("train",)  # a button whose click is a whole training run (its target is TARGET_RUN_S)


def factories(only: str | None = None):
    """``(module name, factory name, factory)`` of every explorer factory in utils/widgets/, sorted."""
    found = []
    for info in pkgutil.iter_modules(utils.widgets.__path__):
        if only and only not in info.name:
            continue
        module = importlib.import_module(f"utils.widgets.{info.name}")
        for name in getattr(module, "__all__", ()):
            if name.endswith(SUFFIXES) and not name.startswith("draw_") and inspect.isfunction(getattr(module, name)):
                found.append((info.name, name, getattr(module, name)))
    return sorted(found, key=lambda item: (item[0], item[1]))


def sweep(control, n: int) -> list:
    """About ``n`` values for ``control``, each different from the one before (the first from its start value)."""
    if hasattr(control, "options") and control.options:  # Dropdown, ToggleButtons, SelectionSlider, ...
        values = list(control._options_values)  # the values, whether .options holds values or (label, value) pairs
        if len(values) < 2:
            return []
        start = values.index(control.value) if control.value in values else 0
        return [values[(start + 1 + i) % len(values)] for i in range(n)]
    if isinstance(control.value, bool):
        return [not control.value if i % 2 == 0 else control.value for i in range(n)]
    if hasattr(control, "base"):  # FloatLogSlider: evenly in the exponent
        values = list(control.base ** np.linspace(control.min, control.max, n))
    elif hasattr(control, "min") and hasattr(control, "max"):
        if isinstance(control.value, (tuple, list)):  # a range slider: widen and narrow around the middle
            lo, hi = control.min, control.max
            mid = (lo + hi) / 2
            values = [(mid - (mid - lo) * f, mid + (hi - mid) * f) for f in np.linspace(0.1, 1.0, n)]
        else:
            values = list(np.linspace(control.min, control.max, n))
            if isinstance(control.value, int):
                values = [int(round(v)) for v in values]
    else:
        return []
    out, last = [], control.value
    for v in values:
        if v != last:
            out.append(v)
            last = v
    return out


class _ImageClock:
    """Records when ``explorer.image`` gets a new PNG, to time the first of several images of one change."""

    def __init__(self, explorer):
        self.times: list[float] = []
        explorer.image.observe(lambda change: self.times.append(time.perf_counter()), names="value")


def _stats(ms: list[float]) -> dict:
    a = np.asarray(ms, dtype=float)
    if a.size == 0:
        return {"n": 0}
    return {"n": int(a.size), "median_ms": round(float(np.median(a)), 1),
            "p95_ms": round(float(np.percentile(a, 95)), 1), "worst_ms": round(float(a.max()), 1)}


def _cpu(ms: list[float]) -> dict:
    """The median CPU time of this thread (ms): what the callback itself costs, less sensitive than the wall
    clock to other programs sharing the cores."""
    return {"cpu_median_ms": round(float(np.median(ms)), 1)} if ms else {}


def measure_explorer(explorer: Explorer, n_values: int) -> list[dict]:
    """One row per control and per button of ``explorer``: its timings (ms) and how many changes failed."""
    rows = []
    clock = _ImageClock(explorer)
    for name, control in explorer.controls.items():
        start = control.value
        times, cpu, first, errors = [], [], [], 0
        for value in sweep(control, n_values):
            clock.times.clear()
            c0, t0 = time.thread_time(), time.perf_counter()
            try:
                control.value = value
            except Exception:  # a value the control refuses (e.g. outside a bound another control sets)
                errors += 1
                continue
            t1, c1 = time.perf_counter(), time.thread_time()
            if control.value != value and not isinstance(value, float):
                continue  # the explorer moved it elsewhere: not a change of this control
            times.append(1e3 * (t1 - t0))
            cpu.append(1e3 * (c1 - c0))
            if clock.times:
                first.append(1e3 * (clock.times[0] - t0))
            errors += explorer.state.get("error") is not None
        try:
            control.value = start
        except Exception:
            pass
        row = {"control": name, "kind": type(control).__name__, **_stats(times), **_cpu(cpu), "errors": errors}
        if first and np.median(first) < 0.9 * np.median(times):  # drawn in stages: the first image comes sooner
            row["first_image_median_ms"] = round(float(np.median(first)), 1)
            row["trains"] = True  # a change trains a network (shown part-way first): a training run's target too
        rows.append(row)
    buttons = dict(getattr(explorer, "buttons", {}) or {})
    if getattr(explorer, "train_button", None) is not None:
        buttons["train"] = explorer.train_button
    for name, button in buttons.items():
        training = name in TRAINING_BUTTONS
        times, cpu = [], []
        for _ in range(3 if training else max(2, n_values // 2)):
            c0, t0 = time.thread_time(), time.perf_counter()
            button.click()
            times.append(1e3 * (time.perf_counter() - t0))
            cpu.append(1e3 * (time.thread_time() - c0))
        error = explorer.state.get("error") is not None
        row = {"control": name, "kind": "Button", **_stats(times), **_cpu(cpu), "errors": int(error)}
        if training:
            row["training_run"] = True
        rows.append(row)
    return rows


def over_target(row: dict, clock: str = "wall") -> bool:
    """Whether ``row`` misses its target: a training button's run > TARGET_RUN_S; a control's median >
    TARGET_MEDIAN_MS or p95 > TARGET_P95_MS (``clock="cpu"``: the median CPU time against TARGET_MEDIAN_MS, which
    a busy machine does not inflate). A control whose change trains is also reported with its first image."""
    if row.get("n", 0) == 0:
        return False
    if row.get("training_run"):
        return row["median_ms"] > 1e3 * TARGET_RUN_S
    if clock == "cpu":
        return row["cpu_median_ms"] > TARGET_MEDIAN_MS
    return row["median_ms"] > TARGET_MEDIAN_MS or row["p95_ms"] > TARGET_P95_MS


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--values", type=int, default=20, help="values per control (default 20)")
    parser.add_argument("--only", default=None, help="only the widget modules whose name contains this")
    parser.add_argument("--dry-run", action="store_true", help="print only, write nothing")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"where to write (default {RESULTS.name})")
    args = parser.parse_args(argv)
    results = []
    with one_torch_thread():
        for module, name, factory in factories(args.only):
            t0 = time.perf_counter()
            explorer = factory()
            build_ms = 1e3 * (time.perf_counter() - t0)
            if not isinstance(explorer, Explorer):
                print(f"{module}.{name}: not an Explorer, skipped")
                continue
            for row in measure_explorer(explorer, args.values):
                results.append({"widget": f"{module}.{name}", **row})
            print(f"{module}.{name}: built in {build_ms:.0f} ms", flush=True)
            explorer.figure.clear()
    print(f"\n{'widget':42} {'control':16} {'kind':18} {'n':>3} {'median':>8} {'p95':>8} {'worst':>8} {'cpu':>7}"
          "  over target (wall / cpu)")
    for r in results:
        if r.get("n", 0) == 0:
            print(f"{r['widget']:42} {r['control']:16} {r['kind']:18}   0  (no values to try)")
            continue
        first = f"  (first image {r['first_image_median_ms']:.0f})" if "first_image_median_ms" in r else ""
        flags = ("OVER" if over_target(r) else "    ") + (" CPU-OVER" if over_target(r, "cpu") else "")
        print(f"{r['widget']:42} {r['control']:16} {r['kind']:18} {r['n']:3d} {r['median_ms']:8.1f} "
              f"{r['p95_ms']:8.1f} {r['worst_ms']:8.1f} {r['cpu_median_ms']:7.1f}  {flags}"
              f"{' errors ' + str(r['errors']) if r['errors'] else ''}{first}")
    slow, slow_cpu = [r for r in results if over_target(r)], [r for r in results if over_target(r, "cpu")]
    timed = [r for r in results if r.get("n") and not r.get("training_run")]
    print(f"\n{len(results)} controls; median of the medians {np.median([r['median_ms'] for r in timed]):.1f} ms "
          f"(CPU {np.median([r['cpu_median_ms'] for r in timed]):.1f} ms); over target: {len(slow)} on the wall clock, "
          f"{len(slow_cpu)} in CPU time (median ≤ {TARGET_MEDIAN_MS:.0f} ms, p95 ≤ {TARGET_P95_MS:.0f} ms; a training "
          f"run ≤ {TARGET_RUN_S:.0f} s)")
    record = {"measured": machine_record(), "values_per_control": args.values,
              "targets": {"median_ms": TARGET_MEDIAN_MS, "p95_ms": TARGET_P95_MS, "training_run_s": TARGET_RUN_S},
              "controls": [{**r, "over_target": over_target(r), "over_target_cpu": over_target(r, "cpu")}
                           for r in results]}
    write_results(args.output, record, dry_run=args.dry_run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
