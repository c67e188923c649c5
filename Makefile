# ServiceDesk — `make demo` and `make test` work from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the tests need (browser tests drive Debian's chromium).
DEBIAN_PACKAGES := chromium fonts-wqy-microhei

.PHONY: help install demo test test-postgres lint format translations translations-update bench clean system-packages

help:
	@echo "make demo        fresh demo database, served on http://127.0.0.1:5000 with a worker"
	@echo "make test        the whole test suite (SQLite; PostgreSQL with SERVICEDESK_TEST_DATABASE_URL)"
	@echo "make lint        ruff check + format check"
	@echo "make translations-update  re-extract strings into the Chinese catalogue"
	@echo "make bench       desk latencies and portal throughput on 100,000 tickets (bench/)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel -q compile -d servicedesk/translations

translations-update: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext -k _l -o /tmp/servicedesk-messages.pot .
	$(BIN)/pybabel -q update -i /tmp/servicedesk-messages.pot -d servicedesk/translations --no-fuzzy-matching

# Installs what is missing only, so a prepared machine does not need root or network.
system-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# Builds the demo database, then serves it with a worker beside the web
# server (the worker delivers mail; see "Background jobs and email" in the
# README). Ctrl+C stops both.
DEMO_DATABASE = sqlite:///$${SERVICEDESK_INSTANCE_PATH:-$(CURDIR)/instance}/demo.db
demo: install
	$(BIN)/servicedesk demo --no-serve
	@export SERVICEDESK_DATABASE_URL="$(DEMO_DATABASE)"; \
	$(BIN)/servicedesk worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/servicedesk run

test: install system-packages
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Seeds bench/desk.db (100,000 tickets) once, then times the desk and the portal on it.
bench: install
	@test -f bench/desk.db || $(BIN)/python bench/seed.py
	$(BIN)/python bench/desk.py
	$(BIN)/python bench/submissions.py --database bench/desk.db

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
