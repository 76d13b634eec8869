# Two commands: `make` (set up, validate, draw the figures) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
SOURCES_DIR ?= sources
export SOURCES_DIR

.PHONY: all setup validate figures docs exports release test bench lock clean

all: validate figures docs

$(READY): requirements.lock
	$(PYTHON) -c 'import sys; sys.exit("python >= 3.11 is needed" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	touch $@

setup: $(READY)

validate: $(READY)
	$(BIN)/python scripts/validate.py

figures: $(READY)
	$(BIN)/python scripts/figures.py

docs: $(READY)
	$(BIN)/python scripts/docs.py

exports: $(READY)
	$(BIN)/python scripts/exports.py

release: $(READY) validate exports
	$(BIN)/python scripts/release.py

test: $(READY)
	$(BIN)/python -m pytest

bench: $(READY)
	$(BIN)/python scripts/bench.py

# Re-pin every dependency (needs the package index); commit the new requirements.lock.
lock: $(READY)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --generate-hashes --allow-unsafe --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache dist
