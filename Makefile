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
	$(BIN)/flask --app webapp check-setup
	$(BIN)/flask --app webapp init-db
	$(BIN)/flask --app webapp seed-demo --if-empty

# The demo serves plain HTTP on the local network, so its session cookie cannot be `Secure`;
# behind an HTTPS proxy leave DUBAN_SESSION_COOKIE_SECURE unset (README, "Deploying").
# The notification worker runs beside the web server (it also runs the day's reminders and
# escalation, `tick`, once a day) and stops with it.
run: db
	@$(BIN)/flask --app webapp show-welcome --port $(PORT)
	$(BIN)/flask --app webapp worker & worker=$$!; trap "kill $$worker" EXIT INT TERM; \
	DUBAN_SESSION_COOKIE_SECURE=false DUBAN_DEMO_MODE=true $(BIN)/gunicorn \
	  --bind $(HOST):$(PORT) --workers 2 --worker-class gthread --threads 4 --preload \
	  --access-logfile - webapp.wsgi:app

test: $(VENV)/.installed system-deps
	$(BIN)/ruff check webapp tests benchmarks
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check webapp tests benchmarks

benchmark: $(VENV)/.installed system-deps
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
