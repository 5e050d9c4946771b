# Peerpath: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run test test-fast lint typecheck check bench bench-data bench-lrs bench-schedule bench-leaderboard bench-feed browser-deps clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==25.3"
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/peerpath run

# Debian's Chromium drives the browser tests; install it when missing.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) browser-deps
	$(BIN)/python -m django makemigrations --check --dry-run --settings=peerpath.settings >/dev/null
	$(BIN)/pytest -n 2 --create-db

test-fast: $(STAMP)
	$(BIN)/pytest -n 2 -m "not browser"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy src

check: lint typecheck

bench-data: $(STAMP)
	$(BIN)/python -m benchmarks.generate --tier $${TIER:-S}

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run $${TIERS:+--tiers $$TIERS}

# The LRS at scale: STATEMENTS (default 1,000,000) and DB_URL (default SQLite) are optional.
bench-lrs: $(STAMP)
	$(BIN)/python -m benchmarks.lrs $${STATEMENTS:+--statements $$STATEMENTS} \
	  $${DB_URL:+--db-url $$DB_URL}

# Learning-time coverage decisions for a 500-person call centre; DB_URL (default SQLite).
bench-schedule: $(STAMP)
	$(BIN)/python -m benchmarks.schedule $${DB_URL:+--db-url $$DB_URL}

# Leaderboards for 100,000 people and 10,000,000 ledger rows (PEOPLE, ENTRIES to change
# the size; DB_URL for PostgreSQL, default SQLite). Also measures a hundredth of the size.
bench-leaderboard: $(STAMP)
	$(BIN)/python -m benchmarks.leaderboard $${PEOPLE:+--people $$PEOPLE} \
	  $${ENTRIES:+--entries $$ENTRIES} $${DB_URL:+--db-url $$DB_URL}

# The home feed for 100,000 people and 5,000,000 activity items (PEOPLE, ACTIVITIES to
# change the size; DB_URL for PostgreSQL, default SQLite). Also a hundredth of the size.
bench-feed: $(STAMP)
	$(BIN)/python -m benchmarks.feed $${PEOPLE:+--people $$PEOPLE} \
	  $${ACTIVITIES:+--activities $$ACTIVITIES} $${DB_URL:+--db-url $$DB_URL}

clean:
	rm -rf $(VENV) var/static .pytest_cache
