"""The course's convolutional network for MNIST-5k (Chapter 08, part 2): the network, and what it computes inside.

The network, a small version of the classic "two convolutions, two poolings, one classifier" design::

    x (N, 1, 28, 28) pixels in [0, 1]
      -> conv1 Conv2d(1, 32, 3)  -> relu1 -> pool1 MaxPool2d(2)     (N, 32, 26, 26) -> (N, 32, 13, 13)
      -> conv2 Conv2d(32, 64, 3) -> relu2 -> pool2 MaxPool2d(2)     (N, 64, 11, 11) -> (N, 64, 5, 5)
      -> dropout Dropout(0.25) -> flatten -> fc Linear(1600, 10)    (N, 1600) -> logits (N, 10)

    320 + 18,496 + 16,010 = 34,826 parameters

- ``build_mnist_cnn(seed=None, dropout=0.25)`` builds it (an ``nn.Sequential`` whose layers have the names above).
- ``as_images(X)``: MNIST-5k's rows (N, 784) as the (N, 1, 28, 28) float32 batch the network takes.
- ``predict_proba(model, images)`` and ``predict_labels(model, images)``: the class probabilities (N, 10) and
  labels (N,) in evaluation mode, as NumPy arrays.
- ``feature_maps(model, image)``: what each layer up to ``pool2`` outputs for one image, layer by layer.
- ``CnnRecipe`` / ``CNN_RECIPE`` (Adam, one-cycle peaking at 3e-3, 12 epochs of batches of 64) and
  ``train_mnist_cnn(recipe, seed, splits, *, epochs=None, progress=False) -> (model, TrainLog, test_accuracy)``
  (``cnn_training_epochs`` one epoch at a time), through ``utils.torch_training.classifier_epochs``: one thread,
  seeded; ``score_mnist_cnn(model, X, y)``.
- ``load_mnist_cnn(name="cnn5k")``: a shipped trained network (``SHIPPED_CNNS``), read with ``torch.load(...,
  weights_only=True)``; ``shipped_cnn_metadata(name)``; ``save_mnist_cnn`` writes such a file. They are built by
  ``python -m utils.pretrained build cnn5k`` / ``build cnn_digits04`` (``utils/pretrained.py``).
- ``to_numpy_cnn(model)``: the same network in the course's NumPy modules (``utils.conv``, ``utils.layers``, …),
  weights copied as float64: its logits equal PyTorch's.
- ``stored_cnn_results()``: what ``benchmarks/measure_cnn_chapter.py`` measured (accuracy over seeds and splits,
  seconds per run), read from ``utils/assets/cnn_chapter_results.json``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .data import DataSplits, check_mnist5k_splits
from .module import check_number, check_positive_int, check_seed
from .optim import check_lr
from .stored_results import read_stored_results
from .torch_training import CLASSIFIER_SCHEDULES, TrainLog

__all__ = ["CNN_RECIPE", "CNN_RESULTS_ASSET", "FEATURE_LAYERS", "MNIST_CNN_PARAMETERS", "SHIPPED_CNNS", "CnnRecipe",
           "FeatureMaps", "as_images", "build_mnist_cnn", "cnn_training_epochs", "feature_maps", "load_mnist_cnn",
           "predict_labels", "predict_proba", "save_mnist_cnn", "score_mnist_cnn", "shipped_cnn_metadata",
           "stored_cnn_results", "to_numpy_cnn", "train_mnist_cnn"]

ASSETS = Path(__file__).parent / "assets"
CNN_RESULTS_ASSET = ASSETS / "cnn_chapter_results.json"
"""Where ``benchmarks/measure_cnn_chapter.py`` writes what it measured, read by ``stored_cnn_results()``."""
SHIPPED_CNNS = {"cnn5k": ASSETS / "mnist_cnn5k.pt", "cnn_digits04": ASSETS / "mnist_cnn_digits04.pt"}
"""The trained CNNs shipped with the course, by name -> file (each built by ``python -m utils.pretrained build
<name>``): "cnn5k" trained on MNIST-5k (split 0) with ``CNN_RECIPE``; "cnn_digits04" the same network trained on
the digits 0-4 of that split only (the starting point of transfer learning, ``utils.transfer_learning``)."""

MNIST_CNN_PARAMETERS = 34_826
"""(3·3·1·32 + 32) + (3·3·32·64 + 64) + (1600·10 + 10): the parameters of ``build_mnist_cnn()``."""

FEATURE_LAYERS = ("conv1", "relu1", "pool1", "conv2", "relu2", "pool2")
"""The layers ``feature_maps`` reports, in order: the ones whose outputs are still images (C, H, W)."""


class FeatureMaps(NamedTuple):
    """One layer's output for one image: ``name`` (one of ``FEATURE_LAYERS``) and ``maps`` float32 (C, H, W)."""

    name: str
    maps: np.ndarray


