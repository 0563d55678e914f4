"""benchmarks/measure_conv_speed.py keeps working: a tiny run (2 images, one repeat) prints its table and writes its
JSON. No timing is asserted (the script measures; tests never judge a wall clock)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.benchmark_scripts import run_benchmark_script

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # the script in a subprocess, as it is run
def test_a_tiny_run_measures_both_layers_in_both_dtypes(tmp_path):
    out = tmp_path / "conv.json"
    result, stored = run_benchmark_script("measure_conv_speed.py", "--batch", "2", "--repeats", "1", output=out)
    assert {(row["layer"], row["dtype"]) for row in stored["layers"]} == {
        ("conv1", "float32"), ("conv1", "float64"), ("conv2", "float32"), ("conv2", "float64")}
    assert all(row["ours_ms"] > 0 and row["torch_ms"] > 0 and row["batch"] == 2 for row in stored["layers"])
    assert stored["naive"]["speed_up"] > 0 and "cpu_count" in stored["measured"]
    rows = stored["rows"]  # what benchmarks/run.py reads: one row per layer × dtype
    assert [row["measure"] for row in rows] == [f"im2col Conv2d fwd+bwd {layer} {dtype}, N=2 vs torch"
                                                for layer in ("conv1", "conv2") for dtype in ("float32", "float64")]
    for row, layer in zip(rows, stored["layers"]):
        assert row["figure"] == f"{layer['ratio']:.2f}×" and row["target"] == "≤ 3×"
        assert row["passed"] is layer["passed"]
    assert "ratio" in result.stdout and "naive loops vs im2col" in result.stdout
