"""Measure what Chapter 07 (regularization) states, and store it in utils/assets/regularization_chapter_results.json.

Run from the repository root, on an otherwise idle machine (~2–3 minutes on one core)::

    python benchmarks/measure_regularization_chapter.py            # prints each measurement, rewrites the JSON
    python benchmarks/measure_regularization_chapter.py --dry-run  # prints only

What it measures (``utils.regularization_experiments.stored_regularization_results()`` documents the JSON's fields),
all on MNIST-5k (3,500 training, 500 validation, 1,000 test images) unless said otherwise:

1. the grid dropout p × weight decay λ × width of the two-hidden-layer MLP (Adam, 20 epochs): per-epoch training and
   validation loss and accuracy, the data of the regularization explorer;
2. a capacity sweep: one hidden layer of growing width, training and validation accuracy;
3. scikit-learn's diabetes table: 5-fold cross-validated R² of a linear model and of an MLP, and the MLP's training
   and held-out R² as full-batch training goes on (how fast it overfits);
4. a deep MLP (16 hidden layers) trained by SGD with and without BatchNorm1d: its loss curves;
5. shifted images (up to 2 pixels, fresh shifts each epoch) against the plain images: validation and test accuracy;
6. warm-up + cosine against a constant learning rate: the final test accuracy.

The notebook asserts against these numbers with margins (another CPU gives slightly different weights): after
changing a recipe, run this script again and commit the JSON with the change.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's utils, also without an install

from stored_results import machine_record, write_results  # noqa: E402  (beside this script)

from utils.data import DataSplits, load_mnist5k  # noqa: E402
from utils.device import one_blas_thread, one_torch_thread  # noqa: E402
from utils.regularization_experiments import (  # noqa: E402
    REGULARIZATION_RESULTS_ASSET,
    build_regularized_mlp,
    train_regularized_mlp,
)

GRID = {"dropout": (0.0, 0.2, 0.5), "weight_decay": (0.0, 1e-4, 1e-3, 1e-2), "width": (64, 256)}
GRID_SETTINGS = {"optimizer": "adam", "lr": 1e-3, "depth": 2, "batch_size": 128, "seed": 0, "epochs": 20}
CAPACITY_WIDTHS = (4, 16, 64, 256, 1024)
DIABETES_STEPS = (10, 25, 50, 100, 200, 400, 800, 1600, 3000)
DEEP = {"depth": 16, "width": 128, "epochs": 10, "lr": 0.02, "optimizer": "sgd"}
AUGMENTATION = {"max_shift": 2, "epochs": 20, "width": 256, "seeds": (0, 1)}
SCHEDULE_RUN = {"epochs": 20, "lr": 3e-3, "width": 256, "seeds": (0, 1)}


def _r(values, digits: int = 4) -> list:
    return [round(float(v), digits) for v in values]


def _curves(run) -> dict:
    return {"train_loss": _r(run.train_loss), "train_accuracy": _r(run.train_accuracy), "val_loss": _r(run.val_loss),
            "val_accuracy": _r(run.val_accuracy), "test_accuracy": round(run.test_accuracy, 4),
            "seconds": round(run.seconds, 2)}


def measure_grid(splits: DataSplits) -> dict:
    settings = {k: v for k, v in GRID_SETTINGS.items() if k != "epochs"}
    runs = []
    for width in GRID["width"]:
        for p in GRID["dropout"]:
            for wd in GRID["weight_decay"]:
                run = train_regularized_mlp(width, settings["depth"], p, wd, epochs=GRID_SETTINGS["epochs"],
                                            lr=settings["lr"], optimizer=settings["optimizer"],
                                            batch_size=settings["batch_size"], seed=settings["seed"], splits=splits,
                                            device="cpu")
                runs.append({"dropout": p, "weight_decay": wd, "width": width, **_curves(run)})
                print(f"grid width {width:>3}, dropout {p:.1f}, weight decay {wd:<6g}: train/val loss "
                      f"{run.train_loss[-1]:.3f}/{run.val_loss[-1]:.3f} (gap {run.gap[-1]:+.3f}, min val loss "
                      f"{run.val_loss.min():.3f} at epoch {int(np.argmin(run.val_loss)) + 1}), train/val accuracy "
                      f"{run.train_accuracy[-1]:.3f}/{run.val_accuracy[-1]:.3f}, test {run.test_accuracy:.3f} "
                      f"({run.seconds:.1f} s)")
    return {**{k: list(v) for k, v in GRID.items()}, "epochs": GRID_SETTINGS["epochs"], "settings": settings,
            "runs": runs}


def measure_capacity(splits: DataSplits) -> dict:
    out = {"widths": list(CAPACITY_WIDTHS), "epochs": 20, "depth": 1, "train_accuracy": [], "val_accuracy": [],
           "train_loss": [], "val_loss": [], "best_val_accuracy": [], "parameters": []}
    for width in CAPACITY_WIDTHS:
        run = train_regularized_mlp(width, 1, epochs=20, splits=splits, device="cpu")
        for key in ("train_accuracy", "val_accuracy", "train_loss", "val_loss"):
            out[key].append(round(float(getattr(run, key)[-1]), 4))
        out["best_val_accuracy"].append(round(float(run.val_accuracy.max()), 4))
        out["parameters"].append(785 * width + (width + 1) * 10)
        print(f"capacity: one hidden layer of {width:>4} ({out['parameters'][-1]:>7,} parameters): train accuracy "
              f"{run.train_accuracy[-1]:.3f}, validation {run.val_accuracy[-1]:.3f} (best {run.val_accuracy.max():.3f})"
              f", losses {run.train_loss[-1]:.3f}/{run.val_loss[-1]:.3f} ({run.seconds:.1f} s)")
    return out


def measure_diabetes() -> dict:
    import torch
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import r2_score
    from sklearn.model_selection import KFold

    X, y = load_diabetes(return_X_y=True)
    folds = list(KFold(5, shuffle=True, random_state=0).split(X))
    linear, mlp_final = [], []
    train_curve, val_curve = np.zeros((5, len(DIABETES_STEPS))), np.zeros((5, len(DIABETES_STEPS)))
    for k, (train, test) in enumerate(folds):
        mean, std = X[train].mean(0), X[train].std(0)
        X_train, X_test = (X[train] - mean) / std, (X[test] - mean) / std
        with one_blas_thread():
            linear.append(r2_score(y[test], LinearRegression().fit(X_train, y[train]).predict(X_test)))
        y_mean, y_std = y[train].mean(), y[train].std()
        inputs = torch.tensor(X_train, dtype=torch.float32)
        targets = torch.tensor((y[train] - y_mean) / y_std, dtype=torch.float32).reshape(-1, 1)
        test_inputs = torch.tensor(X_test, dtype=torch.float32)
        with one_torch_thread(), torch.random.fork_rng(devices=[]):
            torch.manual_seed(k)
            model = torch.nn.Sequential(torch.nn.Linear(10, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64),
                                        torch.nn.ReLU(), torch.nn.Linear(64, 1))
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            for step in range(1, DIABETES_STEPS[-1] + 1):
                loss = torch.nn.functional.mse_loss(model(inputs), targets)
                opt.zero_grad()
                loss.backward()
                opt.step()
                if step in DIABETES_STEPS:
                    j = DIABETES_STEPS.index(step)
                    with torch.no_grad():
                        fit = model(inputs).numpy().reshape(-1) * y_std + y_mean
                        held_out = model(test_inputs).numpy().reshape(-1) * y_std + y_mean
                    train_curve[k, j], val_curve[k, j] = r2_score(y[train], fit), r2_score(y[test], held_out)
        mlp_final.append(val_curve[k, -1])
    linear, train_mean, val_mean = np.array(linear), train_curve.mean(0), val_curve.mean(0)
    best = int(np.argmax(val_mean))
    print(f"diabetes (442 × 10): linear R² {linear.mean():.3f} (folds {np.round(linear, 3).tolist()})")
    for steps, tr, va in zip(DIABETES_STEPS, train_mean, val_mean):
        print(f"  MLP 10 → 64 → 64 → 1 after {steps:>4} full-batch Adam steps: train R² {tr:.3f}, held-out R² {va:.3f}")
    print(f"  best held-out R² {val_mean[best]:.3f} after {DIABETES_STEPS[best]} steps; "
          f"at {DIABETES_STEPS[-1]} steps {val_mean[-1]:.3f}")
    return {"n": int(X.shape[0]), "features": int(X.shape[1]), "folds": 5, "seed": 0,
            "linear": {"r2_folds": _r(linear), "mean": round(float(linear.mean()), 4)},
            "mlp": {"r2_folds": _r(mlp_final), "mean": round(float(np.mean(mlp_final)), 4), "hidden": [64, 64],
                    "steps": DIABETES_STEPS[-1], "lr": 1e-3, "optimizer": "adam"},
            "curve": {"steps": list(DIABETES_STEPS), "train_r2": _r(train_mean), "val_r2": _r(val_mean),
                      "val_r2_folds": [_r(row) for row in val_curve]}}


def measure_batch_norm(splits: DataSplits) -> dict:
    out = {k: v for k, v in DEEP.items()}
    for name, batch_norm in (("plain", False), ("batch_norm", True)):
        run = train_regularized_mlp(DEEP["width"], DEEP["depth"], batch_norm=batch_norm, epochs=DEEP["epochs"],
                                    lr=DEEP["lr"], optimizer=DEEP["optimizer"], splits=splits, device="cpu")
        out[name] = {"train_loss": _r(run.train_loss), "val_loss": _r(run.val_loss),
                     "val_accuracy": _r(run.val_accuracy), "test_accuracy": round(run.test_accuracy, 4)}
        print(f"deep MLP ({DEEP['depth']} hidden layers of {DEEP['width']}, SGD lr {DEEP['lr']}) {name:>10}: train "
              f"loss by epoch {np.round(run.train_loss, 3).tolist()}, test accuracy {run.test_accuracy:.3f} "
              f"({run.seconds:.1f} s)")
    out["parameters"] = {name: sum(p.numel() for p in build_regularized_mlp(
        DEEP["width"], DEEP["depth"], batch_norm=bn).parameters()) for name, bn in (("plain", False),
                                                                                     ("batch_norm", True))}
    return out


def measure_augmentation(splits: DataSplits) -> dict:
    settings = {k: (list(v) if isinstance(v, tuple) else v) for k, v in AUGMENTATION.items()}
    out = {**settings}
    for name, shift in (("plain", 0), ("shifted", AUGMENTATION["max_shift"])):
        runs = [train_regularized_mlp(AUGMENTATION["width"], max_shift=shift, epochs=AUGMENTATION["epochs"],
                                      seed=seed, splits=splits, device="cpu") for seed in AUGMENTATION["seeds"]]
        out[name] = {"val_accuracy": _r(r.val_accuracy[-1] for r in runs),
                     "test_accuracy": _r(r.test_accuracy for r in runs),
                     "train_accuracy": _r(r.train_accuracy[-1] for r in runs),
                     "mean_test_accuracy": round(float(np.mean([r.test_accuracy for r in runs])), 4),
                     "val_loss": _r(runs[0].val_loss)}
        print(f"augmentation {name:>8} (shifts up to {shift} px): train accuracy {out[name]['train_accuracy']}, "
              f"validation {out[name]['val_accuracy']}, test {out[name]['test_accuracy']} (mean "
              f"{out[name]['mean_test_accuracy']:.4f})")
    return out


def measure_schedules(splits: DataSplits) -> dict:
    out = {k: (list(v) if isinstance(v, tuple) else v) for k, v in SCHEDULE_RUN.items()}
    out["optimizer"] = "adam"
    for schedule in ("constant", "warmup_cosine"):
        runs = [train_regularized_mlp(SCHEDULE_RUN["width"], epochs=SCHEDULE_RUN["epochs"], lr=SCHEDULE_RUN["lr"],
                                      schedule=schedule, seed=seed, splits=splits, device="cpu")
                for seed in SCHEDULE_RUN["seeds"]]
        out[schedule] = {"test_accuracy": _r(r.test_accuracy for r in runs),
                         "mean_test_accuracy": round(float(np.mean([r.test_accuracy for r in runs])), 4),
                         "val_loss": _r(runs[0].val_loss), "val_accuracy": _r(runs[0].val_accuracy)}
        print(f"schedule {schedule:>13} (Adam, peak lr {SCHEDULE_RUN['lr']:g}): test accuracy "
              f"{out[schedule]['test_accuracy']} (mean {out[schedule]['mean_test_accuracy']:.4f}), final val loss "
              f"{runs[0].val_loss[-1]:.3f}")
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the measurements, do not write the JSON")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    splits = load_mnist5k(0)
    results = {
        "measured": machine_record(),
    }
    for key, measure in (("diabetes", measure_diabetes), ("capacity", lambda: measure_capacity(splits)),
                         ("batch_norm", lambda: measure_batch_norm(splits)),
                         ("augmentation", lambda: measure_augmentation(splits)),
                         ("schedules", lambda: measure_schedules(splits)), ("grid", lambda: measure_grid(splits))):
        section = time.perf_counter()
        results[key] = measure()
        results[key]["section_seconds"] = round(time.perf_counter() - section, 1)
        print(f"-- {key}: {results[key]['section_seconds']:.0f} s")
    results["measured"]["seconds"] = round(time.perf_counter() - start, 1)
    print(f"done in {results['measured']['seconds']:.0f} s")
    write_results(REGULARIZATION_RESULTS_ASSET, results, dry_run=args.dry_run)
    return results


if __name__ == "__main__":
    main()
