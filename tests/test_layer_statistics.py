"""utils.layer_statistics: each layer's activations in a deep random network, summarised, against
utils.network.deep_activations; the verdict in words; validation; and the caching that slices one deep run."""

from __future__ import annotations

import numpy as np
import pytest

from utils import init, layer_statistics
from utils.network import deep_activations


def test_init_statistics_match_deep_activations():
    stats = layer_statistics.init_statistics("kaiming_normal", "relu", 6, 64)
    acts = deep_activations("kaiming_normal", "relu", 6, 64, n_samples=layer_statistics.N_SAMPLES, seed=0).reshape(
        6, -1
    )
    np.testing.assert_allclose(stats.std, acts.std(axis=1), rtol=1e-12)
    np.testing.assert_allclose(stats.mean, acts.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(stats.zero_fraction, np.mean(acts == 0, axis=1))
    assert stats.counts.shape == (6, layer_statistics.N_BINS) and stats.edges.shape == (layer_statistics.N_BINS + 1,)
    assert (stats.edges[0], stats.edges[-1]) == layer_statistics.HIST_RANGE["relu"]
    np.testing.assert_array_equal(stats.counts.sum(axis=1), acts.shape[1])  # every value lands in a bin
    np.testing.assert_array_equal(stats.counts[0], np.histogram(np.clip(acts[0], 0, 4 - 1e-12), bins=stats.edges)[0])
    assert stats.outside[0] == pytest.approx(np.mean(acts[0] > 4.0), abs=1e-12) and stats.outside[0] > 0


def test_saturation_counts_tanh_units_near_their_bounds():
    stats = layer_statistics.init_statistics("normal", "tanh", 3, 64)
    acts = deep_activations("normal", "tanh", 3, 64, n_samples=layer_statistics.N_SAMPLES, seed=0).reshape(3, -1)
    np.testing.assert_allclose(stats.saturated, np.mean(np.abs(acts) > 0.99, axis=1))
    assert (
        stats.saturated[-1] > 0.5
        and (layer_statistics.init_statistics("kaiming_normal", "relu", 3, 64).saturated == 0).all()
    )


@pytest.mark.parametrize("scheme, activation, fate, word", [
    ("zeros", "tanh", "constant", "exactly 0"),
    ("small_normal", "tanh", "vanishes", "vanishes"),
    ("normal", "tanh", "saturates", "saturated"),
    ("normal", "relu", "explodes", "explodes"),
    ("xavier_uniform", "relu", "vanishes", "vanishes"),
    ("kaiming_normal", "relu", "survives", "survives"),
    ("xavier_uniform", "tanh", "survives", "survives"),
    ("lecun_normal", "identity", "survives", "survives"),
])
def test_the_verdict_says_what_happens(scheme, activation, fate, word):
    stats = layer_statistics.init_statistics(scheme, activation, 10, 256)
    assert stats.fate == fate and word in stats.verdict


def test_zeros_with_sigmoid_gives_one_half_everywhere():
    stats = layer_statistics.init_statistics("zeros", "sigmoid", 4, 32)
    assert (stats.std == 0).all() and np.allclose(stats.mean, 0.5)
    assert (
        stats.counts[:, layer_statistics.N_BINS // 2] == stats.counts.sum(axis=1)
    ).all()  # one bin holds every value
    assert "exactly 0.5, whatever the input" in stats.verdict  # not "exactly 0"


@pytest.mark.parametrize("call, match", [
    (lambda: layer_statistics.init_statistics("glorot"), "unknown scheme"),
    (lambda: layer_statistics.init_statistics("zeros", "gelu"), "unknown activation"),
    (lambda: layer_statistics.init_statistics("zeros", "tanh", 0), "depth"),
    (lambda: layer_statistics.init_statistics("zeros", "tanh", 11), "depth"),
    (lambda: layer_statistics.init_statistics("zeros", "tanh", 3, 1), "width"),
])
def test_bad_settings_raise_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_a_shallower_network_is_the_first_layers_of_the_deepest():
    deep = layer_statistics.init_statistics("xavier_normal", "relu", 10, 32)
    shallow = layer_statistics.init_statistics("xavier_normal", "relu", 4, 32)
    np.testing.assert_array_equal(shallow.counts, deep.counts[:4])
    np.testing.assert_array_equal(shallow.std, deep.std[:4])
    assert "from layer 1 to 4" in shallow.verdict  # the verdict is about the shallow network


def test_every_scheme_is_one_of_utils_init():
    schemes = set(layer_statistics.INIT_SCHEMES)
    assert schemes <= set(init.SCHEMES) and schemes <= set(init.LABELS)
