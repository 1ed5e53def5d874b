# The two commands: `make demo` and `make test`. Both set up .venv first (once).
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(VENV)/bin/breachdesk demo

lint: setup
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy --strict src

test: lint
	$(VENV)/bin/pytest

# Benchmarks also need the baselines they compare against (e.g. Presidio): the `bench` extra.
$(VENV)/.bench-stamp: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@touch $@

bench: $(VENV)/.bench-stamp
	@set -e; for script in benchmarks/*.py; do echo "# $$script"; $(PY) $$script; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache breachdesk-demo
