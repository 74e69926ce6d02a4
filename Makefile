# actorkg: `make demo` and `make test` are all the set-up there is.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= output
DATA ?= ../shared/data

.PHONY: demo test lint clean eval screenshot bench

$(BIN)/kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,dask]'
	@touch $@

demo: $(BIN)/kg
	$(BIN)/kg build examples/ -o $(OUT)

test: $(BIN)/kg
	$(BIN)/python -m pytest -q kg tests

lint: $(BIN)/kg
	$(BIN)/ruff check kg tests
	$(BIN)/mypy

# scores both evaluation datasets into benchmarks/EVAL.md (written only when both ran)
eval: $(BIN)/kg
	@set -e; out=benchmarks/.EVAL.md.partial; trap 'rm -f $$out' EXIT; \
	{ echo "# Evaluation"; echo; \
	  echo "Written by \`make eval\` with the default model; see README.md, Evaluation."; \
	  echo; echo "## \`kg eval re3d $(DATA)/re3d-dev\`"; echo; echo '```text'; \
	  $(BIN)/kg eval re3d $(DATA)/re3d-dev; echo '```'; \
	  echo; echo "## \`kg eval conll04 $(DATA)/conll04/conll04_dev.json\`"; echo; echo '```text'; \
	  $(BIN)/kg eval conll04 $(DATA)/conll04/conll04_dev.json; echo '```'; } > $$out; \
	mv $$out benchmarks/EVAL.md; cat benchmarks/EVAL.md

# headless Chromium (Debian's chromium package), never a downloaded browser
CHROMIUM ?= chromium
CHROMIUM_FLAGS := --headless --no-sandbox --disable-gpu --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync

$(OUT)/graph.html: | $(BIN)/kg
	$(BIN)/kg build examples/ -o $(OUT)

# a PNG of the demo explorer; README shows the copy in docs/graph.png
screenshot: $(OUT)/graph.html
	@set -e; profile=$$(mktemp -d); trap 'rm -rf $$profile' EXIT; rm -f $(OUT)/graph.png; \
	$(CHROMIUM) $(CHROMIUM_FLAGS) --user-data-dir=$$profile --window-size=1400,900 \
	  --virtual-time-budget=8000 --screenshot=$(abspath $(OUT))/graph.png \
	  file://$(abspath $(OUT))/graph.html 2>/dev/null; \
	test -s $(OUT)/graph.png; echo "$(OUT)/graph.png (cp $(OUT)/graph.png docs/ for the README)"

# every benchmarks/bench_*.py (not unit tests: they time things)
bench: $(BIN)/kg
	@set -e; for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean:
	rm -rf $(OUT)/graph.ttl $(OUT)/graph.html $(OUT)/analysis.json $(OUT)/store
