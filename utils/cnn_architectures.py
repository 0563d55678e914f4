"""CNN architectures in PyTorch (Chapter 08, part 2): a widespread small CNN rebuilt, two better variants, the residual
block, and the tools to look at any network's shapes and parameter counts.

- ``build_classic_keras_cnn(in_channels=1, image_size=28, n_classes=10)``: the CNN of a widespread Keras CIFAR-10
  tutorial (Conv32-Pool-Conv64-Pool-Conv64-Dense64-Dropout-Dense10), here for 1×28×28 MNIST images by default::

      x (N, 1, 28, 28) -> conv1 Conv2d(1, 32, 3) -> relu1 -> pool1 MaxPool2d(2)      (N, 32, 26, 26) -> (N, 32, 13, 13)
        -> conv2 Conv2d(32, 64, 3) -> relu2 -> pool2 MaxPool2d(2)                   (N, 64, 11, 11) -> (N, 64, 5, 5)
        -> conv3 Conv2d(64, 64, 3) -> relu3 -> flatten                              (N, 64, 3, 3) -> (N, 576)
        -> fc1 Linear(576, 64) -> relu4 -> dropout Dropout(0.5) -> fc2 Linear(64, 10)       logits (N, 10)

      320 + 18,496 + 36,928 + 36,928 + 650 = 93,322 parameters (122,570 for 3×32×32 CIFAR-10 images)

- ``build_batchnorm_cnn(...)``: the same with Conv -> BatchNorm2d -> ReLU blocks; ``build_gap_cnn(...)``: the same
  convolutions, then global average pooling and one Linear (no big Dense layer).
- ``ResidualBlock(in_channels, out_channels, stride=1)``: conv3×3-BN-ReLU-conv3×3-BN plus a shortcut, ReLU after
  the sum.
- ``count_parameters(model)``, ``parameter_table(model)``, ``layer_output_shapes(model, input_shape)``: what each
  layer holds and outputs (the shapes from one forward pass of a zero batch, with a clear error naming the layer
  that cannot take its input).
- ``ARCHITECTURES`` / ``architecture_table()``: LeNet-5, AlexNet, VGG-16, NiN, GoogLeNet, ResNet-50/152 (year,
  depth, parameters, top-5 error, key idea); the parameters are counted on PyTorch rebuilds made on the "meta"
  device (``count_architecture``), ``build_lenet5()`` builds the first of them for real.
- ``gradient_norms_by_depth(blocks)``: why batch norm and residual connections work together, measured at
  initialization on plain, plain + BN and residual + BN stacks.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from .module import check_positive_int, check_seed

__all__ = ["ARCHITECTURES", "CLASSIC_KERAS_CNN_PARAMETERS", "STACKS", "Architecture", "DepthGradients",
           "ParameterRow", "ResidualBlock", "architecture_table", "build_batchnorm_cnn", "build_classic_keras_cnn",
           "build_gap_cnn", "build_lenet5", "count_architecture", "count_parameters", "gradient_norms_by_depth",
           "layer_output_shapes", "parameter_table"]

CLASSIC_KERAS_CNN_PARAMETERS = 93_322
"""The parameters of ``build_classic_keras_cnn()`` (1×28×28 input):
(3·3·1·32 + 32) + (3·3·32·64 + 64) + (3·3·64·64 + 64) + (576·64 + 64) + (64·10 + 10)."""


# ---------------------------------------------------------------------------------------------
# Looking at a model: parameters and shapes
# ---------------------------------------------------------------------------------------------
def _check_torch_module(model, name: str = "model"):
    if isinstance(model, type) and issubclass(model, torch.nn.Module):
        raise TypeError(f"{name} must be a PyTorch model (an instance): write {model.__name__}(...), not "
                        f"{model.__name__}")
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"{name} must be a PyTorch model (a torch.nn.Module such as build_classic_keras_cnn()), got "
                        f"{type(model).__name__}")
    return model


def count_parameters(model) -> int:
    """The number of numbers ``model`` learns: the total size of its parameters (trainable or frozen; buffers such
    as batch norm's running mean are not parameters). Works on a model built on the "meta" device (shapes only).

    Raises:
        TypeError: for something that is not a ``torch.nn.Module`` instance.
    """
    _check_torch_module(model)
    return int(sum(p.numel() for p in model.parameters()))


class ParameterRow(NamedTuple):
    """One layer of ``parameter_table``: its name in the model (``"conv1"``, ``"features.0"``), its class name
    (``"Conv2d"``), the shape of each of its parameters (weight first, then bias) and their total size."""

    layer: str
    kind: str
    shapes: tuple[tuple[int, ...], ...]
    count: int


def _leaves(model) -> list[tuple[str, object]]:
    """(name, module) of every module without children, in the order they were defined (the model itself if it is
    one layer)."""
    return [(name or type(module).__name__, module) for name, module in model.named_modules()
            if next(module.children(), None) is None]


def parameter_table(model) -> list[ParameterRow]:
    """One ``ParameterRow(layer, kind, shapes, count)`` per layer of ``model`` (each module without sub-modules, in
    the order they were defined), with the layers that hold no parameters (ReLU, pooling: count 0). The counts add
    up to ``count_parameters(model)`` when every parameter belongs to such a layer.

    Example: ``build_classic_keras_cnn()``'s first row is ``("conv1", "Conv2d", ((32, 1, 3, 3), (32,)), 320)``.

    Raises:
        TypeError: for something that is not a ``torch.nn.Module`` instance.
    """
    _check_torch_module(model)
    rows = []
    for name, module in _leaves(model):
        shapes = tuple(tuple(p.shape) for p in module.parameters(recurse=False))
        rows.append(ParameterRow(name, type(module).__name__, shapes, int(sum(np.prod(s, dtype=np.int64)
                                                                                for s in shapes))))
    return rows


def _shape_text(shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ")"


def _why(module, shape: tuple[int, ...]) -> str:
    """What ``module`` expected of an input of ``shape`` that it could not take (empty when nothing specific)."""
    if isinstance(module, nn.Linear) and shape and shape[-1] != module.in_features:
        return (f"nn.Linear({module.in_features}, {module.out_features}) expects {module.in_features} features on "
                f"the last axis, got {shape[-1]}" + (" (flatten the feature maps first?)" if len(shape) > 2 else "")
                + (f"; {shape[-1]} = " + " × ".join(map(str, shape[1:])) if len(shape) > 2 else ""))
    if isinstance(module, nn.modules.conv._ConvNd):
        dims = len(module.kernel_size)
        kind = f"nn.Conv{dims}d({module.in_channels}, {module.out_channels}, {_kernel_text(module.kernel_size)})"
        if len(shape) != dims + 2:
            return f"{kind} expects a batch of shape (N, C, " + ", ".join("HWD"[:dims] if dims > 1 else "L") + \
                f") with {dims + 2} axes, got {len(shape)} axes"
        if shape[1] != module.in_channels:
            return f"{kind} expects in_channels={module.in_channels} on axis 1 (the channels), got {shape[1]}"
        return f"{kind}'s kernel does not fit in the input's {_shape_text(shape[2:])} positions (with its padding)"
    if isinstance(module, nn.modules.batchnorm._BatchNorm) and len(shape) > 1 and shape[1] != module.num_features:
        return (f"{type(module).__name__}({module.num_features}) expects {module.num_features} channels (features) on "
                f"axis 1, got {shape[1]}")
    if isinstance(module, nn.modules.pooling._MaxPoolNd | nn.modules.pooling._AvgPoolNd):
        return f"{type(module).__name__} with kernel {module.kernel_size} does not fit in the input's positions"
    return ""


def _kernel_text(kernel_size) -> str:
    return str(kernel_size[0]) if len(set(kernel_size)) == 1 else str(tuple(kernel_size))


def layer_output_shapes(model, input_shape) -> list[tuple[str, tuple[int, ...]]]:
    """The output shape of each layer of ``model`` (each module without sub-modules) when it runs on a batch of
    zeros of shape ``input_shape``, in the order the layers ran: ``[(name, shape), ...]``.

    ``input_shape``: the whole batch's shape, batch first, e.g. ``(1, 1, 28, 28)`` for one MNIST image; the
    shapes returned keep the batch axis. The model runs once in ``eval()`` mode without gradients (its mode is
    restored after), on its parameters' device and dtype (float32 without parameters).

    Example: ``layer_output_shapes(build_classic_keras_cnn(), (1, 1, 28, 28))`` starts
    ``[("conv1", (1, 32, 26, 26)), ("relu1", (1, 32, 26, 26)), ("pool1", (1, 32, 13, 13)), ...]``.

    Raises:
        TypeError: for a model that is not a ``torch.nn.Module`` instance.
        ValueError: for an input_shape that is not a tuple of positive integers with a batch axis, and when the
            model cannot run on it: the message names the layer that failed, the shape that reached it and what
            that layer expected (e.g. "layer 'fc1' (Linear) got input of shape (1, 1600): nn.Linear(576, 64)
            expects 576 features on the last axis, got 1600").
    """
    _check_torch_module(model)
    if isinstance(input_shape, (str, bytes)) or not hasattr(input_shape, "__iter__"):
        raise ValueError(f"input_shape must be a tuple of positive integers, batch first, such as (1, 1, 28, 28); "
                         f"got {input_shape!r}")
    input_shape = tuple(input_shape)
    if len(input_shape) < 2 or any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1
                                   for n in input_shape):
        raise ValueError(f"input_shape must be a tuple of at least two positive integers, batch first, such as "
                         f"(1, 1, 28, 28); got {input_shape!r}")
    input_shape = tuple(int(n) for n in input_shape)
    first = next(model.parameters(), None)
    dtype, device = (first.dtype, first.device) if first is not None else (torch.float32, torch.device("cpu"))
    if device.type == "meta":
        raise ValueError("model is on the 'meta' device (shapes without values): count_parameters works on it, "
                         "layer_output_shapes needs a model on a real device")

    names = {module: name for name, module in _leaves(model)}
    shapes, running = [], []  # running: (name, input shape) of the layers entered and not yet finished

    def before(module, inputs):
        shape = tuple(inputs[0].shape) if inputs and isinstance(inputs[0], torch.Tensor) else ()
        running.append((names[module], module, shape))

    def after(module, _inputs, output):
        running.pop()
        out = output[0] if isinstance(output, (tuple, list)) and output else output
        shapes.append((names[module], tuple(out.shape) if isinstance(out, torch.Tensor) else ()))

    hooks = [h for module in names for h in (module.register_forward_pre_hook(before),
                                             module.register_forward_hook(after))]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros(input_shape, dtype=dtype, device=device))
    except (RuntimeError, ValueError, TypeError, IndexError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if running:
            name, module, shape = running[-1]
            why = _why(module, shape)
            raise ValueError(f"layer {name!r} ({type(module).__name__}) got input of shape {_shape_text(shape)}: "
                             f"{why or reason}" + (f" (PyTorch: {reason})" if why else "")) from None
        where = f"after layer {shapes[-1][0]!r} (output {_shape_text(shapes[-1][1])})" if shapes else \
            "before its first layer"
        raise ValueError(f"the model's forward failed {where} on an input of shape {_shape_text(input_shape)}: "
                         f"{reason}") from None
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    return shapes


# ---------------------------------------------------------------------------------------------
# The classic Keras CNN and its variants
# ---------------------------------------------------------------------------------------------
_MIN_IMAGE_SIZE = 18  # 18 -> 16 -> 8 -> 6 -> 3 -> 1: the smallest image the three 3×3 convolutions and pools take


def _check_builder_args(in_channels, image_size, n_classes, seed) -> tuple[int, int, int, int | None]:
    in_channels = check_positive_int(in_channels, "in_channels")
    image_size = check_positive_int(image_size, "image_size")
    if image_size < _MIN_IMAGE_SIZE:
        raise ValueError(f"image_size must be at least {_MIN_IMAGE_SIZE} (three 3×3 convolutions and two 2×2 "
                         f"poolings shrink it to {image_size} -> ... < 1), got {image_size}")
    n_classes = check_positive_int(n_classes, "n_classes")
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    return in_channels, image_size, n_classes, None if seed is None else check_seed(seed)


def _final_size(image_size: int) -> int:
    """The side of conv3's feature maps: (((s − 2) // 2 − 2) // 2) − 2."""
    return ((image_size - 2) // 2 - 2) // 2 - 2


def _seeded(seed, make):
    with torch.random.fork_rng(devices=[], enabled=seed is not None):
        if seed is not None:
            torch.manual_seed(seed)
        return make()


def build_classic_keras_cnn(in_channels: int = 1, image_size: int = 28, n_classes: int = 10, *,
                            seed: int | None = None):
    """The classic Keras CIFAR-10 CNN of the module's docstring as an ``nn.Sequential`` with named layers.

    Keras's ``Conv2D(32, (3, 3), activation="relu")`` is ``Conv2d(in, 32, 3)`` then ``ReLU`` (no padding:
    "valid"); ``Dense(64)`` is ``Linear(·, 64)``; the last ``Dense(10)`` gives logits (``CrossEntropyLoss`` applies
    the softmax). Shapes: (N, in_channels, image_size, image_size) -> (N, n_classes). ``seed`` as in
    ``utils.mnist_cnn.build_mnist_cnn``.

    Raises:
        ValueError: for in_channels or n_classes (>= 2) not positive integers, image_size below 18, or a bad seed.
    """
    in_channels, image_size, n_classes, seed = _check_builder_args(in_channels, image_size, n_classes, seed)
    flat = 64 * _final_size(image_size) ** 2
    return _seeded(seed, lambda: nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(in_channels, 32, 3)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(32, 64, 3)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
        ("conv3", nn.Conv2d(64, 64, 3)), ("relu3", nn.ReLU()), ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(flat, 64)), ("relu4", nn.ReLU()), ("dropout", nn.Dropout(0.5)),
        ("fc2", nn.Linear(64, n_classes)),
    ])))


