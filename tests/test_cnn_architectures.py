"""utils.cnn_architectures: the classic Keras CNN's shapes and parameter counts (computed here layer by layer, as
Keras's model.summary() prints them), the tools that report them, and their errors naming the failing layer."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from utils import cnn_architectures as arch


def conv_count(c_in: int, c_out: int, k: int = 3) -> int:
    return k * k * c_in * c_out + c_out


def linear_count(n_in: int, n_out: int) -> int:
    return n_in * n_out + n_out


@pytest.mark.parametrize("channels, size, flat, total", [(1, 28, 3 * 3 * 64, 93_322), (3, 32, 4 * 4 * 64, 122_570)])
def test_the_classic_keras_cnn_has_the_documented_parameters(channels, size, flat, total):
    model = arch.build_classic_keras_cnn(channels, size)
    expected = {"conv1": conv_count(channels, 32), "conv2": conv_count(32, 64), "conv3": conv_count(64, 64),
                "fc1": linear_count(flat, 64), "fc2": linear_count(64, 10)}
    counts = {row.layer: row.count for row in arch.parameter_table(model)}
    assert {k: v for k, v in counts.items() if v} == expected
    assert sum(expected.values()) == total == arch.count_parameters(model)
    assert arch.CLASSIC_KERAS_CNN_PARAMETERS == 93_322


def test_the_parameter_table_lists_every_layer_with_its_shapes():
    rows = arch.parameter_table(arch.build_classic_keras_cnn())
    assert [r.layer for r in rows] == ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "conv3", "relu3",
                                       "flatten", "fc1", "relu4", "dropout", "fc2"]
    assert rows[0] == ("conv1", "Conv2d", ((32, 1, 3, 3), (32,)), 320)
    assert rows[2] == ("pool1", "MaxPool2d", (), 0)
    assert rows[9].shapes == ((64, 576), (64,))
    bn = arch.parameter_table(nn.Sequential(nn.Conv2d(3, 4, 3, bias=False), nn.BatchNorm2d(4)))
    assert bn == [("0", "Conv2d", ((4, 3, 3, 3),), 108), ("1", "BatchNorm2d", ((4,), (4,)), 8)]  # no buffers


def test_layer_output_shapes_follow_the_forward_pass():
    model = arch.build_classic_keras_cnn()
    model.train()
    shapes = arch.layer_output_shapes(model, (2, 1, 28, 28))
    assert shapes == [("conv1", (2, 32, 26, 26)), ("relu1", (2, 32, 26, 26)), ("pool1", (2, 32, 13, 13)),
                      ("conv2", (2, 64, 11, 11)), ("relu2", (2, 64, 11, 11)), ("pool2", (2, 64, 5, 5)),
                      ("conv3", (2, 64, 3, 3)), ("relu3", (2, 64, 3, 3)), ("flatten", (2, 576)), ("fc1", (2, 64)),
                      ("relu4", (2, 64)), ("dropout", (2, 64)), ("fc2", (2, 10))]
    assert model.training  # the mode comes back
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in model.modules())  # the hooks are removed
    assert arch.layer_output_shapes(arch.build_classic_keras_cnn(3, 32), (1, 3, 32, 32))[8] == ("flatten", (1, 1024))


def test_layer_output_shapes_name_the_layer_that_fails():
    forgot_a_pool = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                                  nn.Flatten(), nn.Linear(64 * 5 * 5, 10))
    with pytest.raises(ValueError, match=r"layer '6' \(Linear\) got input of shape \(1, 7744\): nn.Linear\(1600, 10\) "
                                         r"expects 1600 features on the last axis, got 7744"):
        arch.layer_output_shapes(forgot_a_pool, (1, 1, 28, 28))
    swapped = nn.Sequential(nn.Conv2d(1, 32, 3), nn.Conv2d(64, 32, 3))
    with pytest.raises(ValueError, match=r"layer '1' \(Conv2d\) got input of shape \(1, 32, 26, 26\): "
                                         r"nn.Conv2d\(64, 32, 3\) expects in_channels=64 on axis 1"):
        arch.layer_output_shapes(swapped, (1, 1, 28, 28))
    with pytest.raises(ValueError, match=r"layer 'conv3' \(Conv2d\) got input of shape \(1, 64, 2, 2\): "
                                         r"nn.Conv2d\(64, 64, 3\)'s kernel does not fit"):
        arch.layer_output_shapes(arch.build_classic_keras_cnn(), (1, 1, 16, 16))
    not_flattened = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Linear(2 * 26 * 26, 10))
    with pytest.raises(ValueError, match=r"expects 1352 features on the last axis, got 26 \(flatten the feature "
                                         r"maps first\?\)"):
        arch.layer_output_shapes(not_flattened, (1, 1, 28, 28))


def test_a_failure_between_layers_names_the_last_layer_that_ran():
    class AddsBadly(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3)

        def forward(self, x):
            return self.conv(x) + x  # (N, 4, 26, 26) + (N, 1, 28, 28): no broadcast

    with pytest.raises(ValueError, match=r"the model's forward failed after layer 'conv' \(output \(1, 4, 26, 26\)\) "
                                         r"on an input of shape \(1, 1, 28, 28\)"):
        arch.layer_output_shapes(AddsBadly(), (1, 1, 28, 28))


def test_the_shapes_run_on_the_models_dtype_and_count_on_the_meta_device():
    model = arch.build_classic_keras_cnn().double()
    assert arch.layer_output_shapes(model, (1, 1, 28, 28))[-1] == ("fc2", (1, 10))
    with torch.device("meta"):
        big = nn.Linear(10_000, 10_000)
    assert arch.count_parameters(big) == 100_010_000
    with pytest.raises(ValueError, match="'meta' device"):
        arch.layer_output_shapes(big, (1, 10_000))


def test_the_builder_is_seeded():
    a, b = arch.build_classic_keras_cnn(seed=0), arch.build_classic_keras_cnn(seed=0)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a.conv1.weight, arch.build_classic_keras_cnn(seed=1).conv1.weight)
    assert np.isfinite(a(torch.rand(2, 1, 28, 28)).detach().numpy()).all()
