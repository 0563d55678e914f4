"""Safe files: loading a file never unpickles it, because unpickling runs whatever code the file names.

Arrays load with ``np.load(..., allow_pickle=False)`` and a PyTorch checkpoint with ``torch.load(...,
weights_only=True)``; ``pickle`` and ``joblib`` are not used to read files at all. A pickled payload handed to
the course's loader is refused without running, and a static scan of utils/ and every notebook holds every
load call (today's and the chapters' to come) to the rule."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.source_scan import calls, course_sources
from utils import pretrained

RAN = []  # what a payload appends to when it is unpickled: it must stay empty


def record_that_the_payload_ran():
    RAN.append("the payload ran")
    return "payload"


class Payload:
    """An object whose unpickling calls ``record_that_the_payload_ran`` (a real attack would call os.system)."""

    def __reduce__(self):
        return record_that_the_payload_ran, ()


@pytest.fixture(autouse=True)
def nothing_ran():
    RAN.clear()
    yield
    assert not RAN, "a pickled payload was executed while loading a file"


def _model_arrays() -> dict:
    """The shipped model's arrays, as ``save_digits_mlp`` writes them (float32 parameters, JSON metadata)."""
    with np.load(pretrained.ASSET, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def test_the_payload_runs_when_unpickled_unsafely(tmp_path):
    """The attack is real: without the guard the payload runs (so the tests below prove something)."""
    path = tmp_path / "unsafe.npz"
    np.savez(path, W1=np.array([Payload()], dtype=object))
    with np.load(path, allow_pickle=True) as data:
        data["W1"]
    assert RAN == ["the payload ran"]
    RAN.clear()


@pytest.mark.parametrize("key", ["W1", "meta"])
def test_an_object_array_in_the_model_file_is_refused(tmp_path, key):
    arrays = {**_model_arrays(), key: np.array([Payload()], dtype=object)}
    path = tmp_path / "digits_mlp.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="pickle") as info:
        pretrained.load_digits_mlp(path)
    assert str(path) in str(info.value) and info.traceback[-1].path == Path(pretrained.__file__)


def test_a_pickle_named_like_a_model_file_is_refused(tmp_path):
    path = tmp_path / "digits_mlp.npz"
    path.write_bytes(pickle.dumps({"W1": Payload()}))
    with pytest.raises(ValueError, match="pickle") as info:
        pretrained.load_digits_mlp(path)
    assert str(path) in str(info.value) and info.traceback[-1].path == Path(pretrained.__file__)


def test_a_model_file_of_plain_arrays_still_loads(tmp_path):
    path = tmp_path / "digits_mlp.npz"
    np.savez(path, **_model_arrays())
    assert pretrained.load_digits_mlp(path).meta["layer_sizes"] == [64, 50, 100, 10]


def test_torch_load_with_weights_only_refuses_a_payload(tmp_path):
    """Why every torch.load says weights_only=True: the pinned PyTorch then refuses objects it does not know,
    and still loads tensors."""
    torch.save({"weight": torch.zeros(2), "extra": Payload()}, tmp_path / "payload.pt")
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        torch.load(tmp_path / "payload.pt", weights_only=True)
    torch.save({"weight": torch.ones(2)}, tmp_path / "plain.pt")
    assert torch.load(tmp_path / "plain.pt", weights_only=True)["weight"].tolist() == [1.0, 1.0]


# The static rule: which call needs which keyword argument, and which calls have no safe form at all.
SAFE_KEYWORD = {
    "numpy.load": ("allow_pickle", False),  # NumPy's default is False today; the call says so explicitly
    "torch.load": ("weights_only", True),  # PyTorch's default changed across versions: say it
}
NEVER = {  # these read files by unpickling them: no keyword makes them safe
    "pickle.load", "pickle.loads", "pickle.Unpickler", "joblib.load", "dill.load", "dill.loads",
    "cloudpickle.load", "cloudpickle.loads", "pandas.read_pickle", "numpy.lib.format.read_array",
}


def unsafe_loads(source: str, path: str = "<source>") -> list[str]:
    """Each call in ``source`` that could unpickle a file, as "path:line: name(...)", with what it lacks."""
    problems = []
    for call in calls(source):
        if call.name in NEVER:
            problems.append(f"{call.where(path)} unpickles: store plain arrays (np.savez) and load them with "
                            "np.load(..., allow_pickle=False)")
        elif call.name in SAFE_KEYWORD:
            keyword, value = SAFE_KEYWORD[call.name]
            if call.keywords.get(keyword, "<missing>") is not value:
                problems.append(f"{call.where(path)} needs {keyword}={value}")
    return problems


def test_every_load_in_utils_and_the_notebooks_refuses_pickles():
    problems = [p for path, source in course_sources() for p in unsafe_loads(source, path)]
    assert not problems, "loads that could run code from a file:\n" + "\n".join(problems)


def test_the_scan_reads_utils_and_the_notebooks():
    paths = [path for path, _ in course_sources()]
    assert "utils/pretrained.py" in paths and "solutions/02_forward_pass.ipynb" in paths
    assert "chapters/02_forward_pass.ipynb" in paths and "START_HERE.ipynb" in paths
    loads = [c for path, source in course_sources() if path == "utils/pretrained.py" for c in calls(source)
             if c.name == "numpy.load"]
    assert loads and loads[0].keywords == {"allow_pickle": False}  # today's one load is seen, and is safe


UNSAFE = '''
import pickle
import joblib
import numpy as np
import torch
from torch import load as torch_load
from pickle import loads

a = np.load("a.npy")
b = np.load("b.npz", allow_pickle=True)
c = torch.load("c.pt")
d = torch_load("d.pt", weights_only=False)
e = pickle.load(open("e.pkl", "rb"))
f = loads(b"...")
g = joblib.load("g.joblib")
options = {"weights_only": True}
h = torch.load("h.pt", **options)
'''

SAFE = '''
import numpy
import numpy as np
import torch

a = np.load("a.npy", allow_pickle=False)
b = numpy.load("b.npz", allow_pickle=False)
c = torch.load("c.pt", weights_only=True, map_location="cpu")
# torch.load("commented out") and a string "np.load(x)" are not calls
model.load("not numpy")
'''


def test_the_scan_finds_every_unsafe_load():
    problems = unsafe_loads(UNSAFE)
    assert [p.split(":")[1] for p in problems] == [str(n) for n in (9, 10, 11, 12, 13, 14, 15, 17)]
    assert "numpy.load(...) needs allow_pickle=False" in problems[0]
    assert "torch.load(...) needs weights_only=True" in problems[2] and "torch.load" in problems[3]
    assert "pickle.loads(...) unpickles" in problems[5] and "joblib.load(...) unpickles" in problems[6]
    assert "needs weights_only=True" in problems[7]  # **options: the scan cannot see the value, so it refuses


def test_the_scan_passes_safe_loads():
    assert unsafe_loads(SAFE) == []
