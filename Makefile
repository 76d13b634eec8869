# Two commands: `make` (set up, validate, draw the figures, refresh the README) and `make test`.
# Every target runs the project's command, `returnee-journeys`, installed into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
RJ := $(BIN)/returnee-journeys
# the package every target acts on: this checkout's, unless PACKAGE names another (a datapackage.json or its folder)
PACKAGE ?= $(CURDIR)/datapackage.json
# `make test` runs the tests in two processes (the machine's cores); PYTEST_WORKERS=0 runs them in one
PYTEST_WORKERS ?= 2

.PHONY: all setup validate figures docs exports qdpx release test lint bench bench-tests lock clean

all: validate figures docs

$(READY): requirements.lock requirements-cffconvert.lock pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("python >= 3.11 is needed" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --editable .
	# cffconvert in an environment of its own (it pins jsonschema < 4): the tests run it on CITATION.cff
	$(PYTHON) -m venv $(VENV)/cffconvert
	$(VENV)/cffconvert/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
		-r requirements-cffconvert.lock
	touch $@

setup: $(READY)

validate: $(READY)
	$(RJ) validate "$(PACKAGE)"
	$(if $(filter file,$(origin PACKAGE)),$(RJ) validate reliability --sources reliability/sources)

figures: $(READY)
	$(RJ) figures "$(PACKAGE)"

docs: $(READY)
	$(RJ) docs "$(PACKAGE)"

exports: $(READY)
	$(RJ) exports "$(PACKAGE)"

# REFI-QDA project with the texts of SOURCES_DIR (each must match its sha256): for your own analysis, never released
qdpx: $(READY)
	$(RJ) qdpx "$(PACKAGE)"

release: $(READY) validate exports
	$(RJ) release "$(PACKAGE)"

# Bytecode is kept between runs (an environment may set PYTHONDONTWRITEBYTECODE): each pytest worker would
# otherwise compile this project's modules and rewrite every test module's asserts again, ~1 CPU s each
test: $(READY)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS)) $(PYTEST_ARGS)

# ruff and mypy as configured in pyproject.toml: zero findings (CI runs it before the tests)
lint: $(READY)
	$(BIN)/ruff check scripts tests
	$(BIN)/mypy

bench: $(READY)
	$(RJ) bench

# How long `make test` takes: wall and CPU seconds and the load average, RUNS times (the goal: <= 20 s wall)
RUNS ?= 1
bench-tests: $(READY)
	$(BIN)/python tests/bench_tests.py $(RUNS)

# Re-pin every dependency, runtime and all extras (figures, exports, all, test, dev) (needs the package index); commit the new requirements.lock.
lock: $(READY)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --generate-hashes --allow-unsafe --no-emit-index-url \
		--no-emit-find-links --all-extras --output-file requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links \
		--output-file requirements-cffconvert.lock requirements-cffconvert.in

clean:
	rm -rf $(VENV) .pytest_cache dist
