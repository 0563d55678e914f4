"""Chapter 06's training dashboard: choose the MNIST MLP's hidden layers, its peak learning rate and the epochs,
press "Train", and watch the loss and accuracy curves grow epoch by epoch.

Training takes about a second, too long to rerun at every slider step: here the sliders only choose, and the
"Train" button trains (``utils.mnist_mlp.mnist_training_epochs``: the course's recipe on MNIST-5k, one thread,
seeded, so the same settings give the same curves). A ``tqdm.auto`` progress bar counts the epochs.

- ``draw_training_dashboard(hidden, lr, epochs)``: the static figure of one run (a notebook shows it before the
  widget, for readers where widgets do not render); returns the ``TrainLog``.
- ``training_dashboard(hidden, lr, epochs)``: the widget, an ``Explorer`` (``utils/widgets/base.py``) with
  ``.controls``, ``.state``, ``.png``, and ``.train_button``.

Usage in a notebook::

    from utils.widgets.training import draw_training_dashboard, training_dashboard
    draw_training_dashboard(); plt.show()
    training_dashboard()                   # cell tagged nbval-ignore-output
"""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from functools import lru_cache

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np

from ..data import DataSplits, load_mnist5k
from ..mnist_mlp import COURSE_RECIPE, MnistRecipe, mnist_training_epochs, prepare_splits, score_mnist_mlp
from ..plotting import course_style, fixed_labels, new_figure
from .base import Explorer, is_echo

__all__ = ["DASHBOARD_FIGSIZE", "EPOCH_LIMITS", "HIDDEN_CHOICES", "LR_LIMITS", "dashboard_recipe",
           "draw_training_dashboard", "training_dashboard"]

DASHBOARD_FIGSIZE = (8.0, 3.8)
HIDDEN_CHOICES = ((32,), (128,), (64, 32), (128, 64), (128, 64, 32))
"""The hidden layers the dashboard offers; (128, 64) is the classic network. Each trains 20 epochs in ≤ ~1.5 s."""
LR_LIMITS = (1e-4, 1e-1)
EPOCH_LIMITS = (1, 20)


@lru_cache(maxsize=1)
def _splits() -> DataSplits:
    return load_mnist5k(0)


def _hidden_label(hidden: tuple[int, ...]) -> str:
    return " → ".join(("784", *map(str, hidden), "10"))


