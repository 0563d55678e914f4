"""Measure what Chapter 06 (training in practice) states, and store it in utils/assets/training_chapter_results.json.

Run from the repository root, on an otherwise idle machine (~1–2 minutes on one core)::

    python benchmarks/measure_training_chapter.py            # prints each measurement, rewrites the JSON
    python benchmarks/measure_training_chapter.py --dry-run  # prints only

What it measures (``utils.mnist_mlp.stored_results()`` documents the JSON's fields):

1. the MNIST MLP's test accuracy over 5 seeds for each recipe (``COURSE_RECIPE``, ``CLASSIC_KERAS_RECIPE``), with
   the time of one run on one thread;
2. scikit-learn's RBF SVM and random forest on the same split (fitted on the 3,500 training images, and on the
   4,000 training + validation images);
3. the learning curve over the training-set size: the MLP (course recipe, mean of 3 seeds), the SVM and the forest
   fitted on a stratified subset of n training images, tested on the 1,000 test images;
4. Auto MPG: 5-fold cross-validated R² of the linear baseline and of the MLP regressor for two optimizers × two
   activations.

The notebook asserts against these numbers with margins (another CPU gives slightly different weights): after
changing a recipe, run this script again and commit the JSON with the change.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's utils, also without an install

from stored_results import machine_record, write_results  # noqa: E402  (beside this script)

from utils.auto_mpg import OPTIMIZERS, cross_validate_r2, make_auto_mpg_mlp  # noqa: E402
from utils.data import DataSplits, load_auto_mpg, load_mnist5k  # noqa: E402
from utils.device import one_blas_thread  # noqa: E402
from utils.mnist_mlp import CLASSIC_KERAS_RECIPE, COURSE_RECIPE, RESULTS_ASSET, train_mnist_mlp  # noqa: E402

SEEDS = (0, 1, 2, 3, 4)
CURVE_SIZES = (250, 500, 1000, 2000, 3500)
CURVE_SEEDS = (0, 1, 2)
ACTIVATIONS = ("relu", "tanh")


def ci95_half_width(p: float, n: int) -> float:
    """The half-width of the normal-approximation 95% confidence interval of an accuracy p on n test images."""
    return 1.96 * float(np.sqrt(p * (1 - p) / n))


def measure_recipes(splits: DataSplits, recipes=(COURSE_RECIPE, CLASSIC_KERAS_RECIPE), seeds=SEEDS,
                    device="cpu") -> dict:
    """``train_mnist_mlp`` with each recipe and seed on ``splits``: {recipe name: its "recipes" entry}."""
    results = {}
    for recipe in recipes:
        accuracies, seconds = [], []
        for seed in seeds:
            start = time.perf_counter()
            _, _, accuracy = train_mnist_mlp(recipe, seed=seed, splits=splits, device=device)
            seconds.append(time.perf_counter() - start)
            accuracies.append(accuracy)
        mean, n_test = float(np.mean(accuracies)), len(splits.y_test)
        fields = dataclasses.asdict(recipe)
        fields["hidden"] = list(fields["hidden"])
        results[recipe.name] = {
            "seeds": list(seeds), "test_accuracy": [round(a, 4) for a in accuracies], "mean": round(mean, 4),
            "min": round(min(accuracies), 4), "max": round(max(accuracies), 4),
            "ci95_half_width": round(ci95_half_width(mean, n_test), 4), "n_test": n_test,
            "seconds_per_run": round(statistics.median(seconds), 2), "recipe": fields,
        }
        print(f"{recipe.name:>14}: test accuracy {', '.join(f'{a:.3f}' for a in accuracies)}  mean {mean:.4f} "
              f"(±{ci95_half_width(mean, n_test):.4f} at 95% on {n_test} images)  "
              f"{statistics.median(seconds):.2f} s per run")
    return results


def _svm():
    from sklearn.svm import SVC

    return SVC(kernel="rbf")  # C=1, gamma="scale": scikit-learn's defaults


def _forest():
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1)


BASELINES = {"svm_rbf": _svm, "random_forest": _forest}


def _score(make, X, y, splits: DataSplits) -> float:
    with one_blas_thread():
        return float(make().fit(X, y).score(splits.X_test, splits.y_test))


def measure_baselines(splits: DataSplits) -> dict:
    X_all, y_all = np.concatenate([splits.X_train, splits.X_val]), np.concatenate([splits.y_train, splits.y_val])
    results = {}
    for name, make in BASELINES.items():
        start = time.perf_counter()
        on_train = _score(make, splits.X_train, splits.y_train, splits)
        on_all = _score(make, X_all, y_all, splits)
        results[name] = {"train_3500": round(on_train, 4), "train_val_4000": round(on_all, 4)}
        print(f"{name:>14}: test accuracy {on_train:.4f} fitted on 3,500 images, {on_all:.4f} on 4,000 "
              f"({time.perf_counter() - start:.1f} s)")
    return results


def _subset(splits: DataSplits, n: int) -> DataSplits:
    """The split with only n training images (stratified by class), the same validation and test images."""
    from sklearn.model_selection import train_test_split

    if n >= len(splits.y_train):
        return splits
    X, _, y, _ = train_test_split(splits.X_train, splits.y_train, train_size=n, random_state=0,
                                  stratify=splits.y_train)
    return splits._replace(X_train=X, y_train=y)


def measure_learning_curve(splits: DataSplits) -> dict:
    curve = {"sizes": list(CURVE_SIZES), "mlp": [], "svm_rbf": [], "random_forest": [],
             "mlp_seeds": list(CURVE_SEEDS)}
    for n in CURVE_SIZES:
        part = _subset(splits, n)
        mlp = float(np.mean([train_mnist_mlp(COURSE_RECIPE, seed=s, splits=part, device="cpu")[2]
                             for s in CURVE_SEEDS]))
        curve["mlp"].append(round(mlp, 4))
        for name, make in BASELINES.items():
            curve[name].append(round(_score(make, part.X_train, part.y_train, part), 4))
        print(f"{n:>6} training images: MLP {mlp:.4f}  SVM {curve['svm_rbf'][-1]:.4f}  "
              f"forest {curve['random_forest'][-1]:.4f}")
    return curve


def measure_auto_mpg() -> dict:
    from sklearn.linear_model import LinearRegression

    X, y, _ = load_auto_mpg()
    linear = cross_validate_r2(LinearRegression, X, y)
    print(f"{'Auto MPG':>14}: linear regression R² {linear.mean():.4f} (folds {np.round(linear, 3).tolist()})")
    grid, seconds = [], []
    for optimizer in OPTIMIZERS:
        for activation in ACTIVATIONS:
            start = time.perf_counter()
            r2 = cross_validate_r2(lambda a=activation: make_auto_mpg_mlp(activation=a), X, y, optimizer=optimizer)
            seconds.append(time.perf_counter() - start)
            grid.append({"optimizer": optimizer, "lr": OPTIMIZERS[optimizer], "activation": activation,
                         "r2_folds": np.round(r2, 4).tolist(), "mean": round(float(r2.mean()), 4)})
            print(f"{'':>14}  MLP, {optimizer} (lr {OPTIMIZERS[optimizer]:g}), {activation}: R² {r2.mean():.4f} "
                  f"(folds {np.round(r2, 3).tolist()}, {seconds[-1]:.2f} s)")
    return {"linear": {"r2_folds": np.round(linear, 4).tolist(), "mean": round(float(linear.mean()), 4)},
            "grid": grid, "folds": 5, "seed": 0, "steps": 300, "hidden": [64, 64],
            "seconds_per_cv": round(statistics.median(seconds), 2)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the measurements, do not write the JSON")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    splits = load_mnist5k(0)
    results = {
        "measured": machine_record(),
        "recipes": measure_recipes(splits),
        "baselines": measure_baselines(splits),
        "learning_curve": measure_learning_curve(splits),
        "auto_mpg": measure_auto_mpg(),
    }
    results["measured"]["seconds"] = round(time.perf_counter() - start, 1)
    print(f"done in {results['measured']['seconds']:.0f} s")
    write_results(RESULTS_ASSET, results, dry_run=args.dry_run)
    return results


if __name__ == "__main__":
    main()