def build_mnist_cnn(seed: int | None = None, dropout: float = 0.25):
    """The network of the module's docstring, as an ``nn.Sequential`` with named layers (``model.conv1``, …).

    ``seed``: None draws the initial weights from PyTorch's global generator (as ``nn.Conv2d`` does); an integer
    draws them from a generator seeded with it (the same weights every time, the global generator untouched).
    ``dropout``: the probability of the dropout layer before the classifier, in [0, 1).

    Shapes: the model maps (N, 1, 28, 28) float32 -> (N, 10) logits.

    Raises:
        ValueError: for a seed not None or an integer >= 0, or dropout outside [0, 1).
    """
    from collections import OrderedDict

    import torch
    from torch import nn

    if seed is not None:
        seed = check_seed(seed)
    dropout = check_number(dropout, "dropout")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout}")
    with torch.random.fork_rng(devices=[], enabled=seed is not None):
        if seed is not None:
            torch.manual_seed(seed)
        return nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(1, 32, 3)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(32, 64, 3)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("dropout", nn.Dropout(dropout)), ("flatten", nn.Flatten()), ("fc", nn.Linear(64 * 5 * 5, 10)),
        ]))


def as_images(X) -> np.ndarray:
    """MNIST rows as a batch of one-channel images.

    Shapes: X (N, 784), (N, 28, 28) or already (N, 1, 28, 28) -> float32 (N, 1, 28, 28), C-contiguous.

    Raises:
        ValueError: for any other shape.
    """
    X = np.asarray(X)
    if X.ndim == 2 and X.shape[1] == 784 or X.ndim == 3 and X.shape[1:] == (28, 28) or \
            X.ndim == 4 and X.shape[1:] == (1, 28, 28):
        return np.ascontiguousarray(X.reshape(len(X), 1, 28, 28), dtype=np.float32)
    raise ValueError(f"X must be MNIST images of shape (N, 784), (N, 28, 28) or (N, 1, 28, 28); got shape {X.shape}")


def _check_model(model) -> None:
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module such as build_mnist_cnn(), got {type(model).__name__}")


def _logits(model, images, batch_size: int = 500) -> np.ndarray:
    import torch

    _check_model(model)
    images = as_images(images)
    was_training = model.training
    model.eval()
    try:
        device = next(model.parameters()).device
        with torch.no_grad():
            out = [model(torch.from_numpy(images[i:i + batch_size]).to(device)).cpu().numpy()
                   for i in range(0, len(images), batch_size)]
    finally:
        model.train(was_training)
    return np.concatenate(out) if out else np.zeros((0, 10), dtype=np.float32)


def predict_proba(model, images) -> np.ndarray:
    """Class probabilities (softmax of the logits) in evaluation mode (dropout off), the model's mode restored after.

    Shapes: images as ``as_images`` takes them, (N, ...) -> float64 (N, 10), rows summing to 1.

    Raises:
        TypeError: for a model that is not a ``torch.nn.Module``. ValueError: for images of another shape.
    """
    logits = _logits(model, images).astype(np.float64)
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def predict_labels(model, images) -> np.ndarray:
    """The predicted digit of each image: argmax of the logits, in evaluation mode.

    Shapes: images (N, ...) as ``as_images`` takes them -> int64 (N,).
    """
    return np.argmax(_logits(model, images), axis=1).astype(np.int64)


