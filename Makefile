# Duban — the two commands: `make run` (server with demo data) and `make test` (whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 0.0.0.0
PORT   ?= 5000

.PHONY: run test lint system-deps db benchmark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

system-deps:
	@scripts/install-system-deps

db: $(VENV)/.installed system-deps
	$(BIN)/flask --app webapp init-db
	$(BIN)/flask --app webapp seed-demo --if-empty

run: db
	@$(BIN)/flask --app webapp show-welcome --port $(PORT)
	$(BIN)/flask --app webapp run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed system-deps
	$(BIN)/ruff check webapp tests benchmarks
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check webapp tests benchmarks

benchmark: $(VENV)/.installed system-deps
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
