"""Measure what Chapter 08 part 2 (CNNs in practice) states, and store it in utils/assets/cnn_chapter_results.json.

Run from the repository root, on an otherwise idle machine (~5 minutes on one core)::

    python benchmarks/measure_cnn_chapter.py            # prints each measurement, rewrites the JSON
    python benchmarks/measure_cnn_chapter.py --dry-run  # prints only

What it measures (``utils.mnist_cnn.stored_cnn_results()`` documents the JSON's fields):

1. the course CNN (``build_mnist_cnn``, ``CNN_RECIPE``: 12 epochs) over seeds 0-4 on split 0 (the split Chapter 06
   measured its MLP, SVM and random forest on) and over splits 0-4 (``load_mnist5k(s)``, seed s), with the time
   of one run on one thread; the per-epoch curves of split 0, seed 0 (the shipped model's run);
2. the classic Keras CNN (``utils.cnn_architectures.build_classic_keras_cnn``) trained with the same recipe over
   seeds 0-4 on split 0;
3. transfer learning (``utils.transfer_learning.transfer_experiment``, the notebook's settings) over seeds 0-9;
4. the NumPy twin of the shipped CNN against PyTorch on the 1,000 test images.

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

from utils.data import load_mnist5k  # noqa: E402
from utils.device import one_blas_thread  # noqa: E402
from utils.mnist_cnn import (  # noqa: E402
    CNN_RECIPE,
    CNN_RESULTS_ASSET,
    MNIST_CNN_PARAMETERS,
    as_images,
    load_mnist_cnn,
    predict_labels,
    to_numpy_cnn,
    train_mnist_cnn,
)
from utils.transfer_learning import TRANSFER_DIGITS, transfer_experiment  # noqa: E402

SEEDS = (0, 1, 2, 3, 4)
SPLITS = (0, 1, 2, 3, 4)
TRANSFER_SEEDS = tuple(range(10))
TRANSFER_SETTINGS = {"n_per_class": 10, "epochs": 10, "lr": 3e-3}  # transfer_experiment's defaults


def _summary(accuracies: list[float]) -> dict:
    return {"test_accuracy": [round(a, 4) for a in accuracies], "mean": round(float(np.mean(accuracies)), 4),
            "min": round(min(accuracies), 4), "max": round(max(accuracies), 4)}


def over_seeds(label: str, build=None, *, recipe=CNN_RECIPE, seeds=SEEDS, device="cpu") -> tuple[dict, object]:
    """``train_mnist_cnn`` with ``recipe`` on split 0 with each seed (``build(seed)``: the network; None: the course
    CNN): the summary ("test_accuracy", "mean", "min", "max", "seconds_per_run", ...) and the first seed's log."""
    splits = load_mnist5k(0)
    accuracies, seconds, first_log = [], [], None
    for seed in seeds:
        start = time.perf_counter()
        model = None if build is None else build(seed)
        _, log, accuracy = train_mnist_cnn(recipe, seed, splits, device=device, model=model)
        seconds.append(time.perf_counter() - start)
        accuracies.append(accuracy)
        first_log = first_log or log
        print(f"{label:>18}, split 0, seed {seed}: test accuracy {accuracy:.4f} ({seconds[-1]:.1f} s)", flush=True)
    result = {"split": 0, "seeds": list(seeds), **_summary(accuracies),
              "seconds_per_run": round(statistics.median(seconds), 2)}
    return result, first_log


def measure_cnn() -> dict:
    on_seeds, log = over_seeds("course CNN")
    accuracies = []
    for split in SPLITS:
        if split == 0:
            accuracies.append(on_seeds["test_accuracy"][0])  # split 0, seed 0: measured above
            continue
        _, _, accuracy = train_mnist_cnn(CNN_RECIPE, split, load_mnist5k(split), device="cpu")
        accuracies.append(accuracy)
        print(f"{'course CNN':>18}, split {split}, seed {split}: test accuracy {accuracy:.4f}", flush=True)
    curves = {"train_loss": log.train_loss, "val_loss": log.val_loss, "train_accuracy": log.train_metric,
              "val_accuracy": log.val_metric}
    return {"recipe": dataclasses.asdict(CNN_RECIPE), "parameters": MNIST_CNN_PARAMETERS, "seeds": on_seeds,
            "splits": {"splits": list(SPLITS), **_summary(accuracies)},
            "curves": {key: np.round(values, 4).tolist() for key, values in curves.items()}}


def measure_classic_keras_cnn() -> dict | None:
    try:
        from utils.cnn_architectures import build_classic_keras_cnn, count_parameters
    except ImportError:
        print("utils.cnn_architectures is not there: the classic Keras CNN is left out")
        return None
    result, _ = over_seeds("classic Keras CNN", lambda seed: build_classic_keras_cnn(seed=seed))
    return {**result, "parameters": count_parameters(build_classic_keras_cnn())}


def measure_transfer() -> dict:
    transfer_experiment(seeds=(0,), epochs=1)  # warm-up: the first PyTorch calls of a process are slower
    results = transfer_experiment(seeds=TRANSFER_SEEDS, device="cpu", **TRANSFER_SETTINGS)
    accuracy = {way: np.round(values, 4).tolist() for way, values in results.accuracy.items()}
    gaps = {way: round(float(np.min(results.accuracy[way] - results.accuracy["scratch"])), 4)
            for way in ("last_layer", "all")}
    for way, values in accuracy.items():
        print(f"{'transfer ' + way:>18}: {values}  mean {np.mean(values):.4f}")
    print(f"{'':>18}  smallest gain over scratch on one seed: {gaps}; {results.seconds / len(TRANSFER_SEEDS):.2f} s "
          "per seed")
    return {**TRANSFER_SETTINGS, "digits": list(TRANSFER_DIGITS), "seeds": list(TRANSFER_SEEDS),
            "n_test": results.n_test, "accuracy": accuracy,
            "mean": {way: round(float(np.mean(values)), 4) for way, values in accuracy.items()}, "min_gap": gaps,
            "seconds_per_seed": round(results.seconds / len(TRANSFER_SEEDS), 2)}


def measure_numpy_twin() -> dict:
    import torch

    splits, model = load_mnist5k(0), load_mnist_cnn()
    images = as_images(splits.X_test)
    start = time.perf_counter()
    with one_blas_thread():
        ours = to_numpy_cnn(model)(images)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        theirs = model(torch.from_numpy(images)).numpy().astype(np.float64)
    disagreements = int(np.sum(ours.argmax(axis=1) != predict_labels(model, images)))
    result = {"disagreements": disagreements, "n_test": len(images),
              "max_abs_logit_difference": float(f"{np.abs(ours - theirs).max():.2e}"), "seconds": round(seconds, 2)}
    print(f"{'NumPy twin':>18}: {disagreements} labels differ from PyTorch's on {len(images)} test images; largest "
          f"logit difference (float64 vs float32) {result['max_abs_logit_difference']:.1e}; {seconds:.2f} s")
    return result


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the measurements, do not write the JSON")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    results = {"measured": machine_record(), "cnn": measure_cnn()}
    keras = measure_classic_keras_cnn()
    if keras is not None:
        results["classic_keras_cnn"] = keras
    results["transfer"] = measure_transfer()
    results["numpy_twin"] = measure_numpy_twin()
    results["measured"]["seconds"] = round(time.perf_counter() - start, 1)
    print(f"done in {results['measured']['seconds']:.0f} s")
    write_results(CNN_RESULTS_ASSET, results, dry_run=args.dry_run)
    return results


if __name__ == "__main__":
    main()
