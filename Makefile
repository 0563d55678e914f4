# Two commands do all the set-up:  `make lab` (learn)  and  `make test` (prove every notebook still runs).
# Both create .venv on first use and reinstall only when requirements.txt or pyproject.toml changed.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# JupyterLab refuses to run as root (containers, CI machines) unless told to.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# pytest-xdist workers: each notebook runs whole on one worker, unit tests go to whichever is free (conftest.py).
# The course's laptop has 2 cores; `make test WORKERS=1` runs serially (like plain `pytest`).
WORKERS ?= 2
PYTEST := $(PY) -m pytest $(if $(filter 1,$(WORKERS)),,-n $(WORKERS))

.PHONY: lab test lint check-all check-portable generate work clean-env help

help:
	@echo "make lab        set up (first time) and open JupyterLab on the course's start page"
	@echo "make test       unit tests + every notebook in chapters/ and solutions/ under nbval (2 workers)"
	@echo "make lint       ruff over utils/, tests/ and the notebooks"
	@echo "make generate   rebuild chapters/ from solutions/ and store outputs (maintainers)"
	@echo "make check-all  test, then again offline and as on another CPU (what CI runs)"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c 'import sys; assert sys.version_info[:2] == (3, 11), f"the course pins Python 3.11, this is {sys.version.split()[0]}"' \
	  || echo "warning: the stored notebook outputs were made with Python 3.11"
	$(PY) -m pip install -qq --upgrade pip
	$(PY) -m pip install -qq -r requirements.txt
	@touch $(STAMP)

work: $(STAMP)
	@$(PY) -m utils.workspace

lab: work
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) START_HERE.ipynb

# `make test` leaves out the few tests marked slow (end-to-end checks of tools); check-all runs everything.
test: $(STAMP)
	$(PYTEST) -m "not slow"

lint: $(STAMP)
	$(PY) -m ruff check .

generate: $(STAMP)
	$(PY) -m utils.generate

# The same tests offline (a new network namespace; its loopback must be up for Jupyter kernels) and as if
# on another CPU (AVX2 kernels in PyTorch, Haswell in OpenBLAS) with one core (one thread in PyTorch, which
# reads OMP_NUM_THREADS at import, and in MKL; OpenBLAS has one already): stored outputs must not depend on
# any of them. One run proves all three (tests/test_threads.py checks that PyTorch got one thread).
SIMULATED_CPU := ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
check-portable: $(STAMP)
	@if unshare -rn true 2>/dev/null; then \
	  echo "offline + simulated AVX2 CPU:"; \
	  unshare -rn sh -c 'ip link set lo up && $(SIMULATED_CPU) $(PYTEST) -q'; \
	else \
	  echo "unshare is not available here: simulated AVX2 CPU only (network left as is)"; \
	  $(SIMULATED_CPU) $(PYTEST) -q; \
	fi

check-all: test check-portable
	$(PY) -m utils.generate --check

clean-env:
	rm -rf $(VENV)
