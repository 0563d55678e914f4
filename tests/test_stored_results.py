"""The one reader of the measurement scripts' JSON files (utils/stored_results.py)."""

import json

import pytest

from utils.stored_results import read_stored_results


def test_reads_an_object_holding_every_section(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"measured": {"date": "2026-12-07"}, "cnn": [0.97]}), encoding="utf-8")
    assert read_stored_results(path, ("measured", "cnn"), "python b.py") == {"measured": {"date": "2026-12-07"},
                                                                              "cnn": [0.97]}


@pytest.mark.parametrize("text, problem", [
    ('{"measured": {}}', "lack cnn: regenerate them with python b.py"),
    ("[1, 2]", "lack measured, cnn"),
    ("{not json", "cannot read the stored results"),
])
def test_a_broken_file_names_what_is_wrong_and_the_script(tmp_path, text, problem):
    path = tmp_path / "results.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        read_stored_results(path, ("measured", "cnn"), "python b.py")


def test_every_chapter_reader_goes_through_it():
    from utils import mnist_cnn, mnist_mlp, regularization_experiments

    assert set(mnist_mlp.stored_results()) >= {"measured", "recipes"}
    assert set(regularization_experiments.stored_regularization_results()) >= {"measured", "grid"}
    assert set(mnist_cnn.stored_cnn_results()) >= {"measured", "cnn", "transfer", "numpy_twin"}