def build_batchnorm_cnn(in_channels: int = 1, image_size: int = 28, n_classes: int = 10, *, seed: int | None = None):
    """The classic Keras CNN with batch normalization: each convolution becomes Conv2d (no bias) -> BatchNorm2d ->
    ReLU (names ``conv1 bn1 relu1 pool1 conv2 bn2 relu2 pool2 conv3 bn3 relu3 flatten fc1 relu4 dropout fc2``).

    A convolution followed by batch norm needs no bias: BN subtracts the mean of each channel (a bias would be
    subtracted with it) and adds its own shift β. Each BN layer learns γ and β per channel (2C parameters) and keeps
    running statistics (buffers, not parameters). Shapes as ``build_classic_keras_cnn``: 93,482 parameters for
    1×28×28.

    Raises:
        ValueError: as ``build_classic_keras_cnn``.
    """
    in_channels, image_size, n_classes, seed = _check_builder_args(in_channels, image_size, n_classes, seed)
    flat = 64 * _final_size(image_size) ** 2
    return _seeded(seed, lambda: nn.Sequential(OrderedDict([
        *_conv_bn_relu(1, in_channels, 32), ("pool1", nn.MaxPool2d(2)),
        *_conv_bn_relu(2, 32, 64), ("pool2", nn.MaxPool2d(2)),
        *_conv_bn_relu(3, 64, 64), ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(flat, 64)), ("relu4", nn.ReLU()), ("dropout", nn.Dropout(0.5)),
        ("fc2", nn.Linear(64, n_classes)),
    ])))


