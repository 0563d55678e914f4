"""How fast does the course's NumPy MLP train? One epoch on the 8×8 digits against the same network in PyTorch.

Run from the repository root (~10–20 s)::

    python benchmarks/measure_mlp_speed.py
    python benchmarks/measure_mlp_speed.py --repeats 2 --output /tmp/mlp.json      # a quick check

What is timed: one epoch of Adam (lr 0.01) on scikit-learn's digits training split (1,347 images, 64 pixels) for
Chapter 04's network ``Linear(64, 64) → ReLU → Linear(64, 10)`` with cross-entropy:
- ours: ``utils.training.fit`` with ``utils.optim.Adam`` on ``utils.optimizer_experiments.digits_network``;
- PyTorch: the same layers as ``torch.nn`` modules with ``torch.optim.Adam`` and the same loop (shuffle, forward,
  loss, ``zero_grad``, backward, step), in float64 as ours computes;
for mini-batches of 32 and for the full batch (one step an epoch). Each figure is the median (and minimum) of
``--repeats`` epochs after one warm-up epoch, on one BLAS thread and one torch thread; the ratio ours / PyTorch
is computed from the two medians of the same run. Target (issue 22): ratio ≤ 1.5. PASS / FAIL per row; exit 1
with ``--strict`` when a row misses it. Writes ``benchmarks/mlp_speed.json`` (or ``--output``) unless ``--dry-run``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
from stored_results import add_output_arguments, machine_record, write_results  # noqa: E402
from timing import median_and_min  # noqa: E402

from utils import losses as L  # noqa: E402
from utils.data import digits_split  # noqa: E402
from utils.device import one_blas_thread, one_torch_thread  # noqa: E402
from utils.optim import Adam  # noqa: E402
from utils.optimizer_experiments import digits_network  # noqa: E402
from utils.training import fit  # noqa: E402

TARGET_RATIO = 1.5
LR = 0.01
BATCH_SIZES = {"minibatch 32": 32, "full batch": None}


def measure(label: str, batch_size: int | None, X: np.ndarray, y: np.ndarray, repeats: int) -> dict:
    """One row: an epoch of ours and of PyTorch's, in milliseconds, and their ratio."""
    import torch

    model = digits_network(np.random.default_rng(0))
    loss_fn, optimizer = L.CrossEntropyLoss(), Adam(list(model.parameters()), lr=LR)
    rng = np.random.default_rng(1)

    def ours():
        fit(model, loss_fn, optimizer, X, y, epochs=1, batch_size=batch_size, rng=rng if batch_size else None)

    twin = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)).double()
    torch_optimizer = torch.optim.Adam(twin.parameters(), lr=LR)
    torch_loss = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    shuffle = torch.Generator().manual_seed(1)
    step = batch_size or len(X)

    def theirs():
        order = torch.randperm(len(X), generator=shuffle) if batch_size else torch.arange(len(X))
        for start in range(0, len(X), step):
            batch = order[start:start + step]
            loss = torch_loss(twin(Xt[batch]), yt[batch])
            torch_optimizer.zero_grad()
            loss.backward()
            torch_optimizer.step()

    ours_median, ours_min = median_and_min(ours, repeats)
    torch_median, torch_min = median_and_min(theirs, repeats)
    ratio = ours_median / torch_median
    return {"batches": label, "batch_size": batch_size, "n": len(X), "ours_ms": round(ours_median * 1e3, 2),
            "ours_min_ms": round(ours_min * 1e3, 2), "torch_ms": round(torch_median * 1e3, 2),
            "torch_min_ms": round(torch_min * 1e3, 2), "ratio": round(ratio, 2), "target": TARGET_RATIO,
            "passed": ratio <= TARGET_RATIO}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed epochs per figure after a warm-up (default 7)")
    add_output_arguments(parser, ROOT / "benchmarks" / "mlp_speed.json")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")

    X, _, y, _ = digits_split()
    X, y = np.ascontiguousarray(X, dtype=np.float64), np.asarray(y, dtype=np.int64)
    with one_blas_thread(), one_torch_thread():
        rows = [measure(label, size, X, y, args.repeats) for label, size in BATCH_SIZES.items()]

    print(f"{'one epoch':14} {'ours ms':>9} {'torch ms':>9} {'ratio':>6}  target ≤ {TARGET_RATIO:g}×")
    for row in rows:
        print(f"{row['batches']:14} {row['ours_ms']:9.2f} {row['torch_ms']:9.2f} {row['ratio']:6.2f}  "
              f"{'PASS' if row['passed'] else 'FAIL'}")
    summary = [{"measure": f"NumPy MLP, one epoch on the 8×8 digits, {row['batches']} (ours / PyTorch)",
                "figure": f"{row['ratio']:.2f}× ({row['ours_ms']:.1f} vs {row['torch_ms']:.1f} ms)",
                "target": f"≤ {TARGET_RATIO:g}×", "passed": row["passed"]} for row in rows]
    write_results(args.output, {"measured": machine_record(), "repeats": args.repeats, "epochs": rows,
                                "rows": summary}, dry_run=args.dry_run)
    return 1 if args.strict and not all(row["passed"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