def feature_maps(model, image) -> list[FeatureMaps]:
    """What each layer of ``FEATURE_LAYERS`` outputs for one image, in evaluation mode.

    Shapes: image (784,), (28, 28) or (1, 28, 28) -> a list of ``FeatureMaps(name, maps)``, maps float32 (C, H, W):
    conv1/relu1 (32, 26, 26), pool1 (32, 13, 13), conv2/relu2 (64, 11, 11), pool2 (64, 5, 5).

    Raises:
        TypeError: for a model that is not a ``torch.nn.Module``; ValueError: for a model without the layers
        ``FEATURE_LAYERS`` names or an image of another shape.
    """
    import torch

    _check_model(model)
    missing = [name for name in FEATURE_LAYERS if not hasattr(model, name)]
    if missing:
        raise ValueError(f"model must have the layers {FEATURE_LAYERS} (build_mnist_cnn's); missing {missing}")
    image = np.asarray(image)
    if image.shape not in ((784,), (28, 28), (1, 28, 28)):
        raise ValueError(f"image must be one MNIST image of shape (784,), (28, 28) or (1, 28, 28); got shape "
                         f"{image.shape}")
    x = torch.from_numpy(as_images(image.reshape(1, 784)))
    was_training = model.training
    model.eval()
    maps = []
    try:
        with torch.no_grad():
            x = x.to(next(model.parameters()).device)
            for name in FEATURE_LAYERS:
                x = getattr(model, name)(x)
                maps.append(FeatureMaps(name, x[0].cpu().numpy().astype(np.float32)))
    finally:
        model.train(was_training)
    return maps


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CnnRecipe:
    """How to train the CNN (every field has a default: ``dataclasses.replace(CNN_RECIPE, epochs=2)``).

    Fields:
        name: a label for tables and legends.
        epochs: passes over the 3,500 training images.
        lr: Adam's peak learning rate (OneCycleLR's ``max_lr`` with ``schedule="one_cycle"``).
        batch_size: images per update.
        schedule: "one_cycle" (stepped per batch, the cycle spanning all the epochs) or None (a constant lr).
        optimizer: "adam" (the only one: the field says what the recipe uses).
        dropout: the network's dropout before the classifier (``build_mnist_cnn(dropout=...)``).

    The pixels are used as ``load_mnist5k`` gives them, in [0, 1] (no standardisation); validation is on the
    split's own 500 validation images.
    """

    name: str = "course CNN"
    epochs: int = 12
    lr: float = 3e-3
    batch_size: int = 64
    schedule: str | None = "one_cycle"
    optimizer: str = "adam"
    dropout: float = 0.25

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise ValueError(f"name must be a string, got {self.name!r}")
        check_positive_int(self.epochs, "epochs")
        check_lr(self.lr)
        check_positive_int(self.batch_size, "batch_size")
        if self.schedule not in CLASSIFIER_SCHEDULES:
            raise ValueError(f"schedule must be 'one_cycle' or None, got {self.schedule!r}")
        if self.optimizer != "adam":
            raise ValueError(f"optimizer must be 'adam' (the recipe trains with Adam), got {self.optimizer!r}")
        dropout = check_number(self.dropout, "dropout")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be a probability in [0, 1), got {self.dropout}")


CNN_RECIPE = CnnRecipe()
"""The course's CNN recipe: Adam with a one-cycle learning rate peaking at 3e-3, 12 epochs of batches of 64 (96.8-97.9%
test accuracy over seeds and splits, measured: ``train_mnist_cnn``)."""


def _check_recipe(recipe) -> CnnRecipe:
    if not isinstance(recipe, CnnRecipe):
        raise TypeError(f"recipe must be a CnnRecipe such as CNN_RECIPE, got {type(recipe).__name__}")
    return recipe