def _conv_bn_relu(k: int, c_in: int, c_out: int) -> list[tuple[str, object]]:
    return [(f"conv{k}", nn.Conv2d(c_in, c_out, 3, bias=False)), (f"bn{k}", nn.BatchNorm2d(c_out)),
            (f"relu{k}", nn.ReLU())]


def build_gap_cnn(in_channels: int = 1, image_size: int = 28, n_classes: int = 10, *, seed: int | None = None):
    """The batch-norm CNN with a global-average-pooling head instead of Flatten -> Dense(64) -> Dropout -> Dense:
    ``... relu3 -> gap AdaptiveAvgPool2d(1) -> flatten -> fc Linear(64, n_classes)``.

    Each of conv3's 64 feature maps is averaged to one number (Network in Network, 2013; GoogLeNet and ResNet end
    this way): the head has 64·10 + 10 parameters instead of 576·64 + 64 + 64·10 + 10, and the number of parameters
    no longer depends on the image size (56,554 for 1×28×28, and for any other size). Shapes: (N, in_channels,
    image_size, image_size) -> (N, n_classes).

    Raises:
        ValueError: as ``build_classic_keras_cnn``.
    """
    in_channels, image_size, n_classes, seed = _check_builder_args(in_channels, image_size, n_classes, seed)
    return _seeded(seed, lambda: nn.Sequential(OrderedDict([
        *_conv_bn_relu(1, in_channels, 32), ("pool1", nn.MaxPool2d(2)),
        *_conv_bn_relu(2, 32, 64), ("pool2", nn.MaxPool2d(2)),
        *_conv_bn_relu(3, 64, 64), ("gap", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()),
        ("fc", nn.Linear(64, n_classes)),
    ])))


