"""How fast is the course's im2col convolution? Its forward + backward against PyTorch's, in the same run.

Run from the repository root (~10–30 s)::

    python benchmarks/measure_conv_speed.py                  # N=64, both convolutions of Chapter 08's CNN
    python benchmarks/measure_conv_speed.py --batch 4 --repeats 2 --output /tmp/conv.json   # a quick check

What is timed, for each convolution layer of ``utils.mnist_cnn.build_mnist_cnn`` (conv1: 1 -> 32 channels on
28×28, conv2: 32 -> 64 on 13×13) and each dtype (float32, float64):
- ours: ``utils.conv.Conv2d(..., dtype=dtype).forward`` then ``.backward`` of a gradient of ones (input, weight and
  bias gradients), im2col and one matrix product each way, all in the layer's dtype;
- PyTorch: ``torch.nn.functional.conv2d`` then ``.backward()`` on the same arrays, same dtype (autograd computes the
  same three gradients);
- the naive loops (``utils.conv.conv2d_naive``, forward only) on a tiny input, to show what im2col buys.

Each figure is the median (and minimum) of ``--repeats`` runs after one warm-up, with one BLAS thread and one torch
thread (the course's setting), and the ratio ours / PyTorch is computed from the two medians of the same run.
Target (issue 22): ratio ≤ 3. The script prints PASS / FAIL per row and exits 1 with ``--strict`` when a target is
missed. It writes ``benchmarks/conv_speed.json`` (or ``--output``) unless ``--dry-run``: "layers" (the details of
each layer × dtype), "naive", and "rows", one per layer × dtype in the form benchmarks/run.py reads
(``measure``, ``figure``, ``target``, ``passed``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
from stored_results import machine_record, write_results  # noqa: E402
from timing import median_and_min  # noqa: E402

from utils.conv import Conv2d, conv2d_naive  # noqa: E402
from utils.device import one_blas_thread, one_torch_thread  # noqa: E402

TARGET_RATIO = 3.0
LAYERS = {"conv1": (1, 32, 28), "conv2": (32, 64, 13)}  # name: (in channels, out channels, input size)


def measure_layer(name: str, dtype, batch: int, repeats: int) -> dict:
    """One row: ours and PyTorch's forward + backward on the same input, in milliseconds, and their ratio."""
    import torch

    c_in, c_out, size = LAYERS[name]
    rng = np.random.default_rng(0)
    layer = Conv2d(c_in, c_out, 3, rng=rng, dtype=dtype)  # a float32 layer computes in float32 throughout
    x = rng.normal(size=(batch, c_in, size, size)).astype(dtype)  # the input, in the layer's dtype
    grad = np.ones((batch, c_out, size - 2, size - 2), dtype=dtype)

    def ours():
        layer.weight.grad = layer.bias.grad = None
        layer.forward(x)
        layer.backward(grad)

    xt = torch.from_numpy(x).requires_grad_()
    wt = torch.from_numpy(layer.weight.data.copy()).requires_grad_()
    bt = torch.from_numpy(layer.bias.data.copy()).requires_grad_()
    gt = torch.from_numpy(grad)

    def theirs():
        xt.grad = wt.grad = bt.grad = None
        torch.nn.functional.conv2d(xt, wt, bt).backward(gt)

    ours_median, ours_min = median_and_min(ours, repeats)
    torch_median, torch_min = median_and_min(theirs, repeats)
    ratio = ours_median / torch_median
    return {"layer": name, "dtype": np.dtype(dtype).name, "batch": batch, "input": [batch, c_in, size, size],
            "ours_ms": round(ours_median * 1e3, 3), "ours_min_ms": round(ours_min * 1e3, 3),
            "torch_ms": round(torch_median * 1e3, 3), "torch_min_ms": round(torch_min * 1e3, 3),
            "ratio": round(ratio, 2), "target": TARGET_RATIO, "passed": ratio <= TARGET_RATIO}


def as_row(layer: dict) -> dict:
    """One layer's measurement as a row of the shared results table (benchmarks/run.py): measure, figure, target,
    passed, and the details."""
    return {"measure": f"im2col Conv2d fwd+bwd {layer['layer']} {layer['dtype']}, N={layer['batch']} vs torch",
            "figure": f"{layer['ratio']:.2f}×", "target": f"≤ {TARGET_RATIO:g}×", "passed": layer["passed"],
            "ours_ms": layer["ours_ms"], "torch_ms": layer["torch_ms"], "ratio": layer["ratio"]}


def measure_naive(repeats: int) -> dict:
    """The loops against im2col, forward only, on a tiny input (2 images, 4 -> 8 channels, 12×12)."""
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(2, 4, 12, 12)), rng.normal(size=(8, 4, 3, 3)), rng.normal(size=8)
    layer = Conv2d(4, 8, 3, rng=rng)
    layer.weight.data, layer.bias.data = w, b
    naive, _ = median_and_min(lambda: conv2d_naive(x, w, b), repeats)
    im2col, _ = median_and_min(lambda: layer.forward(x), repeats)
    return {"input": [2, 4, 12, 12], "naive_ms": round(naive * 1e3, 3), "im2col_ms": round(im2col * 1e3, 3),
            "speed_up": round(naive / im2col, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=64, help="images per batch (default 64)")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per figure after a warm-up (default 7)")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "conv_speed.json")
    parser.add_argument("--dry-run", action="store_true", help="print, write nothing")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a row misses its target")
    args = parser.parse_args(argv)
    if args.batch < 1 or args.repeats < 1:
        parser.error("--batch and --repeats must be at least 1")

    rows = []
    with one_blas_thread(), one_torch_thread():
        for name in LAYERS:
            for dtype in (np.float32, np.float64):
                rows.append(measure_layer(name, dtype, args.batch, args.repeats))
        naive = measure_naive(args.repeats)

    print(f"ms: median (min) of {args.repeats} runs after a warm-up; ratio of the medians")
    print(f"{'layer':6} {'dtype':8} {'ours ms':>16} {'torch ms':>16} {'ratio':>6}  target ≤ {TARGET_RATIO:g}×")
    for row in rows:
        verdict = "PASS" if row["passed"] else "FAIL"
        ours = f"{row['ours_ms']:.2f} ({row['ours_min_ms']:.2f})"
        theirs = f"{row['torch_ms']:.2f} ({row['torch_min_ms']:.2f})"
        print(f"{row['layer']:6} {row['dtype']:8} {ours:>16} {theirs:>16} {row['ratio']:6.2f}  {verdict}")
    print(f"naive loops vs im2col, forward, input {tuple(naive['input'])}: {naive['naive_ms']:.1f} ms vs "
          f"{naive['im2col_ms']:.2f} ms ({naive['speed_up']:g}× faster)")
    write_results(args.output, {"measured": machine_record(), "batch": args.batch, "repeats": args.repeats,
                                "layers": rows, "naive": naive, "rows": [as_row(row) for row in rows]},
                  dry_run=args.dry_run)
    return 1 if args.strict and not all(row["passed"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