def cnn_training_epochs(recipe: CnnRecipe = CNN_RECIPE, seed: int = 0, splits: DataSplits | None = None, *,
                        epochs: int | None = None, device=None, model=None) -> Iterator[tuple[object, TrainLog]]:
    """Train as ``train_mnist_cnn`` does, yielding ``(model, log)`` after each epoch (the same model object each
    time; the ``TrainLog`` of the epochs so far). ``train_mnist_cnn`` is this loop run to the end.

    Raises:
        as ``train_mnist_cnn``, at the first ``next()``.
    """
    from .torch_training import classifier_epochs

    recipe, seed = _check_recipe(recipe), check_seed(seed)
    epochs = recipe.epochs if epochs is None else check_positive_int(epochs, "epochs")
    splits = check_mnist5k_splits(splits)
    if model is None:
        model = build_mnist_cnn(seed, recipe.dropout)
    else:
        _check_model(model)
    yield from classifier_epochs(model, as_images(splits.X_train), splits.y_train, as_images(splits.X_val),
                                 splits.y_val, epochs=epochs, lr=recipe.lr, batch_size=recipe.batch_size,
                                 schedule=recipe.schedule, seed=seed, device=device)


def score_mnist_cnn(model, X, y) -> float:
    """The accuracy of ``model`` on the images ``X`` (as ``as_images`` takes them) with labels ``y`` (N,): the
    fraction whose predicted digit (``predict_labels``, evaluation mode, one thread) is the label.

    Raises:
        TypeError: for a model that is not a ``torch.nn.Module``. ValueError: for X of another shape or y not (N,).
    """
    from .device import one_torch_thread

    images, y = as_images(X), np.asarray(y)
    if y.shape != (len(images),) or len(y) == 0:
        raise ValueError(f"y must have shape ({len(images)},), one label per image (N >= 1); got shape {y.shape}")
    with one_torch_thread():
        return float(np.mean(predict_labels(model, images) == y))


def train_mnist_cnn(recipe: CnnRecipe = CNN_RECIPE, seed: int = 0, splits: DataSplits | None = None, *,
                    epochs: int | None = None, progress: bool = False, device=None,
                    model=None) -> tuple[object, TrainLog, float]:
    """Train a fresh CNN (``build_mnist_cnn(seed, recipe.dropout)``) on MNIST-5k with ``recipe`` and measure it.

    ``splits``: None loads ``load_mnist5k(0)``. The loop is ``utils.torch_training.classifier_epochs``: Adam on
    cross-entropy with the one-cycle learning rate stepped per batch, the shuffles and dropout's masks seeded with
    ``seed`` (which also seeds the initial weights), one torch thread, validation on the split's 500 validation
    images after each epoch. ``epochs``: None trains ``recipe.epochs``; a number overrides it (the one-cycle
    schedule then spans those epochs). ``progress``: a ``tqdm.auto`` bar over the epochs. ``device``: None picks
    ``utils.device.pick_device()``. ``model``: None trains ``build_mnist_cnn(seed, recipe.dropout)``; another
    fresh network mapping (N, 1, 28, 28) to (N, 10) logits is trained in its place with the same recipe (e.g.
    ``utils.cnn_architectures.build_classic_keras_cnn(seed=seed)``).

    Measured with ``CNN_RECIPE`` (``benchmarks/measure_cnn_chapter.py``, stored in ``stored_cnn_results()``;
    PyTorch 2.13 on a 2-core CPU, one torch thread): test accuracy 96.8-97.6% over seeds 0-4 on split 0 (mean
    97.2%) and 96.8-97.9% over splits 0-4 (mean 97.5%); one 12-epoch run took 15.6-17.3 s on the machine alone
    and up to 30 s while other work shared its two cores (median 26.9 s in that run); 2 epochs, the notebook's
    live demonstration, take about a sixth of it. The shipped "cnn5k" is split 0, seed 0: 97.6%.

    Returns ``(model, log, test_accuracy)``: the trained ``nn.Sequential`` in ``eval()`` mode, its ``TrainLog``
    (loss and accuracy per epoch, training and validation) and the accuracy on the split's test images.

    Raises:
        TypeError: for a recipe that is not a ``CnnRecipe`` or splits not a ``DataSplits``.
        ValueError: for a seed not an integer >= 0, epochs not a positive integer, progress not a bool, or images
            of the wrong shape.
    """
    from tqdm.auto import tqdm

    recipe, seed = _check_recipe(recipe), check_seed(seed)
    epochs = recipe.epochs if epochs is None else check_positive_int(epochs, "epochs")
    if not isinstance(progress, bool):
        raise ValueError(f"progress must be True or False, got {progress!r}")
    splits = check_mnist5k_splits(splits)
    trained, log = None, None
    with tqdm(total=epochs, desc=f"training ({recipe.name})", unit="epoch", disable=not progress) as bar:
        for trained, log in cnn_training_epochs(recipe, seed, splits, epochs=epochs, device=device,  # noqa: B007
                                                model=model):
            bar.set_postfix({"loss": f"{log.train_loss[-1]:.4f}", "val_accuracy": f"{log.val_metric[-1]:.4f}"},
                            refresh=False)
            bar.update()
    return trained, log, score_mnist_cnn(trained, splits.X_test, splits.y_test)