# ---------------------------------------------------------------------------------------------
# The residual block
# ---------------------------------------------------------------------------------------------
class ResidualBlock(nn.Module):
    """The basic residual block of ResNet (He et al., 2016): ``y = ReLU(F(x) + shortcut(x))`` with

        F(x) = BN(conv3×3(ReLU(BN(conv3×3(x, stride)))))   (conv1 bn1 relu1 conv2 bn2; convolutions without bias)
        shortcut(x) = x                                     when the shape stays (stride 1, same channels)
                    = BN(conv1×1(x, stride))                otherwise (a projection, when the shape changes)

    The block learns what to *add* to its input (the residual F). Padding 1 keeps the size; ``stride=2`` halves it.
    Shapes: (N, in_channels, H, W) -> (N, out_channels, ⌈H / stride⌉, ⌈W / stride⌉). Layers run in the order
    conv1 bn1 relu1 conv2 bn2 shortcut relu2 (what ``layer_output_shapes`` reports).

    Raises:
        ValueError: for channels or stride not positive integers; in ``forward``, for an input that is not a
            (N, in_channels, H, W) batch.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1):
        in_channels = check_positive_int(in_channels, "in_channels")
        out_channels = check_positive_int(out_channels, "out_channels")
        stride = check_positive_int(stride, "stride")
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if stride == 1 and in_channels == out_channels:
            self.shortcut = nn.Identity()
        else:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(out_channels))
        self.relu2 = nn.ReLU()

    def forward(self, x):
        if x.ndim != 4 or x.shape[1] != self.conv1.in_channels:
            raise ValueError(f"x must be a batch of shape (N, {self.conv1.in_channels}, H, W) (in_channels="
                             f"{self.conv1.in_channels}), got shape {tuple(x.shape)}")
        residual = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        return self.relu2(residual + self.shortcut(x))


# ---------------------------------------------------------------------------------------------
# Landmark architectures: LeNet-5, and the big ImageNet networks built on the "meta" device to count them
# ---------------------------------------------------------------------------------------------
def build_lenet5(n_classes: int = 10, *, seed: int | None = None):
    """LeNet-5 (LeCun et al., 1998) as it is usually written today, for 1×32×32 images (MNIST padded by 2)::

        c1 Conv2d(1, 6, 5) -> tanh -> s2 AvgPool2d(2)      (N, 6, 28, 28) -> (N, 6, 14, 14)
        c3 Conv2d(6, 16, 5) -> tanh -> s4 AvgPool2d(2)     (N, 16, 10, 10) -> (N, 16, 5, 5)
        c5 Conv2d(16, 120, 5) -> tanh -> flatten           (N, 120, 1, 1) -> (N, 120)
        f6 Linear(120, 84) -> tanh -> output Linear(84, n_classes)

    61,706 parameters for 10 classes. The 1998 network differs in details (C3 connects each map to only some of
    S2's maps, the subsampling layers have a trainable weight and bias per map, the output is a distance to
    fixed codes): about 60,000 parameters in the paper.

    Raises:
        ValueError: for n_classes not an integer >= 2 or a bad seed.
    """
    n_classes = check_positive_int(n_classes, "n_classes")
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    seed = None if seed is None else check_seed(seed)
    return _seeded(seed, lambda: nn.Sequential(OrderedDict([
        ("c1", nn.Conv2d(1, 6, 5)), ("tanh1", nn.Tanh()), ("s2", nn.AvgPool2d(2)),
        ("c3", nn.Conv2d(6, 16, 5)), ("tanh2", nn.Tanh()), ("s4", nn.AvgPool2d(2)),
        ("c5", nn.Conv2d(16, 120, 5)), ("tanh3", nn.Tanh()), ("flatten", nn.Flatten()),
        ("f6", nn.Linear(120, 84)), ("tanh4", nn.Tanh()), ("output", nn.Linear(84, n_classes)),
    ])))


def _alexnet():
    """AlexNet as in the paper (Krizhevsky et al., 2012), for 3×227×227: its two-GPU split kept as ``groups=2``
    (conv2, conv4 and conv5 see only the maps on their own GPU), local response normalization left out (no
    parameters)."""
    def conv(c_in, c_out, k, stride=1, padding=0, groups=1):
        return [nn.Conv2d(c_in, c_out, k, stride, padding, groups=groups), nn.ReLU()]

    return nn.Sequential(
        *conv(3, 96, 11, 4), nn.MaxPool2d(3, 2), *conv(96, 256, 5, padding=2, groups=2), nn.MaxPool2d(3, 2),
        *conv(256, 384, 3, padding=1), *conv(384, 384, 3, padding=1, groups=2),
        *conv(384, 256, 3, padding=1, groups=2), nn.MaxPool2d(3, 2), nn.Flatten(),
        nn.Dropout(0.5), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(),
        nn.Linear(4096, 1000))


def _vgg16():
    """VGG-16 (configuration D of Simonyan & Zisserman, 2014), for 3×224×224: 13 3×3 convolutions and 3 Dense."""
    layers, c_in = [], 3
    for block in ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512)):
        for c_out in block:
            layers += [nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU()]
            c_in = c_out
        layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, 1000))


def _nin_cifar10():
    """Network in Network (Lin et al., 2013) for CIFAR-10 (3×32×32), as in the authors' released model: three
    "mlpconv" blocks (a convolution, then two 1×1 convolutions: a small MLP at every position), the last with 10
    maps, then global average pooling: no Dense layer at all."""
    def mlpconv(c_in, widths, k, padding):
        c1, c2, c3 = widths
        return [nn.Conv2d(c_in, c1, k, padding=padding), nn.ReLU(), nn.Conv2d(c1, c2, 1), nn.ReLU(),
                nn.Conv2d(c2, c3, 1), nn.ReLU()]

    return nn.Sequential(*mlpconv(3, (192, 160, 96), 5, 2), nn.MaxPool2d(3, 2, ceil_mode=True), nn.Dropout(0.5),
                         *mlpconv(96, (192, 192, 192), 5, 2), nn.AvgPool2d(3, 2, ceil_mode=True), nn.Dropout(0.5),
                         *mlpconv(192, (192, 192, 10), 3, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten())


class _Inception(nn.Module):
    """GoogLeNet's inception module: 1×1, 1×1 -> 3×3, 1×1 -> 5×5 and 3×3 max pool -> 1×1 branches, concatenated."""

    def __init__(self, c_in, c1, c3_reduce, c3, c5_reduce, c5, pool_proj):
        super().__init__()
        self.b1 = nn.Sequential(nn.Conv2d(c_in, c1, 1), nn.ReLU())
        self.b3 = nn.Sequential(nn.Conv2d(c_in, c3_reduce, 1), nn.ReLU(), nn.Conv2d(c3_reduce, c3, 3, padding=1),
                                nn.ReLU())
        self.b5 = nn.Sequential(nn.Conv2d(c_in, c5_reduce, 1), nn.ReLU(), nn.Conv2d(c5_reduce, c5, 5, padding=2),
                                nn.ReLU())
        self.bp = nn.Sequential(nn.MaxPool2d(3, 1, padding=1), nn.Conv2d(c_in, pool_proj, 1), nn.ReLU())

    def forward(self, x):
        return torch.cat([self.b1(x), self.b3(x), self.b5(x), self.bp(x)], dim=1)


