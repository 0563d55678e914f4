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

.PHONY: lab test test-browser benchmarks lint check-all check-portable generate work fresh doctor grade clean-env help

help:
	@echo "make lab        set up (first time) and open JupyterLab on the course's start page"
	@echo "make fresh CHAPTER=03_losses   today's version of a chapter beside your copy (work/03_losses-new.ipynb)"
	@echo "make doctor     find set-up faults (pins, kernel, widget extension, utils, work/), each with its fix"
	@echo "make grade      grade your notebooks in work/ (or: make grade NOTEBOOKS=work/01_activations.ipynb)"
	@echo "make test       unit tests + every notebook in chapters/ and solutions/ under nbval (2 workers)"
	@echo "make test-browser  every notebook in JupyterLab in headless Chromium, every widget control changed and"
	@echo "                timed (needs chromium: apt-get install -y chromium); report in build/browser/report.md"
	@echo "make benchmarks every speed, memory and accuracy figure against its target (~40 min): benchmarks/RESULTS.md"
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

# work/ holds the learner's copies: never overwritten. `make work` also names the copies older than their chapter;
# `make fresh CHAPTER=03_losses` writes today's version beside the learner's (work/03_losses-new.ipynb).
work: $(STAMP)
	@$(PY) -m utils.workspace

fresh: $(STAMP)
	@test -n "$(CHAPTER)" || { echo "which chapter? e.g. make fresh CHAPTER=03_losses"; exit 2; }
	@$(PY) -m utils.workspace --fresh $(CHAPTER)

# JupyterLab runs with .venv activated (PATH, VIRTUAL_ENV), and its terminals start bash with .venv activated
# after the user's own ~/.bashrc (which may put pyenv or conda first on PATH): `python -m utils.doctor` typed
# there runs in the course's environment. Its kernels get CurveZMQ transport encryption (jupyter_server's
# setting, where pyzmq has CurveZMQ, as PyPI's wheels do), so none logs "running over TCP without encryption".
# `make -n lab` shows the whole command.
ACTIVATED := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" VIRTUAL_ENV="$(CURDIR)/$(VENV)"
LAB_BASHRC := $(VENV)/lab-terminal.bashrc
ACTIVATED_TERMINALS := '--ServerApp.terminado_settings={"shell_command": ["bash", "--rcfile", "$(CURDIR)/$(LAB_BASHRC)"]}'
ENCRYPTED_KERNELS := $$($(PY) -c 'import zmq; print("--MappingKernelManager.transport_encryption=auto" * zmq.has("curve"))')
lab: work
	@printf '%s\n' '[ -f ~/.bashrc ] && . ~/.bashrc' '. "$(CURDIR)/$(VENV)/bin/activate"' > $(LAB_BASHRC)
	@echo "JupyterLab on START_HERE.ipynb, .venv active in its terminals (stop it with Ctrl+C twice)"
	@$(ACTIVATED) $(VENV)/bin/jupyter lab $(ROOT_FLAG) $(ENCRYPTED_KERNELS) $(ACTIVATED_TERMINALS) START_HERE.ipynb

doctor: $(STAMP)
	@$(PY) -m utils.doctor

# Your notebooks in work/, each run in a fresh kernel: every exercise passed, failed, not attempted, ... (README,
# "Grading a class"). A class: make grade NOTEBOOKS=submissions/ GRADE_ARGS="--jobs 2 --csv" > gradebook.csv
NOTEBOOKS ?= $(wildcard work/[0-9]*.ipynb)
GRADE_ARGS ?=
grade: $(STAMP)
	@test -n "$(NOTEBOOKS)" || { echo "no notebooks to grade: run make work (or make lab) first, or give NOTEBOOKS=..."; exit 2; }
	@$(PY) -m utils.grade $(NOTEBOOKS) $(GRADE_ARGS)

# `make test` leaves out the few tests marked slow (end-to-end checks of tools); check-all runs everything.
test: $(STAMP)
	$(PYTEST) -m "not slow"

# The browser suite (tests/browser/, collected only with --browser): JupyterLab in the system's Chromium through
# Playwright (requirements-browser.txt, test-only pins; never `playwright install`). Serial: one notebook at a
# time, since the timings are the point. Screenshots, report.json and report.md go to build/browser/.
BROWSER_STAMP := $(VENV)/.installed-browser
$(BROWSER_STAMP): requirements-browser.txt $(STAMP)
	$(PY) -m pip install -qq -r requirements-browser.txt
	@touch $(BROWSER_STAMP)

test-browser: $(BROWSER_STAMP)
	$(PY) -m pytest tests/browser --browser -q -rs
	@echo "timings and screenshots: build/browser/ (report.md)"

# Every promise of the course as a measured figure (speed against PyTorch, widgets, notebooks, memory, accuracy,
# the suite, a fresh install): ~40 min on an idle machine; writes benchmarks/RESULTS.md. BENCH_ARGS="--skip install".
BENCH_ARGS ?=
benchmarks: $(BROWSER_STAMP)
	$(PY) -m benchmarks $(BENCH_ARGS)

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
