# Stockpile: `make run` for a first run, `make test` for the whole test suite.
# Both work on a fresh Debian/Ubuntu machine with Python 3.11+: missing system packages are
# installed with apt-get when run as root or with password-less sudo (otherwise the command is
# printed); with no DATABASE_URL and REDIS_URL they start real PostgreSQL 18 and Redis servers from
# pip wheels (data under var/). `make stop` stops everything `make run` started.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ADDRESS ?= 127.0.0.1:8000

.PHONY: run test install install-dev check-system check-system-tests lint format stop bench lock messages

$(BIN)/python: | check-system
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Stockpile needs Python 3.11 or newer")'
	@$(PYTHON) -m venv $(VENV) || { echo "Python's venv module is missing. Install it with:"; echo "  sudo apt-get install -y python3-venv"; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip

check-system:
	@$(PYTHON) scripts/check_system.py

check-system-tests:
	@$(PYTHON) scripts/check_system.py --tests

# Exact versions with their SHA-256 hashes (requirements*.lock, from `make lock`): a tampered or
# substituted package is refused. The project itself is then installed without dependencies.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.installed

# Regenerate the lock files after a change to the dependencies in pyproject.toml.
lock: | $(BIN)/python
	$(BIN)/pip install --quiet 'pip-tools>=7.4,<8'
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	  --no-emit-find-links --no-emit-trusted-host -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	  --no-emit-find-links --no-emit-trusted-host --extra dev -o requirements-dev.lock pyproject.toml

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
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Bring the translation catalogues (locale/) up to date with the source, then compile them; the
# compiled .mo files are committed, so that a deployment needs no gettext tools.
messages: install-dev
	$(BIN)/python manage.py makemessages --all --no-obsolete --add-location file \
	  --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=staticfiles
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var

stop:
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m core.launcher stop; else echo "Nothing to stop (no .venv)"; fi

bench: install-dev
	$(BIN)/python -m bench $(ARGS)