# GoogLeNet's inception modules (Szegedy et al., 2015, Table 1): #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj
_GOOGLENET_INCEPTIONS = {
    "3a": (64, 96, 128, 16, 32, 32), "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64), "4b": (160, 112, 224, 24, 64, 64), "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64), "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128), "5b": (384, 192, 384, 48, 128, 128),
}


def _googlenet():
    """GoogLeNet as in Table 1 of the paper, for 3×224×224, without the two auxiliary classifiers (used only during
    training) and without local response normalization (no parameters)."""
    layers, c_in = [nn.Conv2d(3, 64, 7, 2, 3), nn.ReLU(), nn.MaxPool2d(3, 2, ceil_mode=True),
                    nn.Conv2d(64, 64, 1), nn.ReLU(), nn.Conv2d(64, 192, 3, padding=1), nn.ReLU(),
                    nn.MaxPool2d(3, 2, ceil_mode=True)], 192
    for name, widths in _GOOGLENET_INCEPTIONS.items():
        layers.append(_Inception(c_in, *widths))
        c_in = widths[0] + widths[2] + widths[4] + widths[5]
        if name in ("3b", "4e"):
            layers.append(nn.MaxPool2d(3, 2, ceil_mode=True))
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.4), nn.Linear(c_in, 1000))


