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
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .module import check_positive_int, check_seed

__all__ = ["CLASSIC_KERAS_CNN_PARAMETERS", "ParameterRow", "build_classic_keras_cnn", "count_parameters",
           "layer_output_shapes", "parameter_table"]

CLASSIC_KERAS_CNN_PARAMETERS = 93_322
"""The parameters of ``build_classic_keras_cnn()`` (1×28×28 input):
(3·3·1·32 + 32) + (3·3·32·64 + 64) + (3·3·64·64 + 64) + (576·64 + 64) + (64·10 + 10)."""


# ---------------------------------------------------------------------------------------------
# Looking at a model: parameters and shapes
# ---------------------------------------------------------------------------------------------
def _check_torch_module(model, name: str = "model"):
    import torch

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
    from torch import nn

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
    import torch

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
    import torch

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
    from collections import OrderedDict

    from torch import nn

    in_channels, image_size, n_classes, seed = _check_builder_args(in_channels, image_size, n_classes, seed)
    flat = 64 * _final_size(image_size) ** 2
    return _seeded(seed, lambda: nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(in_channels, 32, 3)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(32, 64, 3)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
        ("conv3", nn.Conv2d(64, 64, 3)), ("relu3", nn.ReLU()), ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(flat, 64)), ("relu4", nn.ReLU()), ("dropout", nn.Dropout(0.5)),
        ("fc2", nn.Linear(64, n_classes)),
    ])))