# ---------------------------------------------------------------------------------------------
# Shipped weights
# ---------------------------------------------------------------------------------------------
def _plain(value):
    """``value`` as exactly str, int, float, bool or None (a ``str`` subclass such as ``torch.__version__`` would
    need its class to unpickle), or None when it is none of them."""
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return value if value is None else _NOT_PLAIN


_NOT_PLAIN = object()


def _check_metadata(metadata) -> dict:
    """A copy of ``metadata`` with plain values only (what ``torch.load(weights_only=True)`` reads back)."""
    if not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict of str -> str, int, float, bool, None or a list of them, got "
                        f"{type(metadata).__name__}")
    plain = {}
    for key, value in metadata.items():
        items = [_plain(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
        if not isinstance(key, str) or any(v is _NOT_PLAIN for v in items):
            raise ValueError(f"metadata must map str -> str, int, float, bool, None or a list of them (plain values "
                             f"torch.load(weights_only=True) reads back); got {key!r}: {value!r}")
        plain[str(key)] = items if isinstance(value, (list, tuple)) else items[0]
    return plain


def save_mnist_cnn(model, metadata: dict, path: Path | str) -> Path:
    """Write ``{"state_dict": the model's tensors (float32, on the CPU), "metadata": metadata}`` with ``torch.save``:
    a file that ``torch.load(path, weights_only=True)`` reads without unpickling any code.

    Raises:
        TypeError: for a model that is not a ``torch.nn.Module`` or metadata not a dict. ValueError: for metadata
        values other than str, int, float, bool, None or lists of them.
    """
    import torch

    _check_model(model)
    metadata = _check_metadata(metadata)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().float().clone() for k, v in model.state_dict().items()}
    torch.save({"state_dict": state, "metadata": metadata}, path)
    return path


def _shipped_path(name) -> Path:
    if isinstance(name, (str, Path)) and str(name) in SHIPPED_CNNS:
        return SHIPPED_CNNS[str(name)]
    if isinstance(name, Path) or isinstance(name, str) and name.endswith(".pt"):
        return Path(name)
    raise ValueError(f"name must be one of {', '.join(map(repr, SHIPPED_CNNS))} (or the path of a .pt file written "
                     f"by save_mnist_cnn), got {name!r}")


def _read_checkpoint(name) -> dict:
    import pickle

    import torch

    path = _shipped_path(name)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: build it with `python -m utils.pretrained build "
                                f"{name if str(name) in SHIPPED_CNNS else 'cnn5k --path ' + str(path)}`")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        raise ValueError(f"{path} holds Python objects other than tensors and plain values: refused, because loading "
                         "them could run any code (write model files with save_mnist_cnn)") from None
    if not isinstance(checkpoint, dict) or set(checkpoint) != {"state_dict", "metadata"}:
        raise ValueError(f"{path} is not a CNN file written by save_mnist_cnn (a dict of 'state_dict' and "
                         f"'metadata')")
    return checkpoint