class _Bottleneck(nn.Module):
    """ResNet-50/101/152's block: 1×1 (reduce) -> 3×3 -> 1×1 (expand ×4), each with BN, plus the shortcut."""

    def __init__(self, c_in, width, stride):
        super().__init__()
        c_out = 4 * width
        self.residual = nn.Sequential(
            nn.Conv2d(c_in, width, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, c_out, 1, bias=False), nn.BatchNorm2d(c_out))
        self.shortcut = nn.Identity() if stride == 1 and c_in == c_out else nn.Sequential(
            nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.residual(x) + self.shortcut(x))


def _resnet(blocks: tuple[int, int, int, int]):
    """A bottleneck ResNet for 3×224×224 (He et al., 2016, Table 1): ``blocks`` per stage, (3, 4, 6, 3) for
    ResNet-50 and (3, 8, 36, 3) for ResNet-152; projection shortcuts where the shape changes (option B)."""
    layers, c_in = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)], 64
    for stage, count in enumerate(blocks):
        width = 64 * 2 ** stage
        for k in range(count):
            layers.append(_Bottleneck(c_in, width, 2 if k == 0 and stage > 0 else 1))
            c_in = 4 * width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, 1000))


class Architecture(NamedTuple):
    """One row of ``ARCHITECTURES``.

    Fields: ``name``; ``year`` (of the paper or competition entry); ``depth`` (layers with weights on the longest
    path, as the paper counts them); ``parameters`` (``counted`` True: counted here by ``count_parameters`` on a
    PyTorch rebuild, see ``architecture_table``; False: as the paper states it); ``top5_error`` (% on ImageNet, or
    None) with ``error_note`` saying which measurement it is; ``key_idea``; ``reference``.
    """

    name: str
    year: int
    depth: int
    parameters: int
    counted: bool
    top5_error: float | None
    error_note: str
    key_idea: str
    reference: str


