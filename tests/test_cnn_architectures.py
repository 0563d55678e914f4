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


def test_the_batchnorm_and_gap_variants():
    bn, gap = arch.build_batchnorm_cnn(seed=0), arch.build_gap_cnn(seed=0)
    bn_counts = {r.layer: r.count for r in arch.parameter_table(bn) if r.count}
    assert bn_counts == {"conv1": 3 * 3 * 32, "bn1": 2 * 32, "conv2": 3 * 3 * 32 * 64, "bn2": 2 * 64,
                         "conv3": 3 * 3 * 64 * 64, "bn3": 2 * 64, "fc1": linear_count(576, 64),
                         "fc2": linear_count(64, 10)}
    assert arch.count_parameters(bn) == 93_482
    assert arch.count_parameters(gap) == 3 * 3 * 32 + 64 + 3 * 3 * 32 * 64 + 128 + 3 * 3 * 64 * 64 + 128 + 650 == 56_554
    assert arch.count_parameters(arch.build_gap_cnn(image_size=64)) == 56_554  # the head does not grow with the image
    assert arch.layer_output_shapes(gap, (2, 1, 28, 28))[-4:] == [
        ("relu3", (2, 64, 3, 3)), ("gap", (2, 64, 1, 1)), ("flatten", (2, 64)), ("fc", (2, 10))]
    assert arch.layer_output_shapes(bn, (2, 1, 28, 28))[-1] == ("fc2", (2, 10))


def test_the_residual_block_adds_its_input():
    block = arch.ResidualBlock(8, 8).double().eval()
    assert isinstance(block.shortcut, nn.Identity)
    x = torch.randn(2, 8, 6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        residual = block.bn2(block.conv2(torch.relu(block.bn1(block.conv1(x)))))
        torch.testing.assert_close(block(x), torch.relu(residual + x), rtol=1e-12, atol=1e-12)
        for p in (block.bn2.weight, block.bn2.bias):
            p.zero_()  # F(x) = 0: the block passes its input through (after the ReLU)
        torch.testing.assert_close(block(x), torch.relu(x), rtol=0, atol=0)
    assert arch.count_parameters(block) == 2 * (3 * 3 * 8 * 8) + 2 * (2 * 8)


def test_a_residual_block_that_changes_the_shape_projects_its_shortcut():
    block = arch.ResidualBlock(32, 64, stride=2)
    shapes = arch.layer_output_shapes(block, (1, 32, 13, 13))
    assert [name for name, _ in shapes] == ["conv1", "bn1", "relu1", "conv2", "bn2", "shortcut.0", "shortcut.1",
                                            "relu2"]
    assert all(shape == (1, 64, 7, 7) for _, shape in shapes)
    assert arch.count_parameters(block) == 3 * 3 * 32 * 64 + 3 * 3 * 64 * 64 + 32 * 64 + 3 * (2 * 64)
    assert isinstance(arch.ResidualBlock(8, 8, stride=2).shortcut, nn.Sequential)  # same channels, smaller size
    with pytest.raises(ValueError, match=r"x must be a batch of shape \(N, 32, H, W\) \(in_channels=32\), got shape "
                                         r"\(1, 64, 13, 13\)"):
        block(torch.zeros(1, 64, 13, 13))


def test_lenet5_and_the_architecture_table_are_counted_here():
    lenet = arch.build_lenet5()
    assert arch.layer_output_shapes(lenet, (1, 1, 32, 32))[-1] == ("output", (1, 10))
    assert arch.count_parameters(lenet) == conv_count(1, 6, 5) + conv_count(6, 16, 5) + conv_count(16, 120, 5) + \
        linear_count(120, 84) + linear_count(84, 10) == 61_706
    for row in arch.ARCHITECTURES:
        assert row.counted and arch.count_architecture(row.name) == row.parameters, row.name
    # the counts everyone quotes: torchvision's VGG-16 and ResNets, the AlexNet paper's two-GPU network
    assert {r.name: r.parameters for r in arch.ARCHITECTURES if r.name in ("AlexNet", "VGG-16", "ResNet-50")} == {
        "AlexNet": 60_965_224, "VGG-16": 138_357_544, "ResNet-50": 25_557_032}
    assert [r.year for r in arch.ARCHITECTURES] == [1998, 2012, 2014, 2013, 2014, 2015, 2015]
    table = arch.architecture_table()
    assert list(table.index) == [r.name for r in arch.ARCHITECTURES]
    assert table.loc["ResNet-152", "parameters"] == 60_192_808 and table.loc["ResNet-152", "depth"] == 152
    assert np.isnan(table.loc["LeNet-5", "top5_error"]) and table.loc["GoogLeNet", "top5_error"] == 6.67


def test_the_big_rebuilds_run_to_their_thousand_logits():
    """The meta-device rebuilds are real networks: one forward pass on a small enough input reaches the classifier."""
    assert arch.layer_output_shapes(arch._nin_cifar10(), (1, 3, 32, 32))[-1][1] == (1, 10)
    with torch.device("meta"):
        inception = arch._Inception(192, *arch._GOOGLENET_INCEPTIONS["3a"])
    assert arch.count_parameters(inception) == (192 * 64 + 64) + (192 * 96 + 96) + (9 * 96 * 128 + 128) + \
        (192 * 16 + 16) + (25 * 16 * 32 + 32) + (192 * 32 + 32)


def test_batch_norm_and_skip_connections_keep_the_gradient_flowing():
    g = arch.gradient_norms_by_depth((1, 4, 16))
    assert list(g.blocks) == [1, 4, 16] and set(g.first) == set(arch.STACKS)
    plain, bn, residual = (g.ratio(s) for s in ("plain", "plain_bn", "residual_bn"))
    assert plain[-1] < 1e-8 * plain[0]  # vanishes
    assert bn[-1] > 10 * bn[0] and bn[-1] > 10  # explodes
    assert residual.max() < 3 * residual.min() and residual.max() < 1  # about the same at every depth
    again = arch.gradient_norms_by_depth((1, 4, 16))
    assert all(np.array_equal(g.first[s], again.first[s]) for s in arch.STACKS)
    with pytest.raises(ValueError, match="stack must be one of 'plain', 'plain_bn', 'residual_bn'; got 'resnet'"):
        g.ratio("resnet")
