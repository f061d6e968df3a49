# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

# Local runs are development runs: DEBUG on, so no SECRET_KEY is needed.
# Production sets DEBUG=0 and a real SECRET_KEY in the environment instead.
export DEBUG ?= 1

.PHONY: run test install migrate seed check lint format clean screenshots

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python >= 3.11 is required (found %s); set PYTHON=..." % sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed

run: seed
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Everything but the tests: Django's checks, migrations up to date, lint and format, the layers'
# import direction (import-linter), types of the shared machinery (mypy) and the templates (djlint).
check: $(STAMP)
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/djlint templates --lint

# The whole suite on every core (pytest-xdist): each worker builds its own test database, loads
# the seed into it and, for the browser tests, starts its own live server. `--dist loadfile` keeps
# each test file on one worker, so a module's fixtures (the OpenAPI schema, the generated client,
# a browser) are built once. The options are given here rather than in pyproject.toml's addopts so
# that `make screenshots` and a developer's `pytest tests/web/test_home.py` stay in one process,
# without the start-up of the workers (add `-n auto` to a run by hand for the same effect).
test: check
	$(BIN)/python -m pytest -n auto --dist loadfile

# The README's images, taken by the browser tests' walks through the site (needs Chromium).
screenshots: $(STAMP)
	README_IMAGES=docs/images REQUIRE_BROWSER=1 $(BIN)/python -m pytest tests/browser -q

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles screenshots