def dashboard_recipe(hidden=(128, 64), lr: float = 1e-2, epochs: int = 10) -> MnistRecipe:
    """The recipe the dashboard trains with: ``COURSE_RECIPE`` with these hidden layers, peak learning rate and
    epochs (standardised inputs, Adam with a one-cycle learning rate, batches of 128).

    Raises:
        ValueError: for hidden not one of ``HIDDEN_CHOICES``, lr outside ``LR_LIMITS``, epochs outside
            ``EPOCH_LIMITS`` (each run must stay short).
    """
    hidden = tuple(hidden) if isinstance(hidden, (tuple, list)) else hidden
    if hidden not in HIDDEN_CHOICES:
        raise ValueError(f"hidden must be one of {', '.join(map(str, HIDDEN_CHOICES))}, got {hidden!r}")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not LR_LIMITS[0] <= lr <= LR_LIMITS[1]:
        raise ValueError(f"lr must be a number from {LR_LIMITS[0]:g} to {LR_LIMITS[1]:g}, got {lr!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or \
            not EPOCH_LIMITS[0] <= epochs <= EPOCH_LIMITS[1]:
        raise ValueError(f"epochs must be an integer from {EPOCH_LIMITS[0]} to {EPOCH_LIMITS[1]}, got {epochs!r}")
    return dataclasses.replace(COURSE_RECIPE, name="dashboard", hidden=hidden, lr=float(lr), epochs=int(epochs))


class _CurvesFigure:
    """Loss (left) and accuracy (right) against the epoch, training and validation, made once; ``update`` changes
    the lines' data, limits and titles."""

    def __init__(self, ax_loss, ax_accuracy):
        colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        self.axes = (ax_loss, ax_accuracy)
        self.lines = []
        for ax, ylabel in ((ax_loss, "loss (cross-entropy)"), (ax_accuracy, "accuracy")):
            train = ax.plot([], [], "o-", color=colors[0], markersize=3, label="training")[0]
            val = ax.plot([], [], "s-", color=colors[1], markersize=3, label="validation")[0]
            self.lines += [train, val]
            ax.set_xlabel("epoch (from 0)")
            ax.set_ylabel(ylabel)
            fixed_labels(ax)
        ax_accuracy.set_ylim(0.0, 1.0)
        ax_accuracy.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        ax_loss.legend(loc="upper right", fontsize=9)
        fixed_labels(ax_loss, "Loss")
        fixed_labels(ax_accuracy, "Accuracy")
        self.title = ax_loss.figure.text(0.5, 0.97, "", ha="center", va="top", fontsize=11)
        self.placeholder = ax_loss.text(0.5, 0.5, "", ha="center", va="center", fontsize=12, color="0.35",
                                        transform=ax_loss.transAxes)

    def update(self, state: dict) -> tuple:
        """Show ``state`` (a run's curves so far, or none yet); return the limits key, the changing artists and the
        title as an explorer's part kept by its words (a new number of epochs before training keeps it)."""
        log, epochs = state["log"], state["epochs"]
        ax_loss, ax_accuracy = self.axes
        if log is None:
            for line in self.lines:
                line.set_data([], [])
            self.placeholder.set_text("Press Train")
            self.title.set_text(f"{_hidden_label(state['hidden'])} · peak lr {state['lr']:.2g}: not trained yet")
            top = 2.5
        else:
            self.placeholder.set_text("")
            x = np.arange(log.epochs_run)
            curves = (log.train_loss, log.val_loss, log.train_metric, log.val_metric)
            for line, y in zip(self.lines, curves):
                line.set_data(x, y)
            top = max(2.5, float(np.ceil(1.1 * max(log.train_loss.max(), log.val_loss.max()))))
            done = log.epochs_run == epochs
            progress = (f"test accuracy {state['test_accuracy']:.1%}"
                        if done and state.get("test_accuracy") is not None
                        else f"epoch {log.epochs_run - 1} (from 0) of {epochs}")
            self.title.set_text(f"{_hidden_label(state['hidden'])} · peak lr {state['lr']:.2g} · "
                                f"validation accuracy {log.val_metric[-1]:.1%} · {progress}")
        for ax in self.axes:
            ax.set_xlim(-0.5, max(epochs - 0.5, 0.5))
            ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        ax_loss.set_ylim(0.0, top)
        return (epochs, top), [*self.lines, self.placeholder], {self.title: self.title.get_text()}


def _figure(pyplot: bool):
    fig, _ = new_figure(DASHBOARD_FIGSIZE, pyplot=pyplot)
    fig.clear()
    ax_loss = fig.add_axes((0.1, 0.15, 0.37, 0.67))
    ax_accuracy = fig.add_axes((0.6, 0.15, 0.37, 0.67))
    return fig, ax_loss, ax_accuracy


def _run(recipe: MnistRecipe, hidden, lr, epochs, progress: bool, output=None):
    """States after each epoch of one training run of ``recipe`` (the last one with the test accuracy)."""
    from tqdm.auto import tqdm

    splits = _splits()
    base = {"hidden": tuple(hidden), "lr": float(lr), "epochs": int(epochs), "test_accuracy": None}
    if output is not None and progress:
        output.clear_output()  # the last run's bar
    bar = None
    try:
        if output is not None:
            with output:
                bar = tqdm(total=recipe.epochs, desc="training", unit="epoch", disable=not progress)
        else:
            bar = tqdm(total=recipe.epochs, desc="training", unit="epoch", disable=not progress)
        for model, log in mnist_training_epochs(recipe, seed=0, splits=splits, device="cpu"):
            bar.set_postfix({"loss": f"{log.train_loss[-1]:.3f}", "val_acc": f"{log.val_metric[-1]:.3f}"},
                            refresh=False)
            bar.update()
            state = {**base, "log": log}
            if log.epochs_run == recipe.epochs:
                data = prepare_splits(recipe, splits)
                state["test_accuracy"] = score_mnist_mlp(model, data.X_test, data.y_test)
            yield state
    finally:
        if bar is not None:
            bar.close()


def draw_training_dashboard(hidden=(128, 64), lr: float = 1e-2, epochs: int = 10):
    """Train once as the dashboard's "Train" does (``dashboard_recipe(hidden, lr, epochs)``) and draw the loss and
    accuracy curves, training and validation, with the test accuracy. Returns the ``TrainLog``.

    Raises:
        ValueError: as ``dashboard_recipe``.
    """
    recipe = dashboard_recipe(hidden, lr, epochs)
    state = None
    for state in _run(recipe, hidden, lr, epochs, progress=False):  # noqa: B007 - the last state is drawn
        pass
    with course_style():
        _, ax_loss, ax_accuracy = _figure(pyplot=True)
        _CurvesFigure(ax_loss, ax_accuracy).update(state)
    return state["log"]


class _TrainingDashboard(Explorer):
    """An ``Explorer`` that trains only when ``train()`` runs (the "Train" button): before the first run, moving a
    control redraws the empty axes (its epochs, its title); after a run it keeps the curves and shows a note;
    ``train()`` draws after every epoch."""

    def __init__(self, controls, rows, figure, run, draw, note):
        self._states = None
        self._run, self._note = run, note
        super().__init__(controls, rows, figure, compute=self._next_state, draw=draw)
        for control in controls.values():  # the sliders do not train: they only choose
            control.unobserve(self._on_change, names="value")
            control.observe(self._on_setting, names="value")
        self.n_runs = 0  # how many times "Train" trained (for tests)

    @contextmanager
    def paused(self):
        """Change several controls at once: they never redraw (only "Train" does), so nothing to pause."""
        yield

    def _next_state(self) -> dict:
        if self._states is None and self.state.get("log") is not None:  # a redraw outside a run: the same image
            return {key: value for key, value in self.state.items() if key != "error"}
        if self._states is None:  # before the first run
            c = self.controls
            return {"log": None, "hidden": c["hidden"].value, "lr": c["lr"].value, "epochs": c["epochs"].value,
                    "test_accuracy": None}
        return next(self._states)

    def _on_setting(self, change) -> None:
        if is_echo(change):  # the browser sending back the value set, as its slider computes it
            return
        trained = self.state.get("log") is not None
        if not trained:  # nothing trained yet: redraw the empty axes with the chosen epochs and title (no training)
            self.update()
            return
        same = trained and all(self.state[k] == self.controls[k].value for k in ("hidden", "lr", "epochs"))
        self._note.value = "" if same or not trained else \
            "<small>Settings changed: press <b>Train</b> to train with them.</small>"

    def train(self) -> None:
        """Train with the controls' settings, drawing after each epoch (what the button does)."""
        c = self.controls
        self.n_runs += 1
        self._note.value = ""
        self._states = self._run(c["hidden"].value, c["lr"].value, c["epochs"].value)
        try:
            while True:
                self.update()
                log = self.state.get("log")
                if self.state["error"] is not None or log is None or log.epochs_run >= self.state["epochs"]:
                    return
        finally:
            self._states = None


def training_dashboard(hidden=(128, 64), lr: float = 1e-2, epochs: int = 10, progress: bool = True) -> widgets.VBox:
    """A dashboard that trains the MNIST MLP when "Train" is pressed, and draws its curves epoch by epoch.

    Controls (``.controls``): ``"hidden"`` (Dropdown of ``HIDDEN_CHOICES``), ``"lr"`` (FloatLogSlider, the
    one-cycle schedule's peak, ``LR_LIMITS``), ``"epochs"`` (IntSlider, ``EPOCH_LIMITS``); ``.train_button`` trains
    (``.train()`` does the same from Python). Moving a control trains nothing: a note says the settings changed.
    State (``.state``, after a run): ``"hidden"``, ``"lr"``, ``"epochs"`` (the settings trained with), ``"log"``
    (the ``TrainLog`` so far; None before the first run), ``"test_accuracy"`` (after the last epoch), ``"error"``
    (a failed run is shown in the status line, never raised; the last good image stays). ``progress``: a
    ``tqdm.auto`` bar over the epochs, under the controls.

    Raises:
        ValueError: for start values the controls cannot show (as ``dashboard_recipe``).
    """
    dashboard_recipe(hidden, lr, epochs)  # checks the start values
    _splits()  # loaded now (at once if a static figure loaded it already), not in the first "Train"
    if not isinstance(progress, bool):
        raise ValueError(f"progress must be True or False, got {progress!r}")
    with course_style():
        fig, ax_loss, ax_accuracy = _figure(pyplot=False)
        artists = _CurvesFigure(ax_loss, ax_accuracy)
    style = {"description_width": "90px"}
    lo, hi = np.log10(LR_LIMITS[0]), np.log10(LR_LIMITS[1])
    controls = {
        "hidden": widgets.Dropdown(options=[(_hidden_label(h), h) for h in HIDDEN_CHOICES], value=tuple(hidden),
                                   description="layers", style=style, layout=widgets.Layout(width="330px")),
        "lr": widgets.FloatLogSlider(value=float(lr), base=10, min=lo, max=hi, step=(hi - lo) / 24,
                                     readout_format=".2g", description="peak lr", style=style,
                                     continuous_update=False, layout=widgets.Layout(width="380px")),
        "epochs": widgets.IntSlider(value=int(epochs), min=EPOCH_LIMITS[0], max=EPOCH_LIMITS[1], description="epochs",
                                    style=style, continuous_update=False, layout=widgets.Layout(width="380px")),
    }
    button = widgets.Button(description="Train", button_style="primary", icon="play",
                            layout=widgets.Layout(width="120px"))
    note = widgets.HTML()
    output = widgets.Output()

    def run(hidden_value, lr_value, epochs_value):
        recipe = dashboard_recipe(hidden_value, lr_value, epochs_value)
        return _run(recipe, hidden_value, lr_value, epochs_value, progress, output)

    def draw(state: dict) -> tuple:
        return artists.update(state)

    rows = [widgets.HBox([widgets.VBox([controls["hidden"], controls["epochs"]]),
                          widgets.VBox([controls["lr"], widgets.HBox([button, note])])]),
            widgets.HTML("<small>Training 3,500 MNIST images (standardised), Adam with a one-cycle learning rate, "
                         "batches of 128, from the same starting weights each time; validation on 500 other "
                         "images, the test accuracy on 1,000 more at the end. About a second per run.</small>"),
            output]
    dashboard = _TrainingDashboard(controls, rows, fig, run, draw, note)
    dashboard.train_button = button
    button.on_click(lambda _button: dashboard.train())
    return dashboard
