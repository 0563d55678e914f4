# Two commands do all the set-up:  `make lab` (learn)  and  `make test` (prove every notebook still runs).
# Both create .venv on first use and reinstall only when requirements.txt or pyproject.toml changed.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# JupyterLab refuses to run as root (containers, CI machines) unless told to.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test lint check-all generate work doctor clean-env help

help:
	@echo "make lab        set up (first time) and open JupyterLab on the course's start page"
	@echo "make test       unit tests + every notebook in chapters/ and solutions/ under nbval"
	@echo "make lint       ruff over utils/, tests/ and the notebooks"
	@echo "make generate   rebuild chapters/ from solutions/ and store outputs (maintainers)"
	@echo "make check-all  test + generator drift check"

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

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .

generate: $(STAMP)
	$(PY) -m utils.generate

check-all: test
	$(PY) -m utils.generate --check

clean-env:
	rm -rf $(VENV)
