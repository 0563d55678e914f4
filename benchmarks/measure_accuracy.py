"""Does the course keep its accuracy promises? Each one measured live over 5 seeds, beside the stored chapter figure.

Run from the repository root (~2–3 minutes on one core, most of it the CNN's 5 × 12 epochs)::

    python benchmarks/measure_accuracy.py                   # the full run, writes benchmarks/accuracy.json
    python benchmarks/measure_accuracy.py --strict          # exit 1 when a row misses its target
    python benchmarks/measure_accuracy.py --quick --dry-run # ~10 s: 1 seed, 1 epoch; keeps the code path working

What is measured, each over seeds 0–4 (the mean, with the min and max; PASS when the mean reaches the target, and
the row says when a seed falls below it):

1. scikit-learn's 8×8 digits (``digits_split()``: 1,347 training, 450 test images): the course's NumPy MLP
   ``Linear(64, 64) → ReLU → Linear(64, 10)`` trained by ``utils.training.fit`` with a ``utils.optim`` optimizer
   (``utils.optimizer_experiments.record_training``; the seed draws the weights and the minibatches), with
   Chapter 05's Adam (lr 0.01, 10 epochs of batches of 32) and Chapter 04's plain SGD (lr 0.2, 20 epochs of 32):
   test accuracy after the last epoch ≥ 97% (each row also stores every run's best-epoch accuracy and the number
   of epochs after which the training loss had jumped ≥ 2×: why a run ends low);
2. MNIST-5k (split 0): Chapter 06's MLP, ``utils.mnist_mlp.train_mnist_mlp(COURSE_RECIPE)`` ≥ 93%; beside it the
   floor Chapter 06 asserts its live run against (the lowest stored seed − 1 point);
3. MNIST-5k: the shipped CNN (``utils/assets/mnist_cnn5k.pt``, ``load_mnist_cnn()``) on the 1,000 test images
   ≥ 96% (no training: one figure), and ``train_mnist_cnn(CNN_RECIPE)`` (12 epochs) ≥ 96%;
4. MNIST-1D (``utils.mnist1d_models``, ``MNIST1D_RECIPE``; seed k trains on ``load_mnist1d(k)``): the CNN ≥ 93%,
   and the CNN's lead over the MLP ≥ 20 points;
5. Auto MPG: the 5-fold cross-validated R² of Chapter 06's MLP regressor (``make_auto_mpg_mlp()``, Adam, 300
   full-batch steps) minus the linear baseline's, ``cross_validate_r2(..., seed=k)`` (seed k draws the folds and
   the initial weights) ≥ 0.04.

The training loops are the chapters' own (``utils``) and the seed loops those of ``measure_training_chapter.py``,
``measure_cnn_chapter.py`` and ``measure_mnist1d.py``. "stored": the figure a chapter asserts against where one is
stored (``utils/assets/*_chapter_results.json``; the shipped CNN's metadata). One BLAS thread and one torch thread,
seeded; the device is ``utils.device.pick_device()``'s. Prints a table with PASS / FAIL per row and exits 1 with
``--strict`` when a row misses. ``--quick``: 1 seed, 1 epoch (10 steps for Auto MPG): its rows say "quick run" and
claim nothing ("passed": null) against targets that need the full training; the shipped CNN's row, which needs no
training, keeps its verdict. Writes ``benchmarks/accuracy.json`` (or ``--output``) unless ``--dry-run``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
from measure_cnn_chapter import over_seeds as cnn_over_seeds  # noqa: E402
from measure_mnist1d import over_seeds as mnist1d_over_seeds  # noqa: E402
from measure_training_chapter import measure_recipes  # noqa: E402
from stored_results import add_output_arguments, machine_record, write_results  # noqa: E402

from utils import optim  # noqa: E402
from utils.auto_mpg import cross_validate_r2, make_auto_mpg_mlp  # noqa: E402
from utils.data import load_auto_mpg, load_mnist5k  # noqa: E402
from utils.device import one_blas_thread, one_torch_thread, pick_device  # noqa: E402
from utils.mnist_cnn import (  # noqa: E402
    CNN_RECIPE,
    load_mnist_cnn,
    score_mnist_cnn,
    shipped_cnn_metadata,
    stored_cnn_results,
)
from utils.mnist_mlp import COURSE_RECIPE, stored_results  # noqa: E402
from utils.optimizer_experiments import OPTIMIZER_COMPARISON, record_training  # noqa: E402

SEEDS = (0, 1, 2, 3, 4)
QUICK_SEEDS = (0,)
DIGITS_RECIPES = {  # label: (make_optimizer, epochs); batches of 32 (record_training's default)
    "digits NumPy MLP, Ch05 Adam lr 0.01, 10 ep": (OPTIMIZER_COMPARISON["Adam, lr 0.01"], 10),
    "digits NumPy MLP, Ch04 SGD lr 0.2, 20 ep": (partial(optim.SGD, lr=0.2), 20),
}
AUTO_MPG_STEPS = 300  # cross_validate_r2's default, the chapter's
QUICK_NOTE = "quick run: too little training to judge the target"
# Reported beside the target, not judged by it: Chapter 04 trains with plain SGD at a learning rate high enough
# for the loss to jump now and then, which is what Chapter 05 sets out to fix; the ≥ 97% promise is the trained
# network's, i.e. Chapter 05's recipe.
REPORTED_ONLY = {"digits NumPy MLP, Ch04 SGD lr 0.2, 20 ep":
                 "reported, not judged: plain SGD at lr 0.2 on batches of 32 (Chapter 04) makes the loss jump in "
                 "some epochs, and a run can end on a jump (Chapter 04 shows it on five seeds, section 5.4); "
                 "Chapter 05's optimizers remove the jumps"}


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------
def _format(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.1%}"
    if unit == "points":
        return f"{100 * value:+.1f} points"
    return f"{value:+.3f}"  # a difference of R²


def figure(values, unit: str) -> str:
    """The mean, then the spread over the seeds (a single value: just the count)."""
    values = np.asarray(values, dtype=float)
    mean = _format(float(values.mean()), unit)
    if len(values) == 1:
        return f"{mean} (1 seed)"
    low, high = values.min(), values.max()
    if unit == "%":
        spread = f"{100 * low:.1f}–{high:.1%}"
    elif unit == "points":
        spread = f"{100 * low:.1f}–{100 * high:.1f}"
    else:
        spread = f"{low:.3f}–{high:.3f}"
    return f"{mean} ({spread}, {len(values)} seeds)"  # "97.1% (96.0–97.8%, 5 seeds)", "+32.9 points (31.2–34.1, …)"


def _target(threshold: float, unit: str) -> str:
    if unit == "%":
        return f"≥ {threshold:.0%}"
    if unit == "points":
        return f"≥ {100 * threshold:g} points"
    return f"≥ {threshold:g}"


def make_row(measure: str, values, *, threshold: float, unit: str, seconds: float, quick: bool,
             stored: str | None = None, needs_training: bool = True, **details) -> dict:
    """One row of the table: PASS when the mean of ``values`` reaches ``threshold``; ``passed`` None in a quick run
    of a measurement that needs the full training."""
    values = [round(float(v), 4) for v in values]
    mean = float(np.mean(values))
    target = _target(threshold, unit)
    notes = []
    if quick and needs_training:
        passed = None
        notes.append(QUICK_NOTE)
    else:
        passed = mean >= threshold
        below = sum(v < threshold for v in values)
        if below and len(values) > 1:
            notes.append(f"{below} of {len(values)} seeds below the target (min {_format(min(values), unit)})")
    shown = figure(values, unit) if needs_training else _format(mean, unit)  # the shipped weights: one figure
    return {"measure": measure, "figure": shown, "target": target, "passed": passed, "values": values,
            "mean": round(mean, 4), "stored": stored, "seconds": round(seconds, 1), "note": "; ".join(notes),
            **details}


# ---------------------------------------------------------------------------------------------
# Measurements (each returns rows)
# ---------------------------------------------------------------------------------------------
def measure_digits(seeds, quick: bool) -> list[dict]:
    rows = []
    for label, (make_optimizer, epochs) in DIGITS_RECIPES.items():
        start = time.perf_counter()
        runs = [record_training(make_optimizer, epochs=1 if quick else epochs, seed=seed) for seed in seeds]
        final = [run.test_accuracy[-1] for run in runs]
        print(f"{label}: test accuracy {', '.join(f'{a:.3f}' for a in final)}", flush=True)
        # why a run ends low: the best epoch's test accuracy, and how often the training loss jumped (≥ 2× up)
        best = [float(np.nanmax(run.test_accuracy)) for run in runs]
        jumps = [int(np.sum(run.train_loss[1:] >= 2 * run.train_loss[:-1])) for run in runs]
        row = make_row(label, final, threshold=0.97, unit="%", seconds=time.perf_counter() - start, quick=quick,
                       epochs=runs[0].epochs, batch_size=32,
                       best_epoch_values=[round(b, 4) for b in best], loss_jumps=jumps)
        if not quick:
            row["note"] = "; ".join(filter(None, [row["note"], f"best epoch {np.mean(best):.1%} on average; the "
                                                  f"training loss jumped ≥ 2× in {sum(jumps)} epochs of the "
                                                  f"{len(runs)} runs"]))
        if label in REPORTED_ONLY and not quick:
            row.update(target="reported (≥ 97% is the Ch05 recipe's)", passed=None,
                       note="; ".join(filter(None, [REPORTED_ONLY[label], row["note"]])))
        rows.append(row)
    return rows


def measure_mnist_mlp(seeds, quick: bool, device) -> list[dict]:
    stored = stored_results()["recipes"]["course"]
    recipe = dataclasses.replace(COURSE_RECIPE, epochs=1) if quick else COURSE_RECIPE
    start = time.perf_counter()
    measured = measure_recipes(load_mnist5k(0), recipes=(recipe,), seeds=seeds, device=device)[recipe.name]
    floor = stored["min"] - 0.01  # Chapter 06: a live seed-0 run ≥ the lowest stored seed − 1 point
    return [make_row("MNIST-5k MLP, Ch06 course recipe", measured["test_accuracy"], threshold=0.93, unit="%",
                     seconds=time.perf_counter() - start, quick=quick, stored=figure(stored["test_accuracy"], "%"),
                     notebook_floor=round(floor, 4), epochs=recipe.epochs)]


def measure_mnist_cnn(seeds, quick: bool, device) -> list[dict]:
    stored, shipped = stored_cnn_results()["cnn"]["seeds"], shipped_cnn_metadata("cnn5k")
    start = time.perf_counter()
    splits = load_mnist5k(0)
    shipped_accuracy = score_mnist_cnn(load_mnist_cnn(), splits.X_test, splits.y_test)
    print(f"shipped CNN (mnist_cnn5k.pt): test accuracy {shipped_accuracy:.4f}", flush=True)
    rows = [make_row("MNIST-5k CNN, shipped weights", [shipped_accuracy], threshold=0.96, unit="%",
                     seconds=time.perf_counter() - start, quick=quick, needs_training=False,
                     stored=f"{shipped['test_accuracy']:.1%} (when it was trained, {shipped['date']})")]
    recipe = dataclasses.replace(CNN_RECIPE, epochs=1) if quick else CNN_RECIPE
    start = time.perf_counter()
    measured, _ = cnn_over_seeds("course CNN", recipe=recipe, seeds=seeds, device=device)
    rows.append(make_row("MNIST-5k CNN, Ch08 course recipe", measured["test_accuracy"], threshold=0.96,
                         unit="%", seconds=time.perf_counter() - start, quick=quick,
                         stored=figure(stored["test_accuracy"], "%"), epochs=recipe.epochs,
                         seconds_per_run=measured["seconds_per_run"]))
    return rows


def measure_mnist1d(seeds, quick: bool, device) -> list[dict]:
    epochs = 1 if quick else None
    start = time.perf_counter()
    accuracy = {name: mnist1d_over_seeds(name, seeds, epochs=epochs, device=device) for name in ("mlp", "cnn")}
    seconds = time.perf_counter() - start
    return [make_row("MNIST-1D CNN", accuracy["cnn"], threshold=0.93, unit="%", seconds=seconds, quick=quick),
            make_row("MNIST-1D CNN − MLP", accuracy["cnn"] - accuracy["mlp"], threshold=0.20, unit="points",
                     seconds=0.0, quick=quick, mlp_values=[round(float(a), 4) for a in accuracy["mlp"]])]


def measure_auto_mpg(seeds, quick: bool) -> list[dict]:
    from sklearn.linear_model import LinearRegression

    stored = stored_results()["auto_mpg"]
    steps = 10 if quick else AUTO_MPG_STEPS
    X, y, _ = load_auto_mpg()
    start = time.perf_counter()
    linear = [float(cross_validate_r2(LinearRegression, X, y, seed=seed).mean()) for seed in seeds]
    mlp = [float(cross_validate_r2(make_auto_mpg_mlp, X, y, seed=seed, steps=steps).mean()) for seed in seeds]
    gaps = np.array(mlp) - np.array(linear)
    print(f"Auto MPG: MLP R² {', '.join(f'{r:.3f}' for r in mlp)}; linear {', '.join(f'{r:.3f}' for r in linear)}",
          flush=True)
    default = next(row for row in stored["grid"] if (row["optimizer"], row["activation"]) == ("adam", "relu"))
    return [make_row("Auto MPG, MLP R² − linear, 5-fold CV", gaps, threshold=0.04, unit="R²",
                     seconds=time.perf_counter() - start, quick=quick,
                     stored=f"{default['mean'] - stored['linear']['mean']:+.3f} (seed 0)",
                     mlp_r2=[round(r, 4) for r in mlp], linear_r2=[round(r, 4) for r in linear], steps=steps)]


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------
def print_table(rows: list[dict], quick: bool, seconds: float) -> None:
    if quick:
        print("QUICK RUN (1 seed, 1 epoch): these figures say nothing about the targets")
    print(f"{'measure':44} {'figure':34} {'target':13} verdict")
    for row in rows:
        verdict = {True: "PASS", False: "FAIL", None: "quick run"}[row["passed"]]
        print(f"{row['measure']:44} {row['figure']:34} {row['target']:13} {verdict}")
        extra = [f"stored {row['stored']}"] if row["stored"] else []
        if "notebook_floor" in row:
            extra.append(f"Chapter 06's floor for its live run {row['notebook_floor']:.1%}")
        if row["note"] and row["note"] != QUICK_NOTE:  # the verdict column says "quick run" already
            extra.append(row["note"])
        if extra:
            print(f"{'':4}{'; '.join(extra)}")
    print(f"total {seconds:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 1 epoch: checks the code path, judges nothing")
    add_output_arguments(parser, ROOT / "benchmarks" / "accuracy.json")
    args = parser.parse_args(argv)

    seeds, device = (QUICK_SEEDS if args.quick else SEEDS), pick_device()
    print(f"device {device}; seeds {list(seeds)}{'; QUICK RUN' if args.quick else ''}", flush=True)
    start = time.perf_counter()
    with one_blas_thread(), one_torch_thread():
        rows = [*measure_digits(seeds, args.quick), *measure_mnist_mlp(seeds, args.quick, device),
                *measure_mnist_cnn(seeds, args.quick, device), *measure_mnist1d(seeds, args.quick, device),
                *measure_auto_mpg(seeds, args.quick)]
    seconds = time.perf_counter() - start
    print_table(rows, args.quick, seconds)
    measured = {**machine_record(), "seconds": round(seconds, 1)}
    write_results(args.output, {"measured": measured, "quick": args.quick, "device": str(device),
                                "seeds": list(seeds), "rows": rows}, dry_run=args.dry_run)
    return 1 if args.strict and any(row["passed"] is False for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
