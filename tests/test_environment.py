"""The environment files agree, `import utils` is this repository's package from anywhere, and the code
is ruff-clean."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib

import yaml

PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([0-9][A-Za-z0-9.\-]*)$")


def requirement_lines(root):
    lines = [line.split("#")[0].strip() for line in (root / "requirements.txt").read_text().splitlines()]
    return [line for line in lines if line]


def test_every_requirement_is_pinned_exactly(root):
    for line in requirement_lines(root):
        assert line == "-e ." or PIN.match(line), f"not pinned with ==: {line!r}"
    assert "-e ." in requirement_lines(root), "the course's utils package must be installed (editable)"


def test_torch_is_the_cpu_friendly_pin_and_torchvision_is_absent(root):
    lines = requirement_lines(root)
    assert "torch==2.13.0" in lines
    assert not any(line.lower().startswith(("torchvision", "torchaudio")) for line in lines)
    assert not any("+cpu" in line for line in lines)


def test_environment_yml_installs_requirements_txt_and_nothing_else(root):
    env = yaml.safe_load((root / "environment.yml").read_text())
    deps = env["dependencies"]
    conda_deps = sorted(d for d in deps if isinstance(d, str))
    pip_deps = [d["pip"] for d in deps if isinstance(d, dict)]
    assert conda_deps == ["pip", "python=3.11"], "list packages in requirements.txt, not in environment.yml"
    assert pip_deps == [["-r requirements.txt"]]


def test_pyproject_configures_nbval_with_a_cell_timeout(root):
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "--nbval" in config["addopts"] and "--nbval-cell-timeout=" in config["addopts"]
    assert "--nbval-current-env" in config["addopts"]
    assert {"tests", "chapters", "solutions"} <= set(config["testpaths"])


def test_gitignore_covers_environment_checkpoints_and_work(root):
    ignored = (root / ".gitignore").read_text().split()
    for entry in (".venv/", ".ipynb_checkpoints/", "*.egg-info/", "work/"):
        assert entry in ignored


def _utils_file_seen_from(cwd) -> str:
    code = "import utils, utils.checks; print(utils.__file__); print(utils.checks.__file__)"
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_import_utils_is_this_repository_from_chapters_and_elsewhere(root, tmp_path):
    want = [str(root / "utils" / "__init__.py"), str(root / "utils" / "checks" / "__init__.py")]
    assert _utils_file_seen_from(root / "chapters") == want
    assert _utils_file_seen_from(tmp_path) == want


def test_notebooks_do_not_edit_sys_path(root):
    for path in sorted(root.glob("*/[0-9]*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            assert "sys.path" not in "".join(cell["source"]), f"{path.name}: notebooks import utils as installed"


def test_ruff_is_clean(root):
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(root)],
                            capture_output=True, text=True, cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
