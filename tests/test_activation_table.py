"""utils.activations' one name -> component table: each row's function, derivative, module and PyTorch twin agree,
the older views (ACTIVATIONS, utils.network.activation_function) read it, lookups are checked, and importing the
module stays free of PyTorch and SciPy."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from utils import activations as A
from utils.module import Module

X = np.array([[-3.0, -0.7, -0.2, 0.3, 1.1, 4.0], [2.5, -1.5, 0.6, -4.0, 0.05, -0.01]])  # away from the kinks


@pytest.mark.parametrize("name", list(A.ACTIVATION_TABLE))
def test_each_rows_function_module_and_torch_twin_agree(name):
    spec = A.ACTIVATION_TABLE[name]
    module = A.make_activation(name)
    assert isinstance(module, spec.module) and isinstance(module, Module)
    out = module(X)
    np.testing.assert_allclose(out, spec.function(X), rtol=1e-15, atol=0)
    if spec.elementwise:
        np.testing.assert_allclose(module.backward(np.ones_like(out)), spec.derivative(X), rtol=1e-14, atol=1e-300)
    if spec.torch_module is None:
        with pytest.raises(ValueError, match="PyTorch has no module"):
            A.make_torch_activation(name)
    else:
        twin = A.make_torch_activation(name)
        assert type(twin).__name__ == spec.torch_module
        np.testing.assert_allclose(twin(torch.from_numpy(X)).numpy(), out, rtol=1e-12, atol=1e-15)


def test_make_activation_gives_a_fresh_module_each_time_in_any_case_and_by_alias():
    assert A.make_activation("relu") is not A.make_activation("relu")
    assert isinstance(A.make_activation("ReLU"), A.ReLU) and isinstance(A.make_activation("linear"), A.Identity)
    assert A.activation_spec("LINEAR") is A.ACTIVATION_TABLE["identity"]
    assert isinstance(A.make_torch_activation("linear"), torch.nn.Identity)
    assert A.make_torch_activation("softmax").dim == -1


@pytest.mark.parametrize("name", ["swish", "", 3, None])
def test_unknown_names_list_the_known_ones(name):
    with pytest.raises(ValueError, match=r"unknown activation .*; choose one of identity, step, sigmoid, tanh, relu"):
        A.make_activation(name)


def test_the_older_views_read_the_table():
    elementwise = [name for name, spec in A.ACTIVATION_TABLE.items() if spec.elementwise]
    assert list(A.ACTIVATIONS) == elementwise and "softmax" not in A.ACTIVATIONS
    for name, (f, df) in A.ACTIVATIONS.items():
        assert f is A.ACTIVATION_TABLE[name].function and df is A.ACTIVATION_TABLE[name].derivative
    from utils.network import activation_function

    assert activation_function("softmax") is A.softmax


def test_labels_are_what_the_chapters_show():
    labels = {name: spec.label for name, spec in A.ACTIVATION_TABLE.items()}
    assert labels["relu"] == "ReLU" and labels["tanh"] == "tanh" and labels["sigmoid"] == "sigmoid"
    assert len(set(labels.values())) == len(labels)


def test_importing_the_activations_imports_neither_torch_nor_scipy():
    code = ("import sys, utils.activations as A; A.make_activation('gelu'); "
            "print('torch' in sys.modules, 'scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