def shipped_cnn_metadata(name: str = "cnn5k") -> dict:
    """What a shipped CNN file says about how it was trained (without building the network).

    Keys: "name", "recipe" (the ``CnnRecipe`` fields, ``recipe_*``), "seed", "split_seed", "digits" (the classes
    it was trained on), "test_accuracy" (on the test images of those digits, measured right after training),
    "epochs_run", "date", "torch" (the PyTorch version), "command" (what rebuilds it).

    Raises:
        ValueError: for a name not in ``SHIPPED_CNNS`` (nor a .pt path) or a file that is not a CNN file;
        FileNotFoundError: for a missing file, with the command that builds it.
    """
    return dict(_read_checkpoint(name)["metadata"])


def load_mnist_cnn(name: str = "cnn5k"):
    """A shipped trained CNN (``SHIPPED_CNNS``; or a .pt path written by ``save_mnist_cnn``): ``build_mnist_cnn()``
    with the file's weights, read with ``torch.load(..., weights_only=True)`` (tensors and plain values only: no
    code runs), on the CPU, in ``eval()`` mode.

    Shapes: the model maps (N, 1, 28, 28) float32 pixels in [0, 1] -> (N, 10) logits.

    Raises:
        ValueError: for an unknown name, a file that is not a CNN file, or weights of other shapes.
        FileNotFoundError: for a missing file, with the command that builds it.
    """
    checkpoint = _read_checkpoint(name)
    model = build_mnist_cnn(0, dropout=float(checkpoint["metadata"].get("recipe_dropout", 0.25)))
    try:
        model.load_state_dict(checkpoint["state_dict"])
    except RuntimeError as err:
        raise ValueError(f"{_shipped_path(name)}: its weights do not fit build_mnist_cnn(): {err}") from None
    return model.eval()


# ---------------------------------------------------------------------------------------------
# The NumPy twin
# ---------------------------------------------------------------------------------------------
def _numpy_layer(layer):
    """The course's NumPy module computing what the PyTorch ``layer`` computes, its weights copied as float64."""
    import torch
    from torch import nn

    from .activations import ReLU
    from .conv import Conv2d, Flatten, MaxPool2d
    from .layers import Linear
    from .regularization import Dropout

    def copied(param) -> np.ndarray:
        return param.detach().cpu().to(torch.float64).numpy().copy()

    if type(layer) is nn.Conv2d:
        if layer.groups != 1 or layer.padding_mode != "zeros" or isinstance(layer.padding, str):
            raise ValueError(f"to_numpy_cnn copies plain convolutions (groups=1, zero padding given as numbers), "
                             f"got {layer}")
        twin = Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size, stride=layer.stride,
                      padding=layer.padding, dilation=layer.dilation, bias=layer.bias is not None,
                      rng=np.random.default_rng(0))
    elif type(layer) is nn.Linear:
        twin = Linear(layer.in_features, layer.out_features, bias=layer.bias is not None,
                      rng=np.random.default_rng(0))
    elif type(layer) is nn.ReLU:
        return ReLU()
    elif type(layer) is nn.MaxPool2d:
        if layer.dilation not in (1, (1, 1)) or layer.ceil_mode:
            raise ValueError(f"to_numpy_cnn copies max pooling without dilation or ceil_mode, got {layer}")
        return MaxPool2d(layer.kernel_size, layer.stride, layer.padding)
    elif type(layer) is nn.Dropout:
        return Dropout(layer.p).eval()
    elif type(layer) is nn.Flatten:
        return Flatten(layer.start_dim, layer.end_dim)
    else:
        raise ValueError(f"to_numpy_cnn knows Conv2d, ReLU, MaxPool2d, Dropout, Flatten and Linear layers, got "
                         f"{type(layer).__name__}")
    twin.weight.data = copied(layer.weight)
    if layer.bias is not None:
        twin.bias.data = copied(layer.bias)
    return twin


