# actorkg: `make demo` and `make test` are all the set-up there is.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= output

.PHONY: demo test lint clean

$(BIN)/kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

demo: $(BIN)/kg
	$(BIN)/kg build examples/ -o $(OUT)

test: $(BIN)/kg
	$(BIN)/python -m pytest -q kg tests

lint: $(BIN)/kg
	$(BIN)/ruff check kg tests
	$(BIN)/mypy

clean:
	rm -rf $(OUT)/graph.ttl $(OUT)/graph.html $(OUT)/analysis.json $(OUT)/store
