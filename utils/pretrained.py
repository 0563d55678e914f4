"""The course's trained digit recognizer: a 64 → 50 → 100 → 10 network for scikit-learn's 8×8 digits.

Chapter 02 runs its forward pass in NumPy (backpropagation arrives in Chapter 04, so the weights were trained
with PyTorch by ``train_digits_mlp`` below). Architecture, the classic "digit recognizer" of introductory courses
(two sigmoid hidden layers of 50 and 100 units, for 28×28 MNIST images) scaled to 8×8 images::

    x (N, 64) pixels in [0, 1] -> Linear(64, 50) -> sigmoid -> Linear(50, 100) -> sigmoid -> Linear(100, 10) -> logits

Why sigmoid hidden layers: that classic network has them (and an identity output), so the very
``utils.network.forward`` of Chapter 02's small worked example runs it unchanged. On this data ReLU does as well (both
reach ~97% test accuracy; ``train_digits_mlp(TrainConfig(hidden="relu"))`` to compare); with two hidden layers
and Adam, sigmoid's saturation does not get in the way yet.

The parameters ship as ``utils/assets/digits_mlp.npz`` (float32, ~35 KB), in the course's layout
(``W1`` (50, 64), ``b1`` (50,), ``W2`` (100, 50), …), plus metadata; it loads with ``np.load(...,
allow_pickle=False)``. ``load_digits_mlp()`` returns them as float64.

The trained networks the course ships, and the commands that rebuild them (from the repository root)::

    python -m utils.pretrained                          # prints each shipped model and its test accuracy
    python -m utils.pretrained build digits_mlp         # ~1 s: trains with TrainConfig(), rewrites digits_mlp.npz
    python -m utils.pretrained --retrain                # the same (the older spelling)
    python -m utils.pretrained build cnn5k              # Chapter 08's CNN: utils.mnist_cnn.train_mnist_cnn on
                                                        #   load_mnist5k(0), CNN_RECIPE (12 epochs), seed 0 ->
                                                        #   utils/assets/mnist_cnn5k.pt (16-24 s, one thread)
    python -m utils.pretrained build cnn_digits04       # the same network trained on the digits 0-4 only
                                                        #   (utils.transfer_learning.pretrain_cnn) ->
                                                        #   utils/assets/mnist_cnn_digits04.pt (~12 s)

``build cnn5k`` refuses to write a model below 96% test accuracy (the chapter asserts that); the shipped one reached
97.6% (and "cnn_digits04" 99.0% on the 500 test images of 0-4), measured on a 2-core machine shared with other
work (times above: the same machine, from alone to busy). The CNN files hold a
``state_dict`` and a metadata dict of plain values and load with ``torch.load(..., weights_only=True)``
(``utils.mnist_cnn.load_mnist_cnn``). ``--path`` writes elsewhere; ``--epochs`` overrides the recipe's epochs
(a quick check of the command, not a shipped model).

Training is seeded (``torch.manual_seed``, one thread), so one machine reproduces its own weights exactly, but
another CPU (other vector instructions, other BLAS kernels) gives different weights after the first few
updates. What reproduces is the accuracy: a retrained model lands within about a percentage point of the
shipped one (``tests/test_pretrained.py`` allows 2), well above 95%. After a retrain, regenerate the
notebooks that show the model (``python -m utils.generate 02_forward_pass``, ``08_cnns`` for the CNNs).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .tooling import course_environment

with course_environment(__name__, "utils.pretrained"):  # run as a script outside .venv: one line, exit 2
    import numpy as np

from .activations import make_torch_activation
from .module import check_positive_int, to_float64
from .network import forward, layer_sizes

__all__ = ["ASSET", "BUILDS", "HIDDEN_ACTIVATIONS", "LAYER_SIZES", "DigitsMLP", "TrainConfig", "build_cnn",
           "load_digits_mlp", "main", "predict", "save_digits_mlp", "train_digits_mlp"]

ASSET = Path(__file__).parent / "assets" / "digits_mlp.npz"
LAYER_SIZES = (64, 50, 100, 10)
BUILDS = ("digits_mlp", "cnn5k", "cnn_digits04")
"""What ``python -m utils.pretrained build <name>`` builds: the digit MLP and the shipped CNNs
(``utils.mnist_cnn.SHIPPED_CNNS``)."""
CNN5K_MINIMUM = 0.96
"""``build cnn5k`` writes no model below this test accuracy (Chapter 08 asserts it)."""
HIDDEN_ACTIVATIONS = ("sigmoid", "relu", "tanh")
"""The hidden activations ``TrainConfig.hidden`` may name (rows of ``utils.activations.ACTIVATION_TABLE``)."""


@dataclass(frozen=True)
class TrainConfig:
    """How the shipped model was trained: mini-batch Adam on cross-entropy, on ``digits_split(seed=split_seed)``."""

    hidden: str = "sigmoid"
    epochs: int = 60
    batch_size: int = 64
    lr: float = 1e-2
    weight_decay: float = 1e-4
    seed: int = 0
    split_seed: int = 0


@dataclass(frozen=True)
class DigitsMLP:
    """A trained network: ``params`` (float64 arrays, keys W1, b1, …), per-layer ``activations``, ``meta``."""

    params: dict
    activations: tuple[str, ...]
    meta: dict = field(default_factory=dict)

    def logits(self, X) -> np.ndarray:
        """Shapes: X (N, 64) -> (N, 10)"""
        return forward(X, self.params, self.activations)

    def predict(self, X, batch_size: int = 256) -> np.ndarray:
        """Shapes: X (N, 64) -> (N,) int64 labels 0..9 (see ``predict``)."""
        return predict(X, self.params, self.activations, batch_size)

    def score(self, X, y) -> float:
        """The fraction of rows of ``X`` whose predicted class equals ``y`` (scikit-learn's name: a model measured
        on data; ``utils.training.accuracy`` measures outputs already computed).

        Shapes: X (N, 64), y (N,) -> a float in [0, 1]
        """
        y = np.asarray(y)
        if y.shape != (len(X),):
            raise ValueError(f"y must have shape ({len(X)},), one label per row of X; got shape {y.shape}")
        return float(np.mean(self.predict(X) == y))


def _activations(hidden: str) -> tuple[str, ...]:
    return (hidden,) * (len(LAYER_SIZES) - 2) + ("identity",)


def predict(X, params: dict, activations, batch_size: int = 256) -> np.ndarray:
    """The predicted class of each row of ``X``: argmax of the logits, computed ``batch_size`` rows at a time.

    Shapes: X (N, n0) -> (N,) int64

    Raises:
        ValueError: for batch_size not a positive integer, or X and params that do not fit (see
            ``utils.network.forward``).
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    X = to_float64(X, name="X")
    if X.ndim != 2:
        raise ValueError(f"X must have shape (N, {layer_sizes(params)[0]}), one example per row; got shape {X.shape}")
    labels = np.empty(len(X), dtype=np.int64)
    for start in range(0, len(X), batch_size):
        batch = X[start:start + batch_size]  # (B, n0)
        labels[start:start + batch_size] = forward(batch, params, activations).argmax(axis=1)
    return labels