def to_numpy_cnn(model):
    """The course's NumPy twin of a PyTorch ``nn.Sequential`` CNN such as ``build_mnist_cnn()`` /
    ``load_mnist_cnn()``: a ``utils.layers.Sequential`` of ``utils.conv.Conv2d``, ``utils.activations.ReLU``,
    ``utils.conv.MaxPool2d``, ``utils.regularization.Dropout``, ``utils.conv.Flatten`` and ``utils.layers.Linear``,
    layer for layer, with the weights copied as float64, in evaluation mode (dropout passes its input through).

    ``twin(as_images(X))`` computes the logits (N, 10) in float64; ``.argmax(axis=1)`` gives the labels
    ``predict_labels`` gives. Measured on the 1,000 test images of MNIST-5k with the shipped weights: the same
    label for every image (0 disagreements, float64 NumPy against float32 PyTorch; the logits differ by at most
    8.6e-6, and the closest call, the smallest gap between an image's two largest logits, is 0.018); against
    PyTorch in float64 (``model.double()``) the logits agree to ~1e-14. The NumPy forward pass of the 1,000
    images takes ~2.7 s under ``utils.device.one_blas_thread()`` and ~10 s with NumPy's default two BLAS threads
    on a busy 2-core machine: run it inside ``one_blas_thread()``.

    Shapes: the twin maps (N, 1, 28, 28) -> (N, 10), as the model does.

    Raises:
        TypeError: for a model that is not a ``torch.nn.Sequential``.
        ValueError: for a layer the course's NumPy library has no twin of (e.g. BatchNorm2d).
    """
    import torch

    from .layers import Sequential

    if not isinstance(model, torch.nn.Sequential):
        raise TypeError(f"model must be a torch.nn.Sequential such as build_mnist_cnn(), got {type(model).__name__}")
    return Sequential(*(_numpy_layer(layer) for layer in model)).eval()


# ---------------------------------------------------------------------------------------------
# Stored measurements
# ---------------------------------------------------------------------------------------------
_RESULT_SECTIONS = ("measured", "cnn", "transfer", "numpy_twin")


def stored_cnn_results(path: Path | str | None = None) -> dict:
    """What ``benchmarks/measure_cnn_chapter.py`` measured, as a dict (JSON; ``CNN_RESULTS_ASSET`` unless ``path``).
    Accuracies are fractions of the test images; seconds are wall-clock on one torch thread, CPU.

    Keys:
        "measured": date (ISO), "torch", "numpy", "sklearn", "python" versions, "cpu_count", "seconds" (the run).
        "cnn": the course CNN with ``CNN_RECIPE``: {"recipe" (its fields), "parameters", "seeds": {"split": 0,
            "seeds": [...], "test_accuracy": [one per seed], "mean", "min", "max", "seconds_per_run" (median)}
            (load_mnist5k(0), seeds 0..4), "splits": {"splits": [...], "test_accuracy": [...], "mean", "min",
            "max"} (load_mnist5k(s) trained with seed s), "curves": {"train_loss", "val_loss", "train_accuracy",
            "val_accuracy": one value per epoch} (split 0, seed 0: the shipped model's run)}.
        "classic_keras_cnn" (when ``utils.cnn_architectures`` was there): the same as "cnn"'s "seeds" for
            ``build_classic_keras_cnn()`` trained with the same recipe, plus its "parameters".
        "transfer": ``utils.transfer_learning.transfer_experiment``'s settings ("n_per_class", "epochs", "lr",
            "seeds") and "accuracy": {"scratch" | "last_layer" | "all": [one per seed]}, "mean" (per way),
            "min_gap" ({"last_layer" | "all": the smallest per-seed gain over scratch}), "seconds_per_seed".
        "numpy_twin": {"disagreements": labels where ``to_numpy_cnn(load_mnist_cnn())`` (float64) and PyTorch
            (float32) differ on the 1,000 test images, "max_abs_logit_difference" (float64 against float32),
            "seconds" (the NumPy forward pass of the 1,000 images, one BLAS thread)}.

    Raises:
        ValueError: if the file is missing or not the JSON object the script writes.
    """
    return read_stored_results(CNN_RESULTS_ASSET if path is None else path, _RESULT_SECTIONS,
                               "python benchmarks/measure_cnn_chapter.py")
