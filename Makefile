# Stockpile: `make run` for a first run, `make test` for the whole test suite.
# Both work on a fresh Debian/Ubuntu machine with Python 3.11+: missing system packages are
# installed with apt-get when run as root or with password-less sudo (otherwise the command is
# printed); with no DATABASE_URL and REDIS_URL they start real PostgreSQL 18 and Redis servers from
# pip wheels (data under var/). `make stop` stops everything `make run` started.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ADDRESS ?= 127.0.0.1:8000

.PHONY: run test install install-dev check-system check-system-tests lint format stop bench

$(BIN)/python: | check-system
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Stockpile needs Python 3.11 or newer")'
	@$(PYTHON) -m venv $(VENV) || { echo "Python's venv module is missing. Install it with:"; echo "  sudo apt-get install -y python3-venv"; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip

check-system:
	@$(PYTHON) scripts/check_system.py

check-system-tests:
	@$(PYTHON) scripts/check_system.py --tests

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: check-system $(VENV)/.installed
install-dev: check-system-tests $(VENV)/.installed-dev

run: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-1} $(BIN)/python -m core.launcher $(ADDRESS)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

stop:
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m core.launcher stop; else echo "Nothing to stop (no .venv)"; fi

bench: install-dev
	$(BIN)/python -m bench