ARCHITECTURES = (
    Architecture("LeNet-5", 1998, 5, 61_706, True, None,
                 "before ImageNet: 0.95% test error on MNIST",
                 "convolution + subsampling + a small classifier, trained end to end with backpropagation",
                 "LeCun, Bottou, Bengio & Haffner, Gradient-based learning applied to document recognition, 1998"),
    Architecture("AlexNet", 2012, 8, 60_965_224, True, 15.3,
                 "ILSVRC-2012 test set, winning entry (an ensemble of 7 networks; one network: 18.2% on validation)",
                 "a much bigger CNN trained on two GPUs; ReLU, dropout, data augmentation",
                 "Krizhevsky, Sutskever & Hinton, ImageNet classification with deep convolutional neural networks, "
                 "2012"),
    Architecture("VGG-16", 2014, 16, 138_357_544, True, 7.3,
                 "ILSVRC-2014 test set, 2nd place (an ensemble of 7 networks)",
                 "depth from stacks of small 3×3 convolutions (two 3×3 see as far as one 5×5, with fewer weights)",
                 "Simonyan & Zisserman, Very deep convolutional networks for large-scale image recognition, 2014"),
    Architecture("NiN", 2013, 9, 966_986, True, None,
                 "built for CIFAR-10 (10.4% test error without augmentation; parameters: the CIFAR-10 network)",
                 "1×1 convolutions (an MLP at every position) and global average pooling instead of Dense layers",
                 "Lin, Chen & Yan, Network in network, 2013"),
    Architecture("GoogLeNet", 2014, 22, 6_998_552, True, 6.67,
                 "ILSVRC-2014 test set, winning entry (an ensemble of 7 networks)",
                 "inception modules: 1×1, 3×3, 5×5 and pooling branches side by side, 1×1 convolutions to reduce "
                 "channels; global average pooling",
                 "Szegedy et al., Going deeper with convolutions, 2015"),
    Architecture("ResNet-50", 2015, 50, 25_557_032, True, 6.71,
                 "ImageNet validation set, one network, 10 crops (He et al., Table 3)",
                 "residual blocks: each learns what to add to its input, through skip connections; batch norm",
                 "He, Zhang, Ren & Sun, Deep residual learning for image recognition, 2016"),
    Architecture("ResNet-152", 2015, 152, 60_192_808, True, 5.71,
                 "ImageNet validation set, one network, 10 crops (He et al., Table 3); an ensemble of ResNets won "
                 "ILSVRC-2015 with 3.57% on the test set",
                 "the same blocks, 152 layers deep: deeper keeps helping once the gradient has a short path",
                 "He, Zhang, Ren & Sun, Deep residual learning for image recognition, 2016"),
)
"""Landmark CNNs, LeNet-5 to ResNet-152, in the order the chapter tells their story (``year`` gives the dates)."""

_BUILDERS = {"LeNet-5": build_lenet5, "AlexNet": _alexnet, "VGG-16": _vgg16, "NiN": _nin_cifar10,
             "GoogLeNet": _googlenet, "ResNet-50": lambda: _resnet((3, 4, 6, 3)),
             "ResNet-152": lambda: _resnet((3, 8, 36, 3))}


def count_architecture(name: str) -> int:
    """The parameters of ``ARCHITECTURES``' network ``name``, counted on a PyTorch rebuild made on the "meta" device
    (shapes without values: no memory, a few milliseconds even for VGG-16's 138 million).

    Raises:
        ValueError: for a name that is not one of ``ARCHITECTURES``' rows.
    """
    if name not in _BUILDERS:
        raise ValueError(f"name must be one of {', '.join(repr(row.name) for row in ARCHITECTURES)}; got {name!r}")
    with torch.device("meta"):
        return count_parameters(_BUILDERS[name]())


def architecture_table(count: bool = True):
    """``ARCHITECTURES`` as a pandas DataFrame, one row per network, in historical order, with the parameters
    counted again here (``count_architecture``) when ``count`` is True (the default; ~0.1 s), else as stored.

    Raises:
        ValueError: for count not a bool.
    """
    import pandas as pd

    if not isinstance(count, bool):
        raise ValueError(f"count must be True or False, got {count!r}")
    rows = [row._asdict() for row in ARCHITECTURES]
    if count:
        for row in rows:
            if row["counted"]:
                row["parameters"] = count_architecture(row["name"])
    return pd.DataFrame(rows).set_index("name")


