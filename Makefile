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

.PHONY: run test install migrate seed check lint format clean screenshots cluster cluster-stop cluster-test worker

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

# The webhooks' worker (README, "Webhooks"), beside `make run` or the app servers: it dispatches
# the changes each hook is owed and posts them. It needs Redis (WEBHOOKS_REDIS_URL, else
# REDIS_URL, else redis://127.0.0.1:6379/0); the site runs without it, and what the hooks are
# owed waits in the database until a worker runs.
worker: migrate
	$(BIN)/python manage.py run_huey

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
# without the start-up of the workers (add `-n auto` to a run by hand for the same effect). The
# fifteen slowest tests are listed at the end, to keep an eye on the suite's time.
test: check
	$(BIN)/python -m pytest -n auto --dist loadfile --durations=15

# The README's images, taken by the browser tests' walks through the site (needs Chromium).
screenshots: $(STAMP)
	README_IMAGES=docs/images REQUIRE_BROWSER=1 $(BIN)/python -m pytest tests/browser -q

# A production-like cluster on this machine (README, "Running at scale"): a PostgreSQL primary and
# a streaming replica, Redis, and two gunicorn app servers (scripts/cluster says where).
cluster: $(STAMP)
	bash scripts/cluster start

cluster-stop:
	bash scripts/cluster stop

# Starts the cluster, writes through one app server and reads through the other from the replica
# (tests/scale), then stops it whatever the result.
cluster-test: $(STAMP)
	CLUSTER_SEED=0 bash scripts/cluster start && . .cluster/env && $(BIN)/python -m pytest tests/scale -m cluster -q; \
	  status=$$?; bash scripts/cluster stop; exit $$status

# The benchmark (README, "Performance") against DATABASE_URL (PostgreSQL is the target): the site
# under gunicorn in production mode beside Datasette serving the same instruments. Datasette lives
# in a virtual environment of its own, made on first use, so the site's dependencies never change.
# Options go in BENCH_ARGS, e.g. make bench BENCH_ARGS="--sizes 10000,100000 --json bench.json"
# (`manage.py benchmark --help` lists them).
.PHONY: bench
BENCH_VENV  := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
BENCH_ARGS  ?=

$(BENCH_STAMP):
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet "datasette>=0.65,<1"
	touch $(BENCH_STAMP)

bench: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python manage.py benchmark --datasette $(BENCH_VENV)/bin/datasette $(BENCH_ARGS)

# The load run (README, "Load run"): the site under gunicorn in production mode on PostgreSQL
# (DATABASE_URL, else a database of its own, policytracker_load, made on first use) with the seed
# and 10,000 synthetic instruments, under locust's users asking for pages, API requests and
# searches for 60 s on the loopback interface; it prints requests, errors, throughput and
# p50/p95/p99, and fails on any error. Options go in LOAD_ARGS, e.g.
# make loadtest LOAD_ARGS="--users 16 --size 100000" (`manage.py loadtest --help` lists them).
.PHONY: loadtest
LOAD_ARGS ?=

loadtest: $(STAMP)
	$(BIN)/python manage.py loadtest $(LOAD_ARGS)

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles screenshots