def train_digits_mlp(config: TrainConfig = TrainConfig()) -> DigitsMLP:
    """Train the 64 → 50 → 100 → 10 network with PyTorch (float32, one thread, seeded) and return it.

    Takes about a second. ``meta`` holds the test accuracy measured right after training, the configuration
    and the PyTorch version.
    """
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig (e.g. TrainConfig(hidden='relu')), got {type(config).__name__}")
    import torch

    from .data import digits_split

    if config.hidden not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"hidden must be one of {', '.join(HIDDEN_ACTIVATIONS)}, got {config.hidden!r}")
    X_train, X_test, y_train, y_test = digits_split(seed=config.split_seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the same machine then reproduces the same weights
    try:
        torch.manual_seed(config.seed)
        sizes = LAYER_SIZES
        model = torch.nn.Sequential(torch.nn.Linear(sizes[0], sizes[1]), make_torch_activation(config.hidden),
                                    torch.nn.Linear(sizes[1], sizes[2]), make_torch_activation(config.hidden),
                                    torch.nn.Linear(sizes[2], sizes[3]))
        optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        X, y = torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train)
        shuffle = torch.Generator().manual_seed(config.seed)
        for _ in range(config.epochs):
            order = torch.randperm(len(X), generator=shuffle)
            for start in range(0, len(X), config.batch_size):
                idx = order[start:start + config.batch_size]
                loss = torch.nn.functional.cross_entropy(model(X[idx]), y[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    finally:
        torch.set_num_threads(threads)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    params = {}
    for i, linear in enumerate(linears, start=1):
        params[f"W{i}"] = linear.weight.detach().numpy().astype(np.float64)  # (out, in), as ours
        params[f"b{i}"] = linear.bias.detach().numpy().astype(np.float64)
    trained = DigitsMLP(params, _activations(config.hidden), {"config": asdict(config),
                                                              "torch_version": torch.__version__})
    return DigitsMLP(params, trained.activations, {**trained.meta, "test_accuracy": trained.score(X_test, y_test)})


def save_digits_mlp(model: DigitsMLP, path: Path | str = ASSET) -> Path:
    """Write the parameters (float32) and metadata to ``path`` as an ``.npz`` that loads without pickle.

    Raises:
        TypeError: if ``model`` is not a ``DigitsMLP``.
    """
    if not isinstance(model, DigitsMLP):
        raise TypeError(f"model must be a DigitsMLP (e.g. train_digits_mlp()), got {type(model).__name__}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {k: np.asarray(v, dtype=np.float32) for k, v in model.params.items()}
    meta = {**model.meta, "activations": list(model.activations), "layer_sizes": layer_sizes(model.params)}
    np.savez_compressed(path, **arrays, meta=np.array(json.dumps(meta, sort_keys=True)))
    return path


def load_digits_mlp(path: Path | str = ASSET) -> DigitsMLP:
    """Load the shipped (or a saved) digit recognizer; parameters come back as float64 arrays.

    Raises:
        FileNotFoundError: if the file is missing, with the command that regenerates it.
        ValueError: if its keys or shapes are not a valid network.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: regenerate it with `python -m utils.pretrained --retrain`")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except ValueError:  # NumPy, told not to unpickle, met pickled objects (or a file that is no .npz)
        raise ValueError(f"{path} holds pickled Python objects, or is not an .npz of arrays: refused, because "
                         "loading them could run any code (write model files with save_digits_mlp)") from None
    meta = json.loads(str(arrays.pop("meta")))
    params = {k: v.astype(np.float64) for k, v in arrays.items()}
    params = {k: params[k] for k in sorted(params, key=lambda k: (int(k[1:]), k[0] != "W"))}  # W1, b1, W2, ...
    if layer_sizes(params) != list(meta["layer_sizes"]):
        raise ValueError(f"{path}: parameter shapes {layer_sizes(params)} disagree with its metadata "
                         f"{meta['layer_sizes']}")
    return DigitsMLP(params, tuple(meta["activations"]), meta)


def build_cnn(name: str, path: Path | str | None = None, epochs: int | None = None) -> dict:
    """Train the shipped CNN ``name`` ("cnn5k" or "cnn_digits04", module docstring) on one thread on the CPU and
    write it with ``utils.mnist_cnn.save_mnist_cnn`` to ``path`` (None: its file in ``SHIPPED_CNNS``).

    ``epochs``: None trains the recipe's 12; a number overrides it (a quick check, not a model to ship: the
    96% floor then is not enforced). Returns the metadata written.

    Raises:
        ValueError: for another name, or a "cnn5k" of the full recipe below ``CNN5K_MINIMUM`` (nothing written).
    """
    import datetime
    from dataclasses import asdict

    import torch

    from .data import load_mnist5k
    from .mnist_cnn import CNN_RECIPE, SHIPPED_CNNS, save_mnist_cnn, train_mnist_cnn
    from .transfer_learning import PRETRAIN_DIGITS, pretrain_cnn

    if name not in ("cnn5k", "cnn_digits04"):
        raise ValueError(f"name must be 'cnn5k' or 'cnn_digits04', got {name!r}")
    seed, split_seed = 0, 0
    splits = load_mnist5k(split_seed)
    if name == "cnn5k":
        model, log, accuracy = train_mnist_cnn(CNN_RECIPE, seed, splits, epochs=epochs, device="cpu")
        digits = list(range(10))
    else:
        model, log, accuracy = pretrain_cnn(PRETRAIN_DIGITS, seed, splits, epochs=epochs, device="cpu")
        digits = list(PRETRAIN_DIGITS)
    if name == "cnn5k" and epochs is None and accuracy < CNN5K_MINIMUM:
        raise ValueError(f"the CNN reached {accuracy:.2%} test accuracy, below {CNN5K_MINIMUM:.0%}: not written")
    metadata = {"name": name, **{f"recipe_{k}": v for k, v in asdict(CNN_RECIPE).items()}, "seed": seed,
                "split_seed": split_seed, "digits": digits, "test_accuracy": round(float(accuracy), 4),
                "epochs_run": int(log.epochs_run), "date": datetime.date.today().isoformat(),
                "torch": torch.__version__, "command": f"python -m utils.pretrained build {name}"}
    save_mnist_cnn(model, metadata, SHIPPED_CNNS[name] if path is None else path)
    return metadata


def _show_digits_mlp(path: Path) -> None:
    from .data import digits_split

    _, X_test, _, y_test = digits_split()
    model = load_digits_mlp(path)
    print(f"digits_mlp: {' -> '.join(map(str, model.meta['layer_sizes']))}, activations "
          f"{', '.join(model.activations)}")
    print(f"  test accuracy with the NumPy forward pass: {model.score(X_test, y_test):.2%} "
          f"(at training time, PyTorch {model.meta['torch_version']}: {model.meta['test_accuracy']:.2%})")


def _show_cnn(name: str, path: Path | None = None) -> None:
    from .mnist_cnn import SHIPPED_CNNS, shipped_cnn_metadata

    path = SHIPPED_CNNS[name] if path is None else path
    if not path.exists():
        print(f"{name}: {path} is missing: build it with `python -m utils.pretrained build {name}`")
        return
    meta = shipped_cnn_metadata(path)
    print(f"{name}: the MNIST CNN trained on the digits {meta['digits'][0]}-{meta['digits'][-1]} of "
          f"load_mnist5k({meta['split_seed']}), seed {meta['seed']}, {meta['epochs_run']} epochs ({path.name}, "
          f"{path.stat().st_size / 1024:.0f} KB)")
    print(f"  test accuracy at training time (PyTorch {meta['torch']}, {meta['date']}): {meta['test_accuracy']:.2%}")


def main(argv: list[str] | None = None) -> int:
    """``python -m utils.pretrained [build NAME] [--retrain] [--path PATH] [--epochs N]``: show the shipped models,
    or build one (module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m utils.pretrained", description=__doc__.split("\n")[0])
    parser.add_argument("action", nargs="*", metavar="build NAME",
                        help=f"build one model and write it: NAME is one of {', '.join(BUILDS)}")
    parser.add_argument("--retrain", action="store_true", help="the same as `build digits_mlp`")
    parser.add_argument("--path", type=Path, default=None, help="the file to write (default: the shipped one)")
    parser.add_argument("--epochs", type=int, default=None, help="a CNN's epochs (default: the recipe's)")
    args = parser.parse_args(argv)
    if args.action and (len(args.action) != 2 or args.action[0] != "build" or args.action[1] not in BUILDS):
        parser.error(f"expected `build NAME` with NAME one of {', '.join(BUILDS)}, got {' '.join(args.action)!r}")
    name = "digits_mlp" if args.retrain else (args.action[1] if args.action else None)
    if name == "digits_mlp":
        path = ASSET if args.path is None else args.path
        save_digits_mlp(train_digits_mlp(), path)
        print(f"trained and wrote {path} ({path.stat().st_size / 1024:.0f} KB)")
        _show_digits_mlp(path)
    elif name is not None:
        try:
            build_cnn(name, args.path, args.epochs)
        except ValueError as err:
            print(f"error: {err}")
            return 1
        print(f"trained and wrote {name}")
        _show_cnn(name, args.path)
    else:
        _show_digits_mlp(ASSET if args.path is None else args.path)
        for cnn in BUILDS[1:]:
            _show_cnn(cnn)
    return 0


if __name__ == "__main__":
    with course_environment(__name__, "utils.pretrained"):
        raise SystemExit(main())