# ---------------------------------------------------------------------------------------------
# Why batch norm and residual connections work together: the gradient that reaches the first layer
# ---------------------------------------------------------------------------------------------
STACKS = {"plain": "plain", "plain_bn": "plain + batch norm", "residual_bn": "residual + batch norm"}
"""``gradient_norms_by_depth``'s stacks of blocks (two 3×3 convolutions each) and their labels: "plain" (conv ->
ReLU, twice), "plain_bn" (conv -> BN -> ReLU, twice), "residual_bn" (``ResidualBlock``: the same plus the skip
connection)."""


class DepthGradients(NamedTuple):
    """``gradient_norms_by_depth``'s measurements: ``blocks`` (D,) the number of blocks of each network;
    ``first[stack]`` and ``last[stack]`` (D,) the norm of the loss's gradient with respect to the first layer's
    weights (the stem convolution) and to the last layer's (the classifier), at initialization."""

    blocks: np.ndarray
    first: dict[str, np.ndarray]
    last: dict[str, np.ndarray]

    def ratio(self, stack: str) -> np.ndarray:
        """first / last for ``stack`` (D,): how much of the gradient reaches the bottom of the network."""
        if stack not in self.first:
            raise ValueError(f"stack must be one of {', '.join(map(repr, self.first))}; got {stack!r}")
        return self.first[stack] / self.last[stack]


class _PlainBlock(nn.Sequential):
    def __init__(self, channels: int, batch_norm: bool):
        norm = nn.BatchNorm2d if batch_norm else (lambda _: nn.Identity())
        super().__init__(nn.Conv2d(channels, channels, 3, padding=1, bias=not batch_norm), norm(channels), nn.ReLU(),
                         nn.Conv2d(channels, channels, 3, padding=1, bias=not batch_norm), norm(channels), nn.ReLU())


def gradient_norms_by_depth(blocks=(1, 4, 16), *, channels: int = 8, seed: int = 0) -> DepthGradients:
    """Build networks ``stem conv -> k blocks -> global average pooling -> Linear(channels, 10)`` for each k in
    ``blocks`` and each of ``STACKS``, freshly initialized (PyTorch's default initialization, float64, seeded), run
    one batch of 32 random 1×8×8 images with random labels through each (training mode: batch norm uses the batch's
    statistics) and measure the cross-entropy's gradient at the first and the last layer.

    What it shows: in a plain stack the gradient that reaches the first layer shrinks by a constant factor per
    layer (it vanishes); batch norm keeps every layer's activations at one scale, but in a deep plain stack the
    gradient then grows layer after layer (it explodes); with skip connections each block *adds* to an identity
    path, the gradient reaches the first layer through it, and the first/last ratio stays about the same at every
    depth (measured: 0.26, 0.18, 0.23 for 1, 4, 16 blocks; plain 0.17 → 6e-14, plain + BN 0.26 → 33).
    ~0.3 s on one thread.

    Returns a ``DepthGradients`` (``.ratio(stack)``: first / last per depth).

    Raises:
        ValueError: for blocks not a sequence of positive integers (at most 64), or a bad channels or seed.
    """
    from .device import one_torch_thread

    if isinstance(blocks, (str, bytes)) or not hasattr(blocks, "__iter__"):
        raise ValueError(f"blocks must be a sequence of block counts such as (1, 4, 16), got {blocks!r}")
    blocks = tuple(check_positive_int(k, "each count of blocks") for k in blocks)
    if not blocks or max(blocks) > 64:
        raise ValueError(f"blocks must hold 1 to 64 blocks per network (and at least one network), got {blocks}")
    channels, seed = check_positive_int(channels, "channels"), check_seed(seed)
    make = {"plain": lambda: _PlainBlock(channels, False), "plain_bn": lambda: _PlainBlock(channels, True),
            "residual_bn": lambda: ResidualBlock(channels, channels)}
    first = {stack: np.empty(len(blocks)) for stack in STACKS}
    last = {stack: np.empty(len(blocks)) for stack in STACKS}
    with one_torch_thread(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        x = torch.randn(32, 1, 8, 8, dtype=torch.float64)
        y = torch.randint(0, 10, (32,))
        for stack in STACKS:
            for i, k in enumerate(blocks):
                torch.manual_seed(seed + 1 + k)
                stem, head = nn.Conv2d(1, channels, 3, padding=1), nn.Linear(channels, 10)
                model = nn.Sequential(stem, *(make[stack]() for _ in range(k)), nn.AdaptiveAvgPool2d(1),
                                      nn.Flatten(), head).double()
                nn.functional.cross_entropy(model(x), y).backward()
                first[stack][i], last[stack][i] = stem.weight.grad.norm().item(), head.weight.grad.norm().item()
    return DepthGradients(np.array(blocks), first, last)
